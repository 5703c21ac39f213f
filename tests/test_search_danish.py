"""Search beyond the stemmer (#23): compound parts, å/aa spellings, "Mente du …", case
numbers of the municipal forms, and the cost of a hostile query. Through the view's JSON
twin and HTML page, on real PostgreSQL, over a small document of our own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from meetings import search as searching
from meetings import words
from meetings.importing import Metadata, import_document
from meetings.models import AgendaItem, Case, ItemCase

DOCUMENT = """Referat af møde i Planudvalget

Punkt 1. Lokalplanforslag for havnen i Åbenrå
Det indstilles, at udvalget sender lokalplanforslaget i offentlig høring.

Beslutning:
Godkendt.

Punkt 2. Lokalplan for Aabenraa midtby
Det indstilles, at udvalget vedtager lokalplan for midtbyen i Aabenraa endeligt.

Beslutning:
Godkendt.

Punkt 3. Spildevandsplan for oplandet
Det indstilles, at udvalget godkender spildevandsplanen for oplandet.

Beslutning:
Godkendt.

Punkt 4. Sundhedsvæsenet og kommunen
Det indstilles, at udvalget tager orienteringen om sundhedsvæsenet til efterretning.

Beslutning:
Taget til efterretning.

Punkt 5. Planstrategi og forslag til høring
Det indstilles, at udvalget sender planstrategien og et forslag om cykelstier i høring.

Beslutning:
Godkendt.
"""

# The case numbers as each agenda system prints them, one an item.
CASES = {1: "24-006786", 2: "EMN-2025-003383", 3: "2011-29298", 4: "12/27845"}


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = import_document(
            DOCUMENT.encode(),
            "planudvalget.txt",
            Metadata(body="Planudvalget", date=dt.date(2025, 5, 6)),
        )
        assert result.outcome == "created", result.message
        items = {item.number: item for item in AgendaItem.objects.filter(is_current=True)}
        for number, case_number in CASES.items():
            case, _ = Case.objects.get_or_create(number=case_number)
            ItemCase.objects.create(item=items[number], case=case)  # the trigger re-indexes
        yield
        transaction.set_rollback(True)


@pytest.fixture
def db_archive(archive, db):
    """Each test inside the module's archive."""


@pytest.fixture(autouse=True)
def _no_search_cache(settings):
    settings.SEARCH_CACHE_SECONDS = 0


def found(client, q: str) -> list[str]:
    """The titles of the first page of /soeg/?q=…, in order."""
    response = client.get("/soeg/", {"q": q, "format": "json"})
    assert response.status_code == 200
    return [hit["title"] for hit in response.json()["hits"]]


LOCAL_PLAN = "Lokalplan for Aabenraa midtby"
PROPOSAL = "Lokalplanforslag for havnen i Åbenrå"
SEWAGE = "Spildevandsplan for oplandet"


def test_the_dictionary_splits_compounds_into_their_parts():
    assert words.split("lokalplanforslag") == ("lokal", "plan", "forslag")
    assert set(words.parts("lokalplanforslag")) >= {"lokalplan", "forslag", "planforslag"}
    assert words.split("spildevandsplan") == ("spildevands", "plan")
    assert words.split("kommunen") == ()  # not a compound
    assert words.split("plan") == ()  # too short to try


@pytest.mark.usefixtures("db_archive")
def test_a_compound_is_found_by_its_parts_below_the_whole_word(client):
    assert {LOCAL_PLAN, PROPOSAL} <= set(found(client, "lokalplan"))
    by_part = found(client, "forslag")
    assert PROPOSAL in by_part  # lokalplanforslag holds forslag
    assert by_part.index("Planstrategi og forslag til høring") < by_part.index(PROPOSAL)
    assert PROPOSAL in found(client, "forslaget")  # the part in its forms, as any word
    assert SEWAGE in found(client, "spildevand")


@pytest.mark.usefixtures("db_archive")
def test_an_excluded_word_keeps_the_compounds_holding_it(client):
    kept = found(client, "lokalplan -forslag")
    assert PROPOSAL in kept  # only its compound holds forslag
    assert "Planstrategi og forslag til høring" not in found(client, "høring -forslag")


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("q", ["Aabenraa", "Åbenrå", "aabenraa", "ÅBENRÅ"])
def test_aa_and_å_find_each_other_the_exact_spelling_first(client, q):
    titles = found(client, q)
    assert set(titles[:2]) == {LOCAL_PLAN, PROPOSAL}
    exact = LOCAL_PLAN if "aa" in q.lower() else PROPOSAL
    assert titles[0] == exact


