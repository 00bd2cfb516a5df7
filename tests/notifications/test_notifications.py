"""Watches and notifications: the fan-out of the change feed, e-mails in the reader's language, digests, the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from core.services import user_set_language
from notifications.models import EmailChoice, FeedCursor, Notification, NotificationSettings, Watch
from notifications.services import notification_settings_update, watch_create
from notifications.tasks import fan_out, send_digests
from recommendations.choices import Status
from recommendations.services import recommendation_change_status, recommendation_update
from tests.factories import (
    NotificationFactory,
    PartnerFactory,
    RecommendationFactory,
    SavedViewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def run_jobs() -> None:
    """The fan-out, then whatever it queued (the e-mails), as a worker would."""
    fan_out.call()
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)


@pytest.fixture
def rec():
    return RecommendationFactory(reference="TOK-01", partners=[PartnerFactory(slug="india")])


def test_a_watcher_is_notified_and_emailed_in_their_language_and_the_actor_is_not(rec):
    actor = UserFactory(policy=True)
    english = UserFactory(manager=True, email="en@example.org")
    japanese = UserFactory(manager=True, email="ja@example.org")
    user_set_language(user=japanese, language="ja")
    for user in (actor, english, japanese):
        watch_create(user=user, target=rec)
    FeedCursor.objects.update_or_create(pk=1, defaults={"seq": 0})
    recommendation_change_status(recommendation=rec, actor=actor, status="in_progress", note="Started.")
    run_jobs()
    assert not Notification.objects.filter(user=actor).exists()
    note = Notification.objects.get(user=english, kind="status")
    assert note.kind == "status" and note.recommendation == rec
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"en@example.org", "ja@example.org"}  # one e-mail each, for both notifications
    assert "TOK-01" in by_address["en@example.org"].body and "In progress" in by_address["en@example.org"].body
    japanese_mail = by_address["ja@example.org"]
    with translation.override("ja"):
        in_progress_ja = str(Status.IN_PROGRESS.label)
    assert in_progress_ja != "In progress"
    assert in_progress_ja in japanese_mail.body and "In progress" not in japanese_mail.body
    assert "TOK-01" in japanese_mail.body
    assert japanese_mail.alternatives and "text/html" in japanese_mail.alternatives[0][1]
    assert f"/recommendations/{rec.uuid}/" in japanese_mail.body


def test_the_fan_out_never_notifies_twice(rec):
    actor, watcher = UserFactory(policy=True), UserFactory(manager=True)
    watch_create(user=watcher, target=rec)
    recommendation_update(recommendation=rec, actor=actor, data={"priority": "high"})
    run_jobs()
    run_jobs()
    assert Notification.objects.filter(user=watcher).count() == 1
    assert len(mail.outbox) == 1


def test_partner_source_and_saved_view_watches(rec):
    actor = UserFactory(policy=True)
    by_partner, by_source, by_view, unrelated = (UserFactory(manager=True) for _ in range(4))
    watch_create(user=by_partner, target=rec.partner_links.get().partner)
    watch_create(user=by_source, target=rec.source)
    view = SavedViewFactory(owner=by_view, query="status=implemented")
    watch_create(user=by_view, target=view)
    watch_create(user=unrelated, target=SourceFactory())
    recommendation_change_status(recommendation=rec, actor=actor, status="implemented", note="Done.")
    run_jobs()
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assert notified == {by_partner.pk, by_source.pk, by_view.pk}


def test_a_saved_view_watch_ignores_recommendations_it_does_not_show(rec):
    actor, watcher = UserFactory(policy=True), UserFactory(manager=True)
    watch_create(user=watcher, target=SavedViewFactory(owner=watcher, query="status=stalled"))
    recommendation_update(recommendation=rec, actor=actor, data={"priority": "high"})
    run_jobs()
    assert not Notification.objects.exists()


def test_digest_groups_several_changes_in_one_email_only_after_the_hour(rec, settings, monkeypatch):
    settings.NOTIFICATIONS_DIGEST_HOUR = 8
    actor, watcher = UserFactory(policy=True), UserFactory(manager=True, email="d@example.org")
    notification_settings_update(user=watcher, email=EmailChoice.DAILY)
    watch_create(user=watcher, target=rec)
    recommendation_update(recommendation=rec, actor=actor, data={"priority": "high"})
    recommendation_update(recommendation=rec, actor=actor, data={"priority": "low"})
    recommendation_change_status(recommendation=rec, actor=actor, status="in_progress", note="Go.")
    run_jobs()
    assert Notification.objects.filter(user=watcher).count() == 3
    assert mail.outbox == []  # no immediate e-mail
    today = timezone.localdate()
    early = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=7)
    late = early + timedelta(hours=2)
    Notification.objects.update(created_at=early - timedelta(hours=1))
    monkeypatch.setattr(timezone, "now", lambda: early)
    send_digests.call()
    assert mail.outbox == []  # before the hour
    monkeypatch.setattr(timezone, "now", lambda: late)
    send_digests.call()
    send_digests.call()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "changed priority of TOK-01" in body and "In progress" in body
    assert "digest" in mail.outbox[0].subject


def test_mark_one_and_all_as_read_and_the_header_count(rec):
    user = UserFactory(manager=True)
    first, second, third = (NotificationFactory(user=user, recommendation=rec) for _ in range(3))
    client = Client()
    client.force_login(user)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "TOK-01" in page.content.decode()
    assert page.context["unread_notifications"] == 3
    assert "(3 unread)" in client.get("/recommendations/").content.decode()
    response = client.post("/notifications/read/", {"notification": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post("/notifications/read/", {}).status_code == 400
    other = NotificationFactory(user=UserFactory(), recommendation=rec)
    assert client.post("/notifications/read/", {"notification": other.pk}).status_code == 404
    client.post("/notifications/read/", {"all": "1"})
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert "unread)" not in client.get("/recommendations/").content.decode().split("</header>")[0]


def test_watch_and_stop_watching_buttons(rec):
    user = UserFactory(manager=True)
    client = Client()
    client.force_login(user)
    detail = f"/recommendations/{rec.uuid}/"
    assert "Watch" in client.get(detail).content.decode()
    form = {"target_type": "recommendation", "target": str(rec.uuid), "action": "watch", "next": detail}
    assert client.post("/notifications/watch/", form)["Location"] == detail
    assert Watch.objects.filter(user=user, recommendation=rec).exists()
    assert "Stop watching" in client.get(detail).content.decode()
    client.post("/notifications/watch/", {**form, "action": "unwatch"})
    assert not Watch.objects.exists()
    for slug_kind, target in (("partner", "india"), ("source", rec.source.slug)):
        form = {"target_type": slug_kind, "target": target, "action": "watch"}
        assert client.post("/notifications/watch/", form).status_code == 302
    assert Watch.objects.filter(user=user).count() == 2
    assert (
        client.post(
            "/notifications/watch/", {"target_type": "partner", "target": "nope", "action": "watch"}
        ).status_code
        == 404
    )
    assert client.post("/notifications/watch/", {"target_type": "bad"}).status_code == 400


def test_no_role_cannot_watch(rec):
    client = Client()
    client.force_login(UserFactory())
    form = {"target_type": "recommendation", "target": str(rec.uuid), "action": "watch"}
    assert client.post("/notifications/watch/", form).status_code == 403
    assert not Watch.objects.exists()


def test_settings_form():
    user = UserFactory(manager=True)
    client = Client()
    client.force_login(user)
    assert client.get("/notifications/settings/").status_code == 200
    assert client.post("/notifications/settings/", {"email": "weekly"}).status_code == 400
    assert client.post("/notifications/settings/", {"email": "off"}).status_code == 302
    assert NotificationSettings.objects.get(user=user).email == "off"


@pytest.mark.parametrize("n", [3, 40])
def test_the_notifications_page_runs_a_constant_number_of_queries(rec, django_assert_max_num_queries, n):
    user = UserFactory(manager=True)
    for _ in range(n):
        NotificationFactory(user=user, recommendation=RecommendationFactory())
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(7):
        assert client.get("/notifications/").status_code == 200


def test_the_settings_page_says_where_e_mails_go_or_that_they_cannot(client):
    from tests.factories import UserFactory

    with_address = UserFactory(email="watcher@example.go.jp")
    client.force_login(with_address)
    assert "watcher@example.go.jp" in client.get("/notifications/settings/").content.decode()
    without = UserFactory(email="")
    client.force_login(without)
    assert "no e-mail address" in client.get("/notifications/settings/").content.decode()
