"""The browse pages in a real browser: follow the links, check content, run axe-core.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against
pytest-django's live server; axe-core comes from the axe-playwright-python
wheel, never from the network. Without Chromium the tests skip and say how
to enable them. Screenshots of the main pages go to /tmp/screens/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from meetings.models import SourceDocument

from .conftest import import_samples

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENS = Path(os.environ.get("SCREENS", "/tmp/screens"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests",
    ),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop on this thread; the test's own
    # database calls stay synchronous, which Django must be told it may allow.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            yield browser
            browser.close()


@pytest.fixture(scope="module")
def axe_script() -> str:
    base = pytest.importorskip("axe_playwright_python.base")
    return Path(base.AXE_FILE_PATH).read_text(encoding="utf-8")


@pytest.fixture
def archive(transactional_db, live_server):
    import_samples()
    return live_server.url


def axe_violations(page, axe_script: str) -> list[str]:
    page.evaluate(axe_script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_follow_the_archive_from_home_to_a_case_and_back(browser, axe_script, archive):
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    violations: dict[str, list[str]] = {}

    def check(kind: str) -> None:
        assert page.locator("main h1").count() == 1
        found = axe_violations(page, axe_script)
        if found:
            violations[kind] = found

    page.goto(f"{archive}/")
    assert page.title() == "Forside · Mødearkiv"
    assert page.locator("html").get_attribute("lang") == "da"
    assert "Punkter" in page.locator(".figures").inner_text()
    check("home")
    shoot(page, "home-desktop")

    page.get_by_role("link", name="Danske Regioners bestyrelse, 26. maj 2011").click()
    assert page.locator("h1").inner_text().startswith("Danske Regioners bestyrelse")
    assert "Bent Hansen" in page.locator(".facts").inner_text()
    assert page.locator(".agenda-item").count() == 16
    check("meeting")
    shoot(page, "meeting-desktop")
    meeting_url = page.url

    page.get_by_role("link", name="Formandens meddelelser").click()
    assert "Punkt 1" in page.locator("h1").inner_text()
    decision = page.locator("section.box.decision")
    assert "Bestyrelsen tog meddelelserne til efterretning." in decision.inner_text()
    check("item")
    shoot(page, "item-desktop")
    item_url = page.url

    page.locator(".facts").get_by_role("link", name="11/872").click()
    assert page.locator("h1").inner_text() == "Sag 11/872"
    assert page.locator(".timeline > li").count() == 5
    check("case")

    page.go_back()
    assert page.url == item_url
    page.get_by_role("link", name="Referatet: 003_1ebfba288d399e41.txt, linje 1798").click()
    assert page.url.endswith("#linje-1798")
    assert "efterretning" in page.locator("#linje-1798").inner_text()
    check("document")

    page.goto(meeting_url)
    page.locator("nav.breadcrumbs").get_by_role("link", name="Danske Regioners bestyrelse").click()
    assert page.locator("main h2").all_inner_texts() == ["2011", "Dato ukendt"]
    check("body")

    page.locator("nav.breadcrumbs").get_by_role("link", name="Organer").click()
    check("bodies")

    page.goto(f"{archive}/beslutninger/")
    page.get_by_label("År").select_option("2011")
    page.get_by_role("button", name="Vis beslutninger").click()
    assert "year=2011" in page.url
    assert page.locator(".decisions > li").count() == 15
    check("decisions")

    confidential = SourceDocument.objects.get(file_name="001_0aba8dafb6435775.txt").meetings.get()
    page.goto(f"{archive}/moeder/{confidential.slug}/punkt/2/")
    assert page.locator("main").inner_text().count("Fortroligt punkt") == 1
    check("confidential item")

    response = page.goto(f"{archive}/moeder/findes-ikke/")
    assert response.status == 404
    assert "Mødet “findes-ikke” findes ikke i arkivet." in page.locator("main").inner_text()
    check("404")

    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)
    page.close()


def test_pages_fit_a_phone(browser, axe_script, archive):
    page = browser.new_page(viewport=PHONE, locale="da-DK")
    slug = "2011-05-26-danske-regioners-bestyrelse"
    for name, url in (
        ("home", "/"),
        ("meeting", f"/moeder/{slug}/"),
        ("item", f"/moeder/{slug}/punkt/5/"),
        ("decisions", "/beslutninger/"),
        ("person", "/personer/carl-holst/"),
    ):
        page.goto(f"{archive}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a {PHONE['width']}px phone"
        assert axe_violations(page, axe_script) == [], url
        shoot(page, f"{name}-phone")
    page.close()


def test_facet_counts_are_never_broken_over_lines(browser, archive):
    """A long body name beside its count: the count (40) once wrapped to "4" over "0"."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page.goto(f"{archive}/soeg/?q=regioner")
    counts = page.locator(".search-facets .count")
    assert counts.count() > 5
    # The lines a count's text is laid out on: one box per line.
    lines = counts.evaluate_all(
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return [e.textContent, r.getClientRects().length]; })"
    )
    assert any(len(text) > 1 for text, _ in lines)
    for text, boxes in lines:
        assert boxes == 1, f"count {text} is laid out on {boxes} lines"
    page.close()


def test_the_browser_takes_the_pages_icon_and_asks_for_no_other(browser, archive):
    """Without a linked icon Chromium asks for /favicon.ico on every site: a 404 page."""
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    answers: list[tuple[int, str]] = []
    page.on("response", lambda response: answers.append((response.status, response.url)))
    # The icon is fetched after the page has loaded: waited for, whichever it is.
    with page.expect_response(lambda response: "favicon" in response.url):
        page.goto(f"{archive}/")
    icons = [(status, url) for status, url in answers if "favicon" in url]
    assert icons and all(status == 200 for status, _ in icons), answers
    assert not any(url.endswith("/favicon.ico") for _, url in answers), answers
    page.close()
