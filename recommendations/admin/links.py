"""Links between recommendations in the recommendation admin: outgoing links editable inline, incoming ones shown.

The inline's rows are not saved by the formset: after the recommendation's own service call, each added link goes
through ``recommendation_link_create`` and each removed one through ``recommendation_link_delete`` (a changed row is
removed and added again), so both ends get their version bump and change-feed entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from core.admin import CheckedChoicesMixin, LabelledInlineMixin

from ..choices import LINK_INVERSE_LABELS, LinkType
from ..models import Recommendation, RecommendationLink
from ..services import recommendation_link_create, recommendation_link_delete, validate_recommendation_link

if TYPE_CHECKING:
    from core.admin import ServiceAdmin

    # django-stubs' generic classes, with their type arguments for mypy alone (Django's cannot be subscripted).
    _LinkFormSet = BaseInlineFormSet[RecommendationLink, Recommendation, forms.ModelForm[RecommendationLink]]
    _LinkInline = admin.TabularInline[RecommendationLink, Recommendation]
    _RecommendationAdminBase = ServiceAdmin  # what the mixin is mixed into (at run time: object)
else:
    _LinkFormSet = BaseInlineFormSet
    _LinkInline = admin.TabularInline
    _RecommendationAdminBase = object


def _deleted(form: forms.BaseForm) -> bool:
    """Whether the user ticked the row's delete box."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class OutgoingLinkFormSet(_LinkFormSet):
    """Checks each new or changed link with the services' rules, so a refused link is a form error, not a crash."""

    def clean(self) -> None:
        super().clean()
        replaced = [form.instance.pk for form in self.initial_forms if _deleted(form) or form.has_changed()]
        seen: set[tuple[int, str]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or _deleted(form) or not data.get("to_recommendation") or not data.get("link_type"):
                continue
            key = (data["to_recommendation"].pk, data["link_type"])
            if key in seen:
                form.add_error(None, gettext_lazy("This link is listed twice."))
            seen.add(key)
            if form.instance.pk and not form.has_changed():
                continue
            try:
                validate_recommendation_link(
                    from_recommendation=self.instance,
                    to_recommendation=data["to_recommendation"],
                    link_type=data["link_type"],
                    ignore=replaced,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)


class OutgoingLinkInline(LabelledInlineMixin, CheckedChoicesMixin, _LinkInline):
    """Links from this recommendation to others: "this recommendation supersedes TOK23-07"."""

    model = RecommendationLink
    fk_name = "from_recommendation"
    formset = OutgoingLinkFormSet
    fields = ["link_type", "to_recommendation", "note"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = gettext_lazy("link to another recommendation")
    verbose_name_plural = gettext_lazy("links to other recommendations")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecommendationLink]:
        return super().get_queryset(request).select_related("to_recommendation")


class IncomingLinkInline(_LinkInline):
    """Links from other recommendations to this one, read-only: "superseded by TOK23-12"."""

    model = RecommendationLink
    fk_name = "to_recommendation"
    fields = ["inverse_label", "from_recommendation", "note"]
    readonly_fields = cast("list[str]", fields)
    extra = 0
    can_delete = False
    verbose_name = gettext_lazy("link from another recommendation")
    verbose_name_plural = gettext_lazy("links from other recommendations (edit them there)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecommendationLink]:
        return super().get_queryset(request).select_related("from_recommendation")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("this recommendation is"))
    def inverse_label(self, link: RecommendationLink) -> str:
        """How the link reads from this side: "superseded by", "is a prerequisite of", ..."""
        return str(LINK_INVERSE_LABELS[LinkType(link.link_type)])


class RecommendationLinksAdminMixin(_RecommendationAdminBase):
    """Saves the outgoing-links inline through the link services, after the recommendation itself is saved."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if isinstance(formset, OutgoingLinkFormSet):
                self._save_links(request, form.instance, formset)

    @staticmethod
    def _save_links(request: HttpRequest, recommendation: Recommendation, formset: OutgoingLinkFormSet) -> None:
        """Remove the deleted and changed links first, then add the new and changed ones."""
        for form in formset.initial_forms:
            if _deleted(form) or form.has_changed():
                recommendation_link_delete(link=form.instance, actor=request.user)
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or _deleted(form) or not data.get("to_recommendation"):
                continue
            if form.instance.pk and not form.has_changed():
                continue
            recommendation_link_create(
                from_recommendation=recommendation,
                to_recommendation=data["to_recommendation"],
                link_type=data["link_type"],
                note=data.get("note", ""),
                actor=request.user,
            )
