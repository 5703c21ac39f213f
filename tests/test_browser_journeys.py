"""Whole journeys in a real browser: search to a case, export CSV, staff re-import in the admin.

Same setup as tests/test_browser.py (Debian's Chromium through Playwright,
pytest-django's live server, its `browser` fixture); skipped with a message
when Chromium is missing.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User

from meetings.models import ImportRun

from .conftest import SAMPLES, import_samples
from .test_browser import CHROMIUM, DESKTOP, browser  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests",
    ),
]

SST = "004_8d8a7837cce6a1ab.txt"


@pytest.fixture
def archive(transactional_db, live_server):
    import_samples()
    return live_server.url


def test_search_from_home_to_a_hit_to_its_case_and_export_csv(browser, archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{archive}/")

    page.get_by_label("Søg i arkivet").fill("formandens meddelelser")
    page.get_by_role("button", name="Søg", exact=True).click()
    assert page.locator("main h1").inner_text() == "Søgning efter “formandens meddelelser”"
    search_url = page.url
    hit = page.locator(".search-hit").filter(has_text="26. maj 2011").first
    hit.get_by_role("link", name="Formandens meddelelser").click()
    assert page.locator("main h1").inner_text().startswith("Punkt 1")

    page.locator(".facts").get_by_role("link", name="11/872").click()
    assert page.locator("main h1").inner_text() == "Sag 11/872"
    assert page.url.endswith("/sager/11/872/")

    page.goto(search_url)
    titles = page.locator(".search-hit .hit-title").all_inner_texts()
    with page.expect_download() as download:
        page.locator(".export").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "moedearkiv-soegning.csv"
    text = download.value.path().read_text(encoding="utf-8-sig")
    # As Danish Excel opens it: semicolons, absolute links, a column of case numbers.
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = ["titel", "dato", "organ", "art", "punkt", "sagsnumre", "beslutning", "url"]
    assert rows[0] == header
    assert [row[0] for row in rows[1:]][: len(titles)] == titles
    assert any(row[1] == "2011-05-26" and row[7].endswith("/punkt/1/") for row in rows[1:])
    assert all(row[7].startswith("http://") for row in rows[1:])
    assert any("11/872" in row[5].split(", ") for row in rows[1:])
    page.close()


def test_staff_log_in_and_reimport_a_document_through_the_upload(
    browser,  # noqa: F811
    live_server,
    transactional_db,
    settings,
):
    # The live server checks the password in its own thread: a fast hasher saves seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user("redaktoer", password="hemmeligt-kodeord-42", is_staff=True)
    for codename in ("add_sourcedocument", "view_importrun", "view_sourcedocument"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")

    page.goto(f"{live_server.url}/admin/meetings/importrun/upload/")
    assert "/admin/login/" in page.url
    page.locator("#id_username").fill("redaktoer")
    page.locator("#id_password").fill("hemmeligt-kodeord-42")
    page.locator("input[type=submit]").click()
    assert page.url.endswith("/admin/meetings/importrun/upload/")

    messages = []
    for _ in range(2):  # the first upload imports the document, the second re-imports it
        page.locator("#id_file").set_input_files(str(SAMPLES / SST))
        page.get_by_role("button", name="Importér").click()
        messages.append(page.locator(".messagelist").inner_text().strip())
        run = ImportRun.objects.order_by("-pk").first()
        assert page.url.endswith(f"/admin/meetings/importrun/{run.pk}/change/")
        assert SST in page.locator("#content").inner_text()
        page.goto(f"{live_server.url}/admin/meetings/importrun/upload/")

    assert messages == [
        f"Dokumentet {SST} er importeret (ny): 1 møde, 5 punkter.",
        f"Dokumentet {SST} er uændret: den version er allerede i arkivet.",
    ]
    assert [run.unchanged for run in ImportRun.objects.order_by("pk")] == [0, 1]
    page.close()


def test_switch_language_on_a_cached_search_and_back(browser, archive, settings):  # noqa: F811
    # Production serves cached pages: each language must still get its own.
    settings.PAGE_CACHE_SECONDS = 600
    page = browser.new_page(viewport=DESKTOP, locale="en-GB")  # the browser's wish is ignored
    page.goto(f"{archive}/soeg/?q=sundhedsv%C3%A6sen")
    assert page.locator("main h1").inner_text() == "Søgning efter “sundhedsvæsen”"

    page.locator("footer").get_by_role("link", name="English").click()
    assert page.url.endswith("/soeg/?q=sundhedsv%C3%A6sen")
    assert page.locator("main h1").inner_text() == "Search for “sundhedsvæsen”"
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator("footer").get_by_role("link", name="Dansk").click()
    assert page.locator("main h1").inner_text() == "Søgning efter “sundhedsvæsen”"
    page.reload()  # now from the page cache, still Danish
    assert page.locator("html").get_attribute("lang") == "da"
    page.close()
