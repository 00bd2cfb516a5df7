"""Authorisation matrix: every URL pattern the resolver knows (pages, admin, API) × every role × reading and writing.

Each pattern must be classified in ROUTES, so a new URL fails ``test_every_url_pattern_is_classified`` until someone
decides who may use it. Requests that a role may make are sent without a usable body or precondition (an empty form,
no If-Match), so nothing is ever written: the database is compared before and after every single request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from core.models import ApiToken, PeriodicRun, SignInThrottle
from core.services import api_token_create
from partners.models import Partner
from recommendations.models import Assessment, Milestone, PartnerStatusUpdate, ResponseUpdate, SavedView
from recommendations.services import evidence_add
from tests.core.jobs_under_test import noop
from tests.factories import (
    ChangeEventFactory,
    PartnerFactory,
    RecommendationFactory,
    SourceFactory,
    StatusUpdateFactory,
    ThemeFactory,
    UserFactory,
)
from transfer.models import ImportRun
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_role",
    "not_staff",
    "manager",
    "assessor",
    "policy",
    "read_token",
    "write_token",
    "superuser",
]
WRITE_METHODS = ["post", "put", "patch", "delete"]


def walk(patterns: list, prefix: str = "") -> Iterator[str]:
    """Every URL pattern under ``patterns`` as its full route text."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


# --- Who holds which permission -------------------------------------------------------------------------------------
# Restated from the design (migration 0002_create_roles and the admin classes) rather than read from the code, so a
# change to either shows up here.

CONTENT = ["partners.partner", "recommendations.recommendation", "recommendations.source", "recommendations.theme"]
#: Content the policy team may also delete (a planned step that is dropped).
PLANS = ["recommendations.milestone"]
TIMELINES = ["recommendations.statusupdate", "recommendations.responseupdate"]
#: Progress per partner: the partner links (read and changed through their statuses) and their timeline.
PARTNER_PROGRESS = ["recommendations.recommendationpartner", "recommendations.partnerstatusupdate"]
EVIDENCE = "recommendations.evidence"
MANAGER_PERMS = {
    model: {"view"}
    for model in [
        *CONTENT,
        *PLANS,
        *TIMELINES,
        *PARTNER_PROGRESS,
        EVIDENCE,
        "recommendations.assessment",
        "core.changeevent",
    ]
}
POLICY_PERMS = {
    **{model: {"view", "add", "change"} for model in CONTENT},
    "recommendations.statusupdate": {"view", "add"},
    "recommendations.responseupdate": {"view", "add"},
    "recommendations.recommendationpartner": {"view", "add", "change", "delete"},
    "recommendations.partnerstatusupdate": {"view", "add"},
    EVIDENCE: {"view", "add", "change"},
    "recommendations.milestone": {"view", "add", "change", "delete"},
    "recommendations.assessment": {"view"},
    "core.changeevent": {"view"},
}
#: Assessors read what managers read and record assessments, nothing else.
ASSESSOR_PERMS = {
    **{model: {"view"} for model in [*CONTENT, *PLANS, *TIMELINES, *PARTNER_PROGRESS, "core.changeevent"]},
    "recommendations.assessment": {"view", "add"},
    EVIDENCE: {"view", "add", "change"},
}
ALL = {"view", "add", "change", "delete"}
#: What the admin allows beyond the permissions: the timeline and the feed are read-only, tokens are revoked not
#: deleted and only superusers see them, django-axes' records are not added by hand.
ADMIN_LIMITS = {
    "recommendations.statusupdate": {"view"},
    "recommendations.partnerstatusupdate": {"view"},
    EVIDENCE: {"view"},
    "core.changeevent": {"view"},
    "core.apitoken": {"view", "change", "add"},
    "core.signinthrottle": {"view", "delete"},
    "core.periodicrun": {"view"},
    "django_tasks_database.dbtaskresult": {"view"},
    "webhooks.webhookdelivery": {"view"},
    "axes.accessattempt": {"view", "change", "delete"},
    "axes.accesslog": {"view", "change", "delete"},
    "axes.accessfailurelog": {"view", "change", "delete"},
}


