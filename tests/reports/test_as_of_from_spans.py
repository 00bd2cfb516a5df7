"""The report as of a past day read from the kept status spans is the report rebuilt from the timelines, on every day
and for filtered sets, whatever the responses, assessments and partners' own statuses recorded in between."""

from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.choices import Rating, Response, Status
from recommendations.listing import as_of_filterset
from recommendations.models import (
    Assessment,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationPartner,
    ResponseUpdate,
)
from recommendations.services.tallies import tallies_rebuild
from reports.selectors import progress_summary_on
from tests.factories import (
    PartnerFactory,
    RecommendationFactory,
    StatusUpdateFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def past(settings):
    """Six recommendations over ten days, written behind the services' back as a restore would (then the documented
    repair): timelines that start after or before the creation, several entries a day, responses, assessments that
    agree and disagree, partners' own statuses (one for a partner no longer linked), target dates and themes."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    assessor = UserFactory(username="assessor-past", assessor=True)
    india, quad, asean = (PartnerFactory(slug=slug, name=slug.title()) for slug in ("india", "quad", "asean"))
    maritime, cyber = ThemeFactory(slug="maritime"), ThemeFactory(slug="cyber")

    def at(days_ago: int, hour: int = 12) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), dt_time(hour), tzinfo=zone)

    def recommendation(reference, created, status, entries=(), *, response=Response.NO_RESPONSE, **fields):
        made = RecommendationFactory(reference=reference, status=status, response=response, **fields)
        Recommendation.objects.filter(pk=made.pk).update(created_at=at(created))
        for days_ago, hour, from_status, to_status in entries:
            StatusUpdateFactory(
                recommendation=made, from_status=from_status, to_status=to_status, created_at=at(days_ago, hour)
            )
        return made

    def link(made, partner, *own: tuple[int, str, str]) -> None:
        RecommendationPartner.objects.create(recommendation=made, partner=partner)
        for days_ago, from_status, to_status in own:
            PartnerStatusUpdate.objects.create(
                recommendation=made,
                partner=partner,
                from_status=from_status,
                to_status=to_status,
                created_at=at(days_ago),
            )

    def responded(made, *entries: tuple[int, str, str]) -> None:
        for days_ago, from_response, to_response in entries:
            ResponseUpdate.objects.create(
                recommendation=made,
                from_response=from_response,
                to_response=to_response,
                responded_on=at(days_ago).date(),
                created_at=at(days_ago),
            )

    def assessed(made, *entries: tuple[int, str]) -> None:
        for days_ago, rating in entries:
            Assessment.objects.create(
                recommendation=made,
                rating=rating,
                rationale="Seen.",
                assessor=assessor,
                assessed_on=at(days_ago).date(),
                created_at=at(days_ago),
            )

    r1 = recommendation("R1", 8, Status.IN_PROGRESS, target_date=today - timedelta(days=6))
    link(r1, india)
    link(r1, quad, (6, "", Status.STALLED), (2, Status.STALLED, Status.IMPLEMENTED))
    assessed(r1, (7, Rating.COMPLETE), (3, Rating.LIMITED))
    r1.themes.add(maritime)
    r2 = recommendation(
        "R2",
        8,
        Status.STALLED,
        [(5, 9, Status.PROPOSED, Status.IN_PROGRESS), (2, 9, "", Status.STALLED)],
        response=Response.ACCEPTED,
        target_date=today - timedelta(days=3),
    )
    responded(r2, (6, Response.NO_RESPONSE, Response.NOTED), (4, Response.NOTED, Response.ACCEPTED))
    link(r2, quad)
    link(r2, asean, (4, "", Status.IN_PROGRESS))
    r2.themes.add(maritime, cyber)
    r3 = recommendation(
        "R3",
        8,
        Status.IMPLEMENTED,
        [(9, 9, "", Status.PROPOSED), (3, 9, Status.PROPOSED, Status.IMPLEMENTED)],
        response=Response.REJECTED,
        target_date=today - timedelta(days=5),
    )
    responded(r3, (1, Response.NO_RESPONSE, Response.REJECTED))  # only after the days compared but today
    assessed(r3, (2, Rating.COMPLETE))
    link(r3, india, (5, "", Status.UNDER_REVIEW))
    r4 = recommendation(
        "R4",
        7,
        Status.IN_PROGRESS,
        [
            (7, 8, "", Status.PROPOSED),
            (7, 15, Status.PROPOSED, Status.UNDER_REVIEW),
            (5, 9, Status.UNDER_REVIEW, Status.IN_PROGRESS),
            (4, 15, Status.IN_PROGRESS, Status.STALLED),
            (3, 9, Status.STALLED, Status.IN_PROGRESS),
        ],
    )
    link(r4, india, (6, "", Status.IN_PROGRESS))
    r4.themes.add(cyber)
    # Recorded with Quad while it was linked; the link is gone: the report counts today's links only.
    PartnerStatusUpdate.objects.create(
        recommendation=r4, partner=quad, from_status="", to_status=Status.STALLED, created_at=at(6)
    )
    r5 = recommendation("R0", 4, Status.PROPOSED, [(4, 8, "", Status.PROPOSED)], target_date=today)
    link(r5, quad, (4, "", Status.NOT_ADOPTED))
    recommendation("R5", 0, Status.UNDER_REVIEW, [(0, 8, "", Status.UNDER_REVIEW)])
    tallies_rebuild()  # written behind the services' back: the documented repair
    return [today - timedelta(days=n) for n in range(10, -1, -1)]


def summary_as_read(day: date, *, spans: bool, **filters: str):
    """The report as of ``day`` from the kept spans or rebuilt from the timelines, for a filter as the pages read it
    (``as_of_filterset``: as of a day, the status filter reads the status then)."""
    with override_settings(REPORT_TALLIES=spans):
        request = RequestFactory().get("/reports/progress/", filters)
        request.user = AnonymousUser()
        filterset = as_of_filterset(request, None, day)
        assert filterset.is_valid(), filterset.errors
        return progress_summary_on(queryset=filterset.qs, day=day)


def test_the_unfiltered_report_from_the_kept_figures_is_the_report_rebuilt_on_every_day(past):
    # Unfiltered, the pages pass every recommendation (``report_set``): the counts by status come from the tallies.
    for day in past:
        with override_settings(REPORT_TALLIES=True):
            kept = progress_summary_on(queryset=Recommendation.objects.all(), day=day)
        assert kept == summary_as_read(day, spans=False), day


@pytest.mark.parametrize(
    "filters",
    [{}, {"status": Status.IN_PROGRESS}, {"partner": "quad"}, {"theme": "maritime"}, {"overdue": "true"}],
    ids=["everything", "status-then", "partner", "theme", "overdue-today"],
)
def test_the_report_from_the_kept_spans_is_the_report_rebuilt_on_every_day(past, filters):
    for day in past:
        kept = summary_as_read(day, spans=True, **filters)
        assert kept == summary_as_read(day, spans=False, **filters), (day, filters)


def test_the_figures_it_checks_are_there(past):
    # Not a comparison of two empty reports: on these days each kind of correction changes a figure.
    seven_days_ago, three_days_ago = past[3], past[7]
    early, late = (summary_as_read(day, spans=True) for day in (seven_days_ago, three_days_ago))
    assert (early.assessed, early.disagreeing) == (1, 1)  # R1 "complete" while in progress
    assert (late.assessed, late.disagreeing) == (1, 0)  # R1 now "limited"; R3's assessment comes later
    assert {value: n for value, _label, n in late.responses}[Response.ACCEPTED] == 1  # R2 by then
    assert {value: n for value, _label, n in early.responses}[Response.ACCEPTED] == 0
    quad = next(row for row in late.by_partner if row.key == "quad")
    assert {status: n for status, n in quad.counts.items() if n} == {
        Status.STALLED: 1,
        Status.IN_PROGRESS: 1,
        Status.NOT_ADOPTED: 1,
    }  # R1 own, R2 overall, R0
    assert late.overdue == 1  # R1 (in progress, due six days ago); R2 is due that day, R3 implemented that day
    assert {row.key: row.total for row in late.by_theme} == {"maritime": 2, "cyber": 2}


def test_the_report_from_the_kept_spans_takes_queries_that_do_not_grow(past, settings):
    settings.REPORT_TALLIES = True

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            progress_summary_on(queryset=Recommendation.objects.all(), day=past[-2])
        return len(captured)

    few = queries()
    for n in range(10):
        made = RecommendationFactory(reference=f"MORE-{n}", status=Status.STALLED)
        RecommendationPartner.objects.create(recommendation=made, partner=PartnerFactory(slug=f"more-{n}"))
        Assessment.objects.create(
            recommendation=made, rating=Rating.LIMITED, rationale=".", assessed_on=past[-3], created_at=made.created_at
        )
        ResponseUpdate.objects.create(
            recommendation=made, from_response=Response.NO_RESPONSE, to_response=Response.NOTED, responded_on=past[-3]
        )
    Recommendation.objects.filter(reference__startswith="MORE-").update(created_at=timezone.now() - timedelta(days=3))
    tallies_rebuild()
    assert queries() == few


@pytest.mark.parametrize("ordering", ["status", "-status"])
@pytest.mark.parametrize(
    "filters", ["", "&partner=quad", "&status=in_progress"], ids=["everything", "partner", "status"]
)
def test_the_list_as_of_a_day_sorted_by_status_pages_as_the_rebuild_does(
    past, manager_client, settings, monkeypatch, ordering, filters
):
    monkeypatch.setattr("recommendations.views.PAGE_SIZE", 2)  # several pages, the last one short

    def pages(day: date) -> list[list[tuple[str, str]]]:
        found, number = [], 1
        while True:
            page = manager_client.get(f"/recommendations/?as_of={day}&ordering={ordering}{filters}&page={number}")
            assert page.status_code == 200
            found.append([(row.reference, row.status_on) for row in page.context["page"].object_list])
            if not page.context["page"].has_next():
                return found
            number += 1

    for day in past[2:]:  # from the first recommendation's day
        settings.REPORT_TALLIES = True
        kept = pages(day)
        settings.REPORT_TALLIES = False
        assert kept == pages(day), (day, ordering, filters)
    settings.REPORT_TALLIES = True
    assert len(pages(past[6])) >= 2 or filters  # unfiltered, more than one page to compare


def test_the_list_as_of_a_day_sorted_by_status_orders_the_kept_spans(past, manager_client, settings):
    settings.REPORT_TALLIES = True
    with CaptureQueriesContext(connection) as captured:
        manager_client.get(f"/recommendations/?as_of={past[5]}&ordering=status")
    ordered = [query["sql"] for query in captured if "ORDER BY" in query["sql"] and "LIMIT" in query["sql"]]
    assert any("statusspan" in sql.split("ORDER BY")[0] and "statusupdate" not in sql for sql in ordered)