@pytest.mark.usefixtures("db_archive")
def test_ae_finds_æ(client):
    assert "Sundhedsvæsenet og kommunen" in found(client, "sundhedsvaesenet")


@pytest.mark.usefixtures("db_archive")
def test_a_misspelt_word_offers_the_archives_word_in_danish_and_escaped(client):
    data = client.get("/soeg/", {"q": "spildevansplan", "format": "json"}).json()
    assert data["hits"] == []
    assert data["suggestion"]["query"] == "spildevandsplan"
    # Markup typed beside it stays text in the offered link.
    page = client.get("/soeg/", {"q": "spildevansplan <plan>"}).content.decode()
    assert "Mente du" in page
    assert "spildevandsplan &lt;plan&gt;</a>" in page
    assert "<plan>" not in page


@pytest.mark.usefixtures("db_archive")
def test_no_suggestion_when_the_words_are_found(client):
    data = client.get("/soeg/", {"q": "spildevandsplanen", "format": "json"}).json()
    assert data["hits"] and data["suggestion"] is None


@pytest.mark.usefixtures("db_archive")
def test_a_word_no_public_item_holds_is_never_offered(client):
    words.register(["hemmeligtprojektnavn"])  # e.g. the words of an item closed since
    data = client.get("/soeg/", {"q": "hemmeligtprojektnavm", "format": "json"}).json()
    assert data["suggestion"] is None


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("24-006786", PROPOSAL),
        ("24-6786", PROPOSAL),
        ("sagsnr. 24.006786", PROPOSAL),
        ("Sagsnr.: 24 - 006786", PROPOSAL),
        ("EMN-2025-003383", LOCAL_PLAN),
        ("EMN-2025-3383", LOCAL_PLAN),
        ("emn 2025 3383", LOCAL_PLAN),
        ("EMN.2025.003383", LOCAL_PLAN),
        ("2025-003383", LOCAL_PLAN),
        ("2011-29298", SEWAGE),
        ("sagsnr.: 2011-29298", SEWAGE),
        ("2011.29298", SEWAGE),
        ("12/27845", "Sundhedsvæsenet og kommunen"),
        ("sagsnr. 12 / 27845", "Sundhedsvæsenet og kommunen"),
    ],
)
def test_municipal_case_numbers_in_any_spelling(client, q, title):
    response = client.get("/soeg/", {"q": q, "format": "json"})
    data = response.json()
    assert data["hits"][0]["title"] == title, q
    assert data["hits"][0]["case_hit"] is True
    # ... and the case itself above them
    number = CASES[data["hits"][0]["number"]]
    assert [case["number"] for case in data["cases"]] == [number]


HOSTILE = " ".join(["a"] * 99)[:200]


def test_the_hostile_query_is_bounded_before_the_database():
    query = searching.parse_query(HOSTILE)
    assert query.text == "" and query.words_dropped
    many = " ".join(f"ord{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(40))
    query = searching.parse_query(many)
    assert len(query.text.split()) == searching.MAX_TERMS
    assert searching.parse_query("plan plan plan").text == "plan"
    assert searching.parse_query('"lokal plan" plan').text == '"lokal plan" plan'


@pytest.mark.usefixtures("db_archive")
def test_the_hostile_query_says_what_was_dropped(client):
    page = client.get("/soeg/", {"q": HOSTILE})
    assert page.status_code == 200
    assert "Ord på ét bogstav og gentagne ord er udeladt" in page.content.decode()
    with_word = client.get("/soeg/", {"q": HOSTILE[:150] + " lokalplan", "format": "json"})
    assert LOCAL_PLAN in [hit["title"] for hit in with_word.json()["hits"]]


@pytest.mark.usefixtures("db_archive")
def test_highlighting_tests_only_the_bounded_terms():
    query = searching.parse_query(" ".join(f"x{i}y" for i in range(60)))
    tsquery = searching._highlight_tsquery(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT numnode({tsquery.sql})", tsquery.params)
        nodes = cursor.fetchone()[0]
    assert nodes <= 4 * searching.MAX_TERMS  # each word and its forms, or'ed, and'ed


@pytest.mark.parametrize(
    ("typed", "key", "matches"),
    [
        ("soeren", "søren kierkegaard", True),
        ("søren", "soeren kierkegaard", True),
        ("aase", "åse hansen", True),
        ("åse", "aase hansen", True),
        ("göran", "gøran persson", True),
        ("søren", "sören kierkegaard", True),
        ("søren", "soren kierkegaard", False),  # o is not ø
    ],
)
def test_names_match_in_either_spelling_of_å_æ_ø(typed, key, matches):
    import re

    from meetings.persons import _any_spelling

    assert bool(re.match(r"(^| )" + _any_spelling(typed), key)) is matches