def perms(role: str, model: str) -> set[str]:
    """The model permissions of a role (tokens act as their user, the policy team member)."""
    if role == "superuser":
        return set(ALL)
    if role in {"policy", "write_token"}:
        return POLICY_PERMS.get(model, set())
    if role == "read_token":
        return POLICY_PERMS.get(model, set()) & {"view"}
    if role == "manager":
        return MANAGER_PERMS.get(model, set())
    if role == "assessor":
        return ASSESSOR_PERMS.get(model, set())
    return set()


def admin_perms(role: str, model: str) -> set[str]:
    """What a role may do with a model in the admin."""
    if role == "superuser":
        return ADMIN_LIMITS.get(model, ALL)
    if model in {
        "core.apitoken",
        "core.signinthrottle",
        "core.periodicrun",
        "django_tasks_database.dbtaskresult",
        "webhooks.webhookendpoint",
        "webhooks.webhookdelivery",
    }:
        return set()  # administrators only
    return perms(role, model) & ADMIN_LIMITS.get(model, ALL)


# --- The world and the clients --------------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> dict[str, Any]:
    """One object of every kind an URL can name, and the users of every role."""
    partner = PartnerFactory(slug="matrix-partner")
    theme = ThemeFactory(slug="matrix-theme")
    source = SourceFactory(slug="matrix-source")
    rec = RecommendationFactory(partners=[partner], themes=[theme], source=source)
    entry = StatusUpdateFactory(recommendation=rec, from_status="", to_status="proposed")
    response = ResponseUpdate.objects.create(recommendation=rec, from_response="no_response", to_response="noted")
    event = ChangeEventFactory(object_id=rec.uuid)
    users = {
        "no_role": UserFactory(username="matrix-no-role"),
        "not_staff": UserFactory(username="matrix-not-staff", is_staff=False),
        "manager": UserFactory(username="matrix-manager", manager=True),
        "assessor": UserFactory(username="matrix-assessor", assessor=True),
        "policy": UserFactory(username="matrix-policy", policy=True),
        "superuser": UserFactory(username="matrix-root", admin=True),
    }
    read_token, read_raw = api_token_create(user=users["policy"], name="read", can_write=False)
    _, write_raw = api_token_create(user=users["policy"], name="write", can_write=True)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    # Written directly, as factories do: the service would resolve the URL's host.
    endpoint = WebhookEndpoint.objects.create(name="Matrix receiver", url="https://hooks.example.com/in", secret="s")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, seq=event.seq, event="recommendation.created", requested_at=event.created_at, status_code=500
    )

    objects = {
        "partners.partner": partner,
        "recommendations.recommendation": rec,
        "recommendations.source": source,
        "recommendations.theme": theme,
        "recommendations.statusupdate": entry,
        "recommendations.responseupdate": response,
        "recommendations.milestone": Milestone.objects.create(recommendation=rec, title_en="A first step"),
        "recommendations.assessment": Assessment.objects.create(
            recommendation=rec,
            rating="limited",
            rationale="Checked.",
            assessed_on="2026-11-01",
            reported_status="proposed",
        ),
        "recommendations.recommendationpartner": rec.partner_links.get(),
        "recommendations.partnerstatusupdate": PartnerStatusUpdate.objects.create(
            recommendation=rec, partner=partner, from_status="", to_status="in_progress"
        ),
        EVIDENCE: evidence_add(
            recommendation=rec,
            actor=None,
            title_en="Minutes",
            upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf"),
        ),
        "core.changeevent": event,
        "core.apitoken": read_token,
        "core.signinthrottle": SignInThrottle.objects.create(scope="sign_in", username="x", failures=3),
        "core.periodicrun": PeriodicRun.objects.create(name="matrix-periodic"),
        "transfer.importrun": ImportRun.objects.create(
            user=users["policy"], filename="matrix.csv", content=b"reference\n", signature="0" * 64, language="en"
        ),
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.get(id=noop.enqueue().id),
        "webhooks.webhookendpoint": endpoint,
        "webhooks.webhookdelivery": delivery,
        # A personal view of the administrator's: others do not see it (404), its owner's empty POST is a form error.
        "recommendations.savedview": SavedView.objects.create(
            owner=users["superuser"], name="Matrix view", name_en="Matrix view", page="list", query="status=stalled"
        ),
        "auth.user": users["no_role"],
        "auth.group": Group.objects.get(name="Managers"),
        "axes.accessattempt": AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="10.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1"),
    }
    return {"objects": objects, "users": users, "tokens": {"read_token": read_raw, "write_token": write_raw}}


