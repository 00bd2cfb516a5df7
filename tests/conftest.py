"""Shared fixtures: users for each role, clients logged in as them, and a small catalogue of partners and themes."""

import logging
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from recommendations.choices import Priority, Status
from recommendations.models import Recommendation
from recommendations.services import recommendation_change_status, recommendation_create
from tests.factories import PartnerFactory, RecommendationFactory, SourceFactory, ThemeFactory, UserFactory


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request in Japanese leaves Japanese active in its thread
    (LocaleMiddleware activates the request's language and leaves it), which must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings_language())
    yield
    translation.activate(settings_language())


def settings_language() -> str:
    from django.conf import settings

    return settings.LANGUAGE_CODE


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests hash many passwords; the production hasher's deliberate slowness only slows the suite down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence files go to a folder of the test's own, never the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def counted_reports(settings):
    """Reports count the rows, because factories write rows without the services that keep the report's tallies;
    the tallies are tested through the services (tests/recommendations/test_tallies.py, the ``kept_tallies``
    fixture)."""
    settings.REPORT_TALLIES = False


@pytest.fixture
def kept_tallies(settings):
    """Reports read the tallies the services keep, as in production."""
    settings.REPORT_TALLIES = True


@pytest.fixture
def policy_user(db):
    """A member of the policy team."""
    return UserFactory(username="policy", policy=True)


@pytest.fixture
def manager_user(db):
    """A manager: reads everything, changes nothing."""
    return UserFactory(username="manager", manager=True)


@pytest.fixture
def superuser(db):
    """An administrator."""
    return UserFactory(username="root", admin=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def policy_client(policy_user):
    """A browser session of a policy team member."""
    return _client_for(policy_user)


@pytest.fixture
def manager_client(manager_user):
    """A browser session of a manager."""
    return _client_for(manager_user)


@pytest.fixture
def superuser_client(superuser):
    """A browser session of an administrator."""
    return _client_for(superuser)


@pytest.fixture
def partner(db):
    """A country partner."""
    return PartnerFactory(name="Australia", slug="australia")


@pytest.fixture
def theme(db):
    """A theme."""
    return ThemeFactory(name="Maritime security", slug="maritime-security")


@pytest.fixture
def source(db):
    """A source document."""
    return SourceFactory(title="A commentary", slug="a-commentary")


@pytest.fixture
def recommendation(db, policy_user, partner, theme, source):
    """A proposed recommendation created through the service (so it has its first timeline entry and feed items)."""
    return recommendation_create(
        actor=policy_user,
        source=source,
        reference="TST-01",
        title_en="Strengthen maritime cooperation",
        description_en="Japan and Australia should strengthen maritime security cooperation.",
        source_excerpt="maritime security cooperation should be strengthened",
        section="Australia",
        partners=[(partner, "counterpart")],
        themes=[theme],
    )


@pytest.fixture
def implemented(policy_user, source, partner, theme):
    """A second recommendation, already implemented (a closed status: reopening it needs a note)."""
    rec = recommendation_create(
        actor=policy_user,
        source=source,
        reference="TST-02",
        title_en="Hold a yearly dialogue",
        description_en="Hold a yearly maritime dialogue.",
        partners=[(partner, "")],
        themes=[theme],
    )
    recommendation_change_status(recommendation=rec, actor=policy_user, status=Status.IMPLEMENTED)
    rec.refresh_from_db()
    return rec


@pytest.fixture
def catalogue():
    """Three recommendations that each filter tells apart (the filterset, the web list and its exports use them)."""
    india = PartnerFactory(slug="india", name="India")
    quad = PartnerFactory(slug="quad", name="Quad")
    cyber = ThemeFactory(slug="cyber", name="Cyber")
    maritime = ThemeFactory(slug="maritime", name="Maritime")
    report = SourceFactory(slug="report-b", title="Report B")
    today = timezone.localdate()
    a = RecommendationFactory(
        reference="A",
        title="Active cyber defence",
        partners=[india, quad],
        themes=[cyber],
        priority=Priority.HIGH,
        team="Cyber policy",
        target_date=today - timedelta(days=3),
    )
    b = RecommendationFactory(
        reference="B",
        title="Coast guards",
        partners=[quad],
        themes=[maritime],
        status=Status.IN_PROGRESS,
        target_date=today + timedelta(days=30),
        source=report,
    )
    c = RecommendationFactory(
        reference="C",
        title="Old and done",
        description="Underwater clearance of ordnance",
        themes=[maritime, cyber],
        status=Status.IMPLEMENTED,
        target_date=today - timedelta(days=300),
        priority=Priority.LOW,
    )
    Recommendation.objects.filter(pk=c.pk).update(updated_at=timezone.now() - timedelta(days=120))
    Recommendation.objects.filter(pk=a.pk).update(updated_at=timezone.now() - timedelta(days=45))
    return a, b, c


@pytest.fixture
def commentary(db):
    """The shipped commentary bundle (fixtures/), loaded as `make run` loads it."""
    from django.conf import settings

    from transfer.bundles import bundle_load, bundle_read

    bundle_load(data=bundle_read(settings.BASE_DIR / "fixtures" / "tokuchi-2023-nss-commentary.json"))


@pytest.fixture
def make_recommendations(db):
    """Make ``n`` recommendations (varied statuses, two partners, a theme, a first timeline entry) for size tests."""
    from recommendations.choices import Status
    from tests.factories import RecommendationFactory, StatusUpdateFactory

    def make(n: int) -> list:
        partners = [PartnerFactory(), PartnerFactory()]
        themes = [ThemeFactory()]
        statuses = [Status.PROPOSED, Status.IN_PROGRESS, Status.IMPLEMENTED, Status.STALLED]
        made = []
        for i in range(n):
            status = statuses[i % len(statuses)]
            recommendation = RecommendationFactory(status=status, partners=partners, themes=themes)
            StatusUpdateFactory(recommendation=recommendation, from_status="", to_status=Status.PROPOSED)
            if status != Status.PROPOSED:
                StatusUpdateFactory(recommendation=recommendation, from_status=Status.PROPOSED, to_status=status)
            made.append(recommendation)
        return made

    return make


# --- API ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    """An anonymous DRF test client (JSON by default)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def policy_api(policy_user, api_client):
    """A DRF client signed in as a policy team member (a session, so the HTML pages answer it too)."""
    api_client.force_login(policy_user)
    return api_client


@pytest.fixture
def token_client(db):
    """Make a DRF client authenticated by a new API token of ``user``: ``token_client(user, can_write=True)``."""
    from rest_framework.test import APIClient

    from core.services import api_token_create

    def make(user, *, can_write: bool = False, **kwargs):
        _, raw = api_token_create(user=user, name="test tool", can_write=can_write, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Property tests -------------------------------------------------------------------------------------------------
# CI and `make test` search the same examples every run (a seed fixed by the test's source); HYPOTHESIS_PROFILE=explore
# searches afresh and longer, for a developer hunting for a new failure.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, max_examples=60, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=1000, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# django-axes logs every sign-in, force_login included, at INFO: thousands of lines that bury a failure's report.
logging.getLogger("axes").setLevel(logging.WARNING)
