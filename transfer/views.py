"""Downloads of the web list: exactly the rows it shows, in its order, as CSV (streamed) or Excel."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.querystrings import attachment
from core.spreadsheets import CONTENT_TYPES, csv_lines, xlsx_bytes
from core.views import page
from recommendations.listing import download_filterset

from .exports import READABLE_COLUMNS, UrlFor, export_headings, export_rows

VIEW = "recommendations.view_recommendation"


def _filename(extension: str) -> str:
    return f"recommendations-{timezone.localdate().isoformat()}.{extension}"


def _url_for(request: HttpRequest) -> UrlFor:
    return lambda recommendation: request.build_absolute_uri(
        reverse("recommendations:detail", args=[recommendation.uuid])
    )


@page(VIEW)
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV, streamed (UTF-8 with a byte order mark)."""
    filterset = download_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    rows = export_rows(filterset.qs, READABLE_COLUMNS, url_for=_url_for(request))
    response = StreamingHttpResponse(
        csv_lines(export_headings(READABLE_COLUMNS), rows), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = attachment(_filename("csv"))
    return response


@page(VIEW)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook with the same columns as the CSV."""
    filterset = download_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    rows = export_rows(filterset.qs, READABLE_COLUMNS, url_for=_url_for(request))
    content = xlsx_bytes(
        export_headings(READABLE_COLUMNS),
        rows,
        title=_("Recommendations"),
        widths=[column.width for column in READABLE_COLUMNS],
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(_filename("xlsx"))
    return response
