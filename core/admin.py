"""The admin's shared machinery, and the admin of the change feed and of API tokens.

Every model admin of the project builds on ``ServiceAdmin``: writes go through the services, edits carry the version
they began at, and the history comes from the change feed.

Django's admin saves an object in ``save_model`` and its many-to-many fields and inlines in ``save_related``. Here
``save_model`` does nothing and ``save_related`` makes one service call with everything, so an admin edit is one
version bump and one change-feed entry, like an API or form edit. The change form carries the version it was opened
at: if someone changed the object meanwhile, the form says so and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_filters import FilterSet
from django_tasks_db.admin import DBTaskResultAdmin as _DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .changes import VersionConflict
from .feed import feed_type_for
from .jobs import periodic_job
from .models import ApiToken, ChangeEvent, PeriodicRun, SignInThrottle
from .services import api_token_create, api_token_revoke
from .translation import (
    CANONICAL_LANGUAGE,
    CONTENT_LANGUAGES,
    column,
    column_label,
    columns,
    fallback_order,
    translated_fields,
)

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin, _FieldGroups, _FieldsetSpec
    from django.contrib.admin.widgets import AutocompleteMixin
    from django.forms.formsets import BaseFormSet

    # django-stubs makes these classes generic; Django's own cannot be subscripted at run time, so the type arguments
    # live here, for mypy alone. The mixins' bases are what they are mixed into (at run time: object).
    _ModelAdmin = admin.ModelAdmin[Any]
    _ModelForm = forms.ModelForm[Any]
    _ModelChoiceField = forms.ModelChoiceField[Any]
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField[Any]
    _AutocompleteMixinBase = AutocompleteMixin
    _AdminMixinBase = BaseModelAdmin[Any]
    _ModelAdminMixinBase = admin.ModelAdmin[Any]
    _InlineMixinBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _ModelAdmin = admin.ModelAdmin
    _ModelForm = forms.ModelForm
    _ModelChoiceField = forms.ModelChoiceField
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField
    _AutocompleteMixinBase = _AdminMixinBase = _ModelAdminMixinBase = _InlineMixinBase = object

#: Integer keys beyond this range make the database driver raise (SQLite: OverflowError) instead of finding nothing.
INTEGER_KEY_RANGE = range(-(2**63), 2**63)


def usable_key(key_field: models.Field[Any, Any], value: Any) -> bool:
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


def _key_field(queryset: models.QuerySet[Any], to_field_name: str | None) -> models.Field[Any, Any]:
    field: models.Field[Any, Any] = (
        queryset.model._meta.get_field(to_field_name) if to_field_name else queryset.model._meta.pk
    )
    return field


class CheckedModelChoiceField(_ModelChoiceField):
    """A model choice that refuses a key the database could not even look up as "not one of the choices"."""

    def to_python(self, value: Any) -> Any:
        queryset = self.queryset
        if (
            value not in self.empty_values
            and queryset is not None
            and not usable_key(_key_field(queryset, self.to_field_name), value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CheckedModelMultipleChoiceField(_ModelMultipleChoiceField):
    """Several model choices, refusing keys the database could not even look up (see CheckedModelChoiceField)."""

    def _check_values(self, value: Any) -> models.QuerySet[Any]:
        if self.queryset is not None:
            key_field = _key_field(self.queryset, self.to_field_name)
            for item in value if isinstance(value, list | tuple) else [value]:
                if not usable_key(key_field, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        # A private method of Django's field, absent from django-stubs.
        checked: models.QuerySet[Any] = super()._check_values(value)  # type: ignore[misc]
        return checked


class CheckedAutocompleteMixin(_AutocompleteMixinBase):
    """An autocomplete widget that re-renders a refused value as nothing instead of querying it (a 500 otherwise)."""

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)  # a foreign key's to_field; many-to-many use the pk
        key_field = remote.model._meta.get_field(field_name) if field_name else remote.model._meta.pk
        usable = [item for item in value if item in ("", None) or usable_key(key_field, item)]
        return super().optgroups(name, usable, attr)


class CheckedAutocompleteSelect(CheckedAutocompleteMixin, AutocompleteSelect):
    """AutocompleteSelect, safe with malformed submitted values."""


class CheckedAutocompleteSelectMultiple(CheckedAutocompleteMixin, AutocompleteSelectMultiple):
    """AutocompleteSelectMultiple, safe with malformed submitted values."""


class CheckedChoicesMixin(_AdminMixinBase):
    """For model admins and inlines: related-object fields refuse malformed keys with a form error, never a 500."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        kwargs.setdefault("form_class", CheckedModelChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def label_controls(form: forms.BaseForm) -> None:
    """Give each visible control without a ``<label>`` of its own (a tabular inline's cells) its field's name."""
    for name, field in form.fields.items():
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("aria-label", str(field.label or name))


