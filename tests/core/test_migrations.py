"""Moving the change feed and API tokens into core keeps every row: a database at the migrations from before the move,
with data in it, migrates forward with nothing lost (the suite runs on SQLite and on PostgreSQL)."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

#: The last migrations from before the move.
BEFORE = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("partners", "0001_initial"),
    ("recommendations", "0003_indexes_for_reports"),
    ("core", None),
]


def migrate(targets):
    """Migrate the test database to ``targets`` and return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # leaves the roles as migrations made them
def test_a_database_from_before_the_move_migrates_forward_with_nothing_lost():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Group = old.get_model("auth", "Group")
    ContentType = old.get_model("contenttypes", "ContentType")
    LogEntry = old.get_model("admin", "LogEntry")
    Source = old.get_model("recommendations", "Source")
    Partner = old.get_model("partners", "Partner")
    Recommendation = old.get_model("recommendations", "Recommendation")
    OldChangeEvent = old.get_model("recommendations", "ChangeEvent")
    OldApiToken = old.get_model("recommendations", "ApiToken")

    user = User.objects.create(username="before", password="!")
    source = Source.objects.create(slug="s", title="A source", kind="report")
    partner = Partner.objects.create(slug="p", name="A partner", kind="country")
    rec = Recommendation.objects.create(source=source, reference="OLD-1", title="Kept", description="All of it.")
    rec.partners.through.objects.create(recommendation=rec, partner=partner, role="counterpart")
    events = [
        OldChangeEvent.objects.create(
            action="created",
            object_type=kind,
            object_id=uuid.uuid4(),
            object_repr=f"{kind} #{number}",
            data={"id": number, "title": "日本語も"},
            changes={"title": ["a", "b"]} if number else {},
            actor=user,
            actor_name="before",
            request_id=f"req-{number}",
        )
        for number, kind in enumerate(["recommendation", "partner", "theme", "source", "status_update"])
    ]
    token = OldApiToken.objects.create(
        user=user, name="tool", prefix="abc123", key_hash="f" * 64, can_write=True, created_at=timezone.now()
    )
    feed_type = ContentType.objects.get(app_label="recommendations", model="changeevent")
    entry = LogEntry.objects.create(
        user=user,
        content_type=feed_type,
        object_id=str(events[0].pk),
        object_repr="x",
        action_flag=2,
        change_message="",
    )
    managers_before = set(Group.objects.get(name="Managers").permissions.values_list("codename", flat=True))
    assert "view_changeevent" in managers_before

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.admin.models import LogEntry as NewLogEntry
    from django.contrib.auth.models import Group as NewGroup
    from django.contrib.contenttypes.models import ContentType as NewContentType

    from core.models import ApiToken, ChangeEvent
    from recommendations.models import Recommendation as NewRecommendation

    assert list(ChangeEvent.objects.order_by("seq").values_list("seq", "object_type", "object_repr", "data")) == [
        (event.seq, event.object_type, event.object_repr, event.data) for event in events
    ]
    assert ChangeEvent.objects.get(seq=events[1].seq).changes == {"title": ["a", "b"]}
    assert ChangeEvent.objects.get(seq=events[1].seq).actor.username == "before"
    moved = ApiToken.objects.get()
    assert (moved.pk, moved.prefix, moved.key_hash, moved.can_write) == (token.pk, "abc123", "f" * 64, True)
    kept = NewRecommendation.objects.get(reference="OLD-1")
    assert (kept.title, kept.version, list(kept.partners.values_list("slug", flat=True))) == ("Kept", 1, ["p"])
    # The content types moved, so the groups' permissions and the admin's log follow the models.
    assert NewContentType.objects.get_for_model(ChangeEvent).pk == feed_type.pk
    assert not NewContentType.objects.filter(app_label="recommendations", model__in=["changeevent", "apitoken"])
    managers = NewGroup.objects.get(name="Managers")
    assert managers.permissions.filter(content_type__app_label="core", codename="view_changeevent").exists()
    assert NewLogEntry.objects.get(pk=entry.pk).get_edited_object() == ChangeEvent.objects.get(seq=events[0].seq)
    # New rows continue the sequences.
    assert ChangeEvent.objects.create(action="created", object_type="theme", object_id=uuid.uuid4(), data={}).seq > max(
        event.seq for event in events
    )
