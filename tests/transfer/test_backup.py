"""Backups: export_data writes everything but secrets, import_data restores it exactly into an empty database."""

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.models import ApiToken, ChangeEvent
from partners.choices import PartnerKind
from partners.models import Partner
from partners.services import partner_create
from recommendations.choices import Status
from recommendations.models import Evidence, Recommendation, RecommendationLink, Source, StatusUpdate, Theme
from recommendations.services import (
    evidence_add,
    milestone_create,
    recommendation_assess,
    recommendation_change_status,
    recommendation_create,
    recommendation_partner_record_status,
    recommendation_record_response,
    recommendation_update,
)
from transfer.backup import backup_export, backup_import, backup_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(recommendation, policy_user, manager_user, partner, source, theme):
    """A little of everything: a framework with members, status changes, a link, a token."""
    partner_create(
        actor=policy_user,
        data={"name": "Quad", "name_ja": "日米豪印（クアッド）", "slug": "quad", "kind": PartnerKind.FRAMEWORK},
        members=[partner],
    )
    recommendation_update(
        recommendation=recommendation,
        actor=policy_user,
        data={"title_ja": "海洋協力を強化する", "description_ja": "説明"},
    )
    recommendation_record_response(
        recommendation=recommendation, actor=policy_user, response="noted", note="Taken note of in the Diet."
    )
    recommendation_assess(
        recommendation=recommendation,
        actor=manager_user,
        rating="limited",
        rationale="A working group only.",
    )
    milestone_create(
        actor=policy_user,
        recommendation=recommendation,
        data={
            "title_ja": "作業部会の設置",
            "title_en": "Set up a working group",
            "due_date": datetime.date(2027, 1, 1),
        },
    )
    recommendation.refresh_from_db()
    recommendation_change_status(
        recommendation=recommendation,
        actor=policy_user,
        status=Status.IN_PROGRESS,
        note="日本語のメモ",
        evidence_url="https://example.org/e",
    )
    recommendation_partner_record_status(
        link=recommendation.partner_links.get(),
        actor=policy_user,
        status=Status.IN_PROGRESS,
        note="オーストラリアとの作業",
    )
    recommendation.refresh_from_db()
    evidence_add(
        recommendation=recommendation,
        actor=policy_user,
        title_ja="議事録",
        upload=SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
        attach_to=recommendation.partner_status_updates.get(),
        publishable=True,
    )
    other = recommendation_create(
        actor=policy_user,
        source=source,
        reference="TST-02",
        title_en="Second",
        description_en="d",
        partners=[(partner, "lead")],
    )
    RecommendationLink.objects.create(
        from_recommendation=other, to_recommendation=recommendation, link_type="supersedes"
    )
    ApiToken.objects.create(user=policy_user, name="tool", prefix="abcd1234", key_hash="f" * 64, can_write=True)
    return recommendation


PDF = b"%PDF-1.7\n%%EOF\n"


def export() -> dict:
    stream = io.StringIO()
    backup_export(stream=stream)
    return json.loads(stream.getvalue())


def wipe() -> None:
    """Empty the content tables, as a fresh database would be."""
    for model in [ChangeEvent, RecommendationLink, StatusUpdate, Recommendation, ApiToken, Source, Theme]:
        model.objects.all().delete()
    Partner.members.through.objects.all().delete()
    Partner.objects.all().delete()
    get_user_model().objects.all().delete()


def test_round_trip_loses_nothing(content):
    first = export()
    wipe()
    stats = backup_import(data=first)
    second = export()
    assert stats.counts["recommendations"] == 2
    for section in [
        "groups",
        "users",
        "themes",
        "partners",
        "sources",
        "recommendations",
        "status_updates",
        "response_updates",
        "partner_status_updates",
        "milestones",
        "assessments",
        "evidence",
        "links",
        "change_events",
    ]:
        assert second[section] == first[section], section
    assert {item["title_ja"] for item in first["evidence"]} >= {"議事録"}
    assert first["partner_status_updates"][0]["note"] == "オーストラリアとの作業"
    link = Recommendation.objects.get(reference="TST-01").partner_links.get()
    assert (str(link.uuid), link.status, link.version) == (
        first["recommendations"][0]["partners"][0]["uuid"],
        Status.IN_PROGRESS,
        2,
    )
    assert first["response_updates"] and first["response_updates"][0]["to_response"] == "noted"
    assert first["milestones"][0]["title_ja"] == "作業部会の設置"
    assert first["assessments"][0]["rating"] == "limited"
    restored = Recommendation.objects.get(reference="TST-01")
    assert (restored.status, restored.version) == (Status.IN_PROGRESS, 6)
    assert (restored.title_ja, restored.title_en) == ("海洋協力を強化する", "Strengthen maritime cooperation")
    assert restored.status_updates.latest().note == "日本語のメモ"
    assert restored.status_updates.latest().author.username == "policy"
    assert set(Partner.objects.get(slug="quad").members.values_list("slug", flat=True)) == {"australia"}
    assert list(get_user_model().objects.get(username="policy").groups.values_list("name", flat=True)) == [
        "Policy team"
    ]


