"""The managers' pages: the progress report and its CSV, and the progress of each partner and each source.

They read the recommendation filters through the one ``RecommendationFilterSet`` (``recommendations.listing``), so
every count links to the list it counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.querystrings import attachment, query_string, redirect_without_empty
from core.spreadsheets import csv_lines
from core.translation import value_in
from core.views import page
from partners.choices import PartnerKind
from partners.models import Partner
from recommendations.choices import SavedViewPage, Status, label, tracks_progress
from recommendations.filtersets import RecommendationFilterSet
from recommendations.forms import AsOfForm, first_recommendation_day
from recommendations.listing import (
    as_of_download,
    download_filterset,
    download_name,
    errors_response,
    export_notes,
    filter_chips,
    filter_line,
    page_filterset,
    report_set,
    saved_views_context,
)
from recommendations.models import Recommendation, RecommendationPartner, Source

from .charts import history_chart, stacked_bar
from .exports import report_header, report_rows
from .figures import report_figures
from .forms import DEFAULT_STALE_DAYS, CompareForm, ReportOptionsForm
from .pdf import PDF_TYPE, html_to_pdf
from .selectors import (
    MonthCounts,
    ProgressSummary,
    StatusComparison,
    StatusRow,
    overdue_recommendations,
    partner_status,
    partners_side_by_side,
    partners_with_progress,
    progress_summary_on,
    recent_status_changes,
    sources_with_progress,
    stale_recommendations,
    status_comparison,
    status_counts,
    status_history_on,
)

#: Months of the progress-over-time chart when no period is filtered, and the most it ever shows.
HISTORY_MONTHS = 12
MAX_HISTORY_MONTHS = 60
#: Rows shown in each of the report's lists (overdue, stale); the full lists are a link away.
REPORT_LIST_LENGTH = 10
#: Permissions to read the pages.
VIEW_RECOMMENDATIONS = "recommendations.view_recommendation"
VIEW_PARTNERS = "partners.view_partner"
VIEW_SOURCES = "recommendations.view_source"


def _months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s month (not before the first month there is)."""
    index = max(day.year * 12 + day.month - 1 - months, 12)
    return date(index // 12, index % 12 + 1, 1)


def history_period(cleaned: dict[str, Any]) -> tuple[date, date]:
    """The months the progress-over-time chart covers: the updated period if filtered, else the last 12 months."""
    after, before = cleaned.get("updated_after"), cleaned.get("updated_before")
    end = timezone.localtime(before).date() if before else timezone.localdate()
    end = min(end, timezone.localdate())
    start = timezone.localtime(after).date() if after else _months_back(end, HISTORY_MONTHS - 1)
    start = max(min(start, end), _months_back(end, MAX_HISTORY_MONTHS - 1))
    return date(start.year, start.month, 1), end


@dataclass
class MatrixRow:
    """A row of the partner × status or theme × status table."""

    row: StatusRow
    url: str
    cells: list[tuple[str, int, str]]  # (status, count, URL of the list of those, or "")
    segments: list[Any]


def _matrix(rows: list[StatusRow], params: QueryDict, key: str, url_name: str | None) -> list[MatrixRow]:
    """Table rows whose counts link to the list they count (when that link is exact under the current filters)."""
    current = [value for value in params.getlist(key) if value]
    list_url = reverse("recommendations:list")
    matrix = []
    for row in rows:
        exact = not current or current == [row.key]
        cells = []
        for status in Status.values:
            count = row.counts.get(status, 0)
            url = ""
            if count and exact:
                url = list_url + query_string(params, **{key: row.key, "status": status, "stale_days": None})
            cells.append((status, count, url))
        url = reverse(url_name, args=[row.key]) if url_name else ""
        matrix.append(MatrixRow(row=row, url=url, cells=cells, segments=stacked_bar(row.counts)))
    return matrix


#: The filters the pages' filter bar shows as groups, in order.
BAR_GROUPS = ("status", "partner", "theme", "priority", "source")
#: The filters of the bar's "More" drop-down, one under the other, then the date ranges side by side (the report's
#: as-of date, a form of its own, follows them); counted on its button when in use, open when one is in error.
BAR_MORE = ("overdue", "stale", "team")
BAR_MORE_RANGES = ("target_after", "target_before", "updated_after", "updated_before")


def filter_bar(request: HttpRequest, filterset: RecommendationFilterSet) -> dict[str, Any]:
    """What the report pages' filter bar reads: the filterset and its form, the chips of the filters in use and the
    groups of the bar."""
    more = [filterset.form[name] for name in (*BAR_MORE, *BAR_MORE_RANGES)]
    return {
        "filterset": filterset,
        "form": filterset.form,
        "chips": filter_chips(request.GET, filterset),
        "bar_groups": [(filterset.form[name], filterset.form.fields[name].label) for name in BAR_GROUPS],
        "more_fields": more[: len(BAR_MORE)],
        "more_ranges": more[len(BAR_MORE) :],
        "more_in_use": sum(1 for name in (*BAR_MORE, *BAR_MORE_RANGES, "as_of") if any(request.GET.getlist(name))),
        "more_errors": any(field.errors for field in more),
    }


def _report_page_context(request: HttpRequest) -> tuple[dict[str, Any], bool]:
    """Everything the report's template reads (the page's and the PDF's), and whether the filters are valid."""
    as_of_form = AsOfForm(request.GET)
    as_of = as_of_form.day()
    filterset = page_filterset(request, as_of=as_of)  # as of a day: what existed then, the status filter reading it
    options = ReportOptionsForm(request.GET)
    valid = filterset.is_valid() and as_of_form.is_valid()
    list_url = reverse("recommendations:list")
    bar = filter_bar(request, filterset)
    context: dict[str, Any] = {
        **bar,
        "options": options,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "today_url": reverse("reports:progress") + query_string(request.GET, as_of=None),
        "compare_url": reverse("reports:compare") + query_string(request.GET, as_of=None, stale_days=None),
        "side_by_side_url": reverse("reports:partners_side_by_side")
        + query_string(request.GET, as_of=None, stale_days=None),
        "valid": valid,
        "filter_line": filter_line(bar["chips"]),
        "statuses": Status.choices,
        "list_url": list_url + query_string(request.GET, stale_days=None),
        "csv_url": reverse("reports:progress_csv") + query_string(request.GET),
        "pdf_url": reverse("reports:progress_pdf") + query_string(request.GET),
        "grid_url": reverse("reports:partner_grid") + query_string(request.GET, stale_days=None),
        "generated_at": timezone.localtime(),
        **saved_views_context(request, SavedViewPage.REPORT),
    }
    if valid and as_of:
        every = report_set(filterset)  # unfiltered: the kept figures
        summary, history, start = _as_of_figures(every, as_of)
        context.update(
            # The lists' links would lead to today's list (its filters read today's data): counts and names only.
            responses=[(value, name, count, None) for value, name, count in summary.responses],
            overdue=overdue_recommendations(queryset=every, limit=REPORT_LIST_LENGTH, day=as_of),
            recent=recent_status_changes(queryset=every, day=as_of),
            summary=summary,
            overall_segments=stacked_bar(summary.overall.counts),
            partner_rows=_matrix(summary.by_partner, request.GET, "partner", "reports:partner_detail"),
            theme_rows=_matrix(summary.by_theme, request.GET, "theme", None),
            history=history,
            history_chart=history_chart(history),
            history_start=start,
            history_end=as_of,
        )
    elif valid:
        context.update(_report_context(request, filterset, options))
    return context, valid


def _as_of_figures(queryset: QuerySet[Recommendation], as_of: date) -> tuple[ProgressSummary, list[MonthCounts], date]:
    """The report as it stood at the end of ``as_of`` (its page and its CSV): the counts rebuilt from the timelines
    and the months up to that date, from the first of them."""
    summary = progress_summary_on(queryset=queryset, day=as_of)
    start = _months_back(as_of, HISTORY_MONTHS - 1)
    return summary, status_history_on(queryset=queryset, start=start, day=as_of), start


@page(VIEW_RECOMMENDATIONS)
def progress_report(request: HttpRequest) -> HttpResponse:
    """The managers' dashboard for the filtered recommendations: totals, distributions, lists and progress over time."""
    if cleaned := redirect_without_empty(request):
        return cleaned
    context, valid = _report_page_context(request)
    return render(request, "reports/progress_report.html", context, status=200 if valid else 400)


def _report_context(
    request: HttpRequest, filterset: RecommendationFilterSet, options: ReportOptionsForm
) -> dict[str, Any]:
    """The report's figures (cached until the data changes), tables, chart and lists for valid filters."""
    queryset = filterset.qs
    list_url = reverse("recommendations:list")
    start, end = history_period(filterset.form.cleaned_data)
    stale_days = options.stale_days_value()
    figures = report_figures(queryset=queryset, params=request.GET, period=(start, end), stale_days=stale_days)
    summary, history = figures.summary, figures.history or []
    stale_count, stale = stale_recommendations(
        queryset=queryset, days=stale_days, limit=REPORT_LIST_LENGTH, count=figures.stale_count
    )
    return {
        "summary": summary,
        "overall_segments": stacked_bar(summary.overall.counts),
        "partner_rows": _matrix(summary.by_partner, request.GET, "partner", "reports:partner_detail"),
        "theme_rows": _matrix(summary.by_theme, request.GET, "theme", None),
        "history": history,
        "history_chart": history_chart(history),
        "history_start": start,
        "history_end": end,
        "overdue": overdue_recommendations(queryset=queryset, limit=REPORT_LIST_LENGTH),
        "overdue_url": list_url + query_string(request.GET, overdue="true", stale_days=None),
        "stale": stale,
        "stale_count": stale_count,
        "stale_days": stale_days,
        "stale_url": list_url + query_string(request.GET, stale=str(stale_days), stale_days=None),
        "recent": recent_status_changes(queryset=queryset),
        "disagreement_url": list_url + query_string(request.GET, disagreement="true", stale_days=None),
        "responses": [
            (value, label, count, list_url + query_string(request.GET, response=value, stale_days=None))
            for value, label, count in summary.responses
        ],
        "default_stale_days": DEFAULT_STALE_DAYS,
    }


@page(VIEW_RECOMMENDATIONS)
def progress_report_pdf(request: HttpRequest) -> HttpResponse:
    """The progress report as an A4 PDF made on the server (WeasyPrint): the printed page, with the filters in the
    header and the date and page numbers in the footer. Invalid filters: the report page's 400, not a PDF."""
    context, valid = _report_page_context(request)
    if not valid:
        return render(request, "reports/progress_report.html", context, status=400)
    return _pdf_response(
        request, "reports/progress_report.html", context, download_name(request, "progress-report", "pdf")
    )


def _pdf_response(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    """A report page's template made into an A4 PDF on the server (its print styles, ``pdf`` set), as an attachment."""
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html, base_url=request.build_absolute_uri("/")), content_type=PDF_TYPE)
    response["Content-Disposition"] = attachment(name)
    return response