def client_for(role: str, world: dict[str, Any]) -> Client:
    """A client acting as ``role``: a session for users, an Authorization header for tokens."""
    client = APIClient()
    if role in world["tokens"]:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['tokens'][role]}")
    elif role != "anonymous":
        client.force_login(world["users"][role])
    return client


#: Models whose rows requests must not change (sessions, django-axes' logs and the admin's log do change).
IGNORED = {
    "sessions.session",
    "admin.logentry",
    "axes.accesslog",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "core.signinthrottle",
}


def snapshot() -> dict[str, Any]:
    """Everything a request could write: every row of every model (but logs and sessions), tokens' revocation."""
    state: dict[str, Any] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED:
            continue
        values = model.objects.order_by("pk").values()
        if label == "core.apitoken":
            values = values.values("pk", "user_id", "name", "can_write", "expires_at", "revoked_at")
        elif label == "auth.user":
            values = values.values("pk", "username", "password", "is_staff", "is_superuser", "is_active")
        state[label] = list(values)
    return state


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The models whose rows differ between two snapshots, by label."""
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# --- The routes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How to fill a URL pattern's parameters and who may use it for what."""

    url: Callable[[dict[str, Any]], str]
    #: "public", "account" (any signed-in user), "api_signed_in" (a token or a session of anyone), "docs" (a session
    #: of anyone: people read the API's documentation in a browser), "page" (signed in with a role that reads the
    #: model), "status" (the status form), "admin" (model admin), "admin_site" (any staff user), "api" (model
    #: permissions)
    access: str
    model: str = ""
    #: For admin routes: the admin view ("changelist", "add", "change", "delete", "history"); for the API: "list",
    #: "detail" or "view" (a read-only endpoint).
    action: str = ""


def obj(world: dict[str, Any], model: str) -> Any:
    return world["objects"][model]


def admin_app_index_pattern() -> str:
    """The admin's app index pattern, as Django builds it from the registered apps (in registration order)."""
    pattern = next(pattern for pattern in walk(get_resolver().url_patterns) if "(?P<app_label>" in pattern)
    apps_in_admin = set(pattern.split("(?P<app_label>")[1].split(")")[0].split("|"))
    assert apps_in_admin == {
        "auth",
        "axes",
        "core",
        "django_tasks_database",
        "partners",
        "recommendations",
        "webhooks",
    }, apps_in_admin
    return pattern


