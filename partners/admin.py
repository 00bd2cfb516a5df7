"""Admin for partners."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy

from core.admin import ServiceAdmin, VersionedAdminForm

from .models import Partner
from .services import partner_create, partner_delete, partner_update

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Counts(TypedDict):
        """What the admin's queryset annotates each partner with."""

        recommendation_total: int


class PartnerAdminForm(VersionedAdminForm):
    """A partner and, for a framework or organisation, its members."""

    class Meta:
        model = Partner
        fields = ["name", "short_name", "slug", "kind", "added_by_tracker", "members", "description", "aliases"]


@admin.register(Partner)
class PartnerAdmin(ServiceAdmin):
    """Partners, with their members and how many recommendations concern each."""

    form = PartnerAdminForm
    list_display = ["name", "short_name", "kind", "member_list", "recommendation_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug", "description", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["members"]
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        partners: QuerySet[Partner] = super().get_queryset(request)
        return (
            partners.annotate(recommendation_total=Count("recommendation_links", distinct=True))
            .prefetch_related("members")
            .order_by("name")
        )

    @admin.display(description=gettext_lazy("members"))
    def member_list(self, partner: Partner) -> str:
        """Member short names, comma-separated."""
        return format_html_join(", ", "{}", ((member.label,) for member in partner.members.all())) or "—"

    @admin.display(description=gettext_lazy("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, partner: WithAnnotations[Partner, _Counts]) -> int:
        """How many recommendations concern the partner."""
        return partner.recommendation_total

    @staticmethod
    def _data(form: forms.ModelForm[Any]) -> dict[str, Any]:
        return ServiceAdmin.cleaned(
            form, ["name", "short_name", "slug", "kind", "added_by_tracker", "description", "aliases"]
        )

    def service_create(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any]) -> Partner:
        return partner_create(actor=request.user, data=self._data(form), members=form.cleaned_data.get("members", []))

    def service_update(
        self, request: HttpRequest, obj: Partner, form: forms.ModelForm[Any], formsets: list[Any]
    ) -> Partner:
        return partner_update(
            partner=obj,
            actor=request.user,
            data=self._data(form),
            members=form.cleaned_data.get("members", []),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request: HttpRequest, obj: Partner) -> None:
        partner_delete(partner=obj, actor=request.user)