@page(VIEW_RECOMMENDATIONS)
def progress_report_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The progress report's tables as one CSV: overall, partner × status, theme × status, month ends; its filters and
    the time it was made on its first lines. As of a past day (``as_of``), the report as it stood then, as its page
    shows it."""
    found = as_of_download(request)
    if isinstance(found, HttpResponse):
        return found
    filterset, as_of = found
    if as_of:
        summary, history, _start = _as_of_figures(report_set(filterset), as_of)
    else:
        start, end = history_period(filterset.form.cleaned_data)
        figures = report_figures(queryset=filterset.qs, params=request.GET, period=(start, end))
        summary, history = figures.summary, figures.history or []
    response = StreamingHttpResponse(
        csv_lines(report_header(), report_rows(summary, history), notes=export_notes(request, filterset, as_of=as_of)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = attachment(download_name(request, "progress-report", "csv", as_of=as_of))
    return response


# --- Partners -------------------------------------------------------------------------------------------------------

#: Recommendations (rows) per page of the partner × recommendation grid.
GRID_PAGE_SIZE = 50


@dataclass
class GridCell:
    """One cell of the partner × recommendation grid: the status with the partner, or the overall one it falls back
    to (``own`` false), or nothing where the recommendation does not concern the partner (``status`` blank)."""

    status: str = ""
    own: bool = False


@page(VIEW_RECOMMENDATIONS)
def partner_grid(request: HttpRequest) -> HttpResponse:
    """Partners × recommendations: the status with each partner where one is recorded, else the overall status."""
    if cleaned := redirect_without_empty(request):
        return cleaned
    filterset = page_filterset(request)
    valid = filterset.is_valid()
    context: dict[str, Any] = {
        **filter_bar(request, filterset),
        "valid": valid,
        "report_url": reverse("reports:progress") + query_string(request.GET, page=None),
    }
    if valid:
        page_ = Paginator(filterset.qs.order_by("reference", "pk"), GRID_PAGE_SIZE).get_page(request.GET.get("page"))
        recommendations = list(page_.object_list)
        links = RecommendationPartner.objects.filter(recommendation__in=recommendations).select_related("partner")
        chosen = {partner.pk for partner in filterset.form.cleaned_data.get("partner") or []}
        partners: dict[int, Partner] = {}
        cells: dict[tuple[int, int], GridCell] = {}
        status_of = {recommendation.pk: recommendation.status for recommendation in recommendations}
        for link in links:
            if (chosen and link.partner_id not in chosen) or not tracks_progress(link.role):
                continue  # only the partners filtered by, and never the addressee (its progress is the row's own)
            partners.setdefault(link.partner_id, link.partner)
            own = bool(link.status)
            cells[link.recommendation_id, link.partner_id] = GridCell(
                status=partner_status(link.status, status_of[link.recommendation_id]), own=own
            )
        columns = sorted(partners.values(), key=lambda partner: (value_in(partner, "name")[0].casefold(), partner.slug))
        context.update(
            page=page_,
            columns=columns,
            rows=[
                (recommendation, [cells.get((recommendation.pk, partner.pk), GridCell()) for partner in columns])
                for recommendation in recommendations
            ],
        )
    return render(request, "reports/partner_grid.html", context, status=200 if valid else 400)


@page(VIEW_PARTNERS)
def partner_list(request: HttpRequest) -> HttpResponse:
    """Partners grouped by kind, each with the number of its recommendations and a small progress bar."""
    by_kind: dict[str, list[Any]] = {kind: [] for kind in PartnerKind.values}
    for partner, row in partners_with_progress():
        by_kind.setdefault(partner.kind, []).append((partner, row, stacked_bar(row.counts)))
    groups = [(PartnerKind(kind).label, partners) for kind, partners in by_kind.items() if partners]
    return render(request, "reports/partner_list.html", {"groups": groups, "statuses": Status.choices})


@page(VIEW_PARTNERS)
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A partner: what it is, its members or memberships, its recommendations with their status and its role."""
    partner = get_object_or_404(Partner, slug=slug)
    links = list(
        RecommendationPartner.objects.filter(partner=partner)
        .select_related("recommendation", "recommendation__source")
        .order_by("recommendation__reference")
    )
    progress = StatusRow(key=partner.slug, label=partner.label)
    for link in links:  # at its status with this partner where one is recorded, else its overall status
        status = partner_status(link.status, link.recommendation.status)
        progress.counts[status] = progress.counts.get(status, 0) + 1
    query = QueryDict(mutable=True)
    query["partner"] = partner.slug
    context = {
        "partner": partner,
        "links": links,
        "members": list(partner.members.order_by("name")),
        "memberships": list(partner.memberships.order_by("name")),
        "progress": progress,
        "segments": stacked_bar(progress.counts),
        "statuses": Status.choices,
        "list_url": f"{reverse('recommendations:list')}?{query.urlencode()}",
        "report_url": f"{reverse('reports:progress')}?{query.urlencode()}",
    }
    return render(request, "reports/partner_detail.html", context)


