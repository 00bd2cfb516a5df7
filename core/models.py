"""What every app builds on: the versioned-model base, the change feed's entries and API tokens.

``ChangeEvent`` and ``ApiToken`` were born in the recommendations app; their tables keep the names they had there
(``db_table``), so moving them here changed no data (migration ``core.0001_initial``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction
from .feed import object_type_choices


class VersionedModel(models.Model):
    """An object external tools sync: a stable UUID, a version that grows by one on every change, and timestamps.

    Only the services write these fields (``core.changes``): the version is bumped by a conditional UPDATE, which is
    what makes If-Match and the admin's "someone else changed it" check atomic.
    """

    uuid = models.UUIDField(
        _("UUID"), default=uuid.uuid4, unique=True, editable=False, help_text=_("Stable id used by external tools.")
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Increases by one on every change.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(condition=models.Q(version__gte=1), name="%(class)s_version_positive")]


def object_uuid(instance: models.Model) -> uuid.UUID:
    """The id external tools know an object by: its ``uuid`` field (versioned objects and timeline entries)."""
    value: uuid.UUID = instance.serializable_value("uuid")
    return value


def field_max_length(model: type[models.Model], name: str) -> int:
    """The ``max_length`` of one of a model's fields: the one place a length limit is stated."""
    field = model._meta.get_field(name)
    length = field.max_length if isinstance(field, models.Field) else None
    if length is None:
        raise ValueError(f"{model.__name__}.{name} has no max_length")
    return int(length)


class ChangeEvent(models.Model):
    """One entry of the change feed and audit trail: who created, changed or deleted which object, and its state."""

    seq = models.BigAutoField(_("sequence number"), primary_key=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    object_type = models.CharField(_("object type"), max_length=30, choices=object_type_choices)
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
        db_table = "recommendations_changeevent"
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="changeevent_object_idx"),
            models.Index(fields=["created_at"], name="changeevent_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"


class ApiToken(models.Model):
    """A bearer token for an external tool, stored as a hash; read-only unless write is enabled."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “ministry tracker”."))
    prefix = models.CharField(
        _("prefix"), max_length=16, unique=True, editable=False, help_text=_("Public part that identifies the token.")
    )
    key_hash = models.CharField(_("key hash"), max_length=128, editable=False)
    can_write = models.BooleanField(_("can write"), default=False, help_text=_("Off: the token can only read."))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, help_text=_("Empty: never expires."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        db_table = "recommendations_apitoken"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Whether the token may be used now: not revoked and not expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class SignInThrottle(models.Model):
    """Failed password checks of one username in one scope (sign-in, password change), and how long it must wait.

    Written by ``core.signin`` only. Failures from a browser where the user signed in before do not count, so an
    attacker who knows a username cannot lock its owner out of the devices they use.
    """

    class Scope(models.TextChoices):
        """Where the password was checked."""

        SIGN_IN = "sign_in", _("Sign-in")
        PASSWORD_CHANGE = "password_change", _("Password change")

    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    username = models.CharField(_("username"), max_length=255)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    blocked_until = models.DateTimeField(_("blocked until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [models.UniqueConstraint(fields=["scope", "username"], name="signinthrottle_unique_username")]

    def __str__(self) -> str:
        return f"{self.scope} {self.username}: {self.failures}"


class UserPreferences(models.Model):
    """What a user chose for themselves: the language of the interface.

    Written by ``core.services.user_set_language`` only (the switch in the header, and signing in after choosing a
    language in the browser before).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the interface; blank: as the browser asks."),
    )

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'}"


class PeriodicRun(models.Model):
    """When a periodic job (``core.jobs.register_periodic``) is next due, and how its last runs went.

    A worker claims a due run with a conditional update of ``due_at``, so however many workers look, each run is
    enqueued once.
    """

    name = models.CharField(_("job"), max_length=100, unique=True)
    due_at = models.DateTimeField(_("next due"), default=timezone.now)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
