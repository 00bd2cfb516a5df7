"""Serving evidence files: only through an authorised view, as attachments, with the type found from their content."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse

from .models import Evidence

#: What a multipart body carries beyond the file: boundaries, headers and the other fields.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def evidence_body_limit() -> int:
    """The largest request body the evidence upload URLs (page and API) accept: a file at the limit, and the rest."""
    return int(settings.EVIDENCE_MAX_BYTES) + UPLOAD_OVERHEAD_BYTES


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """The evidence's stored file as a download: never displayed inline, never sniffed by the browser, sandboxed."""
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
