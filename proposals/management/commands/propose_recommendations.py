from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.base import TrackerCommand
from recommendations.models import Source

from ...extraction import MAX_DOCUMENT_BYTES, DocumentError, document_format, extract_document
from ...table import document_proposal, proposal_file


class Command(TrackerCommand):
    """Propose a document's recommendations: as text to read, or as an import file to edit and import."""

    help = gettext_lazy(  # lazy: TrackerCommand makes it text
        "Read a document (PDF, DOCX, HTML or plain text, English or Japanese) and propose its recommendations with "
        "their excerpts, sections, partners and themes, and the tracked recommendations each overlaps. Writes "
        "nothing to the database: --format csv or xlsx writes an import file (edit it, then import_recommendations)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=_("A .pdf, .docx, .html or .txt file."))
        parser.add_argument(
            "--source",
            help=_("The slug of the source the recommendations come from (default: one named after the file)."),
        )
        parser.add_argument("--format", choices=["text", "csv", "xlsx"], default="text", help=_("What to write."))
        parser.add_argument(
            "--output", type=Path, help=_("Where to write it (default: the standard output; text and CSV).")
        )

    def handle(
        self, *args: Any, file: Path, source: str | None, format: str, output: Path | None, **options: Any
    ) -> None:
        if document_format(file.name) is None:
            raise CommandError(
                _("%(file)s: not a document this reads (PDF, DOCX, HTML or plain text).") % {"file": file}
            )
        try:
            if file.stat().st_size > MAX_DOCUMENT_BYTES:
                raise CommandError(
                    _("%(file)s: larger than %(mb)d MB.") % {"file": file, "mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
                )
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        chosen = None
        if source:
            chosen = Source.objects.filter(slug=source).first()
            if chosen is None:
                raise CommandError(_("No source with the slug “%(slug)s”.") % {"slug": source})
        try:
            document = extract_document(content=content, filename=file.name)
        except DocumentError as error:
            raise CommandError(f"{file}: {error}") from error
        proposal = document_proposal(document=document, source=chosen, source_name=file.stem)
        if format == "xlsx" and output is None:
            raise CommandError(_("An XLSX file needs --output."))
        if format in ("csv", "xlsx"):
            data = proposal_file(proposal.rows, fmt=format)
            if output is None:
                self.stdout.write(data.decode("utf-8-sig"), ending="")
            else:
                output.write_bytes(data)
            return
        lines = []
        for candidate, _row, overlaps in proposal.items:
            lines.append(f"{candidate.reference}  {candidate.title}")
            if candidate.section:
                lines.append("    " + _("Section: %(section)s") % {"section": candidate.section})
            lines.append("    " + _("Excerpt: %(excerpt)s") % {"excerpt": candidate.excerpt})
            lines.append("    " + _("Partners: %(partners)s") % {"partners": candidate.partner_slugs or "—"})
            lines.append("    " + _("Themes: %(themes)s") % {"themes": candidate.theme_slugs or "—"})
            for similar in overlaps:
                lines.append(
                    "    "
                    + _("Overlaps %(reference)s (%(percent)d%%): %(title)s")
                    % {
                        "reference": similar.recommendation.reference,
                        "percent": similar.percent,
                        "title": similar.recommendation.title,
                    }
                )
        lines.append(_("%(count)d candidate recommendations.") % {"count": len(proposal.candidates)})
        text = "\n".join(lines) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
