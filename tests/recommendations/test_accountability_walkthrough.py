"""The accountability issue's "done when", end to end through the pages and the API: a policy-team member records the
government's response, assigns an owner and agency, records separate progress for the Philippines and Vietnam on one
recommendation with an uploaded PDF as evidence; an assessor disagrees; a manager sees the disagreement in the report
and the list; an API client sees each of these changes in the feed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partners.models import Partner
from recommendations.models import Evidence, Recommendation
from tests.factories import UserFactory
from transfer.bundles import bundle_load, bundle_read

pytestmark = pytest.mark.django_db

BUNDLE = "fixtures/tokuchi-2023-nss-commentary.json"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_accountability_walkthrough(token_client):
    bundle_load(data=bundle_read(BUNDLE))
    policy_user = UserFactory(username="kenji", policy=True)
    assessor_user = UserFactory(username="judge", assessor=True)
    manager_user = UserFactory(username="boss", manager=True)
    policy, assessor, manager = signed_in(policy_user), signed_in(assessor_user), signed_in(manager_user)
    api = token_client(manager_user)
    start = api.get("/api/v1/changes/").json()["last_seq"]

    # One recommendation that names the Philippines and Vietnam (the commentary's alliance-network one names the
    # Philippines; the policy team adds Vietnam as a counterpart, as the text's next paragraph does).
    rec = Recommendation.objects.get(reference="TOK23-13")
    detail = reverse("recommendations:detail", args=[rec.uuid])
    version = lambda: Recommendation.objects.get(pk=rec.pk).version  # noqa: E731

    # The government's response.
    response = policy.post(
        reverse("recommendations:response", args=[rec.uuid]),
        {
            "response-response": "accepted_in_part",
            "response-responded_on": "2026-11-02",
            "response-note": "Stated in the Diplomatic Bluebook.",
            "response-version": version(),
        },
    )
    assert response.status_code == 302

    # An owner and an agency, and Vietnam as a second counterpart, through the API as an integrator would.
    writer = token_client(policy_user, can_write=True)
    url = f"/api/v1/recommendations/{rec.uuid}/"
    etag = writer.get(url)["ETag"]
    partners = [{"slug": p["slug"], "role": p["role"]} for p in writer.get(url).json()["partners"]]
    partners.append({"slug": "vietnam", "role": "counterpart"})
    changed = writer.patch(
        url, {"lead": "kenji", "agency": "mofa", "partners": partners}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200, changed.content

    # Separate progress with the Philippines and Vietnam, the Philippines with an uploaded PDF as evidence.
    progress = reverse("recommendations:partner_status", args=[rec.uuid])
    for slug, status, note in [("philippines", "implemented", "RAA signed."), ("vietnam", "under_review", "Talks.")]:
        answer = policy.post(
            progress,
            {"partner-partner": slug, "partner-status": status, "partner-note": note, "partner-version": version()},
        )
        assert answer.status_code == 302, answer.content.decode()[:500]
    entry = rec.partner_status_updates.get(partner__slug="philippines")
    uploaded = policy.post(
        reverse("recommendations:evidence", args=[rec.uuid]),
        {
            "evidence-title": "RAA signing statement",
            "evidence-file": SimpleUploadedFile("raa.pdf", PDF, content_type="application/pdf"),
            "evidence-attach_to": f"partner_status_update:{entry.uuid}",
        },
    )
    assert uploaded.status_code == 302
    # The overall status: the policy team reports it implemented.
    assert (
        policy.post(
            reverse("recommendations:status", args=[rec.uuid]), {"status": "implemented", "version": version()}
        ).status_code
        == 302
    )

    # An assessor disagrees.
    assessed = assessor.post(
        reverse("recommendations:assessment", args=[rec.uuid]),
        {
            "assessment-rating": "limited",
            "assessment-rationale": "Only the Philippines track moved.",
            "assessment-version": version(),
        },
    )
    assert assessed.status_code == 302

    # The manager sees it on the page, in the list and in the report.
    page = manager.get(detail).content.decode()
    assert "Disagrees with the reported status" in page and "RAA signing statement" in page
    assert "With Philippines:" in page and "With Vietnam:" in page
    listed = manager.get(reverse("recommendations:list"), {"disagreement": "true"}).content.decode()
    assert "TOK23-13" in listed and "TOK23-01" not in listed
    report = manager.get(reverse("reports:progress")).content.decode()
    assert "?disagreement=true" in report
    download = manager.get(reverse("recommendations:evidence_download", args=[Evidence.objects.get().uuid]))
    assert b"".join(download.streaming_content) == PDF

    # The API client sees every one of these changes in the feed.
    feed = api.get("/api/v1/changes/", {"after": start, "limit": 200}).json()["results"]
    kinds = [(item["object_type"], item["action"]) for item in feed]
    for expected in [
        ("response_update", "created"),
        ("partner_status", "created"),  # Vietnam added
        ("partner_status", "updated"),
        ("partner_status_update", "created"),
        ("evidence", "created"),
        ("status_update", "created"),
        ("assessment", "created"),
    ]:
        assert expected in kinds, expected
    last = [item for item in feed if item["object_type"] == "recommendation"][-1]["data"]
    assert last["response"] == "accepted_in_part" and last["lead"] == "kenji" and last["agency"]["slug"] == "mofa"
    assert last["assessment"] == "limited" and last["assessment_disagrees"] is True
    statuses = {p["slug"]: p["status"] for p in last["partners"]}
    assert statuses["philippines"] == "implemented" and statuses["vietnam"] == "under_review"
    assert Partner.objects.get(slug="mofa").added_by_tracker
