"""Admin plumbing shared by every model admin: writes go through the services, edits carry the version they began at.

Django's admin saves an object in ``save_model`` and its many-to-many fields and inlines in ``save_related``. Here
``save_model`` does nothing and ``save_related`` makes one service call with everything, so an admin edit is one
version bump and one change-feed entry, like an API or form edit. The change form carries the version it was opened
at: if someone changed the object meanwhile, the form says so and nothing is overwritten.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .changes import VersionConflict
from .choices import ObjectType
from .models import ChangeEvent

#: Integer keys beyond this range make the database driver raise (SQLite: OverflowError) instead of finding nothing.
INTEGER_KEY_RANGE = range(-(2**63), 2**63)


def usable_key(key_field: models.Field, value: Any) -> bool:
    """Whether ``value`` can be looked up in ``key_field`` at all (a well-formed value in the column's range).

    Django's choice fields catch a malformed key when they look it up, but not one the database driver refuses
    (a 40-digit id), and the admin's autocomplete widgets re-render a refused value by querying it unchecked.
    """
    try:
        python = key_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    if isinstance(key_field, models.IntegerField) and python is not None:
        return python in INTEGER_KEY_RANGE
    return True


def _key_field(queryset: models.QuerySet, to_field_name: str | None) -> models.Field:
    return queryset.model._meta.get_field(to_field_name) if to_field_name else queryset.model._meta.pk


class CheckedModelChoiceField(forms.ModelChoiceField):
    """A model choice that refuses a key the database could not even look up as "not one of the choices"."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not usable_key(_key_field(self.queryset, self.to_field_name), value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices, refusing keys the database could not even look up (see CheckedModelChoiceField)."""

    def _check_values(self, value: Any) -> models.QuerySet:
        key_field = _key_field(self.queryset, self.to_field_name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if not usable_key(key_field, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class CheckedAutocompleteMixin:
    """An autocomplete widget that re-renders a refused value as nothing instead of querying it (a 500 otherwise)."""

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)  # a foreign key's to_field; many-to-many use the pk
        key_field = remote.model._meta.get_field(field_name) if field_name else remote.model._meta.pk
        usable = [item for item in value if item in ("", None) or usable_key(key_field, item)]
        return super().optgroups(name, usable, attr)


class CheckedAutocompleteSelect(CheckedAutocompleteMixin, AutocompleteSelect):
    """AutocompleteSelect, safe with malformed submitted values."""


class CheckedAutocompleteSelectMultiple(CheckedAutocompleteMixin, AutocompleteSelectMultiple):
    """AutocompleteSelectMultiple, safe with malformed submitted values."""


class CheckedChoicesMixin:
    """For model admins and inlines: related-object fields refuse malformed keys with a form error, never a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", CheckedModelChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


#: Longest admin search the database is asked to run (SQLite refuses LIKE patterns of about 50 kB: a 500).
MAX_SEARCH_LENGTH = 200


class CheckedSearchMixin:
    """For model admins: a search the database cannot run (too long, or a NUL byte PostgreSQL refuses) finds nothing,
    and an action on forged selections does nothing.

    The changelist's search box and the autocomplete widgets both search through ``get_search_results``. A list
    filter value with a NUL byte is answered as Django answers parameters it cannot use: the list, flagged ``?e=1``.
    """

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def response_action(self, request, queryset):
        """An action on forged selections (ids that are no ids) changes nothing, as an empty selection does."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(usable_key(self.opts.pk, value) for value in selected):
            message = _("Items must be selected in order to perform actions on them. No items have been changed.")
            self.message_user(request, message, messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > MAX_SEARCH_LENGTH or "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class VersionedAdminForm(forms.ModelForm):
    """A model form that remembers the version it was opened at and refuses to save over a newer one."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened_version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk:
            opened_at = cleaned.get("opened_version")
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            current_version = current.first()
            if opened_at is None or opened_at != current_version:
                raise ValidationError(
                    gettext_lazy(
                        "Someone else changed this record while you were editing it (you opened version "
                        "%(opened)s, it is now at version %(current)s). Nothing was saved. Copy your changes, "
                        "reload the page and apply them again."
                    ),
                    code="stale_version",
                    params={"opened": opened_at, "current": current_version},
                )
        return cleaned


def copy_saved_into(target: models.Model, saved: models.Model) -> None:
    """Make the admin's in-memory object the one the service saved (the admin goes on to log and redirect with it)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


class ServiceAdmin(CheckedSearchMixin, CheckedChoicesMixin, admin.ModelAdmin):
    """A model admin whose writes go through service functions, with a change history from the change feed."""

    #: The change feed's name for this model's objects.
    object_type: ObjectType

    def service_create(self, request: HttpRequest, form: forms.ModelForm, formsets: list) -> models.Model:
        """Create the object from the admin's form (and inlines) through its service."""
        raise NotImplementedError

    def service_update(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, formsets: list
    ) -> models.Model:
        """Change the object from the admin's form (and inlines) through its service."""
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: models.Model) -> None:
        """Delete the object through its service."""
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        """Nothing here: save_related writes the object and its relations in one service call."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        if change:
            saved = self.service_update(request, form.instance, form, formsets)
        else:
            saved = self.service_create(request, form, formsets)
        copy_saved_into(form.instance, saved)

    def construct_change_message(self, request, form, formsets, add=False):
        """Admin log message from the form alone (the inlines were saved by the service, not by formset.save())."""
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": [str(form.fields[name].label or name) for name in form.changed_data]}}]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.service_delete(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict as conflict:
            # Lost the race between the form's version check and the write: tell the user, write nothing.
            self.message_user(request, _("Not saved: %(reason)s") % {"reason": conflict}, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        """Who changed what and when, from the change feed (which also records API and web edits)."""
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = ChangeEvent.objects.filter(object_type=self.object_type, object_id=obj.uuid).order_by("-seq")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "events": events.select_related("actor"),
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tracker/change_history.html", context)
