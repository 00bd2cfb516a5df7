"""Admin of the status timelines (the recommendation's and each partner's): read-only, since entries are written
only by recording a status change."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from ..models import PartnerStatusUpdate, StatusUpdate


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    """The timeline of all status changes."""

    list_display = ["created_at", "recommendation", "from_status", "to_status", "author", "note"]
    list_filter = ["to_status", "from_status", "created_at", "author"]
    search_fields = ["recommendation__reference", "recommendation__title", "note"]
    list_select_related = ["recommendation", "author"]
    date_hierarchy = "created_at"


@admin.register(PartnerStatusUpdate)
class PartnerStatusUpdateAdmin(ReadOnlyAdmin):
    """The timeline of progress with each partner (recorded on the recommendation's page or through the API)."""

    list_display = ["created_at", "recommendation", "partner", "from_status", "to_status", "author", "note"]
    list_filter = ["to_status", "partner", "created_at", "author"]
    search_fields = ["recommendation__reference", "recommendation__title", "partner__name", "note"]
    list_select_related = ["recommendation", "partner", "author"]
    date_hierarchy = "created_at"
