"""Admin of saved views: administrators see, fix and delete every view, the tracker's own included."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..models import SavedView
from ..services import saved_view_create, saved_view_delete, saved_view_update
from ..services.saved_views import clean_saved_view_query


class SavedViewAdminForm(forms.ModelForm[SavedView]):
    """A saved view's names, page, filters and sharing."""

    class Meta:
        model = SavedView
        fields = ["name_ja", "name_en", "page", "query", "shared_with"]

    def clean(self) -> dict[str, Any]:
        """The filters as the saved-view service reads them: an unknown or invalid parameter is a form error."""
        cleaned = super().clean() or {}
        if not (cleaned.get("name_ja") or "").strip() and not (cleaned.get("name_en") or "").strip():
            self.add_error("name_en", _("Give the view a name."))
        if self.instance.pk and self.instance.owner_id is None and not cleaned.get("shared_with"):
            self.add_error("shared_with", _("The tracker's own views must be shared."))
        if "page" in cleaned:
            try:
                cleaned["query"] = clean_saved_view_query(cleaned.get("query") or "", cleaned["page"])
            except ValidationError as error:
                self.add_error("query", error.message_dict.get("query") or error.messages)
        return cleaned


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin[SavedView]):
    """Saved views of every user; writes go through the saved-view services (which validate the filters)."""

    form = SavedViewAdminForm
    list_display = ["name", "page", "owner", "shared_with", "updated_at"]
    list_filter = ["page", "shared_with"]
    search_fields = ["name_ja", "name_en", "query", "owner__username"]
    readonly_fields = ["owner", "slug"]

    def save_model(self, request: HttpRequest, obj: SavedView, form: forms.ModelForm[SavedView], change: bool) -> None:
        data: dict[str, Any] = {
            "name_ja": form.cleaned_data.get("name_ja") or "",
            "name_en": form.cleaned_data.get("name_en") or "",
            "shared_with": form.cleaned_data.get("shared_with") or "",
            "page": form.cleaned_data["page"],
            "query": form.cleaned_data.get("query") or "",
        }
        if change:
            fresh = SavedView.objects.get(pk=obj.pk)
            saved = saved_view_update(view=fresh, actor=request.user, **data)
        else:
            saved = saved_view_create(owner=request.user, **data)
        obj.pk, obj.uuid = saved.pk, saved.uuid

    def delete_model(self, request: HttpRequest, obj: SavedView) -> None:
        saved_view_delete(view=obj, actor=request.user)
