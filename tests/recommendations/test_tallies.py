"""The report's tallies: kept in step by every write service, in its transaction, and equal to a full recount."""

from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.changes import VersionConflict
from partners.models import Partner
from recommendations import tallies
from recommendations.choices import Rating, Response, Status, TallyKind
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation, RecommendationPartner, Source, StatusSpan, Tally, Theme
from recommendations.selectors import existing_on
from recommendations.services import (
    recommendation_assess,
    recommendation_bulk_change_status,
    recommendation_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_partner_record_status,
    recommendation_record_response,
    recommendation_update,
)
from recommendations.services.tallies import tallies_rebuild
from recommendations.tasks import verify_report_tallies
from reports.figures import compute_figures, kept_figures
from reports.selectors import kept_counts_on, status_comparison
from tests.factories import PartnerFactory, RecommendationFactory, StatusUpdateFactory, UserFactory
from tests.transfer.helpers import EXAMPLE, plan_for
from transfer.services import recommendations_import

pytestmark = pytest.mark.django_db

PERIOD = (date(2023, 1, 1), date.today())


def assert_kept_equals_recount() -> None:
    """The tallies and the status spans hold exactly what a full recount gives, and the report's figures from them
    equal the rows'."""
    expected, _ = tallies.recount()
    assert tallies.differences(expected, tallies.kept()) == []
    assert tallies.check(repair=False).differences == []  # the spans too
    everything = Recommendation.objects.all()
    for stale_days in (30, 90, 365):
        assert kept_figures(period=PERIOD, stale_days=stale_days) == compute_figures(
            queryset=everything, period=PERIOD, stale_days=stale_days
        )


def test_loading_the_commentary_keeps_the_tallies(commentary):
    assert Recommendation.objects.count() > 20
    assert Tally.objects.filter(kind=TallyKind.PARTNER).exists()
    assert Tally.objects.filter(kind=TallyKind.THEME).exists()
    assert_kept_equals_recount()


def test_every_write_service_keeps_the_tallies(commentary, policy_user):
    assessor = UserFactory(username="tally-assessor", assessor=True)
    first, second, third = Recommendation.objects.order_by("reference")[:3]
    india = PartnerFactory(slug="tally-partner", name_en="Tally partner")
    theme = Theme.objects.order_by("slug").first()

    created = recommendation_create(
        actor=policy_user,
        source=Source.objects.get(),
        reference="TALLY-1",
        title_en="A new one",
        description_en="What it asks.",
        partners=[(india, "")],
        themes=[theme],
        status=Status.IN_PROGRESS,
        target_date=timezone.localdate() - timedelta(days=3),
    )
    assert_kept_equals_recount()

    recommendation_update(
        recommendation=created, actor=policy_user, data={"target_date": timezone.localdate() + timedelta(days=30)}
    )
    recommendation_update(recommendation=first, actor=policy_user, data={"partners": [(india, "")], "themes": []})
    assert_kept_equals_recount()

    recommendation_change_status(recommendation=second, actor=policy_user, status=Status.STALLED)
    recommendation_bulk_change_status(
        recommendations=[first, third], actor=policy_user, status=Status.IMPLEMENTED, note="Done."
    )
    assert_kept_equals_recount()

    recommendation_record_response(recommendation=second, actor=policy_user, response=Response.ACCEPTED)
    recommendation_assess(recommendation=second, actor=assessor, rating=Rating.COMPLETE, rationale="Stuck.")
    assert_kept_equals_recount()

    link = RecommendationPartner.objects.filter(recommendation=created).get()
    recommendation_partner_record_status(link=link, actor=policy_user, status=Status.PARTIALLY_IMPLEMENTED)
    assert_kept_equals_recount()
    assert Tally.objects.get(kind=TallyKind.PARTNER, key=str(india.pk), status=Status.PARTIALLY_IMPLEMENTED).n == 1

    recommendation_delete(recommendation=Recommendation.objects.get(pk=created.pk), actor=policy_user)
    assert_kept_equals_recount()
    assert not Tally.objects.filter(
        kind=TallyKind.PARTNER, key=str(india.pk), status=Status.PARTIALLY_IMPLEMENTED, n__gt=0
    )