# --- Sources --------------------------------------------------------------------------------------------------------


@page(VIEW_SOURCES)
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source document with its recommendations' progress."""
    sources = [(source, row, stacked_bar(row.counts)) for source, row in sources_with_progress()]
    return render(request, "reports/source_list.html", {"sources": sources, "statuses": Status.choices})


@page(VIEW_SOURCES)
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A source document, its progress and its recommendations in reference order."""
    source = get_object_or_404(Source, slug=slug)
    recommendations = Recommendation.objects.filter(source=source).with_related().order_by("reference")
    progress = status_counts(queryset=recommendations)
    query = query_string(QueryDict(mutable=True), source=source.slug)
    context = {
        "source": source,
        "recommendations": list(recommendations),
        "progress": progress,
        "segments": stacked_bar(progress.counts),
        "statuses": Status.choices,
        "list_url": reverse("recommendations:list") + query,
        "report_url": reverse("reports:progress") + query,
    }
    return render(request, "reports/source_detail.html", context)


# --- Between two dates; partners side by side -----------------------------------------------------------------------

#: Days between the two dates of a comparison when none are given.
DEFAULT_COMPARE_DAYS = 30
#: Moves and additions the comparison's page lists (each, the first by reference); its CSV holds them all.
COMPARE_LISTED = 200


def _compare_form(request: HttpRequest) -> CompareForm:
    """The comparison's dates from the query string; the last 30 days (from the first recommendation at the
    earliest) when neither is given."""
    data = request.GET.copy()
    if "from" not in data and "to" not in data:
        today = timezone.localdate()
        first = first_recommendation_day()
        data["to"] = today.isoformat()
        data["from"] = max(today - timedelta(days=DEFAULT_COMPARE_DAYS), first or today).isoformat()
    return CompareForm(data)


def _compare_context(request: HttpRequest) -> tuple[dict[str, Any], bool]:
    """What the comparison's template reads (its page's and its PDF's), and whether the dates and filters are valid."""
    filterset = page_filterset(request)
    dates = _compare_form(request)
    valid = filterset.is_valid() & dates.is_valid()
    bar = filter_bar(request, filterset)
    context: dict[str, Any] = {
        **bar,
        "dates": dates,
        "valid": valid,
        "filter_line": filter_line(bar["chips"]),
        "report_url": reverse("reports:progress") + query_string(request.GET, **{"from": None, "to": None}),
        "generated_at": timezone.localtime(),
    }
    if valid:
        start, end = dates.dates()
        period = query_string(request.GET, **{"from": str(start), "to": str(end)})
        context.update(
            comparison=status_comparison(queryset=filterset.qs, start=start, end=end, limit=COMPARE_LISTED),
            csv_url=reverse("reports:compare_csv") + period,
            pdf_url=reverse("reports:compare_pdf") + period,
        )
    return context, valid


