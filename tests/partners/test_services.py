"""Partner services: members, versions, and deletion only when unused."""

import pytest
from django.core.exceptions import ValidationError

from core.changes import VersionConflict
from core.choices import ChangeAction
from core.models import ChangeEvent
from partners.choices import PartnerKind
from partners.services import partner_create, partner_delete, partner_update
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_create_framework_with_members_records_them(policy_user):
    us, india = PartnerFactory(slug="us", name="United States"), PartnerFactory(slug="india", name="India")
    quad = partner_create(
        actor=policy_user, data={"name": "Quad", "slug": "quad", "kind": PartnerKind.FRAMEWORK}, members=[us, india]
    )
    assert set(quad.members.values_list("slug", flat=True)) == {"us", "india"}
    event = ChangeEvent.objects.get(object_type="partner", action=ChangeAction.CREATED)
    assert {m["slug"] for m in event.data["members"]} == {"us", "india"}


def test_update_bumps_version_and_diffs(policy_user):
    partner = PartnerFactory(slug="vietnam", name="Viet Nam")
    updated = partner_update(partner=partner, actor=policy_user, data={"name": "Vietnam"}, expected_version=1)
    assert updated.version == 2
    event = ChangeEvent.objects.get(object_type="partner", action=ChangeAction.UPDATED)
    assert event.changes == {}  # no earlier feed item for a factory-made partner to compare with
    partner_update(partner=updated, actor=policy_user, data={"short_name": "VN"}, expected_version=2)
    latest = ChangeEvent.objects.filter(object_type="partner").order_by("-seq").first()
    assert latest.changes == {"short_name_en": ["", "VN"]}


def test_stale_version_is_refused(policy_user):
    partner = PartnerFactory()
    with pytest.raises(VersionConflict):
        partner_update(partner=partner, actor=policy_user, data={"name": "X"}, expected_version=3)


def test_member_of_itself_is_refused(policy_user):
    partner = PartnerFactory(kind=PartnerKind.FRAMEWORK)
    with pytest.raises(ValidationError):
        partner_update(partner=partner, actor=policy_user, data={}, members=[partner])


def test_duplicate_slug_is_a_validation_error(policy_user):
    PartnerFactory(slug="india", name="India")
    with pytest.raises(ValidationError) as raised:
        partner_create(actor=policy_user, data={"name": "India 2", "slug": "india", "kind": PartnerKind.COUNTRY})
    assert "slug" in raised.value.message_dict


def test_partner_in_use_cannot_be_deleted(recommendation, partner, policy_user):
    with pytest.raises(ValidationError):
        partner_delete(partner=partner, actor=policy_user)


def test_unused_partner_deletion_is_in_the_feed(policy_user):
    partner = PartnerFactory(slug="canada", name="Canada")
    uuid = partner.uuid
    partner_delete(partner=partner, actor=policy_user, expected_version=1)
    event = ChangeEvent.objects.get(action=ChangeAction.DELETED)
    assert (event.object_type, event.object_id, event.data["slug"]) == ("partner", uuid, "canada")
