"""The web pages: the list with its filters, chips, sorting and pagination; a recommendation's page and its status
form; sign-in, roles and the error pages."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeEvent
from recommendations.choices import Priority, Status
from recommendations.models import Recommendation, StatusUpdate
from recommendations.services import recommendation_change_status
from tests.factories import PartnerFactory, RecommendationFactory, RecommendationLinkFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/recommendations/"


def detail_url(recommendation) -> str:
    return f"/recommendations/{recommendation.uuid}/"


def status_url(recommendation) -> str:
    return f"/recommendations/{recommendation.uuid}/status/"


def rows(response) -> list[str]:
    """The references listed on a list page, in order."""
    return [rec.reference for rec in response.context["page"].object_list]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# --- Sign-in, roles, header -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        "/recommendations/export.csv",
        "/recommendations/export.xlsx",
        "/reports/progress/",
        "/reports/progress/export.csv",
        "/partners/",
        "/partners/australia/",
        "/sources/",
        "/sources/a-commentary/",
        "/accounts/password/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url, recommendation):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_detail_and_status_post_are_sent_to_sign_in(client, recommendation):
    assert client.get(detail_url(recommendation))["Location"].startswith("/accounts/login/")
    response = client.post(status_url(recommendation), {"status": "in_progress", "version": 1})
    assert response["Location"].startswith("/accounts/login/")
    assert recommendation.status_updates.count() == 1


def test_home_leads_to_the_list(policy_client):
    response = policy_client.get("/")
    assert response.status_code == 302 and response["Location"] == LIST


def test_sign_in_page_signs_in_and_returns_to_the_page(client, policy_user):
    page = client.get("/accounts/login/?next=/reports/progress/")
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post(
        "/accounts/login/",
        {"username": "policy", "password": "correct horse battery staple", "next": "/reports/progress/"},
    )
    assert response.status_code == 302 and response["Location"] == "/reports/progress/"


def test_wrong_password_keeps_the_username_and_says_why(client, policy_user):
    response = client.post("/accounts/login/", {"username": "policy", "password": "nope"})
    assert response.status_code == 200
    assert b'value="policy"' in response.content
    assert b"Please enter a correct username and password" in response.content


def test_sign_out_is_a_post(policy_client):
    assert policy_client.get("/accounts/logout/").status_code == 405
    response = policy_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert policy_client.get(LIST).status_code == 302


def test_password_change(policy_client):
    page = policy_client.get("/accounts/password/")
    assert page.status_code == 200 and b"Change your password" in page.content
    response = policy_client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a much longer new secret 42",
            "new_password2": "a much longer new secret 42",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert b"Password changed" in policy_client.get("/accounts/password/done/").content


@pytest.mark.parametrize(
    ("client_name", "role"),
    [("policy_client", "Policy team"), ("manager_client", "Manager"), ("superuser_client", "Administrator")],
)
def test_header_shows_the_user_their_role_and_navigation(request, client_name, role):
    response = request.getfixturevalue(client_name).get(LIST)
    html = response.content.decode()
    assert f'<span class="role-pill" title="Your role">{role}</span>' in html
    for label, url in [("Recommendations", LIST), ("Reports", "/reports/progress/"), ("Partners", "/partners/")]:
        assert f'href="{url}"' in html and label in html
    assert 'href="/sources/"' in html
    assert 'href="/admin/"' in html  # every demo user is staff


def test_admin_link_only_for_staff():
    user = UserFactory(is_staff=False, manager=True)
    client = Client()
    client.force_login(user)
    assert 'href="/admin/"' not in client.get(LIST).content.decode()


def test_friendly_404(policy_client):
    response = policy_client.get("/recommendations/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert b"Recommendation tracker" in response.content


# --- The list -------------------------------------------------------------------------------------------------------


def test_list_shows_every_recommendation_with_its_count(manager_client, catalogue):
    response = manager_client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == ["A", "B", "C"]
    html = response.content.decode()
    assert "<strong>3</strong> recommendations" in html
    assert "Active cyber defence" in html and "Overdue" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("status=in_progress&status=implemented", ["B", "C"]),
        ("partner=india", ["A"]),
        ("partner=india&partner=quad", ["A", "B"]),
        ("theme=cyber", ["A", "C"]),
        ("priority=high&priority=low", ["A", "C"]),
        ("source=report-b", ["B"]),
        ("team=cyber+POLICY", ["A"]),
        ("q=ordnance+clearance", ["C"]),
        ("overdue=true", ["A"]),
        ("overdue=false", ["B", "C"]),
        ("stale=30", ["A"]),
        ("target_after={today}", ["B"]),
        ("target_before={today}&target_after={ten_days_ago}", ["A"]),
        ("updated_after={sixty_days_ago}", ["A", "B"]),
        ("updated_before={hundred_days_ago}", ["C"]),
    ],
)
def test_each_filter_narrows_the_list(manager_client, catalogue, params, expected):
    today = timezone.localdate()
    params = params.format(
        today=today,
        ten_days_ago=today - timedelta(days=10),
        sixty_days_ago=today - timedelta(days=60),
        hundred_days_ago=today - timedelta(days=100),
    )
    response = manager_client.get(f"{LIST}?{params}")
    assert response.status_code == 200
    assert sorted(rows(response)) == expected
    assert f"<strong>{len(expected)}</strong>" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("status=done", "Status"),
        ("partner=atlantis", "Partner"),
        ("target_before=31/12/2026", "Target until"),
        ("overdue=maybe", "Overdue"),
        ("stale=-3", "Stale for days"),
        ("ordering=password", "Sort by"),
    ],
)
def test_an_invalid_filter_shows_the_errors_and_no_results(manager_client, catalogue, params, field):
    response = manager_client.get(f"{LIST}?q=cyber&{params}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters are not valid, so no list is shown" in html
    assert f"{field}:" in html
    assert response.context["page"] is None
    assert "Active cyber defence" not in html  # no misleading results
    assert 'value="cyber"' in html  # what the user typed is kept


def test_empty_parameters_are_dropped_with_a_redirect(manager_client, catalogue):
    response = manager_client.get(f"{LIST}?q=&status=implemented&team=&ordering=title")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=implemented&ordering=title"


def test_active_filters_are_chips_that_remove_one_value(manager_client, catalogue):
    response = manager_client.get(f"{LIST}?status=in_progress&status=implemented&partner=quad&q=coast&ordering=title")
    chips = {(chip.name, chip.value): chip.remove_url for chip in response.context["chips"]}
    assert set(chips) == {
        ("Status", "In progress"),
        ("Status", "Implemented"),
        ("Partner", "Quad"),
        ("Search", "“coast”"),
    }
    assert query(chips[("Status", "In progress")]) == {
        "status": ["implemented"],
        "partner": ["quad"],
        "q": ["coast"],
        "ordering": ["title"],
    }
    assert "partner" not in query(chips[("Partner", "Quad")])
    html = response.content.decode()
    assert 'aria-label="Remove filter Partner: Quad"' in html


def test_sortable_headers_keep_the_filters_and_toggle_the_direction(manager_client, catalogue):
    response = manager_client.get(f"{LIST}?theme=cyber&page=1")
    columns = {column.key: column for column in response.context["columns"]}
    assert columns["reference"].direction == "ascending"  # the default order
    assert query(columns["reference"].url) == {"theme": ["cyber"], "ordering": ["-reference"]}
    assert query(columns["status"].url) == {"theme": ["cyber"], "ordering": ["status"]}

    response = manager_client.get(f"{LIST}?theme=cyber&ordering=-status")
    assert rows(response) == ["C", "A"]
    columns = {column.key: column for column in response.context["columns"]}
    assert columns["status"].direction == "descending"
    assert query(columns["status"].url)["ordering"] == ["status"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_pagination_keeps_the_filters(manager_client):
    RecommendationFactory.create_batch(30, priority=Priority.HIGH)
    RecommendationFactory.create_batch(2, priority=Priority.LOW)
    response = manager_client.get(f"{LIST}?priority=high&ordering=-reference")
    assert len(rows(response)) == 25
    html = response.content.decode()
    assert "<strong>30</strong>" in html
    assert 'href="?priority=high&amp;ordering=-reference&amp;page=2"' in html
    second = manager_client.get(f"{LIST}?priority=high&ordering=-reference&page=2")
    assert len(rows(second)) == 5
    assert manager_client.get(f"{LIST}?priority=high&page=99").context["page"].number == 2  # clamped, not a 404


def test_export_and_report_links_carry_the_filters(manager_client, catalogue):
    html = manager_client.get(f"{LIST}?status=implemented&partner=quad").content.decode()
    assert 'href="/recommendations/export.csv?status=implemented&amp;partner=quad"' in html
    assert 'href="/recommendations/export.xlsx?status=implemented&amp;partner=quad"' in html
    assert 'href="/reports/progress/?status=implemented&amp;partner=quad"' in html


def test_filter_form_shows_what_is_ticked(manager_client, catalogue):
    html = manager_client.get(f"{LIST}?status=implemented&partner=quad&ordering=title").content.decode()
    assert '<input type="checkbox" name="status" value="implemented" id="id_status_4" checked>' in html
    assert '<input type="checkbox" name="status" value="proposed" id="id_status_0">' in html
    assert 'name="partner" value="quad"' in html and html.count(" checked>") == 2
    assert '<input type="hidden" name="ordering" value="title">' in html


def test_text_from_the_database_is_escaped(manager_client):
    partner = PartnerFactory(name="<b>Bold</b> partner", slug="bold")
    recommendation = RecommendationFactory(
        title="<script>alert(1)</script>",
        description="<img src=x onerror=alert(2)>",
        source_excerpt="<i>quoted</i>",
        section="<u>Section</u>",
        partners=[partner],
    )
    for url in [LIST, detail_url(recommendation), "/reports/progress/", "/partners/", "/partners/bold/"]:
        html = manager_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "<b>Bold</b>" not in html, url
        if url in (LIST, detail_url(recommendation)):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    html = manager_client.get(detail_url(recommendation)).content.decode()
    assert "<img src=x" not in html and "<i>quoted</i>" not in html and "<u>Section</u>" not in html


@pytest.mark.parametrize("n", [3, 40])
def test_list_runs_a_constant_number_of_queries(manager_client, make_recommendations, django_assert_max_num_queries, n):
    make_recommendations(n)
    # 13 for the page (its keys, then its rows: core.paging), 3 more for the header's unread count and the
    # saved-views menu (its views, the user's roles).
    with django_assert_max_num_queries(16):
        response = manager_client.get(f"{LIST}?status=proposed&status=implemented&ordering=-status")
    assert response.status_code == 200


# --- One recommendation ---------------------------------------------------------------------------------------------


def test_detail_shows_the_recommendation_in_full(manager_client, recommendation, policy_user):
    recommendation_change_status(
        recommendation=recommendation,
        actor=policy_user,
        status=Status.IN_PROGRESS,
        note="Talks started.",
        evidence_url="https://example.org/statement",
    )
    html = manager_client.get(detail_url(recommendation)).content.decode()
    assert "Strengthen maritime cooperation" in html
    assert "Japan and Australia should strengthen maritime security cooperation." in html
    assert '<blockquote class="excerpt"' in html and "maritime security cooperation should be strengthened" in html
    assert "A commentary" in html and "section “Australia”" in html
    assert 'href="/partners/australia/">Australia</a></th>' in html and '<td class="role-col">Counterpart</td>' in html
    assert "Maritime security" in html
    # timeline: who, when, from → to, note, evidence
    assert "Talks started." in html
    assert '<a href="https://example.org/statement" rel="noopener noreferrer"' in html
    timeline = html.split('id="timeline"')[1].split('id="history"')[0]
    assert timeline.index("In progress") < timeline.index("Recorded as")  # newest first
    # change history from the change feed
    history = html.split('id="history"')[1]
    assert "<strong>Status</strong>" in history and "policy" in history


def test_detail_marks_an_overdue_target(manager_client):
    recommendation = RecommendationFactory(target_date=timezone.localdate() - timedelta(days=1))
    assert b'class="overdue-flag">Overdue' in manager_client.get(detail_url(recommendation)).content


def test_detail_shows_links_both_ways(manager_client):
    link = RecommendationLinkFactory(link_type="supersedes")
    html = manager_client.get(detail_url(link.to_recommendation)).content.decode()
    assert "Superseded by" in html and link.from_recommendation.title in html
    html = manager_client.get(detail_url(link.from_recommendation)).content.decode()
    assert "Supersedes" in html and link.to_recommendation.title in html


def test_policy_team_sees_the_status_form_with_the_version(policy_client, recommendation):
    html = policy_client.get(detail_url(recommendation)).content.decode()
    assert f'action="{status_url(recommendation)}"' in html
    assert '<input type="hidden" name="version" value="1"' in html
    status_form = html[html.index(f'action="{status_url(recommendation)}"') :]
    status_form = status_form[: status_form.index("</form>")]
    assert '<option value="proposed">' not in status_form  # the current status is not offered


def test_manager_sees_no_form_and_a_post_is_refused(manager_client, recommendation):
    html = manager_client.get(detail_url(recommendation)).content.decode()
    assert f'action="{status_url(recommendation)}"' not in html
    assert "Status changes are recorded by the policy team" in html
    response = manager_client.post(status_url(recommendation), {"status": "in_progress", "version": 1})
    assert response.status_code == 403
    assert b"You cannot do that here" in response.content
    assert recommendation.status_updates.count() == 1
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.PROPOSED


def test_recording_a_status_change_goes_through_the_service(policy_client, policy_user, recommendation):
    response = policy_client.post(
        status_url(recommendation),
        {"status": "in_progress", "note": "Agreed at the 2+2.", "evidence_url": "example.org/2plus2", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(recommendation)}#timeline"
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    assert (fresh.status, fresh.version) == (Status.IN_PROGRESS, 2)
    entry = fresh.status_updates.latest()
    assert (entry.from_status, entry.to_status, entry.note, entry.author) == (
        Status.PROPOSED,
        Status.IN_PROGRESS,
        "Agreed at the 2+2.",
        policy_user,
    )
    assert entry.evidence_url == "https://example.org/2plus2"
    assert ChangeEvent.objects.filter(object_id=recommendation.uuid, action="updated").count() == 1
    page = policy_client.get(response["Location"])
    assert "Status changed to “In progress”" in page.content.decode()
    assert "Agreed at the 2+2." in page.content.decode()


def test_a_stale_version_is_refused_and_nothing_is_written(policy_client, policy_user, recommendation):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.UNDER_REVIEW)
    response = policy_client.post(
        status_url(recommendation),
        {"status": "stalled", "note": "My typed note", "evidence_url": "https://example.org/x", "version": 1},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened this page; it is now at version 2" in html
    assert "Nothing was saved" in html
    assert "My typed note" in html and 'value="https://example.org/x"' in html
    assert '<option value="stalled" selected>' in html
    assert '<input type="hidden" name="version" value="2"' in html  # submitting again applies on top
    assert StatusUpdate.objects.filter(recommendation=recommendation).count() == 2
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.UNDER_REVIEW


def test_service_rule_errors_show_on_the_fields_and_keep_the_input(policy_client, policy_user, recommendation):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IMPLEMENTED)
    response = policy_client.post(
        status_url(recommendation), {"status": "in_progress", "note": "", "evidence_url": "", "version": 2}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "reopens it: give a note" in form.errors["note"][0]
    assert '<option value="in_progress" selected>' in response.content.decode()
    assert recommendation.status_updates.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "", "version": 1}, "status"),
        ({"status": "finished", "version": 1}, "status"),
        ({"status": "in_progress", "version": 1, "evidence_url": "not a url at all"}, "evidence_url"),
        ({"status": "in_progress", "version": 1, "note": "x" * 5001}, "note"),
        ({"status": "in_progress", "version": "abc"}, "version"),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(policy_client, recommendation, data, field):
    response = policy_client.post(status_url(recommendation), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert recommendation.status_updates.count() == 1


def test_the_status_form_is_csrf_protected(policy_user, recommendation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(policy_user)
    response = client.post(status_url(recommendation), {"status": "in_progress", "version": 1})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert recommendation.status_updates.count() == 1


def test_get_on_the_status_url_leads_back_to_the_page(policy_client, recommendation):
    response = policy_client.get(status_url(recommendation))
    assert response.status_code == 302 and response["Location"] == detail_url(recommendation)


#: The page, the forms, the timelines (the recommendation's, its responses' and its partners'), the evidence, the
#: milestones, the latest assessment and the history, whatever their length; +4 the similar recommendations (the
#: feed's latest seq, the recommendations' state, their texts when the index is not cached, the similar ones).
DETAIL_PAGE_QUERIES = 22  # with the header's unread count and the Watch button's state


def test_detail_runs_a_bounded_number_of_queries(policy_client, recommendation, django_assert_max_num_queries):
    with django_assert_max_num_queries(DETAIL_PAGE_QUERIES):
        assert policy_client.get(detail_url(recommendation)).status_code == 200


# --- Sources --------------------------------------------------------------------------------------------------------


def test_source_list_and_page(manager_client, catalogue):
    html = manager_client.get("/sources/").content.decode()
    assert "Report B" in html and 'href="/sources/report-b/"' in html
    response = manager_client.get("/sources/report-b/")
    assert response.status_code == 200
    assert [r.reference for r in response.context["recommendations"]] == ["B"]
    assert response.context["progress"].counts[Status.IN_PROGRESS] == 1
    html = response.content.decode()
    assert 'href="/recommendations/?source=report-b"' in html
    assert 'href="/reports/progress/?source=report-b"' in html
    assert manager_client.get("/sources/nope/").status_code == 404


@pytest.mark.parametrize("n", [3, 40])
def test_source_pages_run_a_constant_number_of_queries(
    manager_client, make_recommendations, django_assert_max_num_queries, n
):
    made = make_recommendations(n)
    SourceFactory.create_batch(3)
    # Two queries of each are the role check (the user's and their groups' permissions), whatever the size; one is
    # the header's unread count, one the Watch button's state.
    with django_assert_max_num_queries(9):
        assert manager_client.get("/sources/").status_code == 200
    with django_assert_max_num_queries(13):
        assert manager_client.get(f"/sources/{made[0].source.slug}/").status_code == 200


def test_reverse_names_exist():
    assert reverse("recommendations:list") == LIST
    assert reverse("reports:progress") == "/reports/progress/"
    assert reverse("reports:partner_list") == "/partners/"


def test_the_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html and "tracker.css" in html


def test_a_stale_page_moving_to_the_status_someone_just_set_gets_the_conflict_message(
    recommendation, policy_client, policy_user
):
    from recommendations.services import recommendation_change_status

    opened_at = recommendation.version
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status="in_progress")
    url = reverse("recommendations:status", args=[recommendation.uuid])
    response = policy_client.post(url, {"status": "in_progress", "note": "mine", "version": opened_at})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else since you opened this page" in page
    assert "Select a valid choice" not in page
