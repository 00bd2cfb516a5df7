"""Web pages for reading progress and recording status changes: the list, a recommendation, the report, sources.

Every page reads the query string through the one ``RecommendationFilterSet``, so a URL means the same on the page,
in its exports and in the API. Every write goes through ``services.recommendation_change_status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from partners.models import Partner

from . import exports
from .changes import VersionConflict
from .charts import history_chart, stacked_bar
from .choices import ObjectType, Priority, Status
from .filtersets import RecommendationFilterSet
from .forms import DEFAULT_STALE_DAYS, ReportOptionsForm, StatusChangeForm, style_filter_form
from .models import ChangeEvent, Recommendation, Source, Theme
from .roles import can_record_status
from .selectors import (
    StatusRow,
    overdue_recommendations,
    progress_summary,
    recent_status_changes,
    recommendation_links,
    sources_with_progress,
    stale_recommendations,
    status_counts,
    status_history,
)
from .services import recommendation_change_status

#: Rows per page of the recommendation list.
PAGE_SIZE = 25
#: Query parameters that filter (the filterset's, in the order chips are shown); ``ordering`` and ``page`` are not.
FILTER_PARAMS = (
    "q",
    "status",
    "partner",
    "theme",
    "priority",
    "source",
    "team",
    "overdue",
    "stale",
    "target_after",
    "target_before",
    "updated_after",
    "updated_before",
)
#: Sortable columns of the list: (ordering parameter, column title).
SORT_COLUMNS = (
    ("reference", gettext_lazy("Reference")),
    ("title", gettext_lazy("Title")),
    ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")),
    ("target_date", gettext_lazy("Target date")),
    ("updated_at", gettext_lazy("Last update")),
)
#: Months of the progress-over-time chart when no period is filtered, and the most it ever shows.
HISTORY_MONTHS = 12
MAX_HISTORY_MONTHS = 60
#: Rows shown in each of the report's lists (overdue, stale); the full lists are a link away.
REPORT_LIST_LENGTH = 10


# --- Query strings --------------------------------------------------------------------------------------------------


def _query(params: QueryDict, **replace: list[str] | str | None) -> str:
    """``params`` as a query string ("?..." or ""), with some keys replaced (None removes them) and no page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in replace.items():
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [value] if isinstance(value, str) else list(value))
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _redirect_without_empty(request: HttpRequest) -> HttpResponseRedirect | None:
    """Redirect to the same URL without empty parameters (a submitted filter form sends every field)."""
    if not any("" in values for _key, values in request.GET.lists()):
        return None
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept:
            query.setlist(key, kept)
    encoded = query.urlencode()
    return HttpResponseRedirect(request.path + (f"?{encoded}" if encoded else ""))


def _filterset(request: HttpRequest, queryset: QuerySet[Recommendation] | None = None) -> RecommendationFilterSet:
    """The filterset over the request's query string, its form dressed for the filter panel."""
    filterset = RecommendationFilterSet(request.GET, queryset=queryset, request=request)
    style_filter_form(filterset.form)
    return filterset


@dataclass
class Chip:
    """An active filter value, with the URL of the same page without it."""

    name: str
    value: str
    remove_url: str


def filter_chips(params: QueryDict, filterset: RecommendationFilterSet) -> list[Chip]:
    """One removable chip per active filter value, labelled in words (partner names, status labels, ...)."""
    names: dict[str, dict[str, str]] = {
        "status": {value: str(label) for value, label in Status.choices},
        "priority": {value: str(label) for value, label in Priority.choices},
        "overdue": {"true": _("yes"), "1": _("yes"), "yes": _("yes"), "false": _("no"), "0": _("no"), "no": _("no")},
    }
    lookups = {"partner": (Partner, "name"), "theme": (Theme, "name"), "source": (Source, "title")}
    for key, (model, field) in lookups.items():
        # Only values that can name an object: PostgreSQL refuses to compare text holding a NUL byte (a 500).
        slugs = [value for value in params.getlist(key) if value and "\x00" not in value]
        if slugs:
            names[key] = dict(model.objects.filter(slug__in=slugs).values_list("slug", field))
    chips = []
    for key in FILTER_PARAMS:
        values = params.getlist(key)
        for value in values:
            if value == "":
                continue
            label = filterset.form.fields[key].label if key in filterset.form.fields else key
            shown = names.get(key, {}).get(value, value)
            if key == "q":
                shown = f"“{value}”"
            elif key == "stale":
                shown = _("%(days)s+ days") % {"days": value}
            rest = [other for other in values if other != value]
            chips.append(Chip(name=str(label), value=shown, remove_url=_query(params, **{key: rest or None})))
    return chips


@dataclass
class SortColumn:
    """A sortable column header: its title, the URL that sorts by it, and its current direction."""

    key: str
    title: str
    url: str
    direction: str  # "ascending", "descending" or ""


