from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ChangeAction, ObjectType


class ChangeEvent(models.Model):
    """One entry of the change feed and audit trail: who created, changed or deleted which object, and its state."""

    seq = models.BigAutoField(_("sequence number"), primary_key=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    object_type = models.CharField(_("object type"), max_length=30, choices=ObjectType.choices)
    object_id = models.UUIDField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=300, help_text=_("How the object read at the time."))
    data = models.JSONField(
        _("representation"), help_text=_("The object's API representation after the change (before, for a deletion).")
    )
    changes = models.JSONField(
        _("changed fields"), default=dict, blank=True, help_text=_("For updates: {field: [old, new]}.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_events",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True, help_text=_("Kept if the user goes."))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="changeevent_object_idx"),
            models.Index(fields=["created_at"], name="changeevent_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"