def _admin_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    models = {
        "auth/group": "auth.group",
        "auth/user": "auth.user",
        "axes/accessattempt": "axes.accessattempt",
        "axes/accesslog": "axes.accesslog",
        "axes/accessfailurelog": "axes.accessfailurelog",
        "partners/partner": "partners.partner",
        "core/apitoken": "core.apitoken",
        "core/signinthrottle": "core.signinthrottle",
        "core/changeevent": "core.changeevent",
        "core/periodicrun": "core.periodicrun",
        "django_tasks_database/dbtaskresult": "django_tasks_database.dbtaskresult",
        "recommendations/recommendation": "recommendations.recommendation",
        "recommendations/source": "recommendations.source",
        "recommendations/milestone": "recommendations.milestone",
        "recommendations/statusupdate": "recommendations.statusupdate",
        "recommendations/partnerstatusupdate": "recommendations.partnerstatusupdate",
        "recommendations/evidence": EVIDENCE,
        "recommendations/theme": "recommendations.theme",
        "webhooks/webhookendpoint": "webhooks.webhookendpoint",
        "webhooks/webhookdelivery": "webhooks.webhookdelivery",
        "recommendations/savedview": "recommendations.savedview",
    }
    for path, model in models.items():

        def pk(world: dict[str, Any], model: str = model) -> Any:
            return obj(world, model).pk

        base = f"admin/{path}/"
        routes[base] = Route(lambda w, b=base: f"/{b}", "admin", model, "changelist")
        routes[f"{base}add/"] = Route(lambda w, b=base: f"/{b}add/", "admin", model, "add")
        routes[f"{base}<path:object_id>/"] = Route(lambda w, b=base, k=pk: f"/{b}{k(w)}/", "admin", model, "redirect")
        for action in ("change", "delete", "history"):
            routes[f"{base}<path:object_id>/{action}/"] = Route(
                lambda w, b=base, k=pk, a=action: f"/{b}{k(w)}/{a}/", "admin", model, action
            )
    rec = "admin/recommendations/recommendation/"
    routes[f"{rec}export/<str:fmt>/"] = Route(lambda w: f"/{rec}export/csv/", "admin", "", "export")
    routes[f"{rec}import/"] = Route(lambda w: f"/{rec}import/", "admin", "recommendations.recommendation", "add")
    # The proposer: those who may import (it ends in the import's preview).
    routes[f"{rec}propose/"] = Route(lambda w: f"/{rec}propose/", "admin", "recommendations.recommendation", "add")
    routes[f"{rec}propose/review/"] = Route(
        lambda w: f"/{rec}propose/review/", "admin", "recommendations.recommendation", "add"
    )
    routes[f"{rec}import/confirm/"] = Route(
        lambda w: f"/{rec}import/confirm/", "admin", "recommendations.recommendation", "add"
    )
    routes[f"{rec}import/create-missing/"] = Route(
        lambda w: f"/{rec}import/create-missing/", "admin", "recommendations.recommendation", "add"
    )
    # An import run's page: those who may import (403 otherwise); the run's own user or a superuser (404 otherwise).
    routes[f"{rec}import/<uuid:run>/"] = Route(
        lambda w: f"/{rec}import/{obj(w, 'transfer.importrun').uuid}/", "admin", "recommendations.recommendation", "add"
    )
    routes["admin/auth/user/<id>/password/"] = Route(
        lambda w: f"/admin/auth/user/{obj(w, 'auth.user').pk}/password/", "admin", "auth.user", "change"
    )
    # Sending a delivery again: a confirmation page, and a POST that sends only with confirm=yes (an administrator's).
    routes["admin/webhooks/webhookdelivery/<path:object_id>/redeliver/"] = Route(
        lambda w: f"/admin/webhooks/webhookdelivery/{obj(w, 'webhooks.webhookdelivery').pk}/redeliver/",
        "admin",
        "webhooks.webhookdelivery",
        "view",
    )
    routes["admin/"] = Route(lambda w: "/admin/", "admin_site")
    # Old addresses of the change feed's and the tokens' admin: a redirect to the new ones, which decide.
    routes["^admin/recommendations/(?P<model>changeevent|apitoken)/(?P<rest>.*)$"] = Route(
        lambda w: "/admin/recommendations/changeevent/", "public", action="redirect"
    )
    routes[admin_app_index_pattern()] = Route(
        lambda w: "/admin/recommendations/", "admin", "recommendations.recommendation", "app_index"
    )
    routes["admin/login/"] = Route(lambda w: "/admin/login/", "public")
    routes["admin/logout/"] = Route(lambda w: "/admin/logout/", "admin_site", action="logout")
    routes["admin/password_change/"] = Route(lambda w: "/admin/password_change/", "admin_site")
    routes["admin/password_change/done/"] = Route(lambda w: "/admin/password_change/done/", "admin_site")
    routes["admin/jsi18n/"] = Route(lambda w: "/admin/jsi18n/", "admin_site")
    routes["admin/autocomplete/"] = Route(
        lambda w: "/admin/autocomplete/?app_label=recommendations&model_name=recommendation&field_name=source&term=a",
        "admin",
        "recommendations.source",
        "autocomplete",
    )
    routes["admin/r/<path:content_type_id>/<path:object_id>/"] = Route(
        lambda w: (
            f"/admin/r/{ContentType.objects.get_for_model(obj(w, 'partners.partner')).pk}/"
            f"{obj(w, 'partners.partner').pk}/"
        ),
        "admin_site",
        action="view_on_site",
    )
    routes["admin/(?P<url>.*)$"] = Route(lambda w: "/admin/no-such-page/", "admin_site", action="catch_all")
    return routes


