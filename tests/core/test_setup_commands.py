"""What `make setup` runs is safe to run twice: migrations, the data bundle and the demo users."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.models import ChangeEvent
from core.roles import ASSESSORS, MANAGERS, POLICY_TEAM
from recommendations.models import Recommendation

BUNDLES = sorted(str(p) for p in (Path(__file__).resolve().parents[2] / "fixtures").glob("*.json"))


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_setup_twice_changes_nothing(settings):
    settings.DEBUG = True
    first = run("create_demo_users")
    run("load_bundle", *BUNDLES)
    state = (
        Recommendation.objects.count(),
        ChangeEvent.objects.count(),
        list(get_user_model().objects.order_by("username").values_list("username", "password")),
    )
    second = run("create_demo_users")
    run("load_bundle", *BUNDLES)
    assert state == (
        Recommendation.objects.count(),
        ChangeEvent.objects.count(),
        list(get_user_model().objects.order_by("username").values_list("username", "password")),
    )
    assert len(re.findall(r"^\w+ +password \S+ - ", first, re.MULTILINE)) == 4  # admin, policy, manager, assessor
    assert not re.findall(r"^\w+ +password \S+ - ", second, re.MULTILINE)


@pytest.mark.django_db
def test_demo_users_have_their_roles(settings):
    settings.DEBUG = True
    run("create_demo_users")
    users = {u.username: u for u in get_user_model().objects.all()}
    assert users["admin"].is_superuser
    assert list(users["policy"].groups.values_list("name", flat=True)) == [POLICY_TEAM]
    assert list(users["manager"].groups.values_list("name", flat=True)) == [MANAGERS]
    assert list(users["assessor"].groups.values_list("name", flat=True)) == [ASSESSORS]
    assert users["policy"].is_staff and not users["policy"].is_superuser
    # Each has an address, so that what they watch is e-mailed to the console in development.
    assert {user.email for user in users.values()} == {f"{name}@tracker.example" for name in users}


@pytest.mark.django_db
def test_demo_users_are_refused_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        run("create_demo_users")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_roles_exist_with_the_right_permissions():
    from django.contrib.auth.models import Group

    policy = set(Group.objects.get(name=POLICY_TEAM).permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name=MANAGERS).permissions.values_list("codename", flat=True))
    assert {"change_recommendation", "add_statusupdate", "change_partner"} <= policy
    assert not policy & {
        "delete_recommendation",
        "delete_partner",
        "delete_theme",
        "delete_source",
        "delete_statusupdate",
    }
    assert managers and all(codename.startswith("view_") for codename in managers)