class LabelledInlineMixin(_InlineMixinBase):
    """For tabular inlines: every control named for assistive technology (the table shows column heads, no labels)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
                super().add_fields(form, index)
                label_controls(form)

        return LabelledFormSet


#: Longest admin search the database is asked to run (SQLite refuses LIKE patterns of about 50 kB: a 500).
MAX_SEARCH_LENGTH = 200


class CheckedSearchMixin(_ModelAdminMixinBase):
    """For model admins: a search the database cannot run (too long, or a NUL byte PostgreSQL refuses) finds nothing,
    and an action on forged selections does nothing.

    The changelist's search box and the autocomplete widgets both search through ``get_search_results``. A list
    filter value with a NUL byte is answered as Django answers parameters it cannot use: the list, flagged ``?e=1``.
    """

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    # Django 5.2 passes (request, queryset); django-stubs describe Django 6's extra action_location too.
    def response_action(
        self, request: HttpRequest, queryset: models.QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        """An action on forged selections (ids that are no ids) changes nothing, as an empty selection does."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(usable_key(self.opts.pk, value) for value in selected):
            message = _("Items must be selected in order to perform actions on them. No items have been changed.")
            self.message_user(request, message, messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Any], search_term: str
    ) -> tuple[models.QuerySet[Any], bool]:
        if len(search_term) > MAX_SEARCH_LENGTH or "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class FilterSetListFilter(admin.ListFilter):
    """An admin list filter that is one filter of a FilterSet: the same parameter, values and meaning as the web
    pages, the exports and the API (``?status=in_progress``, ``?overdue=true``, ``?partner=india``).

    Make one with :func:`filterset_list_filter`. Its choices are the filter's own; a value the filter refuses is
    answered as the admin answers any parameter it cannot use: the list, flagged ``?e=1``.
    """

    filterset_class: type[FilterSet]
    parameter_name: str

    def __init__(self, request: HttpRequest, params: dict[str, list[str]], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        values = params.pop(self.parameter_name, [])
        self.used_parameters[self.parameter_name] = [value for value in values if value != ""]
        self.lookup_choices = list(self.lookups(request, model_admin))

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """The values offered in the sidebar: the filter's form field's choices."""
        field = self.filterset_form(request).fields[self.parameter_name]
        choices = getattr(field, "choices", None) or getattr(field.widget, "choices", [])
        return [(str(value), str(label)) for value, label in choices if str(value) != ""]

    def filterset_form(self, request: HttpRequest) -> forms.Form:
        """The filterset's unbound form, built once per request for all its list filters (a changelist shows a dozen:
        building the form for each took most of the changelist's time)."""
        built: dict[type[FilterSet], forms.Form] = request.__dict__.setdefault("_filterset_forms", {})
        if self.filterset_class not in built:
            built[self.filterset_class] = self.filterset_class().form
        return built[self.filterset_class]

    def values(self) -> list[str]:
        """The values of the parameter in the request."""
        return list(cast("list[str]", self.used_parameters.get(self.parameter_name, [])))  # set in __init__

    def has_output(self) -> bool:
        return bool(self.lookup_choices)

    def expected_parameters(self) -> list[str | None]:
        return [self.parameter_name]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        values = self.values()
        if not values:
            return queryset
        data = QueryDict(mutable=True)
        data.setlist(self.parameter_name, values)
        filterset = self.filterset_class(data, queryset=queryset)
        if not filterset.is_valid():
            raise IncorrectLookupParameters(filterset.errors)
        filtered: models.QuerySet[Any] = filterset.filters[self.parameter_name].filter(
            queryset, filterset.form.cleaned_data[self.parameter_name]
        )
        return filtered

    def choices(self, changelist: Any) -> Any:
        values = self.values()
        yield {
            "selected": not values,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": value in values,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


def filterset_list_filter(
    filterset_class: type[FilterSet], name: str, *, base: type[FilterSetListFilter] = FilterSetListFilter
) -> type[FilterSetListFilter]:
    """An admin list filter class for the filter ``name`` of ``filterset_class``, titled with the filter's label."""
    label = filterset_class.base_filters[name].label or name
    return type(
        f"{name.title().replace('_', '')}ListFilter",
        (base,),
        {"filterset_class": filterset_class, "parameter_name": name, "title": label},
    )


def label_language_fields(form: forms.BaseForm) -> None:
    """Label a form's language columns "Title (Japanese)", and make each optional: a value in at least one language
    is the model's rule, checked by the service."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return
    for field in translated_fields(model):
        plain = model._meta.get_field(field)
        for language in CONTENT_LANGUAGES:
            form_field = form.fields.get(column(field, language))
            if form_field is None:
                continue
            form_field.label = column_label(model, column(field, language))
            form_field.help_text = plain.help_text
            form_field.required = False


class VersionedAdminForm(_ModelForm):
    """A model form that remembers the version it was opened at and refuses to save over a newer one."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label=gettext_lazy("Opened version"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened_version"] = self.instance.version
        label_language_fields(self)

    def _check_some_language(self, cleaned: dict[str, Any]) -> None:
        """A field the model requires needs a value in at least one language: say so on its first column."""
        model = self._meta.model
        for field in translated_fields(model):
            names = [name for name in (column(field, code) for code in fallback_order()) if name in self.fields]
            if names and not model._meta.get_field(field).blank and not any(cleaned.get(name) for name in names):
                self.add_error(names[0], _("Give it in at least one language."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # never: ModelForm.clean returns cleaned_data
            cleaned = self.cleaned_data
        self._check_some_language(cleaned)
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


def _in_languages(model: type[models.Model], fields: Sequence[Any]) -> list[Any]:
    """A fieldset's field list with each translated field replaced by its language columns, the reader's first."""
    names = translated_fields(model)
    expanded: list[Any] = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            expanded.append(tuple(_in_languages(model, field)))
        elif field in names:
            expanded += [column(field, language) for language in fallback_order()]
        else:
            expanded.append(field)
    return expanded


def _without(fields: Sequence[Any], *names: str) -> list[Any]:
    """A fieldset's field list without ``names`` (also inside a row given as a tuple)."""
    kept: list[Any] = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            row = [part for part in field if part not in names]
            if row:
                kept.append(tuple(row))
        elif field not in names:
            kept.append(field)
    return kept


class ServiceAdmin(CheckedSearchMixin, CheckedChoicesMixin, _ModelAdmin):
    """A model admin whose writes go through service functions, with a change history from the change feed.

    The model must be registered with the change feed (``core.feed``): the history reads its entries by the object
    type the registry gives the model.
    """

    @staticmethod
    def cleaned(form: forms.BaseForm, names: Iterable[str]) -> dict[str, Any]:
        """The form's cleaned values of the fields ``names`` that it has, a translated field as its language
        columns (the keys the services take)."""
        model = getattr(getattr(form, "_meta", None), "model", None)
        translated = translated_fields(model) if model is not None else ()
        wanted = [name for field in names for name in (columns(field) if field in translated else [field])]
        return {name: form.cleaned_data[name] for name in wanted if name in form.cleaned_data}

    def service_create(self, request: HttpRequest, form: _ModelForm, formsets: list[Any]) -> models.Model:
        """Create the object from the admin's form (and inlines) through its service."""
        raise NotImplementedError

    def service_update(self, request: HttpRequest, obj: Any, form: _ModelForm, formsets: list[Any]) -> models.Model:
        """Change the object from the admin's form (and inlines) through its service."""
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        """Delete the object through its service."""
        raise NotImplementedError

    #: Fields of the form that are not the model's (what to record with a change): someone who may only view does not
    #: see them (Django would show each as an empty read-only value).
    form_only_fields: tuple[str, ...] = ("opened_version",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> _FieldsetSpec:
        """The fieldsets, each translated field as its language columns (the reader's language first), and without
        the form-only fields for someone who may only view."""
        hidden = () if obj is None or self.has_change_permission(request, obj) else self.form_only_fields
        fieldsets: list[Any] = []
        for name, options in super().get_fieldsets(request, obj):
            fields = _without(_in_languages(self.model, options.get("fields", ())), *hidden)
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Sequence[str]]:
        """A slug is prepopulated from the canonical language's column of a translated field."""
        return {
            target: [
                column(name, CANONICAL_LANGUAGE) if name in translated_fields(self.model) else name for name in sources
            ]
            for target, sources in super().get_prepopulated_fields(request, obj).items()
        }

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        """The search looks in every language of a translated field."""
        found: list[str] = []
        for name in super().get_search_fields(request):
            found += columns(name) if name in translated_fields(self.model) else [name]
        return found

    def save_model(self, request: HttpRequest, obj: models.Model, form: _ModelForm, change: bool) -> None:
        """Nothing here: save_related writes the object and its relations in one service call."""

    def save_related(self, request: HttpRequest, form: _ModelForm, formsets: list[Any], change: bool) -> None:
        if change:
            saved = self.service_update(request, form.instance, form, formsets)
        else:
            saved = self.service_create(request, form, formsets)
        copy_saved_into(form.instance, saved)

    def construct_change_message(
        self, request: HttpRequest, form: forms.Form, formsets: Iterable[BaseFormSet[Any]], add: bool = False
    ) -> list[dict[str, dict[str, list[str]]]]:
        """Admin log message from the form alone (the inlines were saved by the service, not by formset.save())."""
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": [str(form.fields[name].label or name) for name in form.changed_data]}}]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self.service_delete(request, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict as conflict:
            # Lost the race between the form's version check and the write: tell the user, write nothing.
            self.message_user(request, _("Not saved: %(reason)s") % {"reason": conflict}, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def response_action(
        self, request: HttpRequest, queryset: models.QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        try:
            return super().response_action(request, queryset, *args, **kwargs)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Who changed what and when, from the change feed (which also records API and web edits)."""
        obj = self.get_object(request, object_id)
        if obj is None:
            # A private helper of Django's admin (the redirect of its own views), absent from django-stubs.
            missing: HttpResponse = self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
            return missing
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        object_type = feed_type_for(self.model).object_type
        events = ChangeEvent.objects.filter(object_type=object_type, object_id=obj.uuid).order_by("-seq")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %(object)s") % {"object": obj},
            "subtitle": None,
            "events": events.select_related("actor"),
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/change_history.html", context)


# --- The change feed and API tokens ---------------------------------------------------------------------------------


class ReadOnlyAdmin(CheckedSearchMixin, _ModelAdmin):
    """An admin that only lists and shows: these records are written by the services alone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdmin):
    """Every create, change and deletion, as the change feed gives it to external tools."""

    list_display = ["seq", "created_at", "action", "object_type", "object_repr", "actor_name", "changed_fields"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["object_repr", "actor_name", "request_id", "object_id"]
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("changed fields"))
    def changed_fields(self, event: ChangeEvent) -> str:
        """The names of the fields an update changed."""
        return ", ".join(event.changes) if event.changes else "—"


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdmin):
    """Each periodic job: what it does, how often, when it is next due, and its last success and failure (the jobs
    themselves, queued, running, failed and done, are under "Task results")."""

    list_display = [
        "name",
        "description",
        "interval",
        "due_at",
        "last_enqueued_at",
        "last_success_at",
        "last_failure_at",
        "last_error",
    ]
    search_fields = ["name"]

    @admin.display(description=gettext_lazy("what it does"))
    def description(self, run: PeriodicRun) -> str:
        """The job's description, from its declaration."""
        entry = periodic_job(run.name)
        return str(entry.description) if entry else _("(no longer declared)")

    @admin.display(description=gettext_lazy("every"))
    def interval(self, run: PeriodicRun) -> str:
        """How often the job runs."""
        entry = periodic_job(run.name)
        if entry is None:
            return "—"
        minutes = int(entry.every.total_seconds() // 60)
        if minutes < 1:
            seconds = int(entry.every.total_seconds())
            return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
        if minutes % 60:
            return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class JobAdmin(_DBTaskResultAdmin):
    """Background jobs, queued, running, failed and done (read-only; a failed job is retried by itself, see
    ``core.jobs``), with their error. The database backend's own admin, with the columns in the reader's language."""

    list_display = ("job", "status", "attempt", "enqueued_at", "run_after_shown", "started_at", "finished_at", "error")
    list_filter = ("status", "queue_name", "priority")
    search_fields = ("task_path", "id")

    @admin.display(description=gettext_lazy("job"), ordering="task_path")
    def job(self, result: DBTaskResult[Any, Any]) -> str:
        """The job's function, without its module path."""
        return str(result.task_path).rsplit(".", 1)[-1]

    @admin.display(description=gettext_lazy("attempt"))
    def attempt(self, result: DBTaskResult[Any, Any]) -> int:
        """Which try this is (retries are enqueued as new jobs with the next number)."""
        kwargs = (result.args_kwargs or {}).get("kwargs", {})
        return int(kwargs.get("attempt", 1)) if isinstance(kwargs, dict) else 1

    @admin.display(description=gettext_lazy("not before"), ordering="run_after")
    def run_after_shown(self, result: DBTaskResult[Any, Any]) -> Any:
        """When a queued job may run (retries wait their backoff)."""
        return self.display_run_after(result)

    @admin.display(description=gettext_lazy("error"))
    def error(self, result: DBTaskResult[Any, Any]) -> str:
        """The failure's exception, in short (the whole traceback is on the job's page)."""
        if not result.exception_class_path:
            return ""
        last = str(result.traceback).strip().splitlines()[-1:] if result.traceback else []
        return last[0][:200] if last else str(result.exception_class_path)


class ApiTokenAdminForm(_ModelForm):
    """A new token: whose, what for, whether it may write, when it expires. The secret is generated."""

    class Meta:
        model = ApiToken
        fields = ["user", "name", "can_write", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedSearchMixin, CheckedChoicesMixin, _ModelAdmin):
    """API tokens for external tools: issued and revoked by administrators; the raw token is shown once."""

    #: Where save_model leaves the raw token of a new one for response_add, on the request itself.
    ISSUED_ATTRIBUTE = "_issued_api_token"

    form = ApiTokenAdminForm
    list_display = ["name", "user", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "state"]
    list_filter = ["can_write", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row keeps who had access and when

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        if obj is None:
            return ["user", "name", "can_write", "expires_at"]
        return ["user", "name", "prefix", "can_write", "expires_at", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "name", "prefix", "can_write", "expires_at", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description=gettext_lazy("state"))
    def state(self, token: ApiToken) -> str:
        """Active, expired or revoked."""
        if token.revoked_at:
            return _("revoked")
        return _("active") if token.is_active else _("expired")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: _ModelForm, change: bool) -> None:
        if change:
            return  # tokens are not edited; revoke and issue a new one
        token, raw = api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            can_write=form.cleaned_data["can_write"],
            expires_at=form.cleaned_data["expires_at"],
        )
        copy_saved_into(obj, token)
        setattr(request, self.ISSUED_ATTRIBUTE, raw)

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None) -> HttpResponse:
        """The new token, in the body of this one page: never in a message (a cookie, signed but readable), never
        stored, never cached."""
        raw = getattr(request, self.ISSUED_ATTRIBUTE, None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token issued"),
            "token": obj,
            "raw": raw,
            "opts": self.opts,
            "changelist_url": reverse("admin:core_apitoken_changelist"),
        }
        response = TemplateResponse(request, "admin/core/apitoken/issued.html", context)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, " + response["Cache-Control"]
        return response

    @admin.action(description=gettext_lazy("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: models.QuerySet[ApiToken]) -> None:
        """Revoke the selected tokens from now on."""
        for token in queryset:
            api_token_revoke(token=token)
        count = len(queryset)
        message = ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(SignInThrottle)
class SignInThrottleAdmin(CheckedSearchMixin, _ModelAdmin):
    """Usernames that must wait after failed password checks; an administrator may delete a row to lift the wait."""

    list_display = ["username", "scope", "failures", "blocked_until", "updated_at"]
    list_filter = ["scope"]
    search_fields = ["username"]
    fields = ("scope", "username", "failures", "blocked_until", "updated_at")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser


# Other apps' admin pages in the interface language (Django's users and groups, django-axes).
from . import admin_auth  # noqa: E402, F401
