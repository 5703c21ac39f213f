"""Danish by default, English through Django's i18n: a complete catalogue, and pages that use it."""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import REPO

ENGLISH_PO = REPO / "locale" / "en" / "LC_MESSAGES" / "django.po"


def load_checker():
    """bin/check-translations as a module: the test reads the .po with the script's parser."""
    loader = SourceFileLoader("check_translations", str(REPO / "bin" / "check-translations"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up while being made
    loader.exec_module(module)
    return module


checker = load_checker()


# ---------------------------------------------------------------- catalogue


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    entries = checker.read_po(ENGLISH_PO)

    assert len(entries) > 200
    assert checker.problems(entries) == []
    header = next(entry for entry in entries if entry.is_header)
    assert not header.is_fuzzy
    assert "Language: en\n" in header.msgstr[0]


def test_plural_entries_have_both_english_forms():
    plurals = {e.msgid: e.msgstr for e in checker.read_po(ENGLISH_PO) if e.msgid_plural}

    assert plurals["%(counter)s punkt"] == ["%(counter)s item", "%(counter)s items"]
    assert all(len(forms) == 2 and all(forms) for forms in plurals.values())


def test_the_compiled_catalogue_matches_the_po():
    assert checker.stale_mo(ENGLISH_PO) == []


def test_the_catalogue_covers_the_strings_in_the_sources_today():
    """makemessages on a copy of the sources: a string added since is reported."""
    assert checker.main([]) == 0


def test_the_parser_reports_untranslated_and_fuzzy_entries(tmp_path: Path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n"Language: en\\n"\n\n'
        "#: templates/a.html:1\n"
        'msgid "Søg"\nmsgstr "Search"\n\n'
        "#: templates/a.html:2\n"
        'msgid ""\n"Sæt \\"anførselstegn\\" "\n"om en frase"\nmsgstr ""\n\n'
        "#: templates/a.html:3\n#, fuzzy, python-format\n"
        'msgid "Side %(n)s"\nmsgstr "Page %(n)s"\n\n'
        "#: templates/a.html:4\n"
        'msgid "%(c)s møde"\nmsgid_plural "%(c)s møder"\n'
        'msgstr[0] "%(c)s meeting"\nmsgstr[1] ""\n\n'
        'msgctxt "måned"\nmsgid "maj"\nmsgstr "May"\n\n'
        '#~ msgid "Gammel"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    entries = checker.read_po(po)

    assert [e.msgid for e in entries] == [
        "",
        "Søg",
        'Sæt "anførselstegn" om en frase',
        "Side %(n)s",
        "%(c)s møde",
        "maj",
    ]
    assert entries[-1].msgctxt == "måned"
    assert checker.problems(entries) == [
        "untranslated: 'Sæt \"anførselstegn\" om en frase' (templates/a.html:2)",
        "fuzzy:        'Side %(n)s' (templates/a.html:3)",
        "untranslated: '%(c)s møde' (templates/a.html:4)",
    ]


# -------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_pages_are_danish_by_default(client):
    page = client.get("/").content.decode()

    assert '<html lang="da">' in page
    assert "<title>Forside · Mødearkiv</title>" in page
    assert '<label for="header-q">Søg i arkivet</label>' in page
    assert "Arkivet i tal" in page


@pytest.mark.django_db
def test_an_english_browser_still_gets_danish_until_the_reader_chooses(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="da">' in page and "Arkivet i tal" in page


@pytest.mark.django_db
def test_a_reader_who_chose_english_gets_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()

    assert '<html lang="en">' in page
    assert "<title>Home · Mødearkiv</title>" in page
    assert '<label for="header-q">Search the archive</label>' in page
    assert "The archive in figures" in page
    assert "Skip to content" in page and "Spring til indhold" not in page
    assert '<strong aria-current="true" lang="en">English</strong>' in page
    assert 'href="/sprog/da/?next=/" lang="da" hreflang="da" rel="nofollow">Dansk</a>' in page


@pytest.mark.django_db
def test_the_footer_switch_sets_english_and_back(client):
    response = client.get("/sprog/en/", {"next": "/soeg/"})

    assert response.status_code == 302 and response.url == "/soeg/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 365 * 24 * 60 * 60
    # The choice outlives the browser's own preference.
    page = client.get("/soeg/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "<title>Search · Mødearkiv</title>" in page
    assert "<h1>Search the archive</h1>" in page
    assert "How to search" in page

    client.get("/sprog/da/", {"next": "/"})
    assert "<h1>Søg i arkivet</h1>" in client.get("/soeg/").content.decode()


@pytest.mark.django_db
def test_each_language_is_offered_in_its_own_name(client):
    page = client.get("/organer/").content.decode()

    assert '<strong aria-current="true" lang="da">Dansk</strong>' in page
    assert 'lang="en" hreflang="en" rel="nofollow">English</a>' in page
    assert "engelsk" not in page.lower()


@pytest.mark.django_db
def test_the_language_links_never_send_the_reader_elsewhere(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/sprog/en/", {"next": target})
        assert response.status_code == 302 and response.url == "/"
    assert client.get("/sprog/xx/").status_code == 404


@pytest.mark.django_db
def test_a_public_page_carries_nothing_personal(client):
    """No CSRF token or cookie: the same page for every reader, so it can be cached."""
    response = client.get("/soeg/", {"q": "budget"})

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


@pytest.mark.django_db
def test_english_reaches_messages_made_in_python(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = {}

    missing = client.get("/moeder/findes-ikke/", **english)
    notice = client.get("/soeg/", {"q": "budget", "aar": "abc"}, **english)
    decisions = client.get("/beslutninger/", **english)

    assert missing.status_code == 404
    assert "The meeting “findes-ikke” is not in the archive." in missing.content.decode()
    assert "The filter “aar” has an invalid value and was ignored." in notice.content.decode()
    page = decisions.content.decode()
    assert "<h1>Decisions</h1>" in page and "Show decisions" in page
    assert "All bodies" in page and "All years" in page


@pytest.mark.django_db
def test_json_twins_speak_the_requested_language(client):
    danish = client.get("/moeder/findes-ikke/", {"format": "json"}).json()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/moeder/findes-ikke/", {"format": "json"}).json()

    assert danish == {"error": "Mødet “findes-ikke” findes ikke i arkivet."}
    assert english == {"error": "The meeting “findes-ikke” is not in the archive."}


@pytest.mark.django_db
def test_a_cached_search_names_its_facets_in_each_readers_language(
    client, sample_archive, settings
):
    from django.core.cache import cache

    settings.SEARCH_CACHE_SECONDS = 60  # the English reader's result is kept for the next
    cache.clear()

    def year_and_kind_labels(language: str | None = None) -> dict:
        client.cookies.clear()
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        facets = client.get("/soeg/", {"q": "regionerne", "format": "json"}).json()["facets"]
        return {o["value"]: o["label"] for name in ("aar", "art") for o in facets[name]}

    english = year_and_kind_labels("en")
    danish = year_and_kind_labels()

    assert english["ukendt"] == "Date unknown" and danish["ukendt"] == "Dato ukendt"
    assert english.keys() == danish.keys() and english != danish
    assert all(english[value] != danish[value] for value in english if not value.isdigit())


@pytest.mark.django_db
def test_the_undated_filter_is_named_as_its_facet_is(client, sample_archive):
    page = client.get("/soeg/", {"q": "regionerne", "aar": "ukendt"}).content.decode()
    assert "År: Dato ukendt" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/soeg/", {"q": "regionerne", "aar": "ukendt"}).content.decode()
    assert "Year: Date unknown" in page