@page(VIEW_RECOMMENDATIONS)
def status_compare(request: HttpRequest) -> HttpResponse:
    """The filtered recommendations at two dates: counts by status at each, what moved from what to what, what was
    added in between; plain, printable HTML."""
    if cleaned := redirect_without_empty(request):
        return cleaned
    context, valid = _compare_context(request)
    return render(request, "reports/status_compare.html", context, status=200 if valid else 400)


@page(VIEW_RECOMMENDATIONS)
def status_compare_pdf(request: HttpRequest) -> HttpResponse:
    """The comparison as an A4 PDF made on the server, as the report's (``progress_report_pdf``): its title and
    filters in each page's header, the date and page numbers in the footer. Invalid dates or filters: the page's 400."""
    context, valid = _compare_context(request)
    if not valid:
        return render(request, "reports/status_compare.html", context, status=400)
    comparison = context["comparison"]
    name = download_name(request, "status-comparison", "pdf", period=(comparison.start, comparison.end))
    return _pdf_response(request, "reports/status_compare.html", context, name)


def compare_rows(comparison: StatusComparison) -> Iterator[list[Any]]:
    """The comparison as CSV rows: counts by status at both dates, then each move and each addition."""
    counts, moved, added = _("Counts"), _("Moved"), _("Added")
    for _value, status_label, before, after, _change in comparison.rows:
        yield [counts, "", status_label, before, after]
    for move in [*comparison.moved, *comparison.added]:
        recommendation = move.recommendation
        section = moved if move.before else added
        title = value_in(recommendation, "title")[0]
        yield [section, recommendation.reference, title, label(Status, move.before), label(Status, move.after)]


