"""What the web pages that read the recommendation filters share: the filterset read from a request, the chips of
its active filters, sortable column headers, and the filterset of a download.

Every page reads its query string through the one ``RecommendationFilterSet``, so a URL means the same on the list,
the report, in their exports and in the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.validators import EMPTY_VALUES
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django_filters import OrderingFilter

from core.querystrings import export_name, query_string
from core.translation import localized
from partners.models import Partner

from .choices import Priority, SavedViewPage, Status
from .filtersets import FILTER_PARAMS, RecommendationFilterSet, status_rank
from .forms import AsOfForm, SaveViewForm, style_filter_form
from .models import RECOMMENDATION_ORDERING, Recommendation, Source, StatusSpan, Theme
from .selectors import existing_on, saved_views_for, with_status_on
from .services.saved_views import shares_allowed

#: The list's sortable columns, as ``ordering`` values of the filterset (their titles are the filterset's labels).
LIST_SORT_KEYS = ("reference", "title", "status", "priority", "target_date", "updated_at")
#: The list's default order: the model's, as the filterset's ``ordering`` value.
DEFAULT_ORDERING = ",".join(RECOMMENDATION_ORDERING)


def as_of_filterset(
    request: HttpRequest, queryset: QuerySet[Recommendation] | None, as_of: date | None
) -> RecommendationFilterSet:
    """The filterset over the request's query string; with ``as_of``, over what of ``queryset`` existed at the end of
    that day, its status filter reading the status then (``with_status_on``): the list as it stood."""
    if as_of:
        queryset = existing_on(Recommendation.objects.all() if queryset is None else queryset, as_of)
    filterset = RecommendationFilterSet(request.GET, queryset=queryset, request=request)
    if as_of:
        day = as_of

        def status_then(rows: QuerySet[Recommendation], _name: str, statuses: list[str]) -> QuerySet[Recommendation]:
            return with_status_on(rows, day, statuses)

        filterset.filters["status"].method = status_then
    return filterset


def report_set(filterset: RecommendationFilterSet) -> QuerySet[Recommendation]:
    """The recommendations a report as of a past day reads for a valid filterset: its set when a filter is set (its
    order aside), else every recommendation. The as-of selectors keep to what existed on their day themselves, so an
    unfiltered report reads the kept tallies and spans instead of checking every row against the existence filter of
    ``as_of_filterset``."""
    cleaned = filterset.form.cleaned_data
    sorting = {name for name, declared in filterset.filters.items() if isinstance(declared, OrderingFilter)}
    if any(_chosen(value) for name, value in cleaned.items() if name not in sorting):
        return cast("QuerySet[Recommendation]", filterset.qs)
    every: QuerySet[Recommendation] = Recommendation.objects.all()
    return every


def _chosen(value: Any) -> bool:
    """Whether a filter's cleaned value sets it (an empty choice of rows is the field's ``none()`` queryset)."""
    if isinstance(value, QuerySet):
        return not value.query.is_empty()
    return value not in EMPTY_VALUES


def as_of_status_keys(filterset: RecommendationFilterSet, as_of: date | None) -> QuerySet[StatusSpan, int] | None:
    """The keys of a valid list as of a past day sorted by status (lifecycle order, then key; ``-status``: both
    reversed), in that order, from the kept status spans then; None for any other list (or without the spans).

    Sorted by the filterset, every recommendation that existed then had its status then looked up in its timeline
    before a page of them could be kept; the spans running then hold it already."""
    ordering = list(filterset.form.cleaned_data.get("ordering") or [])
    if not as_of or not settings.REPORT_TALLIES or ordering not in (["status"], ["-status"]):
        return None
    spans = StatusSpan.objects.running_on(as_of)
    chosen = report_set(filterset)
    if chosen.query.where:  # a filter is set: only its recommendations (the spans running then all existed)
        spans = spans.filter(recommendation__in=chosen.order_by().values("pk"))
    order = ("-rank", "-recommendation_id") if ordering == ["-status"] else ("rank", "recommendation_id")
    return spans.annotate(rank=status_rank("status")).order_by(*order).values_list("recommendation_id", flat=True)


def page_filterset(
    request: HttpRequest, queryset: QuerySet[Recommendation] | None = None, *, as_of: date | None = None
) -> RecommendationFilterSet:
    """The filterset over the request's query string (as of a past day: ``as_of_filterset``), its form dressed for the
    filter panel."""
    filterset = as_of_filterset(request, queryset, as_of)
    style_filter_form(filterset.form)
    return filterset


def download_filterset(request: HttpRequest) -> RecommendationFilterSet | HttpResponse:
    """The filterset of a download of today's data, or a plain-text 400 that names the invalid parameters."""
    filterset = as_of_filterset(request, Recommendation.objects.with_related(), None)
    if filterset.is_valid():
        return filterset
    return errors_response(filterset.errors, heading=_("Invalid filters:"))


def as_of_download(request: HttpRequest) -> tuple[RecommendationFilterSet, date | None] | HttpResponse:
    """The filterset of a download that follows ``as_of`` as the list does (``as_of_filterset``) and that day (None:
    today's data), or a plain-text 400 that names the invalid parameters, ``as_of`` among them."""
    as_of_form = AsOfForm(request.GET)
    as_of = as_of_form.day()
    filterset = as_of_filterset(request, Recommendation.objects.with_related(), as_of)
    if filterset.is_valid() and as_of_form.is_valid():
        return filterset, as_of
    return errors_response({**filterset.errors, **as_of_form.errors}, heading=_("Invalid filters:"))


