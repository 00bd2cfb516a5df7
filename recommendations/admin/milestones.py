"""Admin of milestones: the planned steps of recommendations, written through their services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ServiceAdmin, VersionedAdminForm

from ..models import Milestone
from ..services import milestone_create, milestone_delete, milestone_update


class MilestoneAdminForm(VersionedAdminForm):
    """A milestone."""

    class Meta:
        model = Milestone
        fields = ["recommendation", "title", "due_date", "done_on", "evidence_url", "position"]


@admin.register(Milestone)
class MilestoneAdmin(ServiceAdmin):
    """Milestones of recommendations: what, due when, done when."""

    form = MilestoneAdminForm
    list_display = ["recommendation", "title", "due_date", "done_on"]
    list_select_related = ["recommendation"]
    search_fields = ["title", "recommendation__reference"]
    autocomplete_fields = ["recommendation"]
    readonly_fields = ["uuid", "version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["recommendation", "title", "due_date", "done_on", "evidence_url", "position"]}),
        (None, {"fields": ["opened_version"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        milestones: QuerySet[Milestone] = super().get_queryset(request)
        return milestones.select_related("recommendation")

    def _data(self, form: forms.ModelForm[Any]) -> dict[str, Any]:
        return self.cleaned(form, ["title", "due_date", "done_on", "evidence_url", "position"])

    def service_create(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any]) -> Milestone:
        return milestone_create(
            actor=request.user, recommendation=form.cleaned_data["recommendation"], data=self._data(form)
        )

    def service_update(
        self, request: HttpRequest, obj: Milestone, form: forms.ModelForm[Any], formsets: list[Any]
    ) -> Milestone:
        return milestone_update(
            milestone=obj,
            actor=request.user,
            data=self._data(form),
            expected_version=form.cleaned_data.get("opened_version"),
        )

    def service_delete(self, request: HttpRequest, obj: Milestone) -> None:
        milestone_delete(milestone=obj, actor=request.user)