def test_evidence_files_round_trip_through_a_folder(content, tmp_path, settings):
    from django.core.management import call_command

    backup, folder = tmp_path / "backup.json", tmp_path / "files"
    out = io.StringIO()
    call_command("export_data", str(backup), "--files", str(folder), stdout=out)
    assert "1 evidence files copied" in out.getvalue()
    wipe()
    for stored in (settings.MEDIA_ROOT / "evidence").rglob("*.pdf"):
        stored.unlink()
    call_command("import_data", str(backup), "--files", str(folder), stdout=io.StringIO())
    evidence = Evidence.objects.get(title_ja="議事録")
    assert evidence.file.read() == PDF and evidence.partner_status_update.note == "オーストラリアとの作業"


def test_a_backup_without_files_says_how_to_back_them_up(content, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_data", str(tmp_path / "backup.json"), stdout=out)
    assert "Evidence files are not in this file" in out.getvalue()


def test_backup_holds_no_passwords_or_tokens(content):
    text = json.dumps(export())
    assert "pbkdf2" not in text and "password" not in text
    assert "abcd1234" not in text and "f" * 64 not in text


def test_restored_users_cannot_log_in_until_reset(content):
    data = export()
    wipe()
    backup_import(data=data)
    assert not get_user_model().objects.get(username="policy").has_usable_password()


def test_the_feed_continues_after_the_restored_sequence(content, policy_user):
    data = export()
    last = max(item["seq"] for item in data["change_events"])
    wipe()
    backup_import(data=data)
    recommendation = Recommendation.objects.get(reference="TST-02")
    recommendation_change_status(recommendation=recommendation, actor=None, status=Status.STALLED)
    assert ChangeEvent.objects.order_by("-seq").first().seq > last


def test_restore_refuses_a_database_with_content(content):
    data = export()
    with pytest.raises(ValidationError, match="not empty"):
        backup_import(data=data)


def test_restore_is_all_or_nothing(content):
    data = export()
    data["status_updates"][-1]["recommendation"] = "00000000-0000-0000-0000-000000000000"
    wipe()
    with pytest.raises(KeyError):
        backup_import(data=data)
    assert not Recommendation.objects.exists() and not get_user_model().objects.exists()


def test_foreign_files_are_refused():
    with pytest.raises(ValidationError, match="Not a tracker backup"):
        backup_read(io.StringIO('{"format": "something else"}'))
    with pytest.raises(ValidationError, match="Not a JSON document"):
        backup_read(io.StringIO("{"))
    with pytest.raises(ValidationError, match="version 99"):
        backup_read(io.StringIO('{"format": "policy-tracker-backup", "version": 99}'))


def test_commands_round_trip(content, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_data", str(path), stdout=io.StringIO())
    assert not (tmp_path / "backup.json.partial").exists()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_data", str(path), stdout=io.StringIO())
    wipe()
    out = io.StringIO()
    call_command("import_data", str(path), stdout=out)
    assert "recommendations: 2" in out.getvalue()
    assert Recommendation.objects.count() == 2


def test_date_times_keep_their_microseconds(content):
    from recommendations.models import Theme as ThemeModel

    ThemeModel.objects.update(created_at=datetime.datetime(2026, 11, 30, 1, 14, 8, 456, tzinfo=datetime.UTC))
    first = export()
    wipe()
    backup_import(data=first)
    assert export()["themes"] == first["themes"]
    assert first["themes"][0]["created_at"] == "2026-11-30T01:14:08.000456Z"
