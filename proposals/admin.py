"""The proposer in the recommendation admin: upload a document → review its candidates → the import's preview →
confirm.

The candidates page lists each proposed recommendation with a checkbox, its editable reference, title, partners and
themes, its excerpt and section, and the tracked recommendations it overlaps. "Preview import" turns the ticked ones
into an import file (``transfer.importing.COLUMNS``) that is staged and previewed exactly like an uploaded
spreadsheet; confirming it is the import's own confirmation (an ``ImportRun`` applied through
``recommendations_import``). "Download" gives the same file to edit offline and import through the normal import.
Nothing is written before the import's confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from core.limits import accepts_uploads
from core.querystrings import attachment
from core.spreadsheets import CONTENT_TYPES, MAX_ROWS, TableFileError
from recommendations.models import Recommendation, Source
from transfer.admin import RecommendationAdmin as TransferRecommendationAdmin
from transfer.importing import import_plan, read_import_file
from transfer.staging import StagingError, stage

from .extraction import MAX_DOCUMENT_BYTES
from .forms import ProposeForm
from .table import PROPOSAL_COLUMNS, document_proposal, proposal_file

if TYPE_CHECKING:
    from django.urls import URLPattern

#: The largest upload request: the largest document, and room for the form around it.
PROPOSE_BODY_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024
#: The fields each candidate row posts back (the excerpt and section as hidden fields: they stay verbatim).
ROW_FIELDS = tuple(column for column in PROPOSAL_COLUMNS if column != "source")


def posted_rows(request: HttpRequest) -> tuple[str, list[dict[str, str]]]:
    """The source and the ticked candidates of a posted candidates page, as import rows."""
    source = request.POST.get("source", "").strip()
    try:
        count = min(int(request.POST.get("count", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    ticked = set(request.POST.getlist("include"))
    rows = []
    for number in range(count):
        if str(number) not in ticked:
            continue
        row = {column: request.POST.get(f"{column}-{number}", "").strip() for column in ROW_FIELDS}
        rows.append({**row, "source": source})
    return source, rows


class RecommendationProposalMixin(TransferRecommendationAdmin):
    """Adds the proposer to the recommendation admin (with the import and exports of ``transfer``)."""

    change_list_template = "admin/recommendations/recommendation/proposals_change_list.html"
    propose_form_template = "admin/recommendations/recommendation/propose_form.html"
    propose_candidates_template = "admin/recommendations/recommendation/propose_candidates.html"

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "propose/",
                accepts_uploads(PROPOSE_BODY_BYTES)(wrap(self.propose_view)),
                name="{}_{}_propose".format(*info),
            ),
            path("propose/review/", wrap(self.propose_review_view), name="{}_{}_propose_review".format(*info)),
            *super().get_urls(),
        ]

    def propose_view(self, request: HttpRequest) -> HttpResponse:
        """The upload form; a readable document shows its candidates."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ProposeForm(request.POST, request.FILES) if request.method == "POST" else ProposeForm()
        if form.is_bound and form.is_valid():
            source: Source | None = form.cleaned_data["source"]
            proposal = document_proposal(
                document=form.document, source=source, source_name=form.cleaned_data["new_source"].strip()
            )
            context = self._context(
                request,
                title=_("Proposed recommendations: %(file)s") % {"file": form.cleaned_data["file"].name},
                proposal=proposal,
                language=proposal.document.language,
                filename=form.cleaned_data["file"].name,
                too_many=len(proposal.candidates) > MAX_ROWS,
            )
            return TemplateResponse(request, self.propose_candidates_template, context)
        context = self._context(request, title=_("Propose recommendations from a document"), form=form)
        return TemplateResponse(request, self.propose_form_template, context, status=400 if form.is_bound else 200)

    def propose_review_view(self, request: HttpRequest) -> HttpResponse:
        """The ticked candidates: downloaded as a spreadsheet, or staged and shown in the import's preview."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._admin_url("propose"))
        source, rows = posted_rows(request)
        if not rows or not source:
            self.message_user(request, _("No candidate was ticked: nothing to import."), "error")
            return HttpResponseRedirect(self._admin_url("propose"))
        fmt = request.POST.get("download", "")
        if fmt in ("csv", "xlsx"):
            response = HttpResponse(proposal_file(rows, fmt=fmt), content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = attachment(f"proposed-recommendations.{fmt}")
            return response
        content = proposal_file(rows, fmt="csv")
        filename = "proposed-recommendations.csv"
        create_missing = not Source.objects.filter(slug=source).exists()
        try:
            plan = import_plan(
                table=read_import_file(content=content, filename=filename), create_missing=create_missing
            )
            token = stage(
                request, content=content, filename=filename, create_missing=create_missing, signature=plan.signature
            )
        except (TableFileError, StagingError) as error:
            self.message_user(request, str(error), "error")
            return HttpResponseRedirect(self._admin_url("propose"))
        return self._preview(request, plan, token=token, filename=filename)


admin.site.unregister(Recommendation)


@admin.register(Recommendation)
class RecommendationAdmin(RecommendationProposalMixin):
    """The recommendation admin with the import, the exports and the proposer."""