def sort_columns(params: QueryDict) -> list[SortColumn]:
    """The list's column headers; clicking the current sort column reverses it, other parameters are kept."""
    current = (params.get("ordering") or "reference").split(",")[0]
    columns = []
    for key, title in SORT_COLUMNS:
        if current == key:
            direction, next_ordering = "ascending", f"-{key}"
        elif current == f"-{key}":
            direction, next_ordering = "descending", key
        else:
            direction, next_ordering = "", key
        url = _query(params, ordering=next_ordering)
        columns.append(SortColumn(key=key, title=str(title), url=url, direction=direction))
    return columns


def _export_links(params: QueryDict) -> dict[str, str]:
    """The export URLs carrying the same filters (and sort order)."""
    query = _query(params)
    return {
        "csv": reverse("recommendations:export_csv") + query,
        "xlsx": reverse("recommendations:export_xlsx") + query,
    }


# --- The list -------------------------------------------------------------------------------------------------------


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The filtered, sorted, paginated table of recommendations."""
    if cleaned := _redirect_without_empty(request):
        return cleaned
    filterset = _filterset(request, Recommendation.objects.with_related())
    valid = filterset.is_valid()
    page = None
    if valid:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "valid": valid,
        "page": page,
        "chips": filter_chips(request.GET, filterset),
        "columns": sort_columns(request.GET),
        "exports": _export_links(request.GET),
        "report_url": reverse("recommendations:report") + _query(request.GET, ordering=None),
        "ordering": request.GET.get("ordering", ""),
        "open_groups": {key for key in FILTER_PARAMS if request.GET.getlist(key)},
    }
    return render(request, "recommendations/recommendation_list.html", context, status=200 if valid else 400)


# --- One recommendation ---------------------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest, recommendation: Recommendation, form: StatusChangeForm | None, *, status: int = 200
) -> HttpResponse:
    """The recommendation page, with the status form (bound or fresh) for those who may record changes."""
    timeline = recommendation.status_updates.select_related("author").order_by("-created_at", "-id")
    history = ChangeEvent.objects.filter(object_type=ObjectType.RECOMMENDATION, object_id=recommendation.uuid).order_by(
        "-seq"
    )
    context = {
        "recommendation": recommendation,
        "timeline": list(timeline),
        "history": list(history),
        "links": recommendation_links(recommendation=recommendation),
        "form": form,
        "can_record": form is not None,
    }
    return render(request, "recommendations/recommendation_detail.html", context, status=status)


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def recommendation_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """A recommendation in full, with its timeline and change history, and the status form for the policy team."""
    recommendation = get_object_or_404(Recommendation.objects.with_related(), uuid=uuid)
    form = StatusChangeForm(recommendation=recommendation) if can_record_status(request.user) else None
    return _render_detail(request, recommendation, form)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record a status change through the service, refusing it if the page was opened at an older version."""
    recommendation = get_object_or_404(Recommendation, uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_record_status(request.user):
        raise PermissionDenied(_("Only the policy team records status changes."))
    if request.method == "GET":
        return redirect(detail_url)
    form = StatusChangeForm(request.POST, recommendation=recommendation)
    if form.is_valid():
        try:
            recommendation_change_status(
                recommendation=recommendation,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            return _conflict(request, recommendation, conflict)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”. The change is on the timeline.")
                % {"status": Status(form.cleaned_data["status"]).label},
            )
            return redirect(f"{detail_url}#timeline")
    fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
    return _render_detail(request, fresh, form, status=400)


def _conflict(request: HttpRequest, recommendation: Recommendation, conflict: VersionConflict) -> HttpResponse:
    """Show the page as it is now, keep what the user typed, and explain that nothing was written."""
    fresh = Recommendation.objects.with_related().filter(pk=recommendation.pk).first()
    if fresh is None:
        raise Http404(_("This recommendation has been deleted."))
    data = request.POST.copy()
    data["version"] = str(fresh.version)  # submitting again, after reading the change, applies on top of it
    form = StatusChangeForm(data, recommendation=fresh)
    form.is_valid()
    form.add_error(
        None,
        _(
            "This recommendation was changed by someone else since you opened this page; it is now at version "
            "%(version)s. Nothing was saved. Check its current status and timeline, then record your change again."
        )
        % {"version": conflict.current_version or fresh.version},
    )
    return _render_detail(request, fresh, form, status=409)


def _add_service_errors(form: StatusChangeForm, error: ValidationError) -> None:
    """Put the service's validation errors on the form's fields (or on the form as a whole)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- Exports --------------------------------------------------------------------------------------------------------


def _export_filterset(request: HttpRequest) -> RecommendationFilterSet | HttpResponse:
    """The filterset of an export, or a plain-text 400 that names the invalid parameters."""
    filterset = RecommendationFilterSet(request.GET, queryset=Recommendation.objects.with_related(), request=request)
    if filterset.is_valid():
        return filterset
    lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
    return HttpResponse(
        _("Invalid filters:") + "\n" + "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


def _export_rows(request: HttpRequest, filterset: RecommendationFilterSet):
    """The rows of the filtered recommendations, fetched in chunks with their partners and themes."""
    return exports.export_rows(
        filterset.qs.iterator(chunk_size=exports.CHUNK_SIZE),
        url_for=lambda r: request.build_absolute_uri(reverse("recommendations:detail", args=[r.uuid])),
    )


def _attachment(name: str, extension: str) -> str:
    """A Content-Disposition value with today's date in the file name."""
    return f'attachment; filename="{name}-{timezone.localdate().isoformat()}.{extension}"'


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, streamed (UTF-8 with a byte order mark)."""
    filterset = _export_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    response = StreamingHttpResponse(
        exports.csv_lines(exports.export_header(), _export_rows(request, filterset)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _attachment("recommendations", "csv")
    return response


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook with the same columns as the CSV."""
    filterset = _export_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    content = exports.xlsx_bytes(exports.export_header(), _export_rows(request, filterset), title=_("Recommendations"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _attachment("recommendations", "xlsx")
    return response


# --- The progress report --------------------------------------------------------------------------------------------


def _months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
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
    segments: list


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
                url = list_url + _query(params, **{key: row.key, "status": status, "stale_days": None})
            cells.append((status, count, url))
        url = reverse(url_name, args=[row.key]) if url_name else ""
        matrix.append(MatrixRow(row=row, url=url, cells=cells, segments=stacked_bar(row.counts)))
    return matrix


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def progress_report(request: HttpRequest) -> HttpResponse:
    """The managers' dashboard for the filtered recommendations: totals, distributions, lists and progress over time."""
    if cleaned := _redirect_without_empty(request):
        return cleaned
    filterset = _filterset(request)
    options = ReportOptionsForm(request.GET)
    valid = filterset.is_valid()
    context: dict[str, Any] = {
        "filterset": filterset,
        "form": filterset.form,
        "options": options,
        "valid": valid,
        "chips": filter_chips(request.GET, filterset),
        "statuses": Status.choices,
        "bar_groups": [
            (filterset.form[name], filterset.form.fields[name].label)
            for name in ("status", "partner", "theme", "priority", "source")
        ],
        "list_url": reverse("recommendations:list") + _query(request.GET, stale_days=None),
        "csv_url": reverse("recommendations:report_csv") + _query(request.GET),
        "generated_at": timezone.localtime(),
    }
    if valid:
        queryset = filterset.qs
        summary = progress_summary(queryset=queryset)
        start, end = history_period(filterset.form.cleaned_data)
        history = status_history(queryset=queryset, start=start, end=end)
        stale_days = options.stale_days_value()
        stale_count, stale = stale_recommendations(queryset=queryset, days=stale_days, limit=REPORT_LIST_LENGTH)
        context.update(
            summary=summary,
            overall_segments=stacked_bar(summary.overall.counts),
            partner_rows=_matrix(summary.by_partner, request.GET, "partner", "partners:detail"),
            theme_rows=_matrix(summary.by_theme, request.GET, "theme", None),
            history=history,
            history_chart=history_chart(history),
            history_start=start,
            history_end=end,
            overdue=overdue_recommendations(queryset=queryset, limit=REPORT_LIST_LENGTH),
            overdue_url=reverse("recommendations:list") + _query(request.GET, overdue="true", stale_days=None),
            stale=stale,
            stale_count=stale_count,
            stale_days=stale_days,
            stale_url=reverse("recommendations:list") + _query(request.GET, stale=str(stale_days), stale_days=None),
            recent=recent_status_changes(queryset=queryset),
            default_stale_days=DEFAULT_STALE_DAYS,
        )
    return render(request, "recommendations/progress_report.html", context, status=200 if valid else 400)


@login_required
@permission_required("recommendations.view_recommendation", raise_exception=True)
@require_GET
def progress_report_csv(request: HttpRequest) -> HttpResponse:
    """The progress report's tables as one CSV: overall, partner × status, theme × status, month ends."""
    filterset = _export_filterset(request)
    if isinstance(filterset, HttpResponse):
        return filterset
    summary = progress_summary(queryset=filterset.qs)
    start, end = history_period(filterset.form.cleaned_data)
    history = status_history(queryset=filterset.qs, start=start, end=end)
    response = StreamingHttpResponse(
        exports.csv_lines(exports.report_header(), exports.report_rows(summary, history)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _attachment("progress-report", "csv")
    return response


# --- Sources --------------------------------------------------------------------------------------------------------


@login_required
@permission_required("recommendations.view_source", raise_exception=True)
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source document with its recommendations' progress."""
    sources = [(source, row, stacked_bar(row.counts)) for source, row in sources_with_progress()]
    return render(request, "recommendations/source_list.html", {"sources": sources, "statuses": Status.choices})


@login_required
@permission_required("recommendations.view_source", raise_exception=True)
@require_GET
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A source document, its progress and its recommendations in reference order."""
    source = get_object_or_404(Source, slug=slug)
    recommendations = Recommendation.objects.filter(source=source).with_related().order_by("reference")
    progress = status_counts(queryset=recommendations)
    query = _query(QueryDict(mutable=True), source=source.slug)
    context = {
        "source": source,
        "recommendations": list(recommendations),
        "progress": progress,
        "segments": stacked_bar(progress.counts),
        "statuses": Status.choices,
        "list_url": reverse("recommendations:list") + query,
        "report_url": reverse("recommendations:report") + query,
    }
    return render(request, "recommendations/source_detail.html", context)
