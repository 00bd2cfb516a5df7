"""Forms of the notification pages: what to watch, what to mark as read, when to be e-mailed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailChoice


class WatchForm(forms.Form):
    """Watch or stop watching one object, named by its kind and its key (a UUID or a slug)."""

    target_type = forms.ChoiceField(
        choices=[("recommendation", ""), ("partner", ""), ("source", ""), ("saved_view", "")]
    )
    target = forms.CharField(max_length=100)
    action = forms.ChoiceField(choices=[("watch", _("Watch")), ("unwatch", _("Stop watching"))])
    next = forms.CharField(required=False, max_length=2000)


class MarkReadForm(forms.Form):
    """Mark one notification as read, or all of them."""

    notification = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("notification") and not cleaned.get("all"):
            raise forms.ValidationError(_("Say which notification to mark as read."))
        return cleaned


class NotificationSettingsForm(forms.Form):
    """When to be e-mailed about notifications."""

    email = forms.ChoiceField(
        label=_("E-mail me"), choices=EmailChoice.choices, widget=forms.RadioSelect, required=True
    )
