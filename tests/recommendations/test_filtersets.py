"""The recommendation filterset: one test per filter, and invalid values are errors that name the parameter."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from recommendations.choices import ATTENTION_STALE_DAYS, Status
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation
from recommendations.selectors import attention_reasons
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def refs(**params) -> list[str]:
    filterset = RecommendationFilterSet(params)
    assert filterset.is_valid(), filterset.errors
    return sorted(filterset.qs.values_list("reference", flat=True))


def errors(**params) -> dict:
    filterset = RecommendationFilterSet(params)
    assert not filterset.is_valid()
    return filterset.errors


def test_no_filter_gives_everything(catalogue):
    assert refs() == ["A", "B", "C"]


def test_status_is_repeatable(catalogue):
    assert refs(status=["in_progress", "implemented"]) == ["B", "C"]


def test_partner_by_slug_matches_any_without_duplicates(catalogue):
    assert refs(partner=["india"]) == ["A"]
    filterset = RecommendationFilterSet({"partner": ["india", "quad"]})
    assert sorted(filterset.qs.values_list("reference", flat=True)) == ["A", "B"]  # A once, though it has both


def test_filters_match_each_row_once_without_distinct(catalogue):
    # Every filter reads a column of the row, one it points to, or a subquery: no row twice, so no DISTINCT (which
    # made the database sort and de-duplicate every filtered report's subquery).
    params = {
        "status": ["proposed", "in_progress", "implemented"],
        "partner": ["india", "quad"],
        "theme": ["cyber", "maritime"],
        "source": ["report-b"],
        "priority": ["high", "medium"],
        "response": ["accepted", "no_response"],
    }
    for name, values in params.items():
        filterset = RecommendationFilterSet({name: values})
        assert filterset.is_valid(), filterset.errors
        assert not filterset.qs.query.distinct, name
        found = list(filterset.qs.values_list("reference", flat=True))
        assert found and len(found) == len(set(found)), name


def test_theme(catalogue):
    assert refs(theme=["cyber"]) == ["A", "C"]


def test_priority(catalogue):
    assert refs(priority=["high", "low"]) == ["A", "C"]


def test_source(catalogue):
    assert refs(source=["report-b"]) == ["B"]


def test_team_ignores_case(catalogue):
    assert refs(team="cyber POLICY") == ["A"]


def test_search_needs_every_word_anywhere(catalogue):
    assert refs(q="ordnance clearance") == ["C"]
    assert refs(q="cyber") == ["A"]
    assert refs(q="cyber guards") == []


def test_target_date_range(catalogue):
    today = timezone.localdate()
    assert refs(target_after=str(today)) == ["B"]
    assert refs(target_before=str(today), target_after=str(today - timedelta(days=10))) == ["A"]


def test_overdue_counts_only_open_ones(catalogue):
    assert refs(overdue="true") == ["A"]
    assert refs(overdue="false") == ["B", "C"]


def test_updated_range_accepts_dates_and_datetimes(catalogue):
    since = (timezone.now() - timedelta(days=60)).isoformat()
    assert refs(updated_after=since) == ["A", "B"]
    assert refs(updated_before=str(timezone.localdate() - timedelta(days=100))) == ["C"]


def test_stale_shows_open_ones_not_updated_for_n_days(catalogue):
    assert refs(stale="30") == ["A"]  # C is older but closed


def test_ordering_by_status_follows_the_lifecycle(catalogue):
    filterset = RecommendationFilterSet({"ordering": "-status"})
    assert list(filterset.qs.values_list("reference", flat=True)) == ["C", "B", "A"]
    filterset = RecommendationFilterSet({"ordering": "priority"})
    assert list(filterset.qs.values_list("reference", flat=True)) == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": ["done"]}, "status"),
        ({"partner": ["atlantis"]}, "partner"),
        ({"theme": ["nope"]}, "theme"),
        ({"priority": ["urgent"]}, "priority"),
        ({"source": ["unknown"]}, "source"),
        ({"target_before": "31/12/2026"}, "target_before"),
        ({"target_after": "2026-02-30"}, "target_after"),
        ({"overdue": "maybe"}, "overdue"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"updated_before": "2026-13-01"}, "updated_before"),
        ({"stale": "-3"}, "stale"),
        ({"stale": "abc"}, "stale"),
        ({"ordering": "password"}, "ordering"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_values_are_errors_naming_the_parameter(catalogue, params, name):
    assert name in errors(**params)


def test_dates_in_the_far_past_are_accepted(catalogue):
    assert refs(target_after=str(date(1900, 1, 1))) == ["A", "B", "C"]


def test_repeated_values_mean_any_of_them_and_different_filters_all_of_them(db):
    """Within one multi-value filter (status, response, assessment, priority, partner, theme) any value matches;
    across filters every one must match: the line the list's filter panel states."""
    from recommendations.choices import Priority, Rating, Response, Status
    from recommendations.filtersets import RecommendationFilterSet
    from tests.factories import PartnerFactory, RecommendationFactory, ThemeFactory

    india, quad = PartnerFactory(slug="india"), PartnerFactory(slug="quad")
    cyber, space = ThemeFactory(slug="cyber"), ThemeFactory(slug="space")
    RecommendationFactory(
        reference="R1",
        status=Status.STALLED,
        response=Response.ACCEPTED,
        assessment=Rating.values[0],
        priority=Priority.HIGH,
        partners=[india],
        themes=[cyber],
    )
    RecommendationFactory(
        reference="R2",
        status=Status.IN_PROGRESS,
        response=Response.REJECTED,
        assessment=Rating.values[1],
        priority=Priority.LOW,
        partners=[quad],
        themes=[space],
    )
    RecommendationFactory(reference="R3", status=Status.PROPOSED, priority=Priority.MEDIUM, partners=[], themes=[])

    def refs(query: str) -> list[str]:
        from django.http import QueryDict

        filterset = RecommendationFilterSet(QueryDict(query))
        assert filterset.is_valid(), filterset.errors
        return sorted(filterset.qs.values_list("reference", flat=True))

    assert refs("status=stalled&status=in_progress") == ["R1", "R2"]
    assert refs(f"response={Response.ACCEPTED}&response={Response.REJECTED}") == ["R1", "R2"]
    assert refs(f"assessment={Rating.values[0]}&assessment={Rating.values[1]}") == ["R1", "R2"]
    assert refs("priority=high&priority=low") == ["R1", "R2"]
    assert refs("partner=india&partner=quad") == ["R1", "R2"]
    assert refs("theme=cyber&theme=space") == ["R1", "R2"]
    assert refs("partner=india&partner=quad&status=stalled") == ["R1"]  # AND across filters
    assert refs("status=stalled&status=in_progress&theme=space&priority=low&priority=high") == ["R2"]
    assert refs("partner=quad&status=stalled") == []


