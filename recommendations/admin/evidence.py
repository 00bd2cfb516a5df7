"""Admin of evidence: read and found here, added on the recommendation's page or through the API, verified by an
action that goes through the service (someone other than who added it)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from core.admin import ReadOnlyAdmin

from ..models import EVIDENCE_RELATED, Evidence
from ..permissions import can_verify_evidence
from ..services import evidence_verify


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence of all recommendations: files and links, what they support, who added and who verified them."""

    list_display = ["title", "recommendation", "document", "evidence_date", "publishable", "added_by", "verified_by"]
    list_filter = ["publishable", "content_type", "evidence_date", "created_at"]
    search_fields = ["title", "title_ja", "title_en", "file_name", "url", "recommendation__reference", "uuid"]
    list_select_related = EVIDENCE_RELATED
    date_hierarchy = "created_at"
    actions = ["verify"]

    @admin.display(description=gettext_lazy("document"))
    def document(self, evidence: Evidence) -> str:
        """The file (downloaded with authorisation) or the link."""
        if evidence.file:
            url = reverse("recommendations:evidence_download", args=[evidence.uuid])
            return format_html('<a href="{}">{}</a>', url, evidence.file_name)
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', evidence.url, evidence.url)

    def has_verify_permission(self, request: HttpRequest) -> bool:
        """The policy team and assessors verify evidence."""
        return can_verify_evidence(request.user)

    @admin.action(description=gettext_lazy("Verify the selected evidence"), permissions=["verify"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        """Verify each selected piece through the service; those it refuses are named with the reason."""
        done = 0
        for evidence in queryset:
            try:
                evidence_verify(evidence=evidence, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{evidence}: {' '.join(error.messages)}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, gettext("%(count)d verified.") % {"count": done}, messages.SUCCESS)
