"""Admin of sources and themes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from core.admin import ServiceAdmin, VersionedAdminForm

from ..choices import Status
from ..models import Source, Theme
from ..services import source_create, source_delete, source_update, theme_create, theme_delete, theme_update

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _SourceCounts(TypedDict):
        """What the admin's queryset annotates each source with."""

        recommendation_total: int
        implemented_total: int

    class _ThemeCounts(TypedDict):
        """What the admin's queryset annotates each theme with."""

        recommendation_total: int


class SourceAdminForm(VersionedAdminForm):
    """A source document."""

    class Meta:
        model = Source
        fields = ["title", "short_title", "slug", "kind", "author", "publisher", "published_on", "url", "description"]


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    """Source documents, with how many recommendations each makes and how far they got."""

    form = SourceAdminForm
    list_display = ["title", "kind", "author", "publisher", "published_on", "recommendation_count", "implemented_count"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "short_title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        sources: QuerySet[Source] = super().get_queryset(request)
        return sources.annotate(
            recommendation_total=Count("recommendations", distinct=True),
            implemented_total=Count(
                "recommendations", filter=Q(recommendations__status=Status.IMPLEMENTED), distinct=True
            ),
        ).order_by("-published_on", "title")

    @admin.display(description=gettext_lazy("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, source: WithAnnotations[Source, _SourceCounts]) -> int:
        """How many recommendations come from the source."""
        return source.recommendation_total

    @admin.display(description=gettext_lazy("implemented"), ordering="implemented_total")
    def implemented_count(self, source: WithAnnotations[Source, _SourceCounts]) -> int:
        """How many of them are implemented."""
        return source.implemented_total

    def _data(self, form: forms.ModelForm[Any]) -> dict[str, Any]:
        return self.cleaned(form, SourceAdminForm.Meta.fields)

    def service_create(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any]) -> Source:
        return source_create(actor=request.user, data=self._data(form))

    def service_update(
        self, request: HttpRequest, obj: Source, form: forms.ModelForm[Any], formsets: list[Any]
    ) -> Source:
        return source_update(
            source=obj,
            actor=request.user,
            data=self._data(form),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request: HttpRequest, obj: Source) -> None:
        source_delete(source=obj, actor=request.user)


class ThemeAdminForm(VersionedAdminForm):
    """A theme."""

    class Meta:
        model = Theme
        fields = ["name", "slug", "description", "keywords"]


@admin.register(Theme)
class ThemeAdmin(ServiceAdmin):
    """Themes, with how many recommendations use each."""

    form = ThemeAdminForm
    list_display = ["name", "slug", "recommendation_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Theme]:
        themes: QuerySet[Theme] = super().get_queryset(request)
        return themes.annotate(recommendation_total=Count("recommendations")).order_by("name")

    @admin.display(description=gettext_lazy("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, theme: WithAnnotations[Theme, _ThemeCounts]) -> int:
        """How many recommendations have the theme."""
        return theme.recommendation_total

    def _data(self, form: forms.ModelForm[Any]) -> dict[str, Any]:
        return self.cleaned(form, ThemeAdminForm.Meta.fields)

    def service_create(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any]) -> Theme:
        return theme_create(actor=request.user, data=self._data(form))

    def service_update(
        self, request: HttpRequest, obj: Theme, form: forms.ModelForm[Any], formsets: list[Any]
    ) -> Theme:
        return theme_update(
            theme=obj,
            actor=request.user,
            data=self._data(form),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request: HttpRequest, obj: Theme) -> None:
        theme_delete(theme=obj, actor=request.user)
