"""Downloads of the web list: exactly the rows it shows, in its order.

Two kinds, side by side on the list page:

- the **report** (readable columns, as CSV streamed or Excel): what a person reads, headed by what it holds (its
  filters and when it was exported: a CSV's first lines, an Excel file's "Filters" sheet). Not meant to be imported.
- the **editable** export (the import's columns, CSV or Excel), for those who may import: it re-imports as it is, so
  its CSV has no header block (its first line is the headings); its filters are in its name and, in Excel, on a
  second sheet (the importer reads the first).

The report follows the list's ``as_of`` (what existed at the end of that day, at its status then; other columns are
today's); the editable export is of today's data only: imported back, past statuses would overwrite today's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.querystrings import attachment
from core.spreadsheets import CONTENT_TYPES, csv_lines, xlsx_bytes
from core.views import page
from recommendations.listing import (
    as_of_download,
    asks_as_of,
    download_filterset,
    download_name,
    errors_response,
    export_notes,
)

from .exports import READABLE_COLUMNS, UrlFor, export_file, export_headings, export_rows

VIEW = "recommendations.view_recommendation"
#: Who may import (the admin's rule: add and change recommendations) may take the editable export from the list.
IMPORT_PERMISSIONS = ("recommendations.add_recommendation", "recommendations.change_recommendation")
EDITABLE_FORMATS = ("csv", "xlsx")


def _url_for(request: HttpRequest) -> UrlFor:
    return lambda recommendation: request.build_absolute_uri(
        reverse("recommendations:detail", args=[recommendation.uuid])
    )


@page(VIEW)
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list (as of ``as_of``, if given) as a readable CSV report, streamed (UTF-8 with a byte order mark),
    its filters on top."""
    found = as_of_download(request)
    if isinstance(found, HttpResponse):
        return found
    filterset, as_of = found
    rows = export_rows(filterset.qs, READABLE_COLUMNS, url_for=_url_for(request))
    notes = export_notes(request, filterset, as_of=as_of)
    response = StreamingHttpResponse(
        csv_lines(export_headings(READABLE_COLUMNS), rows, notes=notes), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = attachment(download_name(request, "recommendations", "csv", as_of=as_of))
    return response


@page(VIEW)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list (as of ``as_of``, if given) as a readable Excel report with the same columns as the CSV, and
    a "Filters" sheet."""
    found = as_of_download(request)
    if isinstance(found, HttpResponse):
        return found
    filterset, as_of = found
    rows = export_rows(filterset.qs, READABLE_COLUMNS, url_for=_url_for(request))
    content = xlsx_bytes(
        export_headings(READABLE_COLUMNS),
        rows,
        title=_("Recommendations"),
        widths=[column.width for column in READABLE_COLUMNS],
        notes=export_notes(request, filterset, as_of=as_of),
        notes_title=_("Filters"),
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(download_name(request, "recommendations", "xlsx", as_of=as_of))
    return response


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
@require_GET
def export_editable(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list in the import's columns (CSV or Excel), to edit and import back; for those who may import.
    Today's data only: with ``as_of``, a plain-text 400."""
    if fmt not in EDITABLE_FORMATS:
        raise Http404
    if asks_as_of(request.GET):
        message = _(
            "The editable export holds today’s data only: imported back, past statuses would overwrite today’s. "
            "Remove the date, or download the report (CSV or Excel), which follows it."
        )
        return errors_response({"as_of": [message]})
    filterset = download_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    content = export_file(
        queryset=filterset.qs, fmt=fmt, notes=export_notes(request, filterset), notes_title=_("Filters")
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(download_name(request, "recommendations-editable", fmt))
    return response
