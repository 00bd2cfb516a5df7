"""Mass assignment: serializers, forms and admins name their writable fields, and what clients may not set (versions,
timestamps, authors, other objects' ids, feed positions, token owners) is ignored or refused, never stored."""

from __future__ import annotations

import ast
import uuid
from datetime import timedelta

import pytest
from django import forms
from django.contrib import admin
from django.utils import timezone
from rest_framework import serializers

from core.admin import ReadOnlyAdmin
from core.models import ApiToken, ChangeEvent
from core.services import api_token_create
from recommendations.choices import Status
from recommendations.models import Recommendation, StatusUpdate, Theme
from tests.factories import PartnerFactory, RecommendationFactory, ThemeFactory, UserFactory
from tests.project import APPS, ROOT

pytestmark = pytest.mark.django_db

LONG_AGO = "2000-01-01T00:00:00Z"


# --- Declared fields ------------------------------------------------------------------------------------------------


def _meta_assignments() -> list[tuple[str, int, str, ast.expr]]:
    """Every ``fields``/``exclude`` assignment in a ``class Meta`` of the project's code: (file, line, name, value)."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and node.name == "Meta":
                    for statement in node.body:
                        if isinstance(statement, ast.Assign | ast.AnnAssign):
                            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                            for target in targets:
                                if isinstance(target, ast.Name) and target.id in {"fields", "exclude"}:
                                    found.append((str(path.relative_to(ROOT)), node.lineno, target.id, statement.value))
    return found


def test_no_meta_uses_all_fields_or_exclude():
    assignments = _meta_assignments()
    assert len(assignments) > 10  # the walk does find the serializers' and forms' Meta classes
    for path, line, name, value in assignments:
        assert name == "fields", f"{path}:{line}: exclude lets new model fields become writable"
        assert not (isinstance(value, ast.Constant) and value.value == "__all__"), f"{path}:{line}: fields = '__all__'"


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_model_serializer_lists_its_fields():
    import partners.api.serializers  # noqa: F401 (the serializers must be loaded to be found)
    import recommendations.api.serializers  # noqa: F401

    ours = [
        cls
        for cls in _subclasses(serializers.ModelSerializer)
        if cls.__module__.split(".")[0] in APPS and hasattr(cls, "Meta")  # a mixin names no model
    ]
    assert len(ours) >= 6
    for cls in ours:
        assert isinstance(cls.Meta.fields, list | tuple), cls
        assert not hasattr(cls.Meta, "exclude"), cls


def test_every_admin_and_inline_names_its_editable_fields():
    """An admin without fields, fieldsets or an explicit form would offer every model field, new ones included."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS or isinstance(model_admin, ReadOnlyAdmin):
            continue  # not ours, or nothing editable at all
        admins = [model_admin, *[inline(model, admin.site) for inline in model_admin.inlines]]
        for each in admins:
            form_fields = getattr(getattr(each.form, "_meta", None), "fields", None)
            declared = each.fields or each.fieldsets or (form_fields and each.form is not forms.ModelForm)
            assert declared, f"{type(each).__name__} names no fields"


# --- API ------------------------------------------------------------------------------------------------------------

#: Read-only members of a representation, with values a client might try to force.
#: Fields of the representation that only the server sets: a client that sends back what it read may include them,
#: and they are ignored.
FORGED = {
    "version": 99,
    "created_at": LONG_AGO,
    "updated_at": LONG_AGO,
    "status_changed_at": LONG_AGO,
    "is_overdue": True,
    "url": "https://evil.example/",
}
#: Fields no representation has: refused with a 400 that names each (a misspelt field is never silently dropped).
UNKNOWN = {"uuid": "00000000-0000-0000-0000-000000000001", "pk": 1, "seq": 1, "author": "root", "actor": "root"}


def _recent(value) -> bool:
    return timezone.now() - value < timedelta(minutes=5)


def test_recommendation_create_ignores_server_fields(policy_api, source):
    body = {"reference": "MA-1", "title": "T", "description": "D", "source": source.slug, **FORGED}
    response = policy_api.post("/api/v1/recommendations/", body)
    assert response.status_code == 201, response.json()
    rec = Recommendation.objects.get(reference="MA-1")
    assert rec.version == 1 and _recent(rec.created_at) and _recent(rec.updated_at)
    assert response.json()["url"].endswith(f"/{rec.uuid}/")
    assert rec.status_updates.get().author.username == "policy"
    assert set(ChangeEvent.objects.filter(object_id=rec.uuid).values_list("actor_name", flat=True)) == {"policy"}


