"""Evidence as documents: links and uploaded files that show progress, attached to the entries they support.

Rules, stated here and enforced for every entry point (the page, the admin, the API):

- Evidence is a link or a file, never both, with a title (in either language), its date, and whether it may be
  published outside the ministry (internal by default).
- A file's type is found from its content (``filetype``), never from its name or the type the client declares: PDF,
  Office documents (Word, Excel, PowerPoint, old and new, and OpenDocument) and images (PNG, JPEG, GIF, WebP). Anything
  else is refused, as is a file larger than ``settings.EVIDENCE_MAX_BYTES``. The stored name is the evidence's id and
  a cleaned name with the extension of the type found.
- It is attached to at most one entry of its recommendation: a status change, a response, a per-partner update or an
  assessment. An entry recorded with an evidence URL gets its evidence record in the same step (``evidence_of_entry``).
- Someone other than who added it verifies it (``evidence_verify``): those who report do not vouch for themselves.
"""

from __future__ import annotations

import os
import unicodedata
import uuid as uuid_module
import zipfile
from collections.abc import Callable
from datetime import date
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import Actor, AlreadyExists, VersionConflict, actor_or_none, atomic_write, bump_version, change_record
from core.choices import ChangeAction
from core.models import field_max_length
from core.translation import canonical_full_clean, canonical_save

from ..models import (
    ATTACHMENT_FIELDS,
    Assessment,
    Evidence,
    PartnerStatusUpdate,
    Recommendation,
    ResponseUpdate,
    StatusUpdate,
)

#: The file types evidence may be, as found from the content: MIME type → the extension the stored file gets.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
#: Bytes read from the start of a file to find its type.
SNIFF_BYTES = 8192
#: Longest stored file name (before the extension).
NAME_MAX = 100

_ENTRY_FIELD: dict[type[models.Model], str] = {
    StatusUpdate: "status_update",
    ResponseUpdate: "response_update",
    PartnerStatusUpdate: "partner_status_update",
    Assessment: "assessment",
}
Entry = StatusUpdate | ResponseUpdate | PartnerStatusUpdate | Assessment


#: Office Open XML documents are zip files told apart by the folder of their main part.
_OOXML_FOLDERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
#: Longest ``mimetype`` entry of an OpenDocument file read.
_MIMETYPE_BYTES = 100


def sniff_type(stream: IO[bytes]) -> str:
    """The MIME type of a file found from its content (blank if unknown); the stream is left at its start.

    ``filetype`` reads the first bytes. A zip file is looked into (its directory only, nothing is decompressed but an
    OpenDocument's short ``mimetype`` entry), because an Office document's telling part may come after those bytes.
    """
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime == "application/zip":
        mime = _office_type(stream) or mime
        stream.seek(0)
    return mime


