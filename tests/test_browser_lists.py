"""The lists in a real browser: the header's navigation to meetings and cases, their
filters, axe on each, a phone's width, and the address on a printed page."""

from __future__ import annotations

import pytest

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


def test_the_header_leads_to_the_meetings_and_cases_lists(browser, axe_script, archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{archive}/")
    nav = page.get_by_role("navigation", name="Arkivet")

    nav.get_by_role("link", name="Møder").click()
    assert page.locator("main h1").inner_text() == "Møder"
    assert page.locator("main h2").all_inner_texts() == ["2024", "2011", "Dato ukendt"]
    assert axe_violations(page, axe_script) == []
    shoot(page, "meetings-desktop")
    page.get_by_label("Organ").select_option(label="Danske Regioners bestyrelse")
    page.get_by_label("År").select_option("ukendt")
    page.get_by_role("button", name="Vis møder").click()
    assert "year=ukendt" in page.url
    assert page.locator(".meeting-row").count() == 1
    page.locator(".meeting-row a").click()
    assert page.locator("main h1").inner_text().startswith("Danske Regioners bestyrelse")

    page.get_by_role("navigation", name="Arkivet").get_by_role("link", name="Sager").click()
    assert page.locator("main h1").inner_text() == "Sager"
    assert axe_violations(page, axe_script) == []
    page.get_by_label("År").select_option("2011")
    page.get_by_role("button", name="Vis sager").click()
    page.locator(".cases").get_by_role("link", name="11/872").click()
    assert page.locator("main h1").inner_text() == "Sag 11/872"
    page.close()


def test_the_lists_fit_a_phone(browser, axe_script, archive):  # noqa: F811
    page = browser.new_page(viewport=PHONE, locale="da-DK")
    for name, url in (("meetings", "/moeder/"), ("cases", "/sager/")):
        page.goto(f"{archive}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a {PHONE['width']}px phone"
        assert axe_violations(page, axe_script) == [], url
        shoot(page, f"{name}-phone")
    page.close()


def test_a_printed_page_shows_its_address_and_no_navigation(browser, archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{archive}/moeder/")
    citation = page.locator(".citation")
    assert not citation.is_visible()
    page.emulate_media(media="print")
    assert citation.is_visible()
    assert citation.inner_text().startswith(f"Mødearkiv, {archive}/moeder/ (hentet ")
    assert not page.locator(".site-nav").is_visible()
    page.close()


def test_a_phone_search_shows_a_hit_above_the_fold_and_named_filters(browser, archive):  # noqa: F811
    page = browser.new_page(viewport=PHONE, locale="da-DK")
    page.goto(f"{archive}/soeg/?q=regioner&organ=danske-regioners-bestyrelse&aar=2011")
    shoot(page, "search-phone")
    # The first hit's title is read on the first screen, before any filter.
    box = page.locator(".search-hit .hit-title").first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    facets = page.locator(".search-facets").bounding_box()
    assert facets["y"] > box["y"]  # the filters follow the hits
    chips = page.locator(".facet-remove").all_inner_texts()
    assert any(chip.startswith("Organ: Danske Regioners bestyrelse") for chip in chips), chips
    assert any(chip.startswith("År: 2011") for chip in chips), chips
    page.close()


def test_a_case_number_search_shows_the_case_and_its_mentions(browser, archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{archive}/")
    page.get_by_label("Søg i arkivet").fill("sagsnr. 11/872")
    page.get_by_role("button", name="Søg", exact=True).click()
    assert "/soeg/" in page.url  # the search answers: no jump to the case page
    assert page.get_by_label("Søg i arkivet").input_value() == "sagsnr. 11/872"
    case_box = page.locator(".case-matches")
    hits = page.locator(".search-hit")
    assert case_box.bounding_box()["y"] < hits.first.bounding_box()["y"]
    assert hits.count() >= 3
    case_box.get_by_role("link", name="Sag 11/872: hele forløbet").click()
    assert page.locator("main h1").inner_text() == "Sag 11/872"
    page.close()


def test_a_correction_in_the_admin_is_seen_on_the_public_page(browser, archive):  # noqa: F811
    from django.contrib.auth.models import User

    from meetings.models import AgendaItem

    User.objects.create_superuser("redaktoer", "r@example.org", "hemmeligt-kodeord")
    item = AgendaItem.objects.filter(is_current=True, access="public").exclude(decision="").first()
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{archive}/admin/login/")
    page.get_by_label("Brugernavn").fill("redaktoer")
    page.get_by_label("Adgangskode").fill("hemmeligt-kodeord")
    page.get_by_role("button", name="Log ind").click()
    page.goto(f"{archive}/admin/meetings/agendaitem/{item.pk}/change/")
    page.get_by_label("Titel").fill("Rettet titel om havnebussen")
    page.get_by_label("Beslutning").fill("Godkendt med en rettelse.")
    page.get_by_role("button", name="Gem", exact=True).click()
    assert "blev ændret" in page.locator(".messagelist").inner_text()

    page.goto(f"{archive}{item.get_absolute_url()}")
    assert "Rettet titel om havnebussen" in page.locator("main h1").inner_text()
    assert "Godkendt med en rettelse." in page.locator("section.box.decision").inner_text()
    assert "Arkivets redaktion har rettet punktet" in page.locator("main").inner_text()
    page.close()