@page(VIEW_RECOMMENDATIONS)
def status_compare_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The comparison of two dates as a CSV (through ``core.spreadsheets``: its formula guard), headed by its filters
    and named after them and the two dates."""
    filterset = download_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    dates = _compare_form(request)
    if not dates.is_valid():
        return errors_response(dates.errors)
    start, end = dates.dates()
    comparison = status_comparison(queryset=filterset.qs, start=start, end=end)
    header = [
        pgettext("a part of a CSV", "Section"),
        _("Reference"),
        pgettext("what a row of a CSV names", "Status or title"),
        start.isoformat(),
        end.isoformat(),
    ]
    response = StreamingHttpResponse(
        csv_lines(header, compare_rows(comparison), notes=export_notes(request, filterset)),
        content_type="text/csv; charset=utf-8",
    )
    name = download_name(request, "status-comparison", "csv", period=(start, end))
    response["Content-Disposition"] = attachment(name)
    return response


@dataclass
class PartnerBar:
    """One partner's bar in the side-by-side chart: its row of counts and its segments, at a vertical offset."""

    row: StatusRow
    y: float
    segments: list[Any]


#: Geometry of the side-by-side chart (view-box units): label line, bar height, gap between partners.
SIDE_LABEL, SIDE_BAR, SIDE_GAP, SIDE_WIDTH = 18, 18, 12, 480


