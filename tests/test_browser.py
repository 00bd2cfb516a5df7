"""Browser tests: Playwright drives Debian's headless Chromium through the core flows, with JavaScript off.

A policy team member signs in, filters the list, opens a recommendation, records a status change and finds it on
the timeline and in the report; a manager sees no form. Screenshots of the list, a recommendation and the report at
desktop and tablet widths (and the report as printed) go to ``screenshots/`` (git-ignored) for a person to look at.

Skipped, with the reason, where the ``playwright`` package or ``/usr/bin/chromium`` is missing; ``.ci/run`` installs
Chromium and sets BROWSER_TESTS=required so that there a missing browser fails instead of skipping.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from recommendations.choices import Status
from recommendations.models import Recommendation
from tests.factories import PASSWORD, UserFactory

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
REQUIRED = os.environ.get("BROWSER_TESTS") == "required"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        sync_playwright is None and not REQUIRED,
        reason="browser tests skipped: the playwright package is not installed (pip install -r requirements-dev.txt)",
    ),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not REQUIRED,
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)",
    ),
    # live_server needs committed data; serialized_rollback restores the roles that a migration creates
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site(live_server):
    """The live server with the commentary's data, a policy team member and a manager."""
    call_command("load_bundle", *sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json")))
    UserFactory(username="kenji", first_name="Kenji", last_name="Tanaka", policy=True)
    UserFactory(username="mariko", first_name="Mariko", last_name="Ito", manager=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    return live_server.url


@pytest.fixture
def browser(site):
    """A headless Chromium, started after the test's data exists and stopped before the database is reset."""
    # Playwright's sync API runs an event loop in this thread. Django then refuses ORM calls here (the test's own
    # checks, plain synchronous ones, so they are allowed) and hands out separate connections, closed at the end.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def sign_in(browser, url: str, username: str, viewport=DESKTOP, *, javascript: bool = False):
    """A page signed in as ``username``, by default without JavaScript (every core flow must work without it)."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{url}/recommendations/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/recommendations/$"))
    return page


def shoot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot for a person to look at (the README's tour uses the first screen of three of them)."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_policy_team_records_a_status_change_and_sees_it_everywhere(browser, site):
    page = sign_in(browser, site, "kenji")
    expect(page.locator(".account")).to_contain_text("Kenji Tanaka")
    expect(page.locator(".role-pill")).to_have_text("Policy team")
    expect(page.locator("#results-title")).to_contain_text("32 recommendations")
    shoot(page, "list-desktop")
    shoot(page, "tour-list", full_page=False)

    # Filter: partner Australia, then status Proposed, through the panel's checkboxes
    page.click("summary:has-text('Partner')")
    page.check("input[name=partner][value=australia]")
    page.check("input[name=status][value=proposed]")
    page.click("button:has-text('Apply filters')")
    expect(page).to_have_url(re.compile(r"status=proposed&partner=australia$"))
    count = Recommendation.objects.filter(partner_links__partner__slug="australia").count()
    expect(page.locator("#results-title")).to_contain_text(f"{count} recommendations match these filters")
    expect(page.locator(".chip")).to_have_count(2)

    # Sort by title, then open the first one
    page.click("th a:has-text('Title')")
    expect(page).to_have_url(re.compile(r"ordering=title"))
    first = Recommendation.objects.filter(partner_links__partner__slug="australia").order_by("title").first()
    page.get_by_role("link", name=first.title, exact=True).click()
    expect(page.locator("h1")).to_have_text(first.title)
    expect(page.locator("blockquote.excerpt")).to_be_visible()
    shoot(page, "detail-desktop")
    shoot(page, "tour-detail", full_page=False)

    # Record a status change
    page.select_option("#id_status", Status.IN_PROGRESS)
    page.fill("#id_note", "Raised at the Japan–Australia 2+2; working groups set up.")
    page.fill("#id_evidence_url", "https://www.mofa.go.jp/press/")
    page.click("button:has-text('Record change')")
    expect(page.locator(".messages .success")).to_contain_text("Status changed to “In progress”")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Raised at the Japan–Australia 2+2; working groups set up.")
    expect(timeline).to_contain_text("Kenji Tanaka")
    expect(timeline.locator("a[rel='noopener noreferrer']")).to_have_attribute("href", "https://www.mofa.go.jp/press/")
    expect(page.locator(".rec-meta .badge")).to_have_text("In progress")
    first.refresh_from_db()
    assert (first.status, first.version) == (Status.IN_PROGRESS, 2)

    # The report shows it
    page.click("nav.main-nav a:has-text('Reports')")
    expect(page.locator("#recent-title")).to_be_visible()
    expect(page.locator("section[aria-labelledby=recent-title]")).to_contain_text(first.title)
    expect(page.locator("#dist-svg-desc")).to_contain_text("In progress: 1")
    shoot(page, "report-desktop")
    shoot(page, "tour-report", full_page=False)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".filter-bar")).to_be_hidden()
    shoot(page, "report-print")
    page.context.close()

    # Tablet width
    page = sign_in(browser, site, "kenji", viewport=TABLET)
    page.goto(f"{site}/recommendations/?partner=australia")
    shoot(page, "list-tablet")
    page.goto(f"{site}/recommendations/{first.uuid}/")
    shoot(page, "detail-tablet")
    page.goto(f"{site}/reports/progress/")
    shoot(page, "report-tablet")
    page.goto(f"{site}/partners/")
    shoot(page, "partners-tablet")
    page.context.close()


def test_a_manager_reads_but_sees_no_status_form(browser, site):
    page = sign_in(browser, site, "mariko")
    expect(page.locator(".role-pill")).to_have_text("Manager")
    page.click("tbody tr:first-child td.title a")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("form[action$='/status/']")).to_have_count(0)
    expect(page.locator(".readonly-note")).to_contain_text("Status changes are recorded by the policy team")
    page.goto(f"{site}/partners/")
    shoot(page, "partners-desktop")
    page.goto(f"{site}/partners/australia/")
    shoot(page, "partner-desktop")
    page.goto(f"{site}/sources/tokuchi-2023-nss-commentary/")
    shoot(page, "source-desktop")
    page.context.close()


def test_the_api_docs_render_under_the_content_security_policy(browser, site):
    page = sign_in(browser, site, "kenji", javascript=True)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{site}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Policy recommendation tracker API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    shoot(page, "api-docs")
    assert not [text for text in problems if "Content Security Policy" in text or "Refused" in text], problems
    page.context.close()


def test_a_japanese_user_switches_to_japanese_and_works_in_it(browser, site):
    page = sign_in(browser, site, "kenji")
    page.click(".language-switch button[value=ja]")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".role-pill")).to_have_text("政策チーム")
    expect(page.locator("#results-title")).to_contain_text("32")
    expect(page.locator("tbody")).to_contain_text("日米防衛協力のための指針")
    shoot(page, "list-desktop-ja")

    # Search in Japanese: a substring, no spaces between words
    page.goto(f"{site}/recommendations/?q=海上保安")
    coast_guards = Recommendation.objects.get(reference="TOK23-11")
    found = Recommendation.objects.filter(description_ja__contains="海上保安") | Recommendation.objects.filter(
        title_ja__contains="海上保安"
    )
    expect(page.locator("tbody tr")).to_have_count(found.count())
    page.get_by_role("link", name=coast_guards.title_ja, exact=True).click()
    expect(page.locator("h1")).to_have_text(coast_guards.title_ja)
    expect(page.locator("blockquote.excerpt")).to_have_attribute("lang", "en")
    expect(page.locator("#rec-excerpt")).to_contain_text("原文・英語")

    # Record a status change, in Japanese
    page.select_option("#id_status", Status.IN_PROGRESS)
    page.fill("#id_note", "日米の海上保安機関による協議を開始した。")
    page.click("button:has-text('変更を記録')")
    expect(page.locator(".messages .success")).to_contain_text("進捗状況を「実施中」に変更しました")
    expect(page.locator("#timeline")).to_contain_text("日米の海上保安機関による協議を開始した。")
    expect(page.locator("#timeline time").first).to_contain_text("年")
    shoot(page, "detail-desktop-ja")

    # The report and its print, in Japanese
    page.click("nav.main-nav a:has-text('レポート')")
    expect(page.locator("section[aria-labelledby=recent-title]")).to_contain_text(coast_guards.title_ja)
    shoot(page, "report-desktop-ja")
    page.emulate_media(media="print")
    shoot(page, "report-print-ja")
    page.context.close()

    # The choice is kept on the user: a new session, after signing in, is in Japanese; a phone shows it too
    page = sign_in_in_japanese(browser, site, "kenji", viewport=PHONE)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    shoot(page, "list-phone-ja")
    page.goto(f"{site}/recommendations/{coast_guards.uuid}/")
    shoot(page, "detail-phone-ja")
    page.goto(f"{site}/partners/")
    expect(page.locator("main")).to_contain_text("大韓民国")
    shoot(page, "partners-phone-ja")
    page.goto(f"{site}/admin/recommendations/recommendation/{coast_guards.pk}/change/")
    expect(page.locator("label[for=id_title_ja]")).to_contain_text("件名（日本語）")
    shoot(page, "admin-change-phone-ja")
    page.context.close()


def sign_in_in_japanese(browser, url: str, username: str, viewport=DESKTOP):
    """Sign in from a new browser: the sign-in page is in the browser's language until the user's choice applies."""
    context = browser.new_context(viewport=viewport, java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([name=language])")
    expect(page).to_have_url(re.compile(r"/recommendations/$"))
    return page
