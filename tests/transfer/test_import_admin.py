"""The admin import: upload → preview → confirm for the policy team; managers are refused; bad files are form errors."""

import stat

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from recommendations.models import Recommendation, Source
from recommendations.services import recommendation_update
from tests.factories import UserFactory
from transfer import forms as import_forms
from transfer.models import ImportRun

from .helpers import EXAMPLE, db_state, exported, file_bytes

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:recommendations_recommendation_import")
CONFIRM = reverse("admin:recommendations_recommendation_import_confirm")
CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Stage uploads in a folder of the test's own."""
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    return tmp_path / "staging"


def run_jobs() -> None:
    """Run the queued jobs (the import) in this process, as a worker would."""
    call_command("worker", "--batch", "--no-scheduler")


def importer_client() -> Client:
    """A client signed in as a user who may import recommendations but add no source, partner or theme."""
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="recommendations",
            codename__in=["view_recommendation", "add_recommendation", "change_recommendation"],
        )
    )
    client = Client()
    client.force_login(user)
    return client


def upload(client, content: bytes, name: str = "import.csv", create_missing: bool = False):
    data = {"file": SimpleUploadedFile(name, content)}
    if create_missing:
        data["create_missing"] = "on"
    return client.post(IMPORT, data)


def good_file() -> bytes:
    """An update (title and status), an unchanged row and a create."""
    rows = exported("TST-01", "TST-02")
    rows[0].update(title_en="Sharper title", status="in_progress", status_note="Talks began.")
    new = {
        "reference": "NEW-01",
        "title_en": "New",
        "description_en": "d",
        "source": "a-commentary",
        "partners": "australia",
    }
    return file_bytes([*rows, new])


def test_the_import_button_is_there_for_the_policy_team_only(recommendation, policy_client, manager_client):
    assert f'href="{IMPORT}"' in policy_client.get(CHANGELIST).content.decode()
    assert f'href="{IMPORT}"' not in manager_client.get(CHANGELIST).content.decode()


def test_upload_preview_confirm(recommendation, implemented, policy_client, policy_user, staging):
    before = db_state()
    response = upload(policy_client, good_file())

    assert response.status_code == 200
    assert db_state() == before  # the preview writes nothing
    plan = response.context["plan"]
    assert [(row.number, row.reference, row.action) for row in plan.rows] == [
        (2, "TST-01", "update"),
        (3, "TST-02", "unchanged"),
        (4, "NEW-01", "create"),
    ]
    assert response.context["counts"] == {"create": 1, "update": 1, "unchanged": 1, "error": 0}
    page = response.content.decode()
    assert "Confirm import" in page
    assert "Strengthen maritime cooperation</span> → <span" in page and "Sharper title" in page
    assert "1 to create, 1 to update, 1 unchanged, 0 with errors." in page
    token = response.context["token"]
    assert len(list(staging.iterdir())) == 1

    response = policy_client.post(CONFIRM, {"token": token}, follow=True)

    run = ImportRun.objects.get()
    run_page = reverse("admin:recommendations_recommendation_import_run", kwargs={"run": run.uuid})
    assert response.redirect_chain == [(run_page, 302)]
    page = response.content.decode()
    assert "Queued for import: import.csv." in page and '<meta http-equiv="refresh" content="2">' in page
    assert db_state() == before  # the request only queued it
    run_jobs()
    page = policy_client.get(run_page).content.decode()
    assert "Succeeded" in page and "1 created, 1 updated, 1 unchanged." in page
    assert '<progress max="2" value="2">' in page and "2 of 2 rows" in page
    assert "http-equiv" not in page  # no more refreshing once it is over
    assert run_page in policy_client.get(IMPORT).content.decode()  # listed among the user's recent imports
    recommendation.refresh_from_db()
    assert (recommendation.title, recommendation.status) == ("Sharper title", "in_progress")
    entry = recommendation.status_updates.latest()
    assert (entry.note, entry.author) == ("Talks began.", policy_user)
    assert Recommendation.objects.get(reference="NEW-01").status_updates.get().author == policy_user
    assert list(staging.iterdir()) == []

    # The same confirmation again does nothing.
    state = db_state()
    response = policy_client.post(CONFIRM, {"token": token}, follow=True)
    assert response.redirect_chain == [(IMPORT, 302)]
    assert "no longer available" in response.content.decode()
    assert db_state() == state