def test_an_import_keeps_the_tallies(commentary, policy_user):
    plan = plan_for(EXAMPLE.read_bytes(), "example.csv", create_missing=True)
    assert not plan.has_errors, [row.errors for row in plan.rows if row.errors]
    before = Tally.objects.filter(kind=TallyKind.OVERALL).values_list("n", flat=True)
    total_before = sum(before)
    recommendations_import(plan=plan, actor=policy_user)
    assert sum(Tally.objects.filter(kind=TallyKind.OVERALL).values_list("n", flat=True)) > total_before
    assert_kept_equals_recount()


def test_a_write_that_fails_leaves_the_tallies_as_they_were(commentary, policy_user):
    recommendation = Recommendation.objects.order_by("reference").first()
    before = tallies.kept()
    with pytest.raises(VersionConflict):
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.STALLED, expected_version=999
        )
    with pytest.raises(RuntimeError), transaction.atomic():
        recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.STALLED)
        raise RuntimeError("rolled back with the write")
    assert tallies.kept() == before


def test_the_unfiltered_report_reads_the_tallies_in_queries_that_do_not_grow(
    commentary, manager_client, kept_tallies, policy_user
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get("/api/v1/reports/progress/", HTTP_HOST="127.0.0.1").status_code == 200
        return len(captured)

    few = queries()
    source, partners = Source.objects.get(), list(Partner.objects.all()[:5])
    for i in range(20):
        recommendation_create(
            actor=policy_user,
            source=source,
            reference=f"MORE-{i}",
            title_en=f"More {i}",
            description_en="More.",
            partners=[(partners[i % 5], "")],
        )
    assert queries() == few


def test_the_report_page_and_api_from_the_tallies_match_the_rows(commentary, manager_client, kept_tallies, settings):
    recommendation_change_status(
        recommendation=Recommendation.objects.order_by("reference").first(), actor=None, status=Status.STALLED
    )
    page = manager_client.get("/reports/progress/?stale_days=30", HTTP_HOST="127.0.0.1")
    api = manager_client.get("/api/v1/reports/progress/", HTTP_HOST="127.0.0.1").json()
    settings.REPORT_TALLIES = False
    assert manager_client.get("/api/v1/reports/progress/", HTTP_HOST="127.0.0.1").json() == api
    counted = manager_client.get("/reports/progress/?stale_days=30", HTTP_HOST="127.0.0.1")
    for name in ("summary", "history", "stale_count"):
        assert page.context[name] == counted.context[name], name


def test_a_write_behind_the_services_back_is_found_and_repaired(commentary, capsys):
    call_command("verify_report_figures")
    Recommendation.objects.filter(pk=Recommendation.objects.order_by("pk").first().pk).update(status=Status.STALLED)
    with pytest.raises(CommandError, match="tallies"):
        call_command("verify_report_figures")
    call_command("verify_report_figures", "--repair")
    call_command("verify_report_figures")
    assert_kept_equals_recount()


def test_a_status_span_changed_behind_the_services_back_is_found_and_repaired(commentary, capsys):
    recommendation = Recommendation.objects.order_by("pk").first()
    assert StatusSpan.objects.filter(recommendation=recommendation).exists()
    StatusSpan.objects.filter(recommendation=recommendation).update(status=Status.NOT_ADOPTED)
    with pytest.raises(CommandError, match=f"span {recommendation.pk} "):
        call_command("verify_report_figures")
    call_command("verify_report_figures", "--repair")
    assert "differed in 2 places" in capsys.readouterr().out  # the span kept, and the one that should be
    call_command("verify_report_figures")
    assert_kept_equals_recount()


def test_the_daily_job_repairs_the_tallies(commentary):
    assert verify_report_tallies.call() == 0
    Tally.objects.filter(kind=TallyKind.OVERALL).delete()
    assert verify_report_tallies.call() > 0
    assert verify_report_tallies.call() == 0
    assert_kept_equals_recount()


def test_rebuilding_gives_what_the_write_path_kept(commentary):
    kept = tallies.kept()
    assert tallies_rebuild() == Recommendation.objects.count()
    assert tallies.kept() == kept


def test_side_by_side_and_comparison_from_the_tallies_match_the_rows(
    commentary, manager_client, kept_tallies, settings
):
    # Recorded long ago, so that a comparison may start before today, and behind the services' back: their timelines
    # now start long after their creation (the edge the ``standing`` tallies must get right); one has no timeline.
    Recommendation.objects.update(created_at=timezone.now() - timedelta(days=500))
    no_timeline = Recommendation.objects.order_by("reference").last()
    no_timeline.status_updates.all().delete()
    tallies_rebuild()  # the documented repair after such writes
    first, second = Recommendation.objects.order_by("reference")[:2]
    recommendation_change_status(recommendation=first, actor=None, status=Status.IN_PROGRESS)
    recommendation_change_status(recommendation=second, actor=None, status=Status.STALLED)
    today = timezone.localdate()
    pages = {
        "/reports/partners/side-by-side/": ("rows", "totals"),
        f"/reports/compare/?from={today - timedelta(days=400)}&to={today}": ("comparison",),
        f"/reports/compare/?from={today - timedelta(days=1)}&to={today}": ("comparison",),
        f"/reports/compare/?from={today - timedelta(days=450)}&to={today - timedelta(days=2)}": ("comparison",),
    }
    kept = {url: manager_client.get(url, HTTP_HOST="127.0.0.1") for url in pages}
    settings.REPORT_TALLIES = False
    for url, names in pages.items():
        counted = manager_client.get(url, HTTP_HOST="127.0.0.1")
        assert kept[url].status_code == counted.status_code == 200
        for name in names:
            assert kept[url].context[name] == counted.context[name], (url, name)
    yesterday = kept[f"/reports/compare/?from={today - timedelta(days=1)}&to={today}"].context["comparison"]
    assert {(move.recommendation.pk, move.after) for move in yesterday.moved} == {
        (first.pk, Status.IN_PROGRESS),
        (second.pk, Status.STALLED),
    }


def test_the_stale_count_from_the_tallies_is_exact_at_the_day_boundary(commentary):
    now = timezone.now()
    ages = [
        timedelta(days=29, hours=23),
        timedelta(days=30, minutes=5),
        timedelta(days=30, hours=20),
        timedelta(days=45),
    ]
    for recommendation, age in zip(Recommendation.objects.open().order_by("pk"), ages, strict=False):
        Recommendation.objects.filter(pk=recommendation.pk).update(updated_at=now - age)
    tallies_rebuild()  # the rows were changed behind the services' back: the documented repair
    for days in (29, 30, 31, 44, 45, 46):
        counted = compute_figures(queryset=Recommendation.objects.all(), period=None, stale_days=days).stale_count
        assert kept_figures(period=None, stale_days=days).stale_count == counted, days
    assert kept_figures(period=None, stale_days=30).stale_count == 3


def test_the_standing_tallies_give_the_counts_the_timeline_rebuilds_on_every_day(settings):
    # Timelines as the services never write them (a restore, older data): none at all, one that starts after the
    # creation from a status, one that starts before it, several entries on one day (the day's last one counts).
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()

    def at(days_ago: int, hour: int = 12) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), dt_time(hour), tzinfo=zone)

    def recommendation(created: int, status: str, *entries: tuple[int, int, str, str]) -> None:
        made = RecommendationFactory(status=status)
        Recommendation.objects.filter(pk=made.pk).update(created_at=at(created))
        for days_ago, hour, from_status, to_status in entries:
            StatusUpdateFactory(
                recommendation=made, from_status=from_status, to_status=to_status, created_at=at(days_ago, hour)
            )

    recommendation(10, Status.IN_PROGRESS)
    recommendation(10, Status.STALLED, (5, 9, Status.PROPOSED, Status.IN_PROGRESS), (2, 9, "", Status.STALLED))
    recommendation(10, Status.IMPLEMENTED, (12, 9, "", Status.PROPOSED), (3, 9, Status.PROPOSED, Status.IMPLEMENTED))
    recommendation(
        10,
        Status.IN_PROGRESS,
        (10, 8, "", Status.PROPOSED),
        (10, 15, Status.PROPOSED, Status.UNDER_REVIEW),
        (4, 9, Status.UNDER_REVIEW, Status.IN_PROGRESS),
        (4, 15, Status.IN_PROGRESS, Status.STALLED),
        (1, 9, Status.STALLED, Status.IN_PROGRESS),
    )
    recommendation(0, Status.PROPOSED, (0, 8, "", Status.PROPOSED))
    tallies_rebuild()
    for days_ago in range(14, -1, -1):
        day = today - timedelta(days=days_ago)
        existing = existing_on(Recommendation.objects.all(), day).order_by()
        rebuilt = {row["status_on"]: row["n"] for row in existing.values("status_on").annotate(n=Count("pk"))}
        assert {status: n for status, n in kept_counts_on(day).counts.items() if n} == rebuilt, days_ago
    assert kept_counts_on(today - timedelta(days=11)).total == 0  # nothing existed yet
    six_days_ago = kept_counts_on(today - timedelta(days=6)).counts
    assert (six_days_ago[Status.PROPOSED], six_days_ago[Status.UNDER_REVIEW], six_days_ago[Status.IN_PROGRESS]) == (
        2,
        1,
        1,
    )


