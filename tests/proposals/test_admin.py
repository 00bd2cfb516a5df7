"""The proposer in the admin: upload → candidates → the import's preview → confirm; nothing written before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from recommendations.models import Recommendation, Source
from transfer.models import ImportRun

pytestmark = pytest.mark.django_db

PROPOSE = reverse("admin:recommendations_recommendation_propose")
REVIEW = reverse("admin:recommendations_recommendation_propose_review")
CONFIRM = reverse("admin:recommendations_recommendation_import_confirm")
TEXT = """Maritime security

The Philippines is an important partner. Japan should expand coast guard cooperation with Manila.

Cyber

The NSS was published in 2022. Japan must adopt active cyber defense with the United States.
"""


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


def test_upload_proposes_candidates_with_partners_themes_and_overlaps(commentary, policy_client):
    response = policy_client.post(
        PROPOSE,
        {"file": SimpleUploadedFile("report.txt", TEXT.encode()), "new_source": "Maritime review 2025"},
    )
    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert [row["reference"] for row in proposal.rows] == ["MAR25-01", "MAR25-02"]
    assert proposal.rows[0]["partners"] == "japan; philippines"
    assert "maritime-security" in proposal.rows[0]["themes"]
    assert proposal.rows[1]["section"] == "Cyber"
    assert any(s.recommendation.reference.startswith("TOK23") for s in proposal.overlaps[1])
    assert b"Preview import" in response.content
    assert not Source.objects.filter(title="Maritime review 2025").exists()


def test_review_previews_then_confirm_writes_through_the_import(commentary, policy_client):
    before = Recommendation.objects.count()
    response = policy_client.post(
        PROPOSE, {"file": SimpleUploadedFile("r.txt", TEXT.encode()), "new_source": "Review X"}
    )
    rows = response.context["proposal"].rows
    data = {"source": "Review X", "count": "2", "include": ["1"]}
    for number, row in enumerate(rows):
        data.update({f"{column}-{number}": value for column, value in row.items() if column != "source"})
    data["title_en-1"] = "Adopt active cyber defense"
    preview = policy_client.post(REVIEW, data)
    assert preview.status_code == 200
    assert preview.context["can_confirm"] and preview.context["counts"]["create"] == 1
    assert Recommendation.objects.count() == before and not ImportRun.objects.exists()  # nothing before confirming

    policy_client.post(CONFIRM, {"token": preview.context["token"]})
    call_command("worker", "--batch", "--no-scheduler")
    created = Recommendation.objects.get(reference=rows[1]["reference"])
    assert created.title_en == "Adopt active cyber defense"
    assert created.source_excerpt == "Japan must adopt active cyber defense with the United States."
    assert created.source.title == "Review X"
    assert created.section == "Cyber"
    assert Recommendation.objects.count() == before + 1


def test_download_gives_an_import_file(commentary, policy_client):
    data = {
        "source": "tokuchi-2023-nss-commentary",
        "count": "1",
        "include": ["0"],
        "reference-0": "TOK23-99",
        "title_en-0": "Do it",
        "description_en-0": "Japan should do it.",
        "source_excerpt-0": "Japan should do it.",
    }
    response = policy_client.post(REVIEW, {**data, "download": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("reference,title_en,title_ja")
    assert "TOK23-99,Do it" in text


def test_bad_uploads_are_form_errors(policy_client):
    response = policy_client.post(PROPOSE, {"file": SimpleUploadedFile("a.xls", b"x"), "new_source": "A"})
    assert response.status_code == 400
    assert "not a document" in response.content.decode()
    response = policy_client.post(PROPOSE, {"file": SimpleUploadedFile("a.txt", b"Japan should act.")})
    assert response.status_code == 400


def test_managers_may_not_propose(manager_client):
    assert manager_client.get(PROPOSE).status_code == 403
    assert manager_client.post(REVIEW, {}).status_code == 403
