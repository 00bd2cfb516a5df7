"""The import preview offers to create the sources, partners and themes a file names that do not exist yet (issue 16),
to those allowed to add them; the summary and the confirm button are at the top of the preview and at its foot."""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation, Source, Theme

from .helpers import EXAMPLE, db_state, file_bytes
from .test_import_admin import CONFIRM, importer_client, run_jobs, upload

pytestmark = pytest.mark.django_db

CREATE_MISSING = reverse("admin:recommendations_recommendation_import_create_missing")


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Stage uploads in a folder of the test's own."""
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


def test_the_preview_offers_to_create_what_is_missing_and_then_imports(policy_client):
    content = EXAMPLE.read_bytes()
    response = upload(policy_client, content, EXAMPLE.name)
    assert response.context["counts"]["error"] == 20
    offer = response.context["missing_offer"]
    assert offer is not None and offer["errors_after"] == 0
    assert [new.kind for new in offer["new_objects"]][:1] == ["source"]
    page = response.content.decode()
    assert 'id="import-missing"' in page and f'action="{CREATE_MISSING}"' in page
    assert "Confirm import" not in page

    before = db_state()
    response = policy_client.post(CREATE_MISSING, {"token": response.context["token"]})
    assert response.status_code == 200
    assert db_state() == before  # planning again writes nothing
    assert response.context["counts"] == {"create": 20, "update": 0, "unchanged": 0, "error": 0}
    assert response.context["missing_offer"] is None
    page = response.content.decode()
    assert "Created first" in page
    # the summary and the confirm button are at the top, before the rows, and again at the foot
    assert page.count('name="confirm"') == 2
    assert page.index("import-actions-top") < page.index('id="result_list"') < page.rindex('name="confirm"')

    response = policy_client.post(CONFIRM, {"token": response.context["token"]})
    assert response.status_code == 302
    run_jobs()
    source = Source.objects.get(title__contains="fictional example data")
    assert Recommendation.objects.filter(source=source).count() == 20


def test_no_offer_to_those_who_may_not_add_what_is_missing(recommendation):
    client = importer_client()
    row = {"reference": "NEW-1", "title_en": "t", "description_en": "d", "source": "Brand new report"}
    response = upload(client, file_bytes([row]))
    assert response.context["counts"]["error"] == 1
    assert response.context["missing_offer"] is None
    assert 'id="import-missing"' not in response.content.decode()
    # asking anyway plans with create_missing, and the preview still refuses what the user may not add
    response = client.post(CREATE_MISSING, {"token": response.context["token"]})
    assert response.context["cannot_create"] == ["source"]
    client.post(CONFIRM, {"token": response.context["token"]})
    assert not Source.objects.filter(slug="brand-new-report").exists()


def test_other_errors_are_counted_and_no_offer_without_missing_objects(recommendation, policy_client):
    rows = [
        {"reference": "NEW-1", "title_en": "t", "description_en": "d", "source": "a-commentary", "themes": "New theme"},
        {"reference": "NEW-2", "title_en": "t", "description_en": "d", "source": "a-commentary", "priority": "huge"},
    ]
    response = upload(policy_client, file_bytes(rows))
    offer = response.context["missing_offer"]
    assert [(new.kind, new.name) for new in offer["new_objects"]] == [("theme", "New theme")]
    assert offer["errors_after"] == 1
    assert "1 row would still have other errors." in response.content.decode()

    only_bad_priority = upload(policy_client, file_bytes(rows[1:]))
    assert only_bad_priority.context["missing_offer"] is None
    assert not Theme.objects.filter(name="New theme").exists()


def test_create_missing_needs_a_post_a_known_token_and_the_import_permission(policy_client, manager_client):
    assert policy_client.get(CREATE_MISSING).status_code == 302
    response = policy_client.post(CREATE_MISSING, {"token": "nope"})
    assert response.status_code == 302
    assert manager_client.post(CREATE_MISSING, {"token": "nope"}).status_code == 403
