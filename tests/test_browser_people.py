"""People in a real browser: a name search leads to a person page, and on to the meetings
and items they attended and handled; axe-core finds nothing on any of those pages.

Same setup as tests/test_browser.py (Debian's Chromium through Playwright, the live
server, its fixtures); skipped with a message when Chromium is missing.
"""

from __future__ import annotations

import json

import pytest

from meetings.models import Body

from .test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    DESKTOP,
    PHONE,
    archive,
    axe_script,
    axe_violations,
    browser,
    shoot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests",
    ),
]


def test_a_name_search_leads_to_the_person_and_their_meetings(browser, axe_script, archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    violations: dict[str, list[str]] = {}

    def check(kind: str) -> None:
        assert page.locator("main h1").count() == 1
        found = axe_violations(page, axe_script)
        if found:
            violations[kind] = found

    page.goto(f"{archive}/")
    page.get_by_label("Søg i arkivet").fill("Carl Holst")
    page.get_by_role("button", name="Søg", exact=True).click()
    people = page.locator("section.search-people")
    assert people.get_by_role("heading").inner_text() == "Personer"
    check("search with people")
    shoot(page, "search-people-desktop")

    people.get_by_role("link", name="Carl Holst").click()
    assert page.url.endswith("/personer/carl-holst/")
    assert page.locator("main h1").inner_text() == "Carl Holst"
    assert page.title() == "Carl Holst · Mødearkiv"
    body_row = page.locator("main table tbody tr").filter(has_text="Danske Regioners bestyrelse")
    assert body_row.locator("td").all_inner_texts() == ["1 møde", "0 møder", "0 punkter"]
    check("person")
    shoot(page, "person-desktop")
    person_url = page.url

    page.get_by_role("link", name="Danske Regioners bestyrelse, 26. maj 2011").click()
    assert page.locator("main h1").inner_text().startswith("Danske Regioners bestyrelse")
    page.locator(".facts").get_by_role("link", name="Knud Andersen").click()  # absent
    assert "Fraværende fra mødet" in page.locator("main").inner_text()
    page.go_back()
    page.locator(".facts").get_by_role("link", name="Carl Holst").click()
    assert page.url == person_url

    page.locator("nav.breadcrumbs").get_by_role("link", name="Personer").click()
    assert page.locator("main h1").inner_text() == "Personer"
    check("people")

    # A handler known by an address: found by it, and the item links back.
    page.get_by_label("Søg i arkivet").fill("mbk@regioner.dk")
    page.get_by_role("button", name="Søg", exact=True).click()
    page.locator("section.search-people").get_by_role("link", name="mbk@regioner.dk").click()
    assert page.locator("main h1").inner_text() == "mbk@regioner.dk"
    page.locator(".people-timeline h3 a").first.click()
    assert "/punkt/" in page.url
    page.locator(".facts").get_by_role("link", name="mbk@regioner.dk").click()
    assert page.url.endswith("/personer/mbk-regioner-dk/")

    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)
    page.close()


def test_people_and_closed_item_pages_fit_a_phone_and_pass_axe(browser, axe_script, archive):  # noqa: F811
    from meetings.models import AgendaItem

    Body.objects.filter(name="Sundhedsudvalget").update(
        contact="Sekretariatet\nDampfærgevej 22, 2100 København Ø\npost@regioner.dk"
    )
    closed = AgendaItem.objects.filter(
        access="confidential", is_current=True, meeting__body__name="Sundhedsudvalget"
    ).select_related("meeting")[0]
    page = browser.new_page(viewport=PHONE, locale="da-DK")
    for name, url in (
        ("people", "/personer/"),
        ("person", "/personer/ulla-riel/"),
        ("search-people", "/soeg/?q=Ulla"),
        ("closed-item", closed.get_absolute_url()),
        ("case", "/sager/11/872/"),
        ("body", "/organer/danske-regioners-bestyrelse/"),
    ):
        page.goto(f"{archive}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a {PHONE['width']}px phone"
        assert axe_violations(page, axe_script) == [], url
        shoot(page, f"{name}-phone")
    page.goto(f"{archive}{closed.get_absolute_url()}")
    box = page.locator("section.access-request")
    assert box.get_by_role("heading", level=2).inner_text() == "Sådan beder du om aktindsigt"
    assert "Dampfærgevej 22, 2100 København Ø" in box.locator("address").inner_text()
    assert box.get_by_role("link", name="post@regioner.dk").get_attribute("href") == (
        "mailto:post@regioner.dk"
    )
    page.close()