def _api_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    resources = {
        "partners": "partners.partner",
        "recommendations": "recommendations.recommendation",
        "sources": "recommendations.source",
        "status-updates": "recommendations.statusupdate",
        "response-updates": "recommendations.responseupdate",
        "milestones": "recommendations.milestone",
        "assessments": "recommendations.assessment",
        "partner-statuses": "recommendations.recommendationpartner",
        "partner-status-updates": "recommendations.partnerstatusupdate",
        "evidence": EVIDENCE,
        "themes": "recommendations.theme",
    }
    for name, model in resources.items():
        uuid = "(?P<uuid>[0-9a-fA-F-]{32,36})"
        routes[f"api/v1/^{name}/$"] = Route(lambda w, n=name: f"/api/v1/{n}/", "api", model, "list")
        routes[f"api/v1/^{name}\\.(?P<format>[a-z0-9]+)/?$"] = Route(
            lambda w, n=name: f"/api/v1/{n}.json", "api", model, "list"
        )
        routes[f"api/v1/^{name}/{uuid}/$"] = Route(
            lambda w, n=name, m=model: f"/api/v1/{n}/{obj(w, m).uuid}/", "api", model, "detail"
        )
        routes[f"api/v1/^{name}/{uuid}\\.(?P<format>[a-z0-9]+)/?$"] = Route(
            lambda w, n=name, m=model: f"/api/v1/{n}/{obj(w, m).uuid}.json", "api", model, "detail"
        )
    for name in ("download", "verify"):  # the evidence's actions
        base = "api/v1/^evidence/(?P<uuid>[0-9a-fA-F-]{32,36})"
        routes[f"{base}/{name}/$"] = Route(
            lambda w, n=name: f"/api/v1/evidence/{obj(w, EVIDENCE).uuid}/{n}/", "api", EVIDENCE, name
        )
        routes[f"{base}/{name}\\.(?P<format>[a-z0-9]+)/?$"] = Route(
            lambda w, n=name: f"/api/v1/evidence/{obj(w, EVIDENCE).uuid}/{n}.json", "api", EVIDENCE, name
        )
    routes["api/v1/changes/"] = Route(lambda w: "/api/v1/changes/", "api", "core.changeevent", "view")
    routes["api/v1/reports/progress/"] = Route(
        lambda w: "/api/v1/reports/progress/", "api", "recommendations.recommendation", "view"
    )
    # The index, the OpenAPI contract and its viewer: for anyone signed in (a token or a session), as the API is.
    routes["api/v1/"] = Route(lambda w: "/api/v1/", "api_signed_in")
    routes["api/v1/me/"] = Route(lambda w: "/api/v1/me/", "api_signed_in")
    routes["api/v1/schema/"] = Route(lambda w: "/api/v1/schema/", "api_signed_in")
    routes["api/v1/docs/"] = Route(lambda w: "/api/v1/docs/", "docs")
    return routes