def test_unknown_fields_in_a_write_are_refused_naming_each(policy_api, source, recommendation):
    body = {"reference": "MA-2", "title": "T", "description": "D", "source": source.slug, **UNKNOWN}
    created = policy_api.post("/api/v1/recommendations/", body)
    assert created.status_code == 400
    assert set(created.json()["errors"]) == set(UNKNOWN)
    assert not Recommendation.objects.filter(reference="MA-2").exists()
    typo = policy_api.patch(f"/api/v1/recommendations/{recommendation.uuid}/", {"titel": "X"}, HTTP_IF_MATCH="*")
    assert typo.status_code == 400 and typo.json()["errors"] == {"titel": ["Unknown field."]}
    nested = policy_api.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/",
        {"partners": [{"slug": "australia", "rol": "lead"}]},
        HTTP_IF_MATCH="*",
    )
    assert nested.status_code == 400 and "partners[0].rol" in nested.json()["errors"]


def test_recommendation_patch_ignores_server_fields(policy_api, recommendation):
    created = recommendation.created_at
    response = policy_api.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/", {"title": "New title", **FORGED}, HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200, response.json()
    recommendation.refresh_from_db()
    assert recommendation.title == "New title"
    assert recommendation.version == 2 and recommendation.created_at == created
    assert _recent(recommendation.updated_at)