def comparison_as_read(start: date, end: date, *, spans: bool, limit: int | None = None, **filters: str) -> tuple:
    """A comparison of two dates, from the kept spans or rebuilt from the timeline, as comparable values."""
    with override_settings(REPORT_TALLIES=spans):
        queryset = RecommendationFilterSet(filters, queryset=Recommendation.objects.all()).qs
        found = status_comparison(queryset=queryset, start=start, end=end, limit=limit)
    return (
        found.counts_start.counts,
        found.counts_end.counts,
        [(move.recommendation.reference, move.before, move.after) for move in found.moved],
        [(move.recommendation.reference, move.after) for move in found.added],
        found.moved_count,
        found.added_count,
    )


def test_the_comparison_from_the_kept_spans_is_the_timeline_rebuilt_for_every_pair_of_days(settings):
    # Timelines as the services never write them (see the standing tallies' test above), on every pair of days,
    # unfiltered and filtered, listing everything or the first only.
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()

    def at(days_ago: int, hour: int = 12) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), dt_time(hour), tzinfo=zone)

    def recommendation(reference: str, created: int, status: str, *entries: tuple[int, int, str, str]) -> None:
        made = RecommendationFactory(reference=reference, status=status)
        Recommendation.objects.filter(pk=made.pk).update(created_at=at(created))
        for days_ago, hour, from_status, to_status in entries:
            StatusUpdateFactory(
                recommendation=made, from_status=from_status, to_status=to_status, created_at=at(days_ago, hour)
            )

    recommendation("R1", 8, Status.IN_PROGRESS)
    recommendation("R2", 8, Status.STALLED, (5, 9, Status.PROPOSED, Status.IN_PROGRESS), (2, 9, "", Status.STALLED))
    recommendation(
        "R3", 8, Status.IMPLEMENTED, (9, 9, "", Status.PROPOSED), (3, 9, Status.PROPOSED, Status.IMPLEMENTED)
    )
    recommendation(
        "R4",
        7,
        Status.IN_PROGRESS,
        (7, 8, "", Status.PROPOSED),
        (7, 15, Status.PROPOSED, Status.UNDER_REVIEW),
        (5, 9, Status.UNDER_REVIEW, Status.IN_PROGRESS),
        (4, 15, Status.IN_PROGRESS, Status.STALLED),
        (3, 9, Status.STALLED, Status.IN_PROGRESS),  # back where it stood two days before: no move over both
    )
    recommendation("R0", 4, Status.PROPOSED, (4, 8, "", Status.PROPOSED))
    recommendation("R5", 0, Status.UNDER_REVIEW, (0, 8, "", Status.UNDER_REVIEW))
    tallies_rebuild()  # written behind the services' back: the documented repair
    days = [today - timedelta(days=n) for n in range(9, -1, -1)]
    for i, start in enumerate(days):
        for end in days[i:]:
            for filters in ({}, {"status": Status.IN_PROGRESS}):
                for limit in (None, 1):
                    kept = comparison_as_read(start, end, spans=True, limit=limit, **filters)
                    assert kept == comparison_as_read(start, end, spans=False, limit=limit, **filters), (
                        start,
                        end,
                        filters,
                        limit,
                    )
    _, _, moved, added, _, _ = comparison_as_read(today - timedelta(days=5), today - timedelta(days=3), spans=True)
    assert moved == [("R3", Status.PROPOSED, Status.IMPLEMENTED)] and added == [("R0", Status.PROPOSED)]
    moved = comparison_as_read(today - timedelta(days=4), today - timedelta(days=3), spans=True)[2]
    assert moved == [("R3", Status.PROPOSED, Status.IMPLEMENTED), ("R4", Status.STALLED, Status.IN_PROGRESS)]


