"""The write services: every status change has its timeline entry, versions guard against lost updates, and a
failed write leaves nothing behind."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from core import changes
from core.changes import AlreadyExists, VersionConflict
from core.choices import ChangeAction
from core.models import ChangeEvent
from recommendations.choices import Status
from recommendations.models import Recommendation, StatusUpdate
from recommendations.services import (
    recommendation_bulk_change_status,
    recommendation_change_status,
    recommendation_create,
    recommendation_delete,
    recommendation_update,
    theme_delete,
)
from tests.factories import PartnerFactory, RecommendationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def feed(**filters):
    return list(ChangeEvent.objects.filter(**filters).order_by("seq").values_list("object_type", "action"))


def test_create_records_first_timeline_entry_and_feed_items(recommendation, policy_user):
    entry = recommendation.status_updates.get()
    assert (entry.from_status, entry.to_status, entry.author) == ("", Status.PROPOSED, policy_user)
    assert recommendation.version == 1
    assert feed() == [
        ("recommendation", ChangeAction.CREATED),
        ("partner_status", ChangeAction.CREATED),
        ("status_update", ChangeAction.CREATED),
    ]
    created = ChangeEvent.objects.get(object_type="recommendation")
    assert created.object_id == recommendation.uuid
    assert created.data["reference"] == "TST-01"
    assert created.data["partners"][0]["slug"] == "australia"
    assert created.actor == policy_user and created.actor_name == "policy"


def test_create_with_an_existing_uuid_raises_and_writes_nothing(recommendation, policy_user, source):
    count = ChangeEvent.objects.count()
    with pytest.raises(AlreadyExists) as raised:
        recommendation_create(
            actor=policy_user,
            source=source,
            reference="TST-02",
            title_en="Again",
            description_en="d",
            uuid=recommendation.uuid,
        )
    assert raised.value.instance == recommendation
    assert Recommendation.objects.count() == 1
    assert ChangeEvent.objects.count() == count


def test_create_with_invalid_values_writes_nothing(policy_user, source):
    with pytest.raises(ValidationError) as raised:
        recommendation_create(actor=policy_user, source=source, reference="", title_en="x" * 300, description_en="d")
    assert {"reference", "title_en"} <= set(raised.value.message_dict)
    assert not Recommendation.objects.exists() and not ChangeEvent.objects.exists()


def test_change_status_records_entry_with_note_evidence_and_author(recommendation, policy_user):
    entry = recommendation_change_status(
        recommendation=recommendation,
        actor=policy_user,
        status=Status.IN_PROGRESS,
        note="Working group set up.",
        evidence_url="https://example.org/press-release",
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS
    assert recommendation.version == 2
    assert recommendation.status_changed_at == entry.created_at
    assert (entry.from_status, entry.to_status) == (Status.PROPOSED, Status.IN_PROGRESS)
    assert (entry.note, entry.evidence_url, entry.author) == (
        "Working group set up.",
        "https://example.org/press-release",
        policy_user,
    )
    update = ChangeEvent.objects.filter(object_type="recommendation", action=ChangeAction.UPDATED).get()
    assert update.changes["status"] == [Status.PROPOSED, Status.IN_PROGRESS]
    assert update.data["version"] == 2
    assert ChangeEvent.objects.filter(object_type="status_update", object_id=entry.uuid).count() == 1


def test_change_to_the_same_status_is_refused(recommendation, policy_user):
    with pytest.raises(ValidationError) as raised:
        recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.PROPOSED)
    assert "status" in raised.value.message_dict


def test_reopening_a_closed_recommendation_needs_a_note(recommendation, policy_user):
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IMPLEMENTED)
    with pytest.raises(ValidationError) as raised:
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, note="  "
        )
    assert "note" in raised.value.message_dict
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IMPLEMENTED
    recommendation_change_status(
        recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, note="Partner withdrew."
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS


def test_stale_version_is_refused_and_nothing_is_written(recommendation, policy_user):
    recommendation_update(
        recommendation=recommendation, actor=policy_user, data={"title": "New title"}, expected_version=1
    )
    events = ChangeEvent.objects.count()
    with pytest.raises(VersionConflict) as raised:
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.STALLED, expected_version=1
        )
    assert raised.value.current_version == 2
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.version, recommendation.title) == (Status.PROPOSED, 2, "New title")
    assert recommendation.status_updates.count() == 1
    assert ChangeEvent.objects.count() == events


def test_invalid_evidence_url_writes_nothing(recommendation, policy_user):
    with pytest.raises(ValidationError) as raised:
        recommendation_change_status(
            recommendation=recommendation,
            actor=policy_user,
            status=Status.IN_PROGRESS,
            evidence_url="javascript:alert(1)",
        )
    assert "evidence_url" in raised.value.message_dict
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.version) == (Status.PROPOSED, 1)
    assert StatusUpdate.objects.count() == 1


def test_failure_after_the_timeline_entry_rolls_everything_back(recommendation, policy_user):
    """Atomicity: if the change feed cannot be written, neither the entry nor the new status survive."""
    events = ChangeEvent.objects.count()
    with (
        mock.patch.object(changes.ChangeEvent.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.version) == (Status.PROPOSED, 1)
    assert StatusUpdate.objects.count() == 1
    assert ChangeEvent.objects.count() == events


def test_update_changes_fields_partners_and_themes_in_one_version(recommendation, policy_user):
    korea, theme = PartnerFactory(slug="south-korea", name="South Korea"), ThemeFactory(slug="cyber", name="Cyber")
    change = recommendation_update(
        recommendation=recommendation,
        actor=policy_user,
        data={"title": "Revised", "partners": [(korea, "lead")], "themes": [theme], "status": Status.UNDER_REVIEW},
        expected_version=1,
    )
    assert set(change.changed_fields) == {"title_en", "partners", "themes", "status"}
    recommendation.refresh_from_db()
    assert recommendation.version == 2
    assert list(recommendation.partner_links.values_list("partner__slug", "role")) == [("south-korea", "lead")]
    assert list(recommendation.themes.values_list("slug", flat=True)) == ["cyber"]
    assert change.status_update.to_status == Status.UNDER_REVIEW
    event = ChangeEvent.objects.filter(action=ChangeAction.UPDATED, object_type="recommendation").get()
    assert {"title_en", "partners", "themes", "status", "status_label"} <= set(event.changes)


def test_update_with_unchanged_values_changes_nothing(recommendation, policy_user, partner, theme):
    change = recommendation_update(
        recommendation=recommendation,
        actor=policy_user,
        data={"title": recommendation.title, "partners": [(partner, "counterpart")], "themes": [theme]},
    )
    assert not change.changed
    recommendation.refresh_from_db()
    assert recommendation.version == 1
    assert not ChangeEvent.objects.filter(action=ChangeAction.UPDATED).exists()


def test_update_rejects_a_partner_listed_twice(recommendation, policy_user, partner):
    with pytest.raises(ValidationError) as raised:
        recommendation_update(
            recommendation=recommendation, actor=policy_user, data={"partners": [(partner, "lead"), (partner, "")]}
        )
    assert "partners" in raised.value.message_dict


def test_note_without_status_change_is_refused(recommendation, policy_user):
    with pytest.raises(ValidationError):
        recommendation_update(recommendation=recommendation, actor=policy_user, data={"status_note": "Hello"})


def test_bulk_change_is_all_or_nothing(policy_user):
    a = RecommendationFactory(status=Status.PROPOSED)
    b = RecommendationFactory(status=Status.IMPLEMENTED)
    with pytest.raises(ValidationError) as raised:
        recommendation_bulk_change_status(recommendations=[a, b], actor=policy_user, status=Status.STALLED, note="")
    assert b.reference in " ".join(raised.value.messages)
    a.refresh_from_db()
    assert a.status == Status.PROPOSED and not StatusUpdate.objects.exists()


def test_bulk_change_skips_those_already_there(policy_user):
    a, b = RecommendationFactory(status=Status.PROPOSED), RecommendationFactory(status=Status.STALLED)
    result = recommendation_bulk_change_status(
        recommendations=[a, b], actor=policy_user, status=Status.STALLED, note="No budget."
    )
    assert [entry.recommendation_id for entry in result.changed] == [a.pk]
    assert result.skipped == [b]
    a.refresh_from_db()
    assert a.status == Status.STALLED and a.version == 2


def test_delete_records_the_deletions_in_the_feed(recommendation, policy_user):
    uuid, entry_uuid = recommendation.uuid, recommendation.status_updates.get().uuid
    link_uuid = recommendation.partner_links.get().uuid
    recommendation_delete(recommendation=recommendation, actor=policy_user, expected_version=1)
    assert not Recommendation.objects.exists() and not StatusUpdate.objects.exists()
    deleted = ChangeEvent.objects.filter(action=ChangeAction.DELETED).order_by("seq")
    assert [(e.object_type, e.object_id) for e in deleted] == [
        ("status_update", entry_uuid),
        ("partner_status", link_uuid),  # its partners go with it
        ("recommendation", uuid),
    ]
    assert deleted.last().data["reference"] == "TST-01"


def test_delete_with_stale_version_is_refused(recommendation, policy_user):
    with pytest.raises(VersionConflict):
        recommendation_delete(recommendation=recommendation, actor=policy_user, expected_version=7)
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_theme_in_use_cannot_be_deleted(recommendation, theme, policy_user):
    with pytest.raises(ValidationError):
        theme_delete(theme=theme, actor=policy_user)
    assert recommendation.themes.filter(pk=theme.pk).exists()


def test_feed_sequence_strictly_increases(recommendation, policy_user):
    for status in [Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.STALLED]:
        recommendation_change_status(recommendation=recommendation, actor=policy_user, status=status)
    seqs = list(ChangeEvent.objects.order_by("seq").values_list("seq", flat=True))
    # Created: the recommendation, its partner and its first entry; then each change: the recommendation and an entry.
    assert seqs == sorted(set(seqs)) and len(seqs) == 3 + 3 * 2


def test_change_status_with_entry_uuid_uses_it_and_a_retry_raises_already_exists(recommendation, policy_user):
    import uuid

    entry_uuid = uuid.uuid4()
    entry = recommendation_change_status(
        recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, entry_uuid=entry_uuid
    )
    assert entry.uuid == entry_uuid
    events = ChangeEvent.objects.count()
    # The retry would be an invalid transition (already in progress): the existing entry is reported first.
    with pytest.raises(AlreadyExists) as raised:
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, entry_uuid=entry_uuid
        )
    assert raised.value.instance == entry
    recommendation.refresh_from_db()
    assert recommendation.version == 2 and recommendation.status_updates.count() == 2
    assert ChangeEvent.objects.count() == events


def test_api_token_create_stores_only_a_hash(policy_user):
    from core.services import api_token_create, api_token_hash

    token, raw = api_token_create(user=policy_user, name="tool", can_write=True)
    prefix, _, secret = raw.partition(".")
    assert token.prefix == prefix and len(secret) >= 40
    assert token.key_hash == api_token_hash(raw) and raw not in token.key_hash
    assert token.can_write and token.is_active


def test_a_stale_version_is_a_conflict_even_when_someone_made_the_same_move(recommendation, policy_user):
    from core.changes import VersionConflict

    opened_at = recommendation.version
    recommendation_change_status(recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS)
    with pytest.raises(VersionConflict) as conflict:
        recommendation_change_status(
            recommendation=recommendation, actor=policy_user, status=Status.IN_PROGRESS, expected_version=opened_at
        )
    assert conflict.value.current_version == opened_at + 1
