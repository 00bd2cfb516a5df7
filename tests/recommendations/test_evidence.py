"""Evidence as documents: links and files attached to entries, type found from the content, size cap, stored names,
authorised downloads, verification by someone else, the API (multipart) and the feed."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ChangeEvent
from recommendations.choices import Status
from recommendations.models import Evidence
from recommendations.services import evidence_add, evidence_verify, recommendation_change_status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def docx() -> bytes:
    """A minimal Word document (a zip with the parts that name it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def docx_with_a_thumbnail_first() -> bytes:
    """A Word document whose main part comes after 20 KB of other parts (Word writes thumbnails so)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/thumbnail.jpeg", b"\xff" * 20_000)
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt() -> bytes:
    """A minimal OpenDocument text (its first entry names its type)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "MZ")
    return buffer.getvalue()


def upload(content: bytes, name: str = "report.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def assessor(db):
    return UserFactory(username="assessor", assessor=True)


def test_a_file_is_stored_under_its_own_id_with_the_type_found_from_its_content(recommendation, policy_user):
    entry = recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    evidence = evidence_add(
        recommendation=recommendation,
        actor=policy_user,
        title_ja="作業部会の議事録",
        upload=upload(PDF, name="../../議事録.exe", content_type="application/x-msdownload"),
        attach_to=entry,
    )
    assert (evidence.content_type, evidence.file_name, evidence.size) == ("application/pdf", "議事録.pdf", len(PDF))
    assert evidence.file.name.startswith(f"evidence/{recommendation.uuid}/{evidence.uuid}/")
    assert ".." not in evidence.file.name and evidence.file.read() == PDF
    assert evidence.status_update == entry and evidence.added_by == policy_user
    event = ChangeEvent.objects.filter(object_type="evidence").latest("seq")
    assert event.data["kind"] == "file" and event.data["attached_to"]["type"] == "status_update"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "report.pdf"),  # a page named like a PDF
        (b"MZ\x90\x00" + b"\x00" * 60, "photo.png"),  # a program named like an image
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "chart.svg"),
        (b"", "empty.pdf"),
        (plain_zip(), "report.docx"),  # a zip that is no Office document
    ],
)
def test_files_that_are_not_documents_or_images_are_refused(recommendation, policy_user, content, name):
    with pytest.raises(ValidationError) as refused:
        evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", upload=upload(content, name=name))
    assert "file" in refused.value.message_dict
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "image/png"),
        (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml"),
        (docx_with_a_thumbnail_first(), "application/vnd.openxmlformats-officedocument.wordprocessingml"),
        (odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_office_documents_and_images_are_accepted(recommendation, policy_user, content, kind):
    evidence = evidence_add(
        recommendation=recommendation, actor=policy_user, title_en="x", upload=upload(content, name="file.bin")
    )
    assert evidence.content_type.startswith(kind)


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(recommendation, policy_user, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="at most"):
        evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", upload=upload(PDF + b" " * 1000))
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_a_link_or_a_file_not_both_and_an_entry_of_its_own_recommendation(recommendation, implemented, policy_user):
    with pytest.raises(ValidationError):
        evidence_add(recommendation=recommendation, actor=policy_user, title_en="x")
    with pytest.raises(ValidationError):
        evidence_add(
            recommendation=recommendation, actor=policy_user, title_en="x", url="https://e.org", upload=upload(PDF)
        )
    with pytest.raises(ValidationError):
        evidence_add(recommendation=recommendation, actor=policy_user, url="https://e.org")  # no title
    other_entry = implemented.status_updates.first()
    with pytest.raises(ValidationError) as wrong:
        evidence_add(
            recommendation=recommendation,
            actor=policy_user,
            title_en="x",
            url="https://e.org",
            attach_to=other_entry,
        )
    assert "attach_to" in wrong.value.message_dict
    assert not Evidence.objects.exclude(url__startswith="https://example").exists()


def test_an_evidence_url_on_a_status_change_becomes_an_evidence_record(recommendation, policy_user):
    result = recommendation_change_status(
        recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, evidence_url="https://e.org/m"
    )
    evidence = Evidence.objects.get(status_update=result)
    assert (evidence.url, evidence.title, evidence.added_by) == ("https://e.org/m", "https://e.org/m", policy_user)


def test_someone_else_verifies_evidence(recommendation, policy_user, assessor):
    evidence = evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", url="https://e.org")
    with pytest.raises(ValidationError, match="someone other"):
        evidence_verify(evidence=evidence, actor=policy_user)
    verified = evidence_verify(evidence=evidence, actor=assessor, expected_version=evidence.version)
    assert verified.verified_by == assessor and verified.verified_at and verified.version == 2
    with pytest.raises(ValidationError, match="already"):
        evidence_verify(evidence=verified, actor=UserFactory(username="third", policy=True))


def test_downloads_are_for_those_who_may_read_the_recommendation(recommendation, policy_user, manager_client, client):
    evidence = evidence_add(recommendation=recommendation, actor=policy_user, title_en="Minutes", upload=upload(PDF))
    url = reverse("recommendations:evidence_download", args=[evidence.uuid])
    response = manager_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code == 403
    assert (
        "/media/"
        not in manager_client.get(reverse("recommendations:detail", args=[recommendation.uuid])).content.decode()
    )
    assert client.get(f"/media/{evidence.file.name}").status_code == 404  # no public address


def test_the_page_adds_evidence_and_refuses_bad_files(recommendation, policy_client, manager_client):
    url = reverse("recommendations:evidence", args=[recommendation.uuid])
    detail = reverse("recommendations:detail", args=[recommendation.uuid])
    entry = recommendation.status_updates.get()
    ok = policy_client.post(
        url,
        {
            "evidence-title": "Minutes of the working group",
            "evidence-file": upload(PDF, name="minutes.pdf"),
            "evidence-evidence_date": "2026-11-20",
            "evidence-attach_to": f"status_update:{entry.uuid}",
            "evidence-publishable": "on",
        },
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#evidence")
    evidence = Evidence.objects.get()
    assert (evidence.title_en, evidence.publishable, evidence.status_update) == (
        "Minutes of the working group",
        True,
        entry,
    )
    html = manager_client.get(detail).content.decode()
    assert (
        "Minutes of the working group" in html
        and reverse("recommendations:evidence_download", args=[evidence.uuid]) in html
    )
    bad = policy_client.post(url, {"evidence-title": "x", "evidence-file": upload(b"<html></html>", name="a.pdf")})
    assert bad.status_code == 400 and "its content was checked" in bad.content.decode()
    neither = policy_client.post(url, {"evidence-title": "x"})
    assert neither.status_code == 400 and "either a file or a link" in neither.content.decode()
    assert manager_client.post(url, {"evidence-title": "x", "evidence-link": "https://e.org"}).status_code == 403
    assert Evidence.objects.count() == 1


def test_the_api_uploads_lists_downloads_and_verifies(recommendation, policy_api, token_client, policy_user, assessor):
    created = policy_api.post(
        "/api/v1/evidence/",
        {"recommendation": str(recommendation.uuid), "title": "Minutes", "file": upload(PDF, name="m.pdf")},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "file" and body["content_type"] == "application/pdf" and body["download_url"]
    download = policy_api.get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    link = policy_api.post(
        "/api/v1/evidence/", {"recommendation": str(recommendation.uuid), "title": "Page", "link": "https://e.org"}
    )
    assert link.status_code == 201 and link.json()["download_url"] is None
    bad = policy_api.post(
        "/api/v1/evidence/",
        {"recommendation": str(recommendation.uuid), "title": "x", "file": upload(b"MZ" + b"\x00" * 80)},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    files = policy_api.get("/api/v1/evidence/", {"recommendation": str(recommendation.uuid), "kind": "file"}).json()
    assert [item["title"] for item in files["results"]] == ["Minutes"]
    verify_url = f"/api/v1/evidence/{body['id']}/verify/"
    etag = policy_api.get(body["url"])["ETag"]
    assert policy_api.post(verify_url, HTTP_IF_MATCH=etag).status_code == 400  # who added it does not verify it
    judge = token_client(assessor, can_write=True)
    assert judge.post(verify_url).status_code == 428
    verified = judge.post(verify_url, HTTP_IF_MATCH=etag)
    assert verified.status_code == 200 and verified.json()["verified_by"] == "assessor"
    listed = policy_api.get("/api/v1/recommendations/", {"has_evidence": "true"}).json()["results"]
    assert [item["reference"] for item in listed] == [recommendation.reference]
    feed = policy_api.get("/api/v1/changes/", {"object_type": "evidence"}).json()["results"]
    assert [item["action"] for item in feed] == ["created", "created", "updated"]


def test_managers_read_evidence_but_add_and_verify_none(recommendation, manager_user, token_client, policy_user):
    evidence = evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", url="https://e.org")
    manager = token_client(manager_user, can_write=True)
    assert manager.get("/api/v1/evidence/").status_code == 200
    added = manager.post(
        "/api/v1/evidence/", {"recommendation": str(recommendation.uuid), "title": "x", "link": "https://e.org"}
    )
    assert added.status_code == 403
    assert manager.post(f"/api/v1/evidence/{evidence.uuid}/verify/", HTTP_IF_MATCH='"1"').status_code == 403


def test_deleting_a_recommendation_removes_its_evidence_files(
    recommendation, policy_user, settings, django_capture_on_commit_callbacks
):
    from recommendations.services import recommendation_delete

    evidence = evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", upload=upload(PDF))
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_delete(recommendation=recommendation, actor=policy_user)
    assert not stored.exists()
    assert ChangeEvent.objects.filter(object_type="evidence", action="deleted").count() == 1


def test_uploads_above_the_general_body_limit_reach_the_evidence_urls_only(recommendation, policy_api, settings):
    big = upload(PDF + b"%" * (3 * 1024 * 1024), name="big.pdf")  # over the 2 MB body limit of other URLs
    created = policy_api.post(
        "/api/v1/evidence/",
        {"recommendation": str(recommendation.uuid), "title": "Big", "file": big},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    page_url = reverse("recommendations:evidence", args=[recommendation.uuid])
    too_big = str(settings.EVIDENCE_MAX_BYTES + 1024 * 1024)
    assert policy_api.post(page_url, {}, CONTENT_LENGTH=too_big).status_code == 413
    assert policy_api.post("/api/v1/evidence/", {}, CONTENT_LENGTH=too_big).status_code == 413
    status_url = reverse("recommendations:status", args=[recommendation.uuid])
    assert policy_api.post(status_url, {}, CONTENT_LENGTH=str(3 * 1024 * 1024)).status_code == 413


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd"])
def test_links_that_are_not_web_addresses_are_refused(recommendation, policy_user, policy_api, link):
    with pytest.raises(ValidationError):
        evidence_add(recommendation=recommendation, actor=policy_user, title_en="x", url=link)
    response = policy_api.post(
        "/api/v1/evidence/", {"recommendation": str(recommendation.uuid), "title": "x", "link": link}
    )
    assert response.status_code == 400 and "link" in response.json()["errors"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("count", [1, 6])
def test_evidence_lists_run_constant_queries(
    recommendation, policy_user, policy_client, policy_api, count, django_assert_max_num_queries
):
    from tests.recommendations.test_views import DETAIL_PAGE_QUERIES

    entry = recommendation.status_updates.get()
    for index in range(count):
        evidence_add(
            recommendation=recommendation,
            actor=policy_user,
            title_en=f"Document {index}",
            upload=upload(PDF, name=f"d{index}.pdf"),
            attach_to=entry if index % 2 else None,
        )
    with django_assert_max_num_queries(DETAIL_PAGE_QUERIES):
        assert policy_client.get(reverse("recommendations:detail", args=[recommendation.uuid])).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(policy_api.get("/api/v1/evidence/").json()["results"]) == count
    with django_assert_max_num_queries(8):  # the list's own eight; the filter is a condition, not a query
        assert policy_api.get("/api/v1/recommendations/", {"has_evidence": "true"}).status_code == 200