@pytest.mark.parametrize("sort_cost", [0, 10**9])
def test_the_comparison_lists_the_same_whether_it_walks_the_references_or_sorts(commentary, monkeypatch, sort_cost):
    # Moves and additions spread over the references, a day apart; then listed by both plans, in full and the first.
    today = timezone.localdate()
    references = list(Recommendation.objects.order_by("reference").values_list("reference", flat=True))
    Recommendation.objects.update(created_at=timezone.now() - timedelta(days=30))
    Recommendation.objects.filter(reference__in=references[5::4]).update(created_at=timezone.now())
    tallies_rebuild()
    for recommendation in Recommendation.objects.filter(reference__in=references[::3]).order_by("reference"):
        recommendation_change_status(recommendation=recommendation, actor=None, status=Status.STALLED)
    start = today - timedelta(days=1)
    expected = [comparison_as_read(start, today, spans=False, limit=limit) for limit in (None, 2)]
    monkeypatch.setattr("reports.selectors.SORT_COST", sort_cost)
    assert [comparison_as_read(start, today, spans=True, limit=limit) for limit in (None, 2)] == expected
    assert expected[0][4] >= 5 and expected[0][5] >= 5 and len(expected[1][2]) == len(expected[1][3]) == 2


def test_the_comparison_from_the_kept_spans_takes_queries_that_do_not_grow(
    commentary, kept_tallies, policy_user, manager_client
):
    today = timezone.localdate()
    url = f"/reports/compare/?from={today - timedelta(days=1)}&to={today}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url, HTTP_HOST="127.0.0.1").status_code == 200
        return len(captured)

    def move_and_add(n: int) -> None:
        for recommendation in Recommendation.objects.exclude(status=Status.STALLED).order_by("reference")[:n]:
            recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.STALLED)
        for _ in range(n):
            reference = f"NEW-{Recommendation.objects.count()}"
            recommendation_create(
                actor=policy_user, source=source, reference=reference, title_en="New", description_en="."
            )

    Recommendation.objects.update(created_at=timezone.now() - timedelta(days=30))
    tallies_rebuild()  # dated behind the services' back: the documented repair
    source = Source.objects.get()
    move_and_add(1)
    few = queries()
    move_and_add(10)
    assert queries() == few