@page(VIEW_RECOMMENDATIONS)
def partners_side_by_side_view(request: HttpRequest) -> HttpResponse:
    """For each partner, how far the (filtered) recommendations that concern it have come: a stacked bar per partner
    and a table of counts by status, at each one's status with that partner where one is recorded."""
    if cleaned := redirect_without_empty(request):
        return cleaned
    filterset = page_filterset(request)
    valid = filterset.is_valid()
    context: dict[str, Any] = {
        **filter_bar(request, filterset),
        "valid": valid,
        "statuses": Status.choices,
        "report_url": reverse("reports:progress") + query_string(request.GET),
        "grid_url": reverse("reports:partner_grid") + query_string(request.GET),
    }
    if valid:
        chosen = filterset.form.cleaned_data.get("partner") or None
        rows = partners_side_by_side(queryset=filterset.qs, partners=chosen)
        step = SIDE_LABEL + SIDE_BAR + SIDE_GAP
        bars = [
            PartnerBar(row=row, y=index * step, segments=stacked_bar(row.counts, width=SIDE_WIDTH))
            for index, row in enumerate(rows)
        ]
        totals = StatusRow(key="all", label=_("All partners"))
        for row in rows:
            for status, count in row.counts.items():
                totals.counts[status] = totals.counts.get(status, 0) + count
        context.update(
            rows=_matrix(rows, request.GET, "partner", "reports:partner_detail"),
            bars=bars,
            totals=totals,
            chart_width=SIDE_WIDTH,
            chart_height=max(len(rows) * step - SIDE_GAP, 1),
            label_offset=SIDE_LABEL - 5,
            bar_offset=SIDE_LABEL,
            bar_height=SIDE_BAR,
        )
    return render(request, "reports/partners_side_by_side.html", context, status=200 if valid else 400)
