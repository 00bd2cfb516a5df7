"""Saved views: validation through the one filterset, who sees and changes which, the pages and the shipped view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from recommendations.models import SavedView
from recommendations.selectors import saved_views_for
from recommendations.services import saved_view_create, saved_view_delete, saved_view_update
from tests.factories import RecommendationFactory, SavedViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "query", ["colour=red", "status=nonsense", "stale=0", "target_after=not-a-date", "ordering=a&ordering=b"]
)
def test_invalid_or_unknown_filters_are_refused(query):
    with pytest.raises(ValidationError) as error:
        saved_view_create(owner=UserFactory(manager=True), page="list", query=query, name_en="Bad")
    assert "query" in error.value.message_dict


def test_a_valid_view_is_saved_normalised():
    view = saved_view_create(
        owner=UserFactory(manager=True), page="report", query="?status=stalled&q=&page=3&stale_days=30", name_ja="停滞"
    )
    assert view.query == "status=stalled&stale_days=30"
    assert view.name_ja == "停滞" and view.name == "停滞"


def test_sharing_with_a_role_needs_the_role():
    manager = UserFactory(manager=True)
    with pytest.raises(ValidationError):
        saved_view_create(owner=manager, page="list", query="", name_en="X", shared_with="policy_team")
    with pytest.raises(ValidationError):
        saved_view_create(owner=manager, page="list", query="", name_en="X", shared_with="everyone")
    assert saved_view_create(owner=manager, page="list", query="", name_en="X", shared_with="managers")
    assert saved_view_create(owner=UserFactory(admin=True), page="list", query="", name_en="Y", shared_with="everyone")


def test_visibility_by_role_and_owner():
    manager, other_manager, policy = UserFactory(manager=True), UserFactory(manager=True), UserFactory(policy=True)
    mine = SavedViewFactory(owner=manager)
    for_managers = SavedViewFactory(owner=manager, shared_with="managers")
    for_policy = SavedViewFactory(owner=policy, shared_with="policy_team")
    shipped = SavedView.objects.get(slug="needs-attention")
    assert set(saved_views_for(other_manager)) == {for_managers, shipped}
    assert set(saved_views_for(manager)) == {mine, for_managers, shipped}
    assert set(saved_views_for(policy)) == {for_policy, shipped}


def test_only_the_owner_or_an_administrator_edits_and_shipped_views_only_administrators():
    owner, other, admin = UserFactory(manager=True), UserFactory(manager=True), UserFactory(admin=True)
    view = SavedViewFactory(owner=owner, shared_with="managers")
    with pytest.raises(PermissionDenied):
        saved_view_update(view=view, actor=other, name_ja="", name_en="Mine now", shared_with="managers")
    with pytest.raises(PermissionDenied):
        saved_view_delete(view=view, actor=other)
    shipped = SavedView.objects.get(slug="needs-attention")
    with pytest.raises(PermissionDenied):
        saved_view_update(view=shipped, actor=owner, name_ja="", name_en="x", shared_with="everyone")
    with pytest.raises(ValidationError):
        saved_view_update(view=shipped, actor=admin, name_ja="要対応", name_en="Attention", shared_with="")
    saved_view_update(view=shipped, actor=admin, name_ja="要対応", name_en="Attention", shared_with="everyone")
    saved_view_delete(view=view, actor=owner)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_the_shipped_needs_attention_view_opens_the_list_filtered():
    manager = UserFactory(manager=True)
    RecommendationFactory(reference="LATE-1", status="stalled")
    RecommendationFactory(reference="FINE-1", status="implemented")
    client = client_for(manager)
    page = client.get("/recommendations/").content.decode()
    assert 'href="/recommendations/?attention=true"' in page and "Needs attention" in page
    listed = client.get("/recommendations/?attention=true").content.decode()
    assert "LATE-1" in listed and "FINE-1" not in listed


def test_save_this_view_from_the_list_and_manage_it():
    manager = UserFactory(manager=True)
    client = client_for(manager)
    form = {
        "name": "Stalled ones",
        "name_other": "",
        "shared_with": "managers",
        "page": "list",
        "query": "status=stalled",
    }
    response = client.post("/saved-views/new/", form)
    assert response.status_code == 302 and response["Location"] == "/recommendations/?status=stalled"
    view = SavedView.objects.get(owner=manager)
    assert view.name_en == "Stalled ones" and view.shared_with == "managers"
    bad = client.post("/saved-views/new/", {**form, "query": "colour=red"})
    assert bad.status_code == 400 and "colour" in bad.content.decode()
    assert client.post("/saved-views/new/", {**form, "name": ""}).status_code == 400
    assert client.get("/saved-views/").status_code == 200
    prefix = f"view-{view.pk}"
    rename = {f"{prefix}-name_ja": "停滞", f"{prefix}-name_en": "", f"{prefix}-shared_with": ""}
    assert client.post(f"/saved-views/{view.uuid}/", rename).status_code == 302
    view.refresh_from_db()
    assert view.name_ja == "停滞" and view.shared_with == ""
    assert client.post(f"/saved-views/{view.uuid}/", {"delete": "1"}).status_code == 400
    assert client.post(f"/saved-views/{view.uuid}/", {"delete": "1", "confirm": "yes"}).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_the_japanese_name_is_stored_in_the_japanese_column():
    client = client_for(UserFactory(manager=True))
    client.cookies["tracker_language"] = "ja"
    form = {"name": "遅延", "name_other": "Late", "shared_with": "", "page": "report", "query": "overdue=true"}
    response = client.post("/saved-views/new/", form, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 302
    view = SavedView.objects.get(name_ja="遅延")
    assert view.name_en == "Late" and view.page == "report"
    assert "遅延" in client.get("/reports/progress/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()


def test_another_users_view_is_not_found_or_refused():
    owner, other = UserFactory(manager=True), UserFactory(manager=True)
    private = SavedViewFactory(owner=owner)
    shared = SavedViewFactory(owner=owner, shared_with="managers")
    client = client_for(other)
    assert client.post(f"/saved-views/{private.uuid}/", {"delete": "1", "confirm": "yes"}).status_code == 404
    assert client.post(f"/saved-views/{shared.uuid}/", {"delete": "1", "confirm": "yes"}).status_code == 403
    assert SavedView.objects.filter(pk__in=[private.pk, shared.pk]).count() == 2
