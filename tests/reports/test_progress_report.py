"""The progress report: it honours the filters, counts in SQL, rebuilds month-end counts from the timeline, lists
what is overdue, stale and recently changed, and exports its tables as CSV."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from recommendations.choices import Status
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status
from reports.charts import history_chart, nice_step, stacked_bar
from reports.selectors import month_starts, status_history
from reports.views import history_period
from tests.factories import PartnerFactory, RecommendationFactory, StatusUpdateFactory, ThemeFactory

pytestmark = pytest.mark.django_db

REPORT = "/reports/progress/"
TZ = ZoneInfo(settings.TIME_ZONE)


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=TZ)


def entry(recommendation, from_status, to_status, when):
    StatusUpdateFactory(recommendation=recommendation, from_status=from_status, to_status=to_status, created_at=when)


@pytest.fixture
def catalogue():
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad")
    cyber = ThemeFactory(slug="cyber", name="Cyber")
    today = timezone.localdate()
    a = RecommendationFactory(
        reference="A", title="Alpha", partners=[india, quad], themes=[cyber], target_date=today - timedelta(days=9)
    )
    b = RecommendationFactory(reference="B", title="Bravo", partners=[quad], status=Status.IMPLEMENTED)
    c = RecommendationFactory(reference="C", title="Charlie", partners=[india], status=Status.IN_PROGRESS)
    Recommendation.objects.filter(pk=c.pk).update(updated_at=timezone.now() - timedelta(days=200))
    return a, b, c


# --- Month-end counts from the timeline ------------------------------------------------------------------------------


def test_month_starts():
    assert month_starts(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_status_history_rebuilds_month_end_counts():
    a, b = RecommendationFactory(), RecommendationFactory()
    entry(a, "", Status.PROPOSED, at(2025, 10, 5))  # before the period: part of the starting point
    entry(b, "", Status.PROPOSED, at(2026, 1, 10))
    entry(a, Status.PROPOSED, Status.IN_PROGRESS, at(2026, 1, 20))
    entry(a, Status.IN_PROGRESS, Status.IMPLEMENTED, at(2026, 3, 2))
    entry(b, Status.PROPOSED, Status.STALLED, at(2026, 3, 31, 23))  # still March in the configured time zone
    history = status_history(queryset=Recommendation.objects.all(), start=date(2025, 12, 1), end=date(2026, 3, 15))
    got = {month.month: {k: v for k, v in month.counts.items() if v} for month in history}
    assert got == {
        date(2025, 12, 1): {Status.PROPOSED: 1},
        date(2026, 1, 1): {Status.PROPOSED: 1, Status.IN_PROGRESS: 1},
        date(2026, 2, 1): {Status.PROPOSED: 1, Status.IN_PROGRESS: 1},
        date(2026, 3, 1): {Status.IMPLEMENTED: 1, Status.STALLED: 1},
    }
    assert [month.total for month in history] == [1, 2, 2, 2]


def test_status_history_months_follow_the_configured_time_zone():
    rec = RecommendationFactory()
    # 2026-01-31 20:00 UTC is already 1 February in Tokyo (the default time zone)
    entry(rec, "", Status.PROPOSED, datetime(2026, 1, 31, 20, tzinfo=ZoneInfo("UTC")))
    history = status_history(queryset=Recommendation.objects.all(), start=date(2026, 1, 1), end=date(2026, 2, 1))
    expected = [0, 1] if settings.TIME_ZONE == "Asia/Tokyo" else [1, 1]
    assert [month.total for month in history] == expected


def test_status_history_honours_the_filtered_set():
    a, b = RecommendationFactory(status=Status.IN_PROGRESS), RecommendationFactory()
    entry(a, "", Status.PROPOSED, at(2026, 1, 1))
    entry(a, Status.PROPOSED, Status.IN_PROGRESS, at(2026, 1, 2))
    entry(b, "", Status.PROPOSED, at(2026, 1, 1))
    history = status_history(
        queryset=Recommendation.objects.filter(status=Status.IN_PROGRESS), start=date(2026, 1, 1), end=date(2026, 1, 1)
    )
    assert history[0].counts[Status.IN_PROGRESS] == 1 and history[0].total == 1


@pytest.mark.parametrize("n", [2, 30])
def test_status_history_runs_two_queries(make_recommendations, django_assert_num_queries, n):
    make_recommendations(n)
    with django_assert_num_queries(2):
        history = status_history(
            queryset=Recommendation.objects.all(), start=date(2025, 1, 1), end=timezone.localdate()
        )
    assert history[-1].total == n


def test_history_period_defaults_to_twelve_months_and_follows_the_updated_filter():
    today = timezone.localdate()
    start, end = history_period({})
    assert end == today and start.day == 1 and len(month_starts(start, end)) == 12
    start, end = history_period({"updated_after": at(2025, 3, 14), "updated_before": at(2025, 8, 2)})
    assert (start, end) == (date(2025, 3, 1), date(2025, 8, 2))
    start, end = history_period({"updated_after": at(1990, 1, 1)})
    assert len(month_starts(start, end)) == 60  # capped


# --- Chart geometry -------------------------------------------------------------------------------------------------


def test_stacked_bar_segments_add_up_in_lifecycle_order():
    segments = stacked_bar({Status.IMPLEMENTED: 1, Status.PROPOSED: 3, Status.STALLED: 0})
    assert [(s.status, s.count) for s in segments] == [(Status.PROPOSED, 3), (Status.IMPLEMENTED, 1)]
    assert segments[0].width == pytest.approx(75) and segments[1].x == pytest.approx(75)
    assert stacked_bar({}) == []


@pytest.mark.parametrize(("maximum", "step"), [(0, 1), (3, 1), (7, 2), (32, 10), (95, 50), (400, 100)])
def test_nice_step(maximum, step):
    assert nice_step(maximum) == step


def test_history_chart_scales_columns_to_the_largest_month():
    rec = RecommendationFactory()
    entry(rec, "", Status.PROPOSED, at(2026, 1, 5))
    history = status_history(queryset=Recommendation.objects.all(), start=date(2025, 12, 1), end=date(2026, 1, 31))
    chart = history_chart(history)
    assert [bar.total for bar in chart.bars] == [0, 1]
    assert chart.bars[0].segments == []
    assert chart.bars[1].segments[0].height == pytest.approx(chart.plot_height)


# --- The page -------------------------------------------------------------------------------------------------------


def test_report_shows_totals_distribution_and_matrices(manager_client, catalogue):
    response = manager_client.get(REPORT)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.total == 3 and summary.overdue == 1
    html = response.content.decode()
    assert '<div class="value">33%</div>' in html  # 1 of 3 implemented
    assert '<title id="dist-svg-title">Recommendations by status</title>' in html
    assert "Proposed: 1 (33%); In progress: 1 (33%); Implemented: 1 (33%)." in html
    assert 'role="img" aria-labelledby="hist-svg-title hist-svg-desc"' in html
    partners = {row.row.key: row for row in response.context["partner_rows"]}
    assert partners["india"].row.total == 2 and partners["quad"].row.total == 2
    # counts link to exactly the list they count
    cell = {status: url for status, _count, url in partners["india"].cells}
    assert cell[Status.IN_PROGRESS] == "/recommendations/?partner=india&status=in_progress"
    assert cell[Status.IMPLEMENTED] == ""  # zero: no link
    themes = {row.row.key: row for row in response.context["theme_rows"]}
    assert themes["cyber"].row.counts[Status.PROPOSED] == 1


def test_report_honours_the_filters_and_shows_chips(manager_client, catalogue):
    response = manager_client.get(f"{REPORT}?partner=quad")
    assert response.context["summary"].total == 2
    assert [(chip.name, chip.value) for chip in response.context["chips"]] == [("Partner", "Quad")]
    html = response.content.decode()
    assert 'href="/recommendations/?partner=quad"' in html  # "open as list"
    assert 'href="/reports/progress/export.csv?partner=quad"' in html
    partners = {row.row.key: row for row in response.context["partner_rows"]}
    # under a partner filter a cell of another partner would not be exact: no link
    assert all(url == "" for _status, _count, url in partners["india"].cells)
    assert any(url for _status, _count, url in partners["quad"].cells)


def test_report_lists_overdue_stale_and_recent(manager_client, policy_user, catalogue):
    a, b, c = catalogue
    recommendation_change_status(recommendation=b, actor=policy_user, status=Status.STALLED, note="Budget cut.")
    response = manager_client.get(REPORT)
    assert [r.reference for r in response.context["overdue"]] == ["A"]
    assert [r.reference for r in response.context["stale"]] == ["C"]  # open, 200 days idle (default 90)
    assert response.context["stale_days"] == 90
    assert [(e.recommendation.reference, e.to_status) for e in response.context["recent"]] == [("B", Status.STALLED)]
    html = response.content.decode()
    assert 'href="/recommendations/?overdue=true"' in html and 'href="/recommendations/?stale=90"' in html

    response = manager_client.get(f"{REPORT}?stale_days=365")
    assert response.context["stale"] == [] and response.context["stale_days"] == 365


def test_bad_stale_days_is_a_form_error_with_the_default_used(manager_client, catalogue):
    response = manager_client.get(f"{REPORT}?stale_days=-4")
    assert response.status_code == 200
    assert response.context["stale_days"] == 90
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()


def test_an_invalid_filter_shows_errors_and_no_report(manager_client, catalogue):
    response = manager_client.get(f"{REPORT}?status=done&q=Alpha")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters are not valid, so no report is shown" in html
    assert "summary" not in response.context
    assert 'value="Alpha"' in html


def test_report_prints_cleanly(manager_client, catalogue):
    html = manager_client.get(f"{REPORT}?partner=india").content.decode()
    assert '<div class="print-only muted print-filters">' in html and "Filtered by: Partner: India." in html
    assert '<div class="section-gap no-print">' in html  # the chips are not printed: the filter line appears once
    css = (settings.BASE_DIR / "core/static/core/tracker.css").read_text()
    print_css = css.split("@media print")[1]
    for hidden in (".site-header", ".filter-bar", "form", ".actions"):
        assert hidden in print_css
    assert "break-inside: avoid" in print_css


@pytest.mark.parametrize("n", [3, 40])
def test_report_runs_a_constant_number_of_queries(
    manager_client, make_recommendations, django_assert_max_num_queries, n
):
    made = make_recommendations(n)
    with django_assert_max_num_queries(22):
        response = manager_client.get(f"{REPORT}?status=proposed&status=stalled&status=implemented")
    assert response.status_code == 200
    assert response.context["summary"].total == len([r for r in made if r.status != Status.IN_PROGRESS])


# --- The report as CSV ----------------------------------------------------------------------------------------------


def test_report_csv(manager_client, catalogue):
    response = manager_client.get(f"{REPORT}export.csv?partner=india")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="progress-report-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0].startswith("# Filters: ") and rows[1][0].startswith("# Exported: ") and rows[2] == []
    rows = rows[3:]
    assert rows[0] == [
        "Section",
        "Row",
        "Proposed",
        "Under review",
        "In progress",
        "Partially implemented",
        "Implemented",
        "Stalled",
        "Not adopted",
        "Total",
        "Implemented share",
    ]
    assert rows[1] == ["Overall", "All recommendations", "1", "0", "1", "0", "0", "0", "0", "2", "0.000"]
    assert rows[2][:2] == ["Overall", "Overdue"] and rows[2][9] == "1"
    sections = [row[0] for row in rows[1:]]
    assert "Partner" in sections and "Theme" in sections and sections[-1] == "Month end"
    assert sum(1 for s in sections if s == "Month end") == 12


@pytest.mark.parametrize("n", [3, 40])
def test_report_csv_runs_a_constant_number_of_queries(
    manager_client, make_recommendations, django_assert_max_num_queries, n
):
    make_recommendations(n)
    with django_assert_max_num_queries(12):
        b"".join(manager_client.get(f"{REPORT}export.csv").streaming_content)


@pytest.mark.parametrize(
    ("query", "in_use", "opened"),
    [
        ("", 0, False),
        ("team=Team+1&overdue=true", 2, False),
        ("target_after=2026-01-01&updated_before=2026-02-01", 2, False),
        ("target_after=not-a-date", 1, True),  # an error in the drop-down opens it, where the message is
        ("stale=-1", 1, True),
    ],
)
def test_the_filter_bar_counts_and_opens_its_more_drop_down(manager_client, catalogue, query, in_use, opened):
    html = manager_client.get(f"{REPORT}?{query}").content.decode()
    more = re.search(
        r'<details class="dropdown"( open)?>\s*<summary class="btn">More(?: <span class="count">(\d+)</span>)?', html
    )
    assert more is not None
    assert (more.group(1) == " open", int(more.group(2) or 0)) == (opened, in_use)
    for name in ("overdue", "stale", "team", "target_after", "target_before", "updated_after", "updated_before"):
        assert f'name="{name}"' in html.split("More")[1]  # each of them inside the drop-down