@pytest.mark.django_db
def test_search_finds_recommendations_by_a_partners_alias():
    from recommendations.filtersets import RecommendationFilterSet
    from tests.factories import PartnerFactory, RecommendationFactory

    korea = PartnerFactory(slug="south-korea", aliases="ROK; Seoul")
    found = RecommendationFactory(partners=[korea], title_en="Restore trilateral cooperation")
    RecommendationFactory(title_en="Something else")
    result = RecommendationFilterSet({"q": "Seoul"}, queryset=found.__class__.objects.all()).qs
    assert list(result) == [found]


def test_needs_attention_is_exactly_the_rows_with_a_reason_and_false_is_all_the_others():
    today, now = timezone.localdate(), timezone.now()
    cases = {
        "OVERDUE": {"status": Status.IN_PROGRESS, "target_date": today - timedelta(days=1)},
        "DUE-TODAY": {"status": Status.IN_PROGRESS, "target_date": today},
        "NO-TARGET": {"status": Status.PROPOSED, "target_date": None},
        "STALLED": {"status": Status.STALLED, "target_date": None},
        "DONE-LATE": {"status": Status.IMPLEMENTED, "target_date": today - timedelta(days=30)},
        "DROPPED-STALE": {"status": Status.NOT_ADOPTED, "target_date": None},
        "STALE": {"status": Status.UNDER_REVIEW, "target_date": None},
        "NEARLY-STALE": {"status": Status.UNDER_REVIEW, "target_date": None},
    }
    for reference, fields in cases.items():
        RecommendationFactory(reference=reference, **fields)
    Recommendation.objects.filter(reference__in=["STALE", "DROPPED-STALE"]).update(
        updated_at=now - timedelta(days=ATTENTION_STALE_DAYS, minutes=1)
    )
    Recommendation.objects.filter(reference="NEARLY-STALE").update(
        updated_at=now - timedelta(days=ATTENTION_STALE_DAYS) + timedelta(minutes=5)
    )
    with_reason = {r.reference for r in Recommendation.objects.all() if attention_reasons(r)}
    assert with_reason == {"OVERDUE", "STALLED", "STALE"}

    def listed(value: str) -> set[str]:
        filterset = RecommendationFilterSet({"attention": value}, queryset=Recommendation.objects.all())
        assert filterset.is_valid()
        return set(filterset.qs.values_list("reference", flat=True))

    assert (
        listed("true")
        == with_reason
        == set(Recommendation.objects.needs_attention().values_list("reference", flat=True))
    )
    assert listed("false") == set(cases) - with_reason