def test_recommendation_patch_cannot_take_another_ones_id(policy_api, recommendation):
    other = RecommendationFactory()
    response = policy_api.patch(
        f"/api/v1/recommendations/{recommendation.uuid}/", {"id": str(other.uuid), "title": "X"}, HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400 and "id" in response.json()["errors"]
    recommendation.refresh_from_db()
    other.refresh_from_db()
    assert recommendation.title != "X" and recommendation.version == 1 and other.version == 1


def test_recommendation_create_with_an_existing_id_is_409_and_changes_nothing(policy_api, recommendation, source):
    body = {"id": str(recommendation.uuid), "reference": "MA-2", "title": "Hijack", "description": "D"}
    response = policy_api.post("/api/v1/recommendations/", {**body, "source": source.slug})
    assert response.status_code == 409
    recommendation.refresh_from_db()
    assert recommendation.title != "Hijack" and recommendation.version == 1
    assert not Recommendation.objects.filter(reference="MA-2").exists()


def test_status_update_author_and_times_are_the_servers(policy_api, recommendation, superuser):
    body = {
        "recommendation": str(recommendation.uuid),
        "to_status": Status.IN_PROGRESS,
        "author": superuser.username,
        "created_at": LONG_AGO,
        "from_status": Status.IMPLEMENTED,
        "url": "https://evil.example/",
    }
    response = policy_api.post("/api/v1/status-updates/", body)
    assert response.status_code == 201, response.json()
    entry = StatusUpdate.objects.get(uuid=response.json()["id"])
    assert entry.author.username == "policy" and _recent(entry.created_at)
    assert entry.from_status == Status.PROPOSED and response.json()["author"] == "policy"


def test_status_update_with_another_entrys_id_is_409_and_changes_nothing(policy_api, recommendation):
    other = RecommendationFactory()
    existing = recommendation.status_updates.get()
    body = {"id": str(existing.uuid), "recommendation": str(other.uuid), "to_status": Status.IN_PROGRESS}
    response = policy_api.post("/api/v1/status-updates/", body)
    assert response.status_code == 409
    existing.refresh_from_db()
    other.refresh_from_db()
    assert existing.recommendation_id == recommendation.pk and other.status == Status.PROPOSED
    assert StatusUpdate.objects.count() == 1


@pytest.mark.parametrize("collection", ["themes", "sources", "partners"])
def test_taxonomy_writes_ignore_ids_versions_and_times(policy_api, collection):
    body = {"themes": {"slug": "ma", "name": "MA"}, "sources": {"slug": "ma", "title": "MA"}}.get(
        collection, {"slug": "ma", "name": "MA", "kind": "country"}
    )
    chosen = "00000000-0000-0000-0000-000000000002"  # a client may choose the id of what it creates
    server_fields = {key: FORGED[key] for key in ("version", "created_at", "updated_at", "url")}
    created = policy_api.post(f"/api/v1/{collection}/", {**body, **server_fields, "id": chosen})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["id"] == chosen and data["version"] == 1
    assert _recent(timezone.datetime.fromisoformat(data["created_at"]))
    changed = policy_api.patch(data["url"], {"description": "Changed", **server_fields}, HTTP_IF_MATCH="*")
    assert changed.status_code == 200
    assert changed.json()["id"] == data["id"] and changed.json()["version"] == 2
    assert changed.json()["created_at"] == data["created_at"]
    moved = policy_api.patch(data["url"], {"id": "00000000-0000-0000-0000-000000000003"}, HTTP_IF_MATCH="*")
    assert moved.status_code == 400 and "id" in moved.json()["errors"]
    assert policy_api.post(f"/api/v1/{collection}/", {**body, **UNKNOWN}).status_code == 400


def test_the_change_feed_is_read_only_and_its_seq_is_the_servers(policy_api, superuser, api_client):
    ThemeFactory()
    before = list(ChangeEvent.objects.values_list("seq", flat=True))
    for client in (policy_api,):
        assert client.post("/api/v1/changes/", {"seq": 1, "action": "deleted"}).status_code == 403
    api_client.force_login(superuser)
    assert api_client.post("/api/v1/changes/", {"seq": 1}).status_code == 405
    assert api_client.delete("/api/v1/changes/").status_code == 405
    response = policy_api.post("/api/v1/themes/", {"slug": "feed", "name": "Feed", "seq": 1})
    assert response.status_code == 400 and response.json()["errors"] == {"seq": ["Unknown field."]}
    response = policy_api.post("/api/v1/themes/", {"slug": "feed", "name": "Feed"})
    assert response.status_code == 201
    seqs = list(ChangeEvent.objects.values_list("seq", flat=True))
    assert seqs[: len(before)] == before and seqs[-1] > max(before or [0])


# --- Web forms and the admin ----------------------------------------------------------------------------------------


def test_status_form_ignores_author_and_times(policy_client, recommendation, superuser):
    response = policy_client.post(
        f"/recommendations/{recommendation.uuid}/status/",
        {
            "status": Status.IN_PROGRESS,
            "note": "",
            "evidence_url": "",
            "version": recommendation.version,
            "author": superuser.pk,
            "created_at": LONG_AGO,
            "uuid": UNKNOWN["uuid"],
        },
    )
    assert response.status_code == 302
    entry = recommendation.status_updates.order_by("id").last()
    assert entry.author.username == "policy" and _recent(entry.created_at) and str(entry.uuid) != UNKNOWN["uuid"]


def test_status_form_version_is_a_precondition_not_a_value(policy_client, recommendation):
    response = policy_client.post(
        f"/recommendations/{recommendation.uuid}/status/",
        {"status": Status.IN_PROGRESS, "note": "", "evidence_url": "", "version": 99},
    )
    assert response.status_code == 409
    recommendation.refresh_from_db()
    assert recommendation.version == 1 and recommendation.status == Status.PROPOSED


def test_admin_change_ignores_read_only_fields(policy_client, recommendation):
    from tests.recommendations.admin_helpers import change_url, form_data

    uuid_before, created = recommendation.uuid, recommendation.created_at
    data = form_data(
        recommendation,
        title_en="Edited",
        uuid=str(uuid.uuid4()),
        version="99",
        created_at=LONG_AGO,
        updated_at=LONG_AGO,
        status_changed_at=LONG_AGO,
    )
    response = policy_client.post(change_url(recommendation), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    recommendation.refresh_from_db()
    assert recommendation.title == "Edited" and recommendation.version == 2
    assert recommendation.uuid == uuid_before and recommendation.created_at == created


def test_token_owner_and_scope_cannot_be_changed_after_issue(superuser_client, policy_user):
    token, raw = api_token_create(user=policy_user, name="tool", can_write=False)
    other = UserFactory(username="other", admin=True)
    response = superuser_client.post(
        f"/admin/core/apitoken/{token.pk}/change/",
        {"user": other.pk, "name": "renamed", "can_write": "on", "key_hash": "0" * 64, "prefix": "abc"},
    )
    assert response.status_code in (200, 302)
    token.refresh_from_db()
    assert token.user == policy_user and token.name == "tool" and not token.can_write and token.prefix != "abc"
    assert ApiToken.objects.count() == 1


def test_token_add_form_cannot_set_the_secret(superuser_client, policy_user):
    response = superuser_client.post(
        "/admin/core/apitoken/add/",
        {"user": policy_user.pk, "name": "tool", "key_hash": "0" * 64, "prefix": "chosen", "revoked_at": ""},
    )
    assert response.status_code == 200  # the page that shows the new token once
    token = ApiToken.objects.get()
    assert token.prefix != "chosen" and token.key_hash != "0" * 64


def test_partner_members_are_set_only_through_the_declared_field(policy_api):
    japan = PartnerFactory(slug="japan", name="Japan")
    response = policy_api.post(
        "/api/v1/partners/",
        {"slug": "quad", "name": "Quad", "kind": "framework", "memberships": ["japan"], "members": []},
    )
    assert response.status_code == 400 and "memberships" in response.json()["errors"]
    assert not japan.memberships.exists()
    assert Theme.objects.count() == 0