def _office_type(stream: IO[bytes]) -> str:
    """The type of an Office Open XML or OpenDocument file from its zip directory, or blank."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= _MIMETYPE_BYTES:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared.startswith("application/vnd.oasis.opendocument.") else ""
            if "[Content_Types].xml" in names:
                for folder, mime in _OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return ""
    return ""


def clean_file_name(name: str, extension: str) -> str:
    """A safe file name from the client's: no folders or control characters, at most NAME_MAX characters, and the
    extension of the type found (a PDF named ``report.exe`` is stored and downloaded as ``report.pdf``)."""
    base = os.path.basename(name.replace("\\", "/"))
    stem = os.path.splitext(base)[0]
    stem = "".join(
        c for c in unicodedata.normalize("NFC", stem) if unicodedata.category(c)[0] not in {"C", "Z"} or c == " "
    )
    stem = stem.strip(" .") or "evidence"
    return f"{stem[:NAME_MAX]}.{extension}"


def _validate_file(upload: File[Any]) -> str:
    """The content type of an upload, after checking its size and type; ValidationError on "file" otherwise."""
    limit = int(settings.EVIDENCE_MAX_BYTES)
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; evidence files may be at most %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_type(upload.file or upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _(
                    "This file is not a PDF, an Office document or an image (its content was checked, not its name)."
                )
            }
        )
    return content_type


def _attachment(recommendation: Recommendation, attach_to: Entry | None) -> dict[str, Entry]:
    """The evidence field naming ``attach_to``, after checking it is an entry of ``recommendation``."""
    if attach_to is None:
        return {}
    field = _ENTRY_FIELD.get(type(attach_to))
    if field is None or attach_to.recommendation_id != recommendation.pk:
        raise ValidationError({"attach_to": _("Evidence is attached to an entry of its own recommendation.")})
    return {field: attach_to}


@atomic_write
def evidence_add(
    *,
    recommendation: Recommendation,
    actor: Actor,
    title_en: str = "",
    title_ja: str = "",
    url: str = "",
    upload: File[Any] | None = None,
    evidence_date: date | None = None,
    publishable: bool = False,
    attach_to: Entry | None = None,
    evidence_uuid: uuid_module.UUID | None = None,
) -> Evidence:
    """Add a link or an uploaded file as evidence of a recommendation (attached to one of its entries, or none).

    A file is checked (size, type from its content) and stored through Django's storage API under a name the service
    chooses; if anything in the service fails afterwards, the stored file is removed again, so nothing is
    half-written.
    """
    if evidence_uuid is not None and (existing := Evidence.objects.filter(uuid=evidence_uuid).first()) is not None:
        raise AlreadyExists(instance=existing)
    if bool(url) == bool(upload):
        raise ValidationError({"file": _("Give either a link or a file as evidence, not both and not neither.")})
    if not (title_en or "").strip() and not (title_ja or "").strip():
        raise ValidationError({"title": _("Give the evidence a title, in either language.")})
    now = timezone.now()
    evidence = Evidence(
        recommendation=recommendation,
        title_en=(title_en or "").strip(),
        title_ja=(title_ja or "").strip(),
        url=url or "",
        evidence_date=evidence_date,
        publishable=publishable,
        added_by=actor_or_none(actor),
        created_at=now,
        updated_at=now,
        **_attachment(recommendation, attach_to),
    )
    if evidence_uuid is not None:
        evidence.uuid = evidence_uuid
    content_type = ""
    if upload is not None:
        content_type = _validate_file(upload)
        evidence.content_type, evidence.size = content_type, upload.size
        evidence.file_name = clean_file_name(upload.name or "", ALLOWED_TYPES[content_type])
    canonical_full_clean(evidence, exclude=["recommendation", "file", *ATTACHMENT_FIELDS])
    stored = ""
    try:
        if upload is not None:
            evidence.file.save(evidence.file_name, upload, save=False)
            stored = evidence.file.name or ""
        canonical_save(evidence)
        change_record(instance=evidence, action=ChangeAction.CREATED, actor=actor)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return evidence


def evidence_of_entry(entry: Entry, *, actor: Actor) -> Evidence | None:
    """The evidence record of an entry recorded with an evidence URL (call inside the entry's service, after its feed
    entry): a link titled with its address, dated as the entry. None if the entry has no URL."""
    if not entry.evidence_url:
        return None
    evidence = Evidence(
        recommendation_id=entry.recommendation_id,
        title_en=entry.evidence_url[: field_max_length(Evidence, "title")],
        url=entry.evidence_url,
        evidence_date=timezone.localdate(entry.created_at),
        added_by=actor_or_none(actor),
        created_at=entry.created_at,
        updated_at=entry.created_at,
        **{_ENTRY_FIELD[type(entry)]: entry},
    )
    canonical_save(evidence)
    change_record(instance=evidence, action=ChangeAction.CREATED, actor=actor)
    return evidence


@atomic_write
def evidence_verify(*, evidence: Evidence, actor: Actor, expected_version: int | None = None) -> Evidence:
    """Mark evidence as verified by ``actor``, who must not be the one who added it."""
    user = actor_or_none(actor)
    fresh = Evidence.objects.filter(pk=evidence.pk).first()
    if fresh is None or (expected_version is not None and fresh.version != expected_version):
        raise VersionConflict(current_version=fresh.version if fresh else None)
    if user is None:
        raise ValidationError({"verified_by": _("Evidence is verified by a person.")})
    if fresh.verified_by_id is not None:
        raise ValidationError({"verified_by": _("This evidence is verified already.")})
    if fresh.added_by_id == user.pk:
        raise ValidationError({"verified_by": _("Evidence is verified by someone other than who added it.")})
    now = timezone.now()
    fresh.version = bump_version(Evidence, pk=fresh.pk, expected_version=fresh.version, now=now)
    fresh.verified_by, fresh.verified_at, fresh.updated_at = user, now, now
    fresh.save(update_fields=["verified_by", "verified_at", "updated_at"])
    change_record(instance=fresh, action=ChangeAction.UPDATED, actor=actor)
    return fresh


def delete_files_on_commit(names: list[str]) -> Callable[[], None]:
    """A callable that removes stored files, for ``transaction.on_commit`` once their records are gone."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    return delete