def asks_as_of(params: QueryDict) -> bool:
    """Whether the query string asks for the list as of a past day (``as_of``, valid or not)."""
    return any(params.getlist("as_of"))


def errors_response(errors: Mapping[str, Iterable[Any]], *, heading: str = "") -> HttpResponse:
    """A download's plain-text 400: the heading, if any, then one line per invalid parameter with its messages."""
    lines = [f"{name}: {' '.join(str(message) for message in messages)}" for name, messages in errors.items()]
    return HttpResponse(
        (heading + "\n" if heading else "") + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


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
    }
    yes_no = {"true": _("yes"), "1": _("yes"), "yes": _("yes"), "false": _("no"), "0": _("no"), "no": _("no")}
    names.update(dict.fromkeys(("overdue", "attention", "disagreement", "has_evidence"), yes_no))
    lookups: dict[str, tuple[type[Partner] | type[Theme] | type[Source], str]] = {
        "partner": (Partner, "name"),
        "theme": (Theme, "name"),
        "source": (Source, "title"),
    }
    for key, (model, field) in lookups.items():
        # Only values that can name an object: PostgreSQL refuses to compare text holding a NUL byte (a 500).
        slugs = [value for value in params.getlist(key) if value and "\x00" not in value]
        if slugs:
            found = model.objects.filter(slug__in=slugs).annotate(shown=localized(field))
            names[key] = dict(found.values_list("slug", "shown"))
    chips = []
    for key in FILTER_PARAMS:
        values = params.getlist(key)
        for value in values:
            if value == "":
                continue
            label = filterset.form.fields[key].label if key in filterset.form.fields else key
            shown = names.get(key, {}).get(value, value)
            if key == "q":
                shown = _("“%(words)s”") % {"words": value}
            elif key == "stale":
                shown = _("%(days)s+ days") % {"days": value}
            rest = [other for other in values if other != value]
            chips.append(Chip(name=str(label), value=shown, remove_url=query_string(params, **{key: rest or None})))
    return chips


def filter_line(chips: list[Chip]) -> str:
    """The active filters in one line, values of one filter together: "Status: Stalled; Partner: India, Quad"."""
    grouped: dict[str, list[str]] = {}
    for chip in chips:
        grouped.setdefault(chip.name, []).append(chip.value)
    if not grouped:
        return _("none (all recommendations)")
    between_values = pgettext("separates the values of one filter", ", ")
    return pgettext("separates the items of a list", "; ").join(
        _("%(name)s: %(values)s") % {"name": name, "values": between_values.join(values)}
        for name, values in grouped.items()
    )


def export_notes(
    request: HttpRequest, filterset: RecommendationFilterSet, *, as_of: date | None = None
) -> list[tuple[str, str]]:
    """What an export holds, as (label, text): its filters, the day it shows statuses as of (``as_of``, if any) and
    when it was made (a CSV's first lines, a sheet)."""
    notes = [(_("Filters"), filter_line(filter_chips(request.GET, filterset)))]
    if as_of:
        notes.append(
            (
                _("As of"),
                _("%(day)s (statuses as they stood then; other columns as of today)") % {"day": as_of.isoformat()},
            )
        )
    notes.append((_("Exported"), date_format(timezone.localtime(), "DATETIME_FORMAT")))
    return notes


def download_name(
    request: HttpRequest,
    stem: str,
    extension: str,
    *,
    period: tuple[date, date] | None = None,
    as_of: date | None = None,
) -> str:
    """A download's name with its filters and today's date, e.g. recommendations-status-stalled-2026-11-30.csv, or the
    first and last day of the ``period`` it covers, or the past day it shows the list as of (``…-as-of-2025-03-31``)."""
    first, last = period or (as_of or timezone.localdate(), None)
    return export_name(
        stem=stem,
        params=request.GET,
        keys=FILTER_PARAMS,
        day=first,
        until=last,
        extension=extension,
        as_of=as_of is not None and period is None,
    )


@dataclass
class SortColumn:
    """A sortable column header: its title, the URL that sorts by it, and its current direction."""

    key: str
    title: str
    url: str
    direction: str  # "ascending", "descending" or ""


def sort_columns(params: QueryDict, keys: tuple[str, ...] = LIST_SORT_KEYS) -> list[SortColumn]:
    """The list's column headers; clicking the current sort column reverses it, other parameters are kept."""
    titles = dict(RecommendationFilterSet.base_filters["ordering"].extra["choices"])
    current = (params.get("ordering") or DEFAULT_ORDERING).split(",")[0]
    columns = []
    for key in keys:
        if current == key:
            direction, next_ordering = "ascending", f"-{key}"
        elif current == f"-{key}":
            direction, next_ordering = "descending", key
        else:
            direction, next_ordering = "", key
        url = query_string(params, ordering=next_ordering)
        columns.append(SortColumn(key=key, title=str(titles[key]), url=url, direction=direction))
    return columns


def saved_views_context(request: HttpRequest, page: str) -> dict[str, Any]:
    """What the "Saved views" menu of a page needs: the views the user sees there and the form to save this one."""
    url_name = "recommendations:list" if page == SavedViewPage.LIST else "reports:progress"
    query = request.GET.copy()
    query.pop("page", None)
    views = [
        (view, reverse(url_name) + (f"?{view.query}" if view.query else ""))
        for view in saved_views_for(request.user, page)
    ]
    form = SaveViewForm(
        initial={"page": page, "query": query.urlencode()},
        allowed_shares=shares_allowed(request.user),
        language=(get_language() or "en")[:2],
    )
    return {"saved_views": views, "save_view_form": form, "saved_views_page": page}