def _page_routes() -> dict[str, Route]:
    rec = "recommendations.recommendation"

    def rec_uuid(w: dict[str, Any]) -> Any:
        return obj(w, rec).uuid

    return {
        "healthz": Route(lambda w: "/healthz", "public"),
        "accounts/login/": Route(lambda w: "/accounts/login/", "public"),
        "accounts/logout/": Route(lambda w: "/accounts/logout/", "account", action="logout"),
        "accounts/password/": Route(lambda w: "/accounts/password/", "account"),
        "accounts/password/done/": Route(lambda w: "/accounts/password/done/", "account"),
        # Anyone may choose a language (before signing in too); it changes a cookie, and a signed-in user's choice.
        "accounts/language/": Route(lambda w: "/accounts/language/", "public"),
        "": Route(lambda w: "/", "public", action="redirect"),
        "recommendations/": Route(lambda w: "/recommendations/", "page", rec),
        "recommendations/export.csv": Route(lambda w: "/recommendations/export.csv", "page", rec),
        "recommendations/export.xlsx": Route(lambda w: "/recommendations/export.xlsx", "page", rec),
        # The editable export (the import's columns): for those who may import (add and change recommendations).
        "recommendations/export-editable.<str:fmt>": Route(
            lambda w: "/recommendations/export-editable.csv", "import", rec
        ),
        "recommendations/<uuid:uuid>/": Route(lambda w: f"/recommendations/{rec_uuid(w)}/", "page", rec),
        "recommendations/mine/": Route(lambda w: "/recommendations/mine/", "page", rec),
        "recommendations/duplicates/": Route(lambda w: "/recommendations/duplicates/", "page", rec),
        "recommendations/<uuid:uuid>/status/": Route(
            lambda w: f"/recommendations/{rec_uuid(w)}/status/", "status", rec
        ),
        "recommendations/<uuid:uuid>/assessment/": Route(
            lambda w: f"/recommendations/{rec_uuid(w)}/assessment/", "assessment", rec
        ),
        "recommendations/<uuid:uuid>/response/": Route(
            lambda w: f"/recommendations/{rec_uuid(w)}/response/", "response", rec
        ),
        "recommendations/<uuid:uuid>/evidence/": Route(
            lambda w: f"/recommendations/{rec_uuid(w)}/evidence/", "evidence_add", EVIDENCE
        ),
        "evidence/<uuid:uuid>/download/": Route(
            lambda w: f"/evidence/{obj(w, EVIDENCE).uuid}/download/", "page", EVIDENCE
        ),
        "evidence/<uuid:uuid>/verify/": Route(
            lambda w: f"/evidence/{obj(w, EVIDENCE).uuid}/verify/", "evidence_verify", EVIDENCE
        ),
        "recommendations/<uuid:uuid>/partner-status/": Route(
            lambda w: f"/recommendations/{rec_uuid(w)}/partner-status/", "partner_status", rec
        ),
        "reports/progress/": Route(lambda w: "/reports/progress/", "page", rec),
        "reports/partners/": Route(lambda w: "/reports/partners/", "page", rec),
        "reports/progress/export.csv": Route(lambda w: "/reports/progress/export.csv", "page", rec),
        "reports/partners/side-by-side/": Route(lambda w: "/reports/partners/side-by-side/", "page", rec),
        "reports/compare/": Route(lambda w: "/reports/compare/", "page", rec),
        "reports/compare/export.csv": Route(lambda w: "/reports/compare/export.csv", "page", rec),
        "reports/progress.pdf": Route(lambda w: "/reports/progress.pdf", "page", rec),
        "reports/compare.pdf": Route(lambda w: "/reports/compare.pdf", "page", rec),
        "sources/": Route(lambda w: "/sources/", "page", "recommendations.source"),
        "sources/<slug:slug>/": Route(
            lambda w: f"/sources/{obj(w, 'recommendations.source').slug}/", "page", "recommendations.source"
        ),
        "partners/": Route(lambda w: "/partners/", "page", "partners.partner"),
        # Saved views: for those who read recommendations; a view is changed by its owner or an administrator only
        # (others do not find it, or are refused), and an empty form changes nothing.
        "saved-views/": Route(lambda w: "/saved-views/", "page", rec),
        "saved-views/new/": Route(lambda w: "/saved-views/new/", "page", rec),
        "saved-views/<uuid:uuid>/": Route(
            lambda w: f"/saved-views/{obj(w, 'recommendations.savedview').uuid}/", "page", rec
        ),
        # Notifications are each user's own: any signed-in user has a list, settings, and may watch what they read
        # (the watch service checks the permission to read the target).
        "notifications/": Route(lambda w: "/notifications/", "account"),
        "notifications/read/": Route(lambda w: "/notifications/read/", "account"),
        "notifications/settings/": Route(lambda w: "/notifications/settings/", "account"),
        "notifications/watch/": Route(lambda w: "/notifications/watch/", "account"),
        "partners/<slug:slug>/": Route(
            lambda w: f"/partners/{obj(w, 'partners.partner').slug}/", "page", "partners.partner"
        ),
    }


