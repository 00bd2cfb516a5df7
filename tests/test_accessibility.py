"""Accessibility in the browser: axe-core (vendored in ``tests/vendor/axe-core``) finds no WCAG 2.2 AA violation on
any page, in Japanese or English; the responsive list and the dropdowns behave as a person expects.

Uses the live server, Chromium and the skip rules of ``tests/test_browser.py`` (``BROWSER_TESTS=required`` in CI).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from recommendations.models import Recommendation, SavedView
from tests import test_browser
from tests.factories import PASSWORD, UserFactory

pytestmark = test_browser.pytestmark
site = test_browser.site
browser = test_browser.browser
expect = test_browser.expect

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = test_browser.DESKTOP
TABLET = {"width": 900, "height": 1100}
PHONE = test_browser.PHONE


def signed_in(browser, url: str, username: str, language: str, viewport=DESKTOP, *, javascript: bool = True):
    """A page signed in as ``username`` with the interface in ``language`` (the switch's cookie)."""
    context = browser.new_context(
        viewport=viewport,
        java_script_enabled=javascript,
        locale="ja-JP" if language == "ja" else "en-US",
        bypass_csp=True,  # only to inject axe: the pages' own scripts are files under the strict policy
    )
    host = re.sub(r"^https?://", "", url).split(":")[0]
    context.add_cookies([{"name": "tracker_language", "value": language, "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/recommendations/$"))
    return page


#: axe's options: WCAG 2.2 AA rules; only violations come back in full (faster than listing every node that passes).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
#: Check the whole page as it is.
CHECK_PAGE = "options => axe.run(document, options)"
#: Open every folded panel and check those (null: none was folded); the rest of the page is as the first check saw it.
CHECK_PANELS = """options => {
    const folded = [...document.querySelectorAll('details:not(.dropdown)')].filter(d => !d.open);
    folded.forEach(d => { d.open = true; });
    return folded.length ? axe.run({include: folded.map(d => [d])}, options) : null;
}"""
#: Open the i-th dropdown menu alone and check it (its button and panel, colours against what they overlay).
CHECK_MENU = """([i, options]) => {
    const menus = document.querySelectorAll('details.dropdown');
    menus.forEach((d, j) => { d.open = i === j; });
    return axe.run(menus[i], options);
}"""
#: The panels' state as the page came, kept and put back before each menu is opened (no reload needed).
KEEP_STATE = "window.axeDetailsAtStart = [...document.querySelectorAll('details')].map(d => d.open)"
RESTORE_STATE = "document.querySelectorAll('details').forEach((d, i) => { d.open = window.axeDetailsAtStart[i]; })"


def axe_violations(page) -> list[str]:
    """What axe-core reports on the page as it is, then in every folded panel opened, then in each dropdown menu
    opened in turn (menus overlay the page: opened together they would cover each other). The later checks cover what
    they open: the page around it is as the first check saw it (checking the whole page again each time made this
    the slowest test of the suite)."""
    found: list[str] = []
    menus = page.locator("details.dropdown").count()
    page.add_script_tag(path=str(AXE))
    page.evaluate(KEEP_STATE)
    results = [page.evaluate(CHECK_PAGE, AXE_OPTIONS), page.evaluate(CHECK_PANELS, AXE_OPTIONS)]
    for i in range(menus):
        page.evaluate(RESTORE_STATE)
        results.append(page.evaluate(CHECK_MENU, [i, AXE_OPTIONS]))
    for result in filter(None, results):
        for violation in result["violations"]:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return sorted(set(found))


def pages_to_check(site: str) -> dict[str, str]:
    """Every kind of page a person reads, by a short name."""
    rec = Recommendation.objects.order_by("reference").first()
    view = SavedView.objects.first()
    pages = {
        "list": "/recommendations/",
        "list-filtered": "/recommendations/?status=proposed&partner=australia",
        "mine": "/recommendations/mine/",
        "detail": f"/recommendations/{rec.uuid}/",
        "report": "/reports/progress/",
        "partner-grid": "/reports/partners/",
        "partners": "/partners/",
        "partner": "/partners/australia/",
        "sources": "/sources/",
        "source": "/sources/tokuchi-2023-nss-commentary/",
        "notifications": "/notifications/",
        "notification-settings": "/notifications/settings/",
        "saved-views": "/saved-views/",
        "password": "/accounts/password/",
        "admin-index": "/admin/",
        "admin-changelist": "/admin/recommendations/recommendation/",
        "admin-change": f"/admin/recommendations/recommendation/{rec.pk}/change/",
        "admin-import": "/admin/recommendations/recommendation/import/",
        "compare": "/reports/compare/",
        "report-as-of": f"/reports/progress/?as_of={timezone.localdate()}",
        "side-by-side": "/reports/partners/side-by-side/",
        "duplicates": "/recommendations/duplicates/",
        "admin-propose": "/admin/recommendations/recommendation/propose/",
    }
    if view is not None:
        pages["saved-view"] = f"/saved-views/{view.uuid}/"
    return {name: f"{site}{path}" for name, path in pages.items()}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_axe_finds_no_violation_on_any_page(browser, site, language):
    UserFactory(username="aiko", first_name="Aiko", last_name="Sato", policy=True, admin=True)
    page = signed_in(browser, site, "aiko", language)
    # a saved view of one's own, so that its edit page is checked too
    page.goto(f"{site}/recommendations/?status=proposed")
    page.click(".saved-views summary")
    page.fill(".saved-views input[name=name]", "Proposed")
    page.click(".saved-views button[type=submit]")
    problems: dict[str, list[str]] = {}
    for name, url in pages_to_check(site).items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url, response and response.status)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if violations := axe_violations(page):
            problems[name] = violations
    page.context.close()

    # the sign-in page, signed out
    context = browser.new_context(locale="ja-JP" if language == "ja" else "en-US", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site}/accounts/login/")
    if violations := axe_violations(page):
        problems["sign-in"] = violations
    context.close()
    assert not problems, "\n".join(f"{name}: {v}" for name, vs in problems.items() for v in vs)


def test_the_check_sees_what_only_an_open_panel_or_menu_shows(browser, site):
    page = signed_in(browser, site, "kenji", "en")
    assert axe_violations(page) == []
    # An image without a text alternative, in a folded panel and in the last dropdown menu: hidden until opened.
    page.evaluate(
        """() => {
            const panel = document.createElement('details');
            panel.innerHTML = '<summary>More</summary><img src="/static/none.png" id="in-panel">';
            document.querySelector('main').append(panel);
            const menus = document.querySelectorAll('details.dropdown');
            const item = document.createElement('img');
            item.src = '/static/none.png';
            item.id = 'in-menu';
            menus[menus.length - 1].querySelector(':scope > :not(summary)').append(item);
        }"""
    )
    found = axe_violations(page)
    assert any("image-alt" in v and "#in-panel" in v for v in found), found
    assert any("image-alt" in v and "#in-menu" in v for v in found), found
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_axe_finds_no_violation_on_a_phone(browser, site, language):
    page = signed_in(browser, site, "kenji", language, viewport=PHONE)
    rec = Recommendation.objects.order_by("reference").first()
    problems: dict[str, list[str]] = {}
    for name, path in {
        "list": "/recommendations/",
        "detail": f"/recommendations/{rec.uuid}/",
        "report": "/reports/progress/",
        "compare": "/reports/compare/",
    }.items():
        page.goto(f"{site}{path}")
        if violations := axe_violations(page):
            problems[name] = violations
    page.context.close()
    assert not problems, "\n".join(f"{name}: {v}" for name, vs in problems.items() for v in vs)


def test_filters_fold_on_a_tablet_and_rows_become_cards_on_a_phone(browser, site):
    # one user per language: signing in keeps the first language a user is seen in
    for language, user in (("en", "kenji"), ("ja", "mariko")):
        # wide: the panel is shown, its button is not
        page = signed_in(browser, site, user, language, viewport={"width": 1280, "height": 900})
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator(".filter-panel")).to_be_visible()
        expect(page.locator(".filters-toggle")).to_be_hidden()
        screenshot(page, f"a11y-list-1280-{language}")
        page.context.close()

        # a tablet: the results start on the first screen; the filters fold behind "Filters (n)", n active
        page = signed_in(browser, site, user, language, viewport=TABLET)
        page.goto(f"{site}/recommendations/?status=proposed&partner=australia")
        toggle = page.locator(".filters-toggle")
        expect(toggle).to_be_visible()
        expect(toggle).to_contain_text("2")
        expect(page.locator(".filter-panel")).to_be_hidden()
        assert page.locator("#results-title").bounding_box()["y"] < TABLET["height"] / 2
        screenshot(page, f"a11y-list-900-{language}")
        toggle.click()
        expect(page.locator(".filter-panel")).to_be_visible()
        page.context.close()

        # without JavaScript the fold works too (a <details>)
        page = signed_in(browser, site, user, language, viewport=TABLET, javascript=False)
        expect(page.locator(".filter-panel")).to_be_hidden()
        page.locator(".filters-toggle").click()
        expect(page.locator(".filter-panel")).to_be_visible()
        page.context.close()

        # a phone: each row is a card that shows its status and target date on screen
        page = signed_in(browser, site, user, language, viewport=PHONE)
        first = page.locator("table.cards tbody tr").first
        for cell in (first.locator("td.title a"), first.locator(".badge"), first.locator("td").nth(4)):
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"a11y-list-390-{language}")
        page.goto(f"{site}/reports/progress/")
        font = page.locator(".chart-history text").first.evaluate("e => e.getBoundingClientRect().height")
        assert font >= 9, font  # month labels stay legible
        screenshot(page, f"a11y-report-390-{language}")
        page.context.close()


def test_dropdowns_close_on_escape_and_outside_clicks_and_print_needs_javascript(browser, site):
    page = signed_in(browser, site, "kenji", "en")
    menu = page.locator("details.saved-views")
    summary = menu.locator("summary")
    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.closest('details.saved-views') !== null")
    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(menu).not_to_have_attribute("open", "")
    # the keyboard focus is seen: a ring of at least 3 px on a checkbox
    page.locator("input[name=status]").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px", outline
    page.goto(f"{site}/reports/progress/")
    expect(page.locator("[data-print]")).to_be_visible()
    page.context.close()

    page = signed_in(browser, site, "kenji", "en", javascript=False)
    page.goto(f"{site}/reports/progress/")
    expect(page.locator("[data-print]")).to_be_hidden()
    page.context.close()


def screenshot(page, name: str) -> None:
    """A first screen for a person to look at (``screenshots/`` is git-ignored)."""
    folder = Path(settings.BASE_DIR) / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))