def test_a_file_with_errors_has_no_confirm_button_and_cannot_be_confirmed(recommendation, policy_client):
    content = good_file() + b"NEW-02,,Broken,,d,,,a-commentary,atlantis,,,,,,\r\n"
    before = db_state()
    response = upload(policy_client, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm import" not in page
    assert "1 row has errors, so nothing can be imported" in page
    assert "“atlantis” is not a known partner" in page
    response = policy_client.post(CONFIRM, {"token": response.context["token"]})
    assert response.status_code == 200 and "Confirm import" not in response.content.decode()
    assert db_state() == before


def test_a_change_between_preview_and_confirm_is_shown_not_overwritten(
    recommendation,
    implemented,
    policy_client,
):
    response = upload(policy_client, good_file())
    token = response.context["token"]
    other = UserFactory(policy=True)
    recommendation_update(recommendation=recommendation, actor=other, data={"team": "Their team"})
    before = db_state()

    response = policy_client.post(CONFIRM, {"token": token})

    assert response.status_code == 200
    assert "The data changed since your preview" in response.content.decode()
    assert db_state() == before
    changes = {change.field: (change.old, change.new) for change in response.context["plan"].rows[0].changes}
    assert changes["team"] == ("Their team", "")  # the file would now undo their edit: the user sees it first

    response = policy_client.post(CONFIRM, {"token": token})  # confirming what they have now seen
    assert response.status_code == 302
    run_jobs()
    recommendation.refresh_from_db()
    assert (recommendation.title, recommendation.team) == ("Sharper title", "")


def test_managers_and_strangers_are_refused(recommendation, manager_client, client):
    assert manager_client.get(IMPORT).status_code == 403
    assert upload(manager_client, good_file()).status_code == 403
    assert manager_client.post(CONFIRM, {"token": "x"}).status_code == 403
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("reference,title\nX,Café\n".encode("latin-1"), "a.csv", "not UTF-8 text"),
        (b"%PDF-1.4\n", "a.xlsx", "not a valid XLSX workbook"),
        (b"title\nx\n", "a.csv", "Required column(s) missing: reference."),
        (b'[{"reference": ', "a.json", "not valid JSON"),
    ],
)
def test_bad_files_are_form_errors(content, name, message, policy_client, staging):
    response = upload(policy_client, content, name)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert not staging.exists() or list(staging.iterdir()) == []


def test_too_large_a_file_is_a_form_error(policy_client, monkeypatch):
    monkeypatch.setattr(import_forms, "MAX_FILE_BYTES", 10)
    response = upload(policy_client, b"reference\nA-LONG-REFERENCE\n")
    assert "larger than" in str(response.context["form"].errors)


def test_no_file_is_a_form_error(policy_client):
    response = policy_client.post(IMPORT, {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_create_missing_adds_a_second_source(policy_client, policy_user):
    content = EXAMPLE.read_bytes()
    response = upload(policy_client, content, EXAMPLE.name)
    assert response.context["counts"]["error"] == 20

    response = upload(policy_client, content, EXAMPLE.name, create_missing=True)
    assert response.context["counts"] == {"create": 20, "update": 0, "unchanged": 0, "error": 0}
    assert "Created first" in response.content.decode()
    response = policy_client.post(CONFIRM, {"token": response.context["token"]})
    assert response.status_code == 302
    run_jobs()
    source = Source.objects.get(title__contains="fictional example data")
    assert Recommendation.objects.filter(source=source).count() == 20


def test_creating_missing_objects_needs_the_permission_to_add_them(recommendation):
    client = importer_client()
    row = {"reference": "NEW-1", "title_en": "t", "description_en": "d", "source": "Brand new report"}
    response = upload(client, file_bytes([row]), create_missing=True)
    assert response.context["cannot_create"] == ["source"]
    assert "Confirm import" not in response.content.decode()
    client.post(CONFIRM, {"token": response.context["token"]})
    assert not Source.objects.filter(slug="brand-new-report").exists()


def test_an_unchanged_file_has_nothing_to_confirm(recommendation, policy_client):
    response = upload(policy_client, file_bytes(exported("TST-01")))
    page = response.content.decode()
    assert "Nothing to change" in page and "Confirm import" not in page


def test_a_staged_file_altered_on_disk_is_refused(recommendation, policy_client, staging):
    response = upload(policy_client, good_file())
    (staged,) = staging.iterdir()
    staged.write_bytes(staged.read_bytes().replace(b"Sharper", b"Sneaky!"))
    response = policy_client.post(CONFIRM, {"token": response.context["token"]}, follow=True)
    assert "no longer available" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.title == "Strengthen maritime cooperation"


def test_staged_files_and_their_folder_are_private(recommendation, policy_client, staging):
    policy_client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", file_bytes(exported("TST-01")))})
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    (staged,) = staging.iterdir()
    assert stat.S_IMODE(staged.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_may_write_to_is_refused_and_nothing_is_staged(recommendation, policy_client, staging, mode):
    staging.mkdir()
    staging.chmod(mode)
    response = policy_client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", file_bytes(exported("TST-01")))})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "others may write to it" in errors
    assert list(staging.iterdir()) == []


def test_a_link_in_place_of_the_folder_is_refused(recommendation, policy_client, staging, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    staging.symlink_to(elsewhere)
    response = policy_client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", file_bytes(exported("TST-01")))})
    assert "is not a folder" in " ".join(response.context["form"].non_field_errors())
    assert list(elsewhere.iterdir()) == []
