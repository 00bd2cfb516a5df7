"""How a notification reads, in the language active when it is shown or e-mailed (it stores a kind and parameters)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from recommendations.choices import Status
from recommendations.models import Recommendation

from .models import Notification, NotificationKind


def _field_label(name: str) -> str:
    """A recommendation field's name for people (a language column reads as its field)."""
    base = name.removesuffix("_ja").removesuffix("_en")
    try:
        field = Recommendation._meta.get_field(base)
    except FieldDoesNotExist:
        return base.replace("_", " ")
    return str(getattr(field, "verbose_name", base))


def _date(value: str) -> str:
    try:
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return value


def notification_text(notification: Notification) -> str:
    """One sentence saying what happened, in the active language."""
    params = notification.params or {}
    actor = params.get("actor") or _("Someone")
    values = {"actor": actor, "reference": params.get("reference", "")}
    kind = notification.kind
    if kind == NotificationKind.CREATED:
        return _("%(actor)s created %(reference)s.") % values
    if kind == NotificationKind.DELETED:
        return _("%(actor)s deleted %(reference)s.") % values
    if kind == NotificationKind.STATUS:
        status = params.get("status", "")
        label = Status(status).label if status in Status.values else status
        return _("%(actor)s changed the status of %(reference)s to “%(status)s”.") % {**values, "status": label}
    if kind == NotificationKind.CHANGED:
        labels = sorted({_field_label(name) for name in params.get("fields", [])})
        if not labels:
            return _("%(actor)s changed %(reference)s.") % values
        fields = _(", ").join(labels)
        return _("%(actor)s changed %(fields)s of %(reference)s.") % {**values, "fields": fields}
    if kind == NotificationKind.EVIDENCE:
        return _("%(actor)s added evidence to %(reference)s.") % values
    if kind == NotificationKind.ASSESSMENT:
        return _("%(actor)s recorded an assessment of %(reference)s.") % values
    if kind == NotificationKind.MILESTONE:
        return _("%(actor)s changed the planned steps of %(reference)s.") % values
    if kind == NotificationKind.PARTNER_STATUS:
        return _("%(actor)s recorded progress with %(partner)s on %(reference)s.") % {
            **values,
            "partner": params.get("partner", ""),
        }
    when = {**values, "date": _date(params.get("date", ""))}
    if kind == NotificationKind.TARGET_SOON:
        return _("The target date of %(reference)s is %(date)s.") % when
    if kind == NotificationKind.TARGET_PASSED:
        return _("The target date of %(reference)s (%(date)s) has passed.") % when
    if kind == NotificationKind.REVIEW_SOON:
        return _("%(reference)s is due for review on %(date)s.") % when
    if kind == NotificationKind.REVIEW_PASSED:
        return _("The review date of %(reference)s (%(date)s) has passed.") % when
    return _("Something changed in %(reference)s.") % values