ROUTES: dict[str, Route] = {**_admin_routes(), **_api_routes(), **_page_routes()}


def test_every_url_pattern_is_classified():
    """A new URL must be added to ROUTES (and so to this matrix) before the suite passes again."""
    patterns = set(walk(get_resolver().url_patterns))
    assert patterns - set(ROUTES) == set(), "URL patterns nobody decided the access to"
    assert set(ROUTES) - patterns == set(), "ROUTES lists patterns that no longer exist"


# --- Expectations ---------------------------------------------------------------------------------------------------

OK, DENIED, LOGIN, UNAUTHORISED, ANY = "ok", "denied", "login", "unauthorised", "any"


def expected(route: Route, role: str, method: str) -> str:
    """What ``role`` gets for ``method`` on ``route``: served (ok), 403, a redirect to sign in, or 401."""
    if route.action == "logout":
        return ANY  # signing out is harmless for everyone; where it then leads is no access decision
    reading = method == "get"
    session_user = role not in {"anonymous", "read_token", "write_token"}
    if route.access == "public":
        return OK
    if route.access == "api_signed_in":
        return UNAUTHORISED if role == "anonymous" else OK
    if route.access == "api":
        if role == "anonymous":
            return UNAUTHORISED
        needed = {"get": "view", "post": "add", "put": "change", "patch": "change", "delete": "delete"}[method]
        granted = perms(role, route.model)
        if role == "read_token" and not reading:
            return DENIED
        if needed not in granted:
            return DENIED
        if (
            route.model in TIMELINES
            and method == "post"
            and "change" not in perms(role, "recommendations.recommendation")
        ):
            return DENIED
        if route.action == "verify" and method == "post" and "change" not in granted:
            return DENIED
        if (
            route.model == "recommendations.recommendationpartner"
            and not reading
            and "add" not in perms(role, "recommendations.partnerstatusupdate")
        ):
            return DENIED
        if (
            route.model == "recommendations.responseupdate"
            and method == "post"
            and "add" not in perms(role, "recommendations.statusupdate")
        ):
            return DENIED
        return OK
    if not session_user:
        return LOGIN  # pages and the admin know sessions only: a token is as good as nothing
    if route.access in {"account", "docs"}:
        return OK
    if route.access == "page":
        return OK if "view" in perms(role, route.model) else DENIED
    if route.access == "status":
        can = "change" in perms(role, route.model) and "add" in perms(role, "recommendations.statusupdate")
        return OK if can else DENIED
    if route.access == "import":
        return OK if {"add", "change"} <= perms(role, route.model) else DENIED
    if route.access == "assessment":
        return OK if "add" in perms(role, "recommendations.assessment") else DENIED
    if route.access == "evidence_add":
        return OK if "add" in perms(role, EVIDENCE) else DENIED
    if route.access == "evidence_verify":
        return OK if "change" in perms(role, EVIDENCE) else DENIED
    if route.access == "partner_status":
        can = "change" in perms(role, "recommendations.recommendationpartner")
        return OK if can and "add" in perms(role, "recommendations.partnerstatusupdate") else DENIED
    if route.access == "response":
        can = "change" in perms(role, route.model) and "add" in perms(role, "recommendations.statusupdate")
        return OK if can and "add" in perms(role, "recommendations.responseupdate") else DENIED
    if role == "not_staff":
        return LOGIN  # the admin signs in staff only
    if route.access == "admin_site":
        return OK
    granted = admin_perms(role, route.model) if route.model else set()
    if route.action == "export":
        granted = admin_perms(role, "recommendations.recommendation")
        return OK if "view" in granted else DENIED
    if route.action == "redirect":
        return OK  # to the change page, which decides (and is checked on its own)
    if route.action in {"changelist", "history", "app_index", "autocomplete"}:
        # A changelist POST without an action the user may run changes nothing (the snapshot proves it).
        return OK if granted & {"view", "change"} else DENIED
    if route.action == "change":
        return OK if (reading and granted & {"view", "change"}) or "change" in granted else DENIED
    return OK if route.action in granted else DENIED


