"""The admin pages of other apps' models, in the interface language: Django's users and groups, django-axes.

Their own labels are translated by their catalogues (django-axes' by ``locale/third_party``); what is stored as data
in English is shown translated here: the role groups' names, and the names of permissions, which Django writes once,
in English, when it creates them ("Can add recommendation").
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db import models
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, ngettext, pgettext

from .roles import group_label

#: A permission's action (its codename's prefix) → how a permission of that action reads.
PERMISSION_ACTIONS = {
    "add": lambda model: pgettext("permission", "Can add %(model)s") % {"model": model},
    "change": lambda model: pgettext("permission", "Can change %(model)s") % {"model": model},
    "delete": lambda model: pgettext("permission", "Can delete %(model)s") % {"model": model},
    "view": lambda model: pgettext("permission", "Can view %(model)s") % {"model": model},
}


def permission_label(permission: Permission) -> str:
    """A permission as the admin lists it ("app | model | can add …"), in the interface language."""
    model = permission.content_type.model_class()
    action, _sep, _rest = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS:
        return str(permission)
    meta = model._meta
    return f"{meta.app_config.verbose_name} | {meta.verbose_name} | {PERMISSION_ACTIONS[action](meta.verbose_name)}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """The permissions of a user or group, labelled in the interface language."""

    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class GroupChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A user's groups, the role groups named in the interface language."""

    def label_from_instance(self, obj: Any) -> str:
        return group_label(obj.name)


class TranslatedPermissionsMixin:
    """Label the permissions and groups fields of the form in the interface language."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs["form_class"] = PermissionChoiceField
        elif db_field.name == "groups":
            kwargs["form_class"] = GroupChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class TrackerGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):  # type: ignore[misc]
    """Django's group admin, with the role groups and the permissions named in the interface language."""

    list_display = ["display_name"]

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def display_name(self, group: Group) -> str:
        """The group's name, a role group's in the interface language."""
        return group_label(group.name)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return _labelled(super().render_change_form(request, context, *args, **kwargs))

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return _labelled(super().delete_view(request, object_id, extra_context))

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return _labelled(super().history_view(request, object_id, extra_context))


class _LabelledGroup:
    """A group as the admin's titles and breadcrumbs name it: a role group by its label in the interface language."""

    def __init__(self, group: Group) -> None:
        self._group = group

    def __getattr__(self, name: str) -> Any:
        return getattr(self._group, name)

    def __str__(self) -> str:
        return group_label(self._group.name)


def _labelled(response: Any) -> Any:
    """A group admin page whose titles name the group (Django uses ``str(group)``, the stored English name) by its
    label in the interface language; the page is rendered later, from this context."""
    context = getattr(response, "context_data", None)
    if not context:
        return response
    for key in ("original", "object"):
        group = context.get(key)
        if isinstance(group, Group) and group_label(group.name) != group.name:
            context[key] = _LabelledGroup(group)
            for text_key in ("title", "subtitle", "object_name"):
                if isinstance(context.get(text_key), str):
                    context[text_key] = context[text_key].replace(group.name, group_label(group.name))
            if "deleted_objects" in context:
                context["deleted_objects"] = _relabel(context["deleted_objects"], group)
    return response


def _relabel(items: Any, group: Group) -> Any:
    """The delete page's nested list of what goes, with the group's link text in the interface language."""
    if isinstance(items, list):
        return [_relabel(item, group) for item in items]
    if isinstance(items, SafeString):
        return mark_safe(items.replace(f">{escape(group.name)}<", f">{escape(group_label(group.name))}<"))  # noqa: S308
    return items


class GroupListFilter(admin.RelatedFieldListFilter):
    """The user list's filter by group, the role groups named in the interface language."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(group.pk), group_label(group.name)) for group in Group.objects.order_by("name")]


class TrackerUserAdmin(TranslatedPermissionsMixin, UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, with the role groups and the permissions named in the interface language."""

    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", GroupListFilter))


class TrackerAccessAttemptAdmin(AccessAttemptAdmin):  # type: ignore[misc]
    """django-axes' access attempts, with its status and expiry columns titled (it leaves them untitled)."""

    @admin.display(description=gettext_lazy("Status"))
    def status(self, obj: AccessAttempt) -> str:
        """How many attempts are left before the lockout, or that the address is locked out."""
        left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left > 0:
            return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}
        return str(gettext_lazy("Locked out"))

    @admin.display(description=gettext_lazy("Expires"))
    def expiration(self, obj: AccessAttempt) -> Any:
        return super().expiration(obj)


def _reregister(model: type[models.Model], admin_class: type[admin.ModelAdmin[Any]]) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


_reregister(Group, TrackerGroupAdmin)
_reregister(User, TrackerUserAdmin)
_reregister(AccessAttempt, TrackerAccessAttemptAdmin)