def methods_for(route: Route) -> list[str]:
    """The methods to try: every write method on API objects, GET and POST elsewhere."""
    if route.access == "api" and route.action == "detail":
        return ["get", *WRITE_METHODS]
    if route.action == "autocomplete":
        return ["get"]  # GET only (405 for everything else)
    if route.action == "logout":
        return ["post"]  # POST only; tried by each role on its own session
    return ["get", "post"]


def check(response, outcome: str, where: str) -> None:
    """The response is the expected outcome, and never a server error."""
    code = response.status_code
    assert code < 500, f"{where}: {code}"
    if outcome == UNAUTHORISED:
        assert code == 401, f"{where}: {code}, expected 401"
    elif outcome == DENIED:
        # An app's index is 404 to those who may see none of its models, as Django's admin does.
        assert code == 403 or (code == 404 and "app_index" in where), f"{where}: {code}, expected 403"
    elif outcome == LOGIN:
        assert code == 302, f"{where}: {code}, expected a redirect to sign in"
        assert "login/" in response["Location"], f"{where}: redirected to {response['Location']}"
    elif outcome == OK:
        assert code not in (401, 403), f"{where}: {code}, expected to be served"
        if code == 302:
            assert "login/" not in response["Location"], f"{where}: sent to sign in"


@pytest.mark.parametrize("pattern", sorted(ROUTES))
def test_matrix(world, pattern):
    route = ROUTES[pattern]
    url = route.url(world)
    before = snapshot()
    for role in ROLES:
        client = client_for(role, world)
        for method in methods_for(route):
            response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
            where = f"{role} {method.upper()} {url} ({route.action or route.access})"
            check(response, expected(route, role, method), where)
            if settings.SESSION_COOKIE_NAME in response.cookies:  # the session changed (signed out): a fresh one
                client = client_for(role, world)
    # Once for all roles: a snapshot reads every table, and one after each role made this the suite's slowest test.
    changed = changed_tables(before, snapshot())
    assert not changed, f"requests to {url} changed the database: {', '.join(changed)}"


def test_the_snapshot_sees_a_row_changed_in_place(world):
    before = snapshot()
    Partner.objects.filter(slug="matrix-partner").update(name="Renamed")
    assert changed_tables(before, snapshot()) == ["partners.partner"]


# --- Object access without a role -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "no_role", "not_staff", "read_token"])
def test_knowing_a_recommendations_uuid_is_not_enough_to_read_it(world, role):
    rec = obj(world, "recommendations.recommendation")
    client = client_for(role, world)
    page = client.get(f"/recommendations/{rec.uuid}/")
    assert page.status_code in (302, 403)
    assert rec.title not in page.content.decode()
    if role != "read_token":
        api = client.get(f"/api/v1/recommendations/{rec.uuid}/")
        assert api.status_code in (401, 403) and rec.title not in api.content.decode()
    for url in (
        "/recommendations/export.csv",
        "/recommendations/export-editable.csv",
        "/recommendations/",
        "/reports/progress/export.csv",
        "/reports/progress.pdf",
        "/reports/compare.pdf",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403) and rec.reference not in response.content.decode(), url


def test_tokens_of_other_users_are_invisible_even_to_the_policy_team(world):
    client = client_for("policy", world)
    assert client.get("/admin/core/apitoken/").status_code == 403
    token = ApiToken.objects.first()
    assert client.get(f"/admin/core/apitoken/{token.pk}/change/").status_code == 403
