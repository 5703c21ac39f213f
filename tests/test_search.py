"""Search on real PostgreSQL over the imported sample documents: /soeg/ and its twins."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from meetings import search as searching
from meetings.importing import Metadata, import_document, import_file
from meetings.models import CONFIDENTIAL, AgendaItem, Body, Case, ItemCase

from .conftest import SAMPLES

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.txt"))
ATOM = "{http://www.w3.org/2005/Atom}"

# A small document in the generic layout: markup, accents, so/sø and a formula title.
TRICKY = """Referat af møde i Testudvalget

Punkt 1. <script>alert("xss")</script> Café-ordningen <b>fed</b>
Sagsnr. EMN-2025-04242
Det indstilles, at udvalget godkender <img src=x onerror=alert(1)> caféordningen ved søen.

Beslutning:
Godkendt med <mark>egne</mark> tags.

Punkt 2. =HYPERLINK("http://evil.example","klik") og svin
Sagsnr. EMN-2025-04243
Det indstilles, at sagen om svineproduktion og soens foder tages til efterretning.
"""


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """The samples (sidecars give their bodies) and TRICKY, imported once, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        for name in SAMPLE_FILES:
            result = import_file(SAMPLES / name, Metadata())
            assert result.outcome == "created", (name, result.message)
        result = import_document(
            TRICKY.encode(), "tricky.txt", Metadata(body="Testudvalget", date=dt.date(2025, 3, 6))
        )
        assert result.outcome == "created", result.message
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_search_cache(settings):
    """Tests edit the archive inside their own transaction: no results cached across them."""
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def db_archive(archive, db):
    """Each test inside the module's archive (pytest-django's transaction nests as a savepoint)."""


def hits(q: str, order: str = searching.RELEVANCE, **filters) -> list[AgendaItem]:
    from meetings.search_filters import clean_filters

    # The path every page takes: one page of hits, as large as any test needs.
    query = searching.parse_query(q)
    found = searching.search_page(
        query, clean_filters(filters), order=order, page_size=200, highlight=False
    )
    return found.hits


def search_page(q: str) -> searching.Results:
    """The first page of `q`'s hits, as deep as the ranked candidates."""
    query = searching.parse_query(q)
    return searching.search_page(query, page_size=searching.CANDIDATES, highlight=False)


def hit_ids(q: str) -> list[int]:
    return [hit.pk for hit in search_page(q).hits]


class Expecting(searching.Planner):
    """A planner expecting `rows` of every statement (or rows(sql)) in a table of `items`
    (default: the samples' own count), `per_page` to a page, as a larger archive would."""

    def __init__(self, rows, items: float | None = None, per_page: float | None = None):
        self.expected = rows if callable(rows) else (lambda sql: rows)
        self.items, self.per_page = items, per_page

    def rows(self, statements: list[str]) -> list[float]:
        return [float(self.expected(sql)) for sql in statements]

    def table(self) -> tuple[float, float]:
        items, per_page = searching.database_planner.table()
        return self.items or items, self.per_page or per_page


def titles(q: str, **filters) -> list[str]:
    return [item.title for item in hits(q, **filters)]


def get_json(client, **params) -> dict:
    response = client.get("/soeg/", {**params, "format": "json"})
    assert response.status_code == 200
    return response.json()


# ------------------------------------------------------------------ language


@pytest.mark.usefixtures("db_archive")
def test_inflections_match_both_ways():
    # The danish stemmer gives sundhedsvæsen -> sundhedsvæs but sundhedsvæsenet -> sundhedsvæsen.
    found = hits("sundhedsvæsen")
    assert found[0].title == "Bæredygtigt sundhedsvæsen"
    only_inflected = [
        item
        for item in found
        if "sundhedsvæsenet" in str(item.sections).lower()
        and "sundhedsvæsen " not in f"{item.title} {item.sections}".lower()
    ]
    assert only_inflected, "the prefix on the stem should find items saying only sundhedsvæsenet"
    assert "Bæredygtigt sundhedsvæsen" in titles("sundhedsvæsenet")


@pytest.mark.usefixtures("db_archive")
def test_an_excluded_word_excludes_its_inflections_too():
    """What "sundhedsvæsen" finds, "-sundhedsvæsen" drops, sundhedsvæsenet included (the
    stemmer cuts the two forms differently); a short word stays exact."""

    def text(item) -> str:
        return f"{item.title} {item.recommendation} {item.decision} {item.sections}".lower()

    inflected = [item for item in hits("regioner") if "sundhedsvæsenet" in text(item)]
    assert inflected, "the samples should hold items saying regioner and sundhedsvæsenet"

    kept = hits("regioner -sundhedsvæsen")
    assert kept
    assert not [item for item in kept if "sundhedsvæsen" in text(item)]
    # A short stem stays exact: -plan must not drop planlægning; and it excludes the whole
    # word only (weights A-C), not a compound's part (lokalplan keeps, weight D).
    excluding = searching._excluding_stems_tsquery("regioner -plan")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({excluding.sql})::text", excluding.params)
        assert cursor.fetchone()[0] == "!'plan':ABC & ( 'region' | 'regioner' )"


@pytest.mark.usefixtures("db_archive")
def test_a_word_before_the_last_matches_its_other_forms_too():
    """Not only the last word (a prefix): sundhedsvæsen first finds sundhedsvæsenet too,
    though the stemmer cuts the two to different stems."""

    def text(item) -> str:
        return f"{item.title} {item.recommendation} {item.decision} {item.sections}".lower()

    only_inflected = [
        item
        for item in hits("regioner")
        if "sundhedsvæsenet" in text(item) and "sundhedsvæsen " not in text(item)
    ]
    assert only_inflected, "the samples should hold items saying only sundhedsvæsenet"
    found = {item.pk for item in hits("sundhedsvæsen regioner")}
    assert {item.pk for item in only_inflected} <= found
    # Each hit holds a form of both words.
    for item in hits("sundhedsvæsen regioner"):
        assert "sundhedsvæsen" in text(item) and "region" in text(item)


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("sundhedsvæsen", "'sundhedsvæs' | 'sundhedsvæsen'"),
        ("læge", "'læg' | 'læge'"),
        ("budget", "'budg' | 'budget'"),
        ("Område", "'områd' | 'område'"),
        ("plan", "'plan'"),
        ("og", ""),  # a stop word: the empty query, which `&&` drops
    ],
)
def test_word_forms_are_the_stems_of_the_word_with_its_endings(word, forms):
    with connection.cursor() as cursor:
        cursor.execute("SELECT meetings_word_forms(meetings_fold(%s))::text", [word])
        assert cursor.fetchone()[0] == forms


@pytest.mark.usefixtures("db")
def test_word_forms_are_read_from_the_database_once(django_assert_num_queries):
    # Words of this test alone (a fresh token each run), so the process's memo lacks them.
    token = secrets.token_hex(4)
    new, stop = f"lægehus{token}", f"og{token}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(meetings_word_forms(meetings_fold(w))::text, '')"
            " FROM unnest(%s::text[]) AS w",
            [[new, stop]],
        )
        expected = [forms for (forms,) in cursor.fetchall()]
    assert all(expected)
    with django_assert_num_queries(1):  # both words in one query
        first = searching.word_forms([new, stop])
    with django_assert_num_queries(0):
        again = searching.word_forms([stop, new])
    assert first == expected and again == expected[::-1]


@pytest.mark.parametrize(
    ("words", "rest", "plain"),
    [
        ("psykiatri patienter", "", ["psykiatri", "patienter"]),
        ('"bæredygtigt sundhedsvæsen" regioner', '"bæredygtigt sundhedsvæsen"', ["regioner"]),
        ("regioner -plan", "-plan", ["regioner"]),
        ("budget OR regnskab læge", "budget OR regnskab", ["læge"]),
        ("sundhedsvæsen, og - budget", "og - budget", ["sundhedsvæsen"]),
        ("covid-19 region 2024", "covid-19 2024", ["region"]),
        ('"a b', '"a b', []),  # an open quote: a phrase to the end, as websearch reads it
    ],
)
def test_plain_words_are_taken_out_and_the_rest_keeps_its_meaning(words, rest, plain):
    assert searching.plain_words(words) == (rest, plain)


@pytest.mark.usefixtures("db_archive")
def test_phrase_needs_the_words_together_and_in_order():
    assert titles('"bæredygtigt sundhedsvæsen"')[0] == "Bæredygtigt sundhedsvæsen"
    loose = set(titles("sundhedsvæsen bæredygtigt"))
    phrase = set(titles('"bæredygtigt sundhedsvæsen"'))
    assert phrase <= loose
    assert "Bæredygtigt sundhedsvæsen" not in titles('"sundhedsvæsen bæredygtigt"')


@pytest.mark.usefixtures("db_archive")
def test_exclusion_removes_items_with_the_word():
    with_word = {item.pk for item in hits("kræftplan")}
    excluded = hits("kræftplan -rigsrevisionen")
    assert excluded and len(excluded) < len(with_word)
    for item in excluded:
        assert "rigsrevision" not in f"{item.title} {item.decision} {item.sections}".lower()


@pytest.mark.usefixtures("db_archive")
def test_a_stop_word_typed_last_is_ignored_not_a_prefix_matching_nothing():
    # "meget" is a Danish stop word: as a prefix (meget:*) it would match no item at all.
    # "og" is one too, and too short to be taken as a prefix: both are simply dropped.
    assert titles("sundhedsvæsen meget") == titles("sundhedsvæsen og") != []


@pytest.mark.usefixtures("db_archive")
def test_a_phrase_tests_a_bounded_number_of_items(monkeypatch, client):
    """With fewer items holding the words than SCANNED, the answer is exact; with more,
    the items tested are the first SCANNED and the page says the count is a lower bound.
    Exclusions need no bound: the index answers them."""
    exact_phrase = {item.pk for item in hits('"bæredygtigt sundhedsvæsen"')}
    exact_exclusion = {item.pk for item in hits("kræftplan -rigsrevisionen")}
    holding_words = {item.pk for item in hits("bæredygtigt sundhedsvæsen")}
    assert len(holding_words) > 1 and exact_phrase and exact_exclusion
    full = get_json(client, q='"bæredygtigt sundhedsvæsen"')
    assert full["total_is_lower_bound"] is False

    monkeypatch.setattr(searching, "SCANNED", 1)
    monkeypatch.setattr(searching, "QUICK_TRY_MS", None)  # the bounded scan at once
    bounded_phrase = {item.pk for item in hits('"bæredygtigt sundhedsvæsen"')}
    bounded_exclusion = {item.pk for item in hits("kræftplan -rigsrevisionen")}

    assert bounded_phrase <= exact_phrase and len(bounded_phrase) <= 1
    assert bounded_exclusion == exact_exclusion  # the index answers exclusions exactly
    answer = get_json(client, q='"bæredygtigt sundhedsvæsen"')
    assert answer["total"] == len(bounded_phrase) and answer["total_is_lower_bound"] is True
    assert any("første 1 punkter med alle ordene" in notice for notice in answer["notices"])
    page = client.get("/soeg/", {"q": '"bæredygtigt sundhedsvæsen"'}).content.decode()
    assert f"Mindst {len(bounded_phrase)} punkter matcher." in page


@pytest.mark.usefixtures("db_archive")
def test_only_excluded_words_test_a_bounded_number_of_items(monkeypatch, client):
    everything = {item.pk for item in hits("-regionerne")}
    assert everything
    assert get_json(client, q="ikke -regionerne")["total_is_lower_bound"] is False

    monkeypatch.setattr(searching, "SCANNED", 20)
    monkeypatch.setattr(searching, "QUICK_TRY_MS", None)  # the bounded scan at once
    bounded = {item.pk for item in hits("-regionerne")}

    # Exactly the matches among the first 20 items in table order.
    first = set(
        AgendaItem.objects.filter(access="public", search_vector__isnull=False)
        .order_by()
        .values_list("id", flat=True)[:20]
    )
    assert bounded == everything & first and bounded
    answer = get_json(client, q="ikke -regionerne")  # "ikke" is a stop word
    assert answer["total_is_lower_bound"] is True
    assert any("kun udelukkede ord" in notice for notice in answer["notices"])


@pytest.mark.usefixtures("db_archive")
def test_a_phrase_too_slow_for_the_quick_try_gets_the_bounded_scan(monkeypatch):
    from django.db import connection

    exact = titles('"bæredygtigt sundhedsvæsen"')
    calls = []

    def slow_first_time(execute, sql, params, many, context):
        if 'AS "rank_"' in sql:  # a candidate read
            calls.append(sql)
            if len(calls) == 1:  # the quick try: the database really cancels it
                execute("SELECT pg_sleep(0.2)", None, many, context)
        return execute(sql, params, many, context)

    monkeypatch.setattr(searching, "QUICK_TRY_MS", "20ms")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]

    with connection.execute_wrapper(slow_first_time):
        assert titles('"bæredygtigt sundhedsvæsen"') == exact
    assert len(calls) == 2  # the cancelled try, then the bounded scan
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


@pytest.mark.usefixtures("db_archive")
def test_words_and_a_prefix_find_the_same_through_the_index_alone(monkeypatch):
    queries = ["regionerne sundhedsvæsen", "bæredygtigt sundhedsvæs", "danske meget"]
    by_recheck = {q: titles(q) for q in queries}

    monkeypatch.setattr(searching, "PREFIX_TEST_ROWS", -1)  # never test the prefix on rows

    assert {q: titles(q) for q in queries} == by_recheck
    assert all(by_recheck.values())


@pytest.mark.usefixtures("db_archive")
def test_rare_and_common_words_find_the_same_by_index_or_in_table_order(monkeypatch):
    from django.db import connection

    queries = ["regioner", "sundhedsvæsen", "regionerne sundhedsvæsen", "kræftplan"]
    monkeypatch.setattr(searching, "COMMON_WORD_SHARE", 0.0)  # every word "common"
    in_order = {q: titles(q) for q in queries}
    monkeypatch.setattr(searching, "COMMON_WORD_SHARE", 2.0)  # every word "rare"

    assert {q: titles(q) for q in queries} == in_order
    assert all(in_order.values())
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.usefixtures("db_archive")
def test_a_read_by_index_is_planned_with_sequential_scans_off_for_its_statement_only():
    """meetings_candidates_by_index (migration 0021) sets enable_seqscan for the one
    statement it runs, and gives its six columns back as they were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM meetings_candidates_by_index(%s)",
            ["SELECT 7, current_setting('enable_seqscan'), true, 0.5, 2, date '2024-08-28'"],
        )
        assert cursor.fetchall() == [(7, "off", True, 0.5, 2, dt.date(2024, 8, 28))]
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("q", ["regionerne", "sundhedsvæsen -kræftplan", "o'brien\\ regioner"])
def test_candidates_read_by_index_are_those_read_plainly(q):
    """The statement goes to the function as text with its values written in (quotes and
    backslashes too): the same rows, ranks and all, as the statement sent itself."""
    query = searching.parse_query(q)
    items = searching.matching_items(query, None)
    plainly = searching._candidate_rows(items, query)
    assert searching._candidate_rows(items, query, by_index=True) == plainly
    assert plainly or "o'brien" in q


@pytest.mark.usefixtures("db_archive")
def test_the_planner_estimates_of_a_page_are_asked_once_each_in_one_statement():
    """Each set estimated as EXPLAIN would estimate it alone, and a set asked about again
    for the same query (the memo) costs no statement."""
    query = searching.parse_query("regionerne sundhedsvæs")
    sets = searching._prefix_test_sets(query, None)
    alone = []
    with connection.cursor() as cursor:
        for items in sets:
            sql, params = items.order_by().values("id").query.sql_with_params()
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            alone.append(float((plan[0] if isinstance(plan, list) else plan)["Plan"]["Plan Rows"]))

    with CaptureQueriesContext(connection) as captured:
        assert searching._estimates(*sets, memo=query.memo) == alone
        assert searching._estimated_rows(sets[1], query.memo) == alone[1]
    assert len(captured.captured_queries) == 1


def candidate_reads(captured) -> list[str]:
    """The statements that read ranked candidates (their rank and counts), in order."""
    return [q["sql"] for q in captured.captured_queries if 'AS "rank_"' in q["sql"]]


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("blocks", [1, 1000])
def test_an_exclusion_finds_the_same_candidates_in_the_first_blocks_or_by_index(
    blocks, monkeypatch
):
    """A few candidates, so that the first blocks can hold enough of them (blocks=1000:
    the whole sample table) or not (blocks=1: the index answers)."""
    query = searching.parse_query("regioner -sundhedsvæsen")
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    monkeypatch.setattr(searching, "FIRST_BLOCKS_SHARE", 2.0)  # never tried
    by_index = searching.ranked(query).ids
    assert len(by_index) == 3

    monkeypatch.setattr(searching, "FIRST_BLOCKS_SHARE", 0.0)  # always tried first
    monkeypatch.setattr(searching, "FIRST_BLOCKS", blocks)
    monkeypatch.setattr(searching, "MATCHES_PER_BLOCK", 1e12)  # exactly FIRST_BLOCKS pages
    query = searching.parse_query("regioner -sundhedsvæsen")  # nothing memoised

    with CaptureQueriesContext(connection) as captured:
        assert searching.ranked(query).ids == by_index
    reads = candidate_reads(captured)
    assert len(reads) == (1 if blocks == 1000 else 2)
    assert f"ctid < '({blocks},0)'" in reads[0]  # the first blocks first, then the index


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("blocks", [1, 1000])
def test_a_word_finds_the_same_candidates_in_the_first_blocks_or_by_index(blocks, monkeypatch):
    """As for an exclusion: the table's first pages hold enough candidates (blocks=1000:
    the whole sample table) or not (blocks=1: the index answers after them)."""
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    monkeypatch.setattr(searching, "COMMON_WORD_SHARE", 2.0)  # never the whole table in order
    monkeypatch.setattr(searching, "PREFIX_MIN_LENGTH", 100)  # the word alone, no prefix
    # A word the table's first page holds fewer than CANDIDATES + 1 times (2 of 19 items).
    # Expected in fewer items than MATCHES_PER_BLOCK: no block is worth trying first.
    with searching.planning_with(Expecting(rows=1.0, items=1e9)):
        by_index = hit_ids("kommunerne")
    assert len(by_index) == 3

    # Expected in as many items as `blocks` pages are worth, on pages said to hold every
    # item: spread evenly, the matches would fill the ranked set within those pages.
    rows = searching.MATCHES_PER_BLOCK * (blocks + 0.5)
    expecting = Expecting(rows=rows, items=1e9, per_page=1e9)
    with searching.planning_with(expecting), CaptureQueriesContext(connection) as captured:
        assert hit_ids("kommunerne") == by_index
    reads = candidate_reads(captured)
    assert len(reads) == (1 if blocks == 1000 else 2)
    assert f"ctid < '({blocks},0)'" in reads[0]


@pytest.mark.parametrize(
    ("share", "by_index", "items", "blocks"),
    [
        (0.12, False, 1_000_000, 6_666),  # 0.12 x 1,000,000 / 18; 3,840 matches if even
        (0.05, False, 1_000_000, 0),  # 2,777 pages would hold 666 matches: too few
        (0.05, True, 1_000_000, 2_777),  # beside an excluded word, tried from 0.05 ...
        (0.05, True, 100_000, 2_000),  # ... with FIRST_BLOCKS pages at least
        (0.04, True, 1_000_000, 0),
    ],
)
def test_the_first_blocks_tried_are_worth_the_index_and_could_hold_the_candidates(
    share, by_index, items, blocks
):
    assert searching._first_blocks_to_try(share, by_index, items, 4.8) == blocks


@pytest.mark.usefixtures("db_archive")
def test_more_items_with_the_word_as_typed_than_are_ranked_make_the_candidates(monkeypatch):
    """The prefix (sundhedsvæs:*) would add items saying longer words; when the word as
    typed (in its forms: sundhedsvæsen, sundhedsvæsenet) already fills the ranked set,
    its items are the candidates."""
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    common = Expecting(rows=1_000.0)
    with searching.planning_with(common), CaptureQueriesContext(connection) as captured:
        found = search_page("sundhedsvæsen")
    reads = candidate_reads(captured)
    assert len(reads) == 1 and ":*" not in reads[0]  # the word as typed: no prefix look-up
    assert found.summary.more and len(found.hits) == 3
    # The word's two stems, each alone: no prefix.
    holding_the_word = {item.pk for item in hits('"sundhedsvæsen" OR "sundhedsvæsenet"')}
    assert {hit.pk for hit in found.hits} <= holding_the_word


@pytest.mark.usefixtures("db_archive")
def test_a_word_alone_expected_no_commoner_as_a_prefix_is_read_once():
    """The planner's floor estimate for the word and its prefix alike (a rare word at
    1,000,000 items): one candidate read, the prefix's, and the same hits."""
    expected = titles("kræftplan")
    assert expected
    expecting = Expecting(items=1_000_000.0, rows=4_577.0)
    with searching.planning_with(expecting), CaptureQueriesContext(connection) as captured:
        found = search_page("kræftplan")
    reads = candidate_reads(captured)
    assert len(reads) == 1 and ":*" in reads[0]  # the prefix, not the word as typed first
    assert sorted(hit.title for hit in found.hits) == sorted(expected)


@pytest.mark.usefixtures("db_archive")
def test_a_half_typed_word_is_still_found_by_its_prefix(monkeypatch):
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    with searching.planning_with(Expecting(rows=1_000.0)):
        assert titles("sundhedsv")  # no word is "sundhedsv": the typed try finds nothing
        assert "Bæredygtigt sundhedsvæsen" in titles("bæredygtigt sundhedsv")


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize(
    ("words_share", "prefix_share", "on_rows", "in_table_order"),
    [
        (0.6, 0.8, True, True),  # 0.48 of the items expected: read in table order
        (0.6, 0.1, False, False),  # a rarer prefix: the index looks up both
        (0.1, 0.8, True, False),  # 0.08 expected: the words' rows through the index
    ],
)
def test_common_words_with_a_common_prefix_are_read_in_table_order(
    words_share, prefix_share, on_rows, in_table_order
):
    """The prefix tested on the other words' rows: the expected share is the two shares
    multiplied (the planner cannot estimate the test on rows)."""

    def rows(sql: str) -> float:
        return (prefix_share if ":*" in sql else words_share) * 1_000_000

    expecting = Expecting(items=1_000_000.0, rows=rows)
    with searching.planning_with(expecting), CaptureQueriesContext(connection) as captured:
        assert titles("regionerne sundhedsvæs")
    typed, *prefix_reads = candidate_reads(captured)
    # The words as typed are tried first (the samples hold too few of them), then the
    # prefix: tested on their rows (ts_match_vq), or looked up in the index with them.
    assert ":*" not in typed and prefix_reads
    assert all(("ts_match_vq" in sql) == on_rows for sql in prefix_reads)
    by_index = any("meetings_candidates_by_index" in sql for sql in prefix_reads)
    assert by_index != in_table_order


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("q", ['"bæredygtigt sundhedsvæsen" -x{}', "regioner -x{}"])
def test_the_shape_of_a_phrase_or_exclusion_is_read_once_per_process(q):
    q = q.format(secrets.token_hex(4))  # excluding a word of this run alone: a new shape
    with CaptureQueriesContext(connection) as first:
        found = titles(q)
    with CaptureQueriesContext(connection) as again:
        assert titles(q) == found
    shapes = [
        [s for s in run.captured_queries if "querytree(" in s["sql"]] for run in (first, again)
    ]
    assert found and len(shapes[0]) == 1 and not shapes[1]


@pytest.mark.usefixtures("db_archive")
def test_or_is_the_union():
    left = {item.pk for item in hits("telemedicinstrategi")}
    right = {item.pk for item in hits("generationsforureninger")}
    assert left and right and not left & right
    assert {item.pk for item in hits("telemedicinstrategi OR generationsforureninger")} == (
        left | right
    )


@pytest.mark.usefixtures("db_archive")
def test_hyphen_mended_word_is_found_whole():
    # 003 wraps "forsik-/ringsselskabet Nassau": the parser mends it.
    assert "Bestyrelsesansvarsforsikring" in titles("forsikringsselskabet Nassau")


@pytest.mark.usefixtures("db_archive")
def test_accents_fold_but_danish_letters_do_not():
    assert titles("cafeordningen") == titles("caféordningen") != []
    assert titles("Cafe-ordningen")[0].endswith("Café-ordningen <b>fed</b>")
    so = titles("soens")
    soe = titles("søen")
    assert so and soe and not set(so) & set(soe)
    # "soens" itself first; after it, items saying "søn", whose other spelling is "soen"
    # (oe for ø, #23), never "søen".
    assert "=HYPERLINK" in so[0]
    # unaccent would make "bæredygtigt" into "baeredygtigt", as a whole word: it is not
    # one; it is only the other spelling of æ (weight D, #23), found after the exact one.
    assert "Bæredygtigt sundhedsvæsen" in titles("baeredygtigt")


# --------------------------------------------------------------- case numbers


@pytest.mark.parametrize(
    ("spelling", "number"),
    [
        ("EMN-2024-00917", "EMN-2024-00917"),
        ("emn-2024-00917", "EMN-2024-00917"),
        ("emn 2024 917", "EMN-2024-00917"),
        ("EMN- 2024-917", "EMN-2024-00917"),
        ("2024-00917", "EMN-2024-00917"),
        ("00917", "EMN-2024-00917"),
        ("10/2562", "10/2562"),
        ("sagsnr. 10/2562", "10/2562"),
        ("Sagsnr 10 / 2562", "10/2562"),
        ("MOD-2025-00122", "MOD-2025-00122"),
    ],
)
@pytest.mark.usefixtures("db_archive")
def test_every_case_number_spelling_puts_its_items_first(spelling, number):
    found = hits(spelling)
    assert found, spelling
    case = Case.objects.get(number=number)
    linked = set(case.items.values_list("pk", flat=True))
    assert {item.pk for item in found[: len(linked)]} == linked
    assert all(item.case_hit for item in found[: len(linked)])


@pytest.mark.usefixtures("db_archive")
def test_mod_is_not_a_stop_word_in_case_numbers():
    # The danish parser drops "mod": MOD-2025-00122 must not find MOD-2025-00121's items.
    found = {item.pk for item in hits("MOD-2025-00122")}
    other = set(Case.objects.get(number="MOD-2025-00121").items.values_list("pk", flat=True))
    assert found and not found & other


@pytest.mark.usefixtures("db_archive")
def test_case_number_mentioned_in_the_text_is_found():
    item = AgendaItem.objects.get(other_case_numbers__contains=["EMN-2021-00442"])
    assert item.pk in {hit.pk for hit in hits("EMN-2021-00442")}


@pytest.mark.usefixtures("db_archive")
def test_case_number_with_words_narrows_nothing_but_ranks_first():
    found = hits("sagsnr. 10/2562 telemedicin")
    assert found[0].title == "Bestyrelsesansvarsforsikring"
    assert any("telemedicin" in item.title.lower() for item in found[1:])


@pytest.mark.usefixtures("db_archive")
def test_a_case_number_search_shows_the_case_first_and_its_items_below(client):
    response = client.get("/soeg/", {"q": " emn-2024-00917 "})
    assert response.status_code == 200  # no jump to the case page: the query and hits stay
    html = response.content.decode()
    assert 'value=" emn-2024-00917 "' in html or 'value="emn-2024-00917"' in html
    case_box = html.index('class="case-matches box"')
    assert case_box < html.index('class="search-hits"')
    assert 'href="/sager/EMN-2024-00917/"' in html[case_box:]
    assert "Sag EMN-2024-00917: hele forløbet" in html
    data = get_json(client, q="EMN-2024-00917")
    assert data["hits"][0]["title"] == "Bæredygtigt sundhedsvæsen"
    assert [case["number"] for case in data["cases"]] == ["EMN-2024-00917"]


@pytest.mark.usefixtures("db_archive")
def test_mistyped_case_number_offers_close_matches(client):
    data = get_json(client, q="2024-00971")
    assert "EMN-2024-00917" in [case["number"] for case in data["close_cases"]]
    page = client.get("/soeg/", {"q": "EMN-2024-00971"}).content.decode()
    assert "Mente du en af disse sager?" in page and "EMN-2024-00917" in page


# ------------------------------------------------------------ safety, access


@pytest.mark.usefixtures("db_archive")
def test_snippets_escape_document_markup_and_keep_only_our_marks(client):
    html = client.get("/soeg/", {"q": "caféordningen"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark>caféordningen</mark>" in html
    data = get_json(client, q="godkendt tags")
    snippet = next(h for h in data["hits"] if h["title"].startswith("<script>"))["snippet_html"]
    # The document's own <mark> never becomes markup (ts_headline drops it, or it is escaped).
    assert "<mark>egne" not in snippet and "<mark>tags</mark>" in snippet
    # Only the query's words are marked (the recommendation is also its Indstilling section).
    marked = re.findall(r"<mark>(.*?)</mark>", snippet)
    assert snippet.count("<mark>") == snippet.count("</mark>") == len(marked)
    assert {word.casefold() for word in marked} == {"godkender", "godkendt", "tags"}
    assert "<b>" not in snippet


@pytest.mark.usefixtures("db_archive")
def test_a_match_past_the_first_characters_is_highlighted_from_the_whole_text(monkeypatch):
    """Snippets are made from the start of the text first, and again from all of it for
    the items that showed no match there: with a start of one character, every item."""
    query = searching.parse_query("regioner")
    ids = searching.ranked(query).ids[:20]

    def snippets() -> list[str]:
        return [str(item.snippet) for item in searching.load_page(ids, frozenset(), query)]

    monkeypatch.setattr(searching, "HEADLINE_FIRST_CHARS", searching.HEADLINE_TEXT_LIMIT)
    whole = snippets()
    assert sum("<mark>" in text for text in whole) >= 10

    monkeypatch.setattr(searching, "HEADLINE_FIRST_CHARS", 1)
    assert snippets() == whole


@pytest.mark.usefixtures("db_archive")
def test_snippets_of_case_number_hits_are_made_once(monkeypatch):
    """Nothing to highlight: the start of the text, never a second look at all of it."""
    query = searching.parse_query("EMN-2024-00917")
    ids = searching.ranked(query).ids
    assert ids
    monkeypatch.setattr(searching, "HEADLINE_FIRST_CHARS", 1)
    page = searching.load_page(ids, frozenset(ids), query)
    # Made from the first character only: not made again from the whole text.
    assert [len(str(item.snippet)) for item in page] == [1] * len(ids)


@pytest.mark.usefixtures("db_archive")
def test_confidential_items_are_never_hits(client):
    confidential = AgendaItem.objects.filter(access=CONFIDENTIAL)
    assert confidential.count() == 3 + 2
    assert not confidential.exclude(search_vector=None).exists()
    pks = set(confidential.values_list("pk", flat=True))
    meeting = confidential.first().meeting.slug
    for q in ("punkt", "sundhedsudvalget", "fortrolig", "MOD-2025-00121", "regioner"):
        assert not pks & {item.pk for item in hits(q)}
        assert not pks & {item.pk for item in hits(q, moede=meeting)}


@pytest.mark.usefixtures("db_archive")
def test_vectors_follow_edits_and_case_links():
    item = AgendaItem.objects.get(title="Eventuelt", number=8)
    assert not hits("tandlægeklinikker")
    item.decision = "Tandlægeklinikker blev drøftet."
    item.save()
    assert [hit.pk for hit in hits("tandlægeklinikker")] == [item.pk]
    case = Case.objects.create(number="EMN-2030-12345")
    ItemCase.objects.create(item=item, case=case)
    assert [hit.pk for hit in hits("EMN-2030-12345")] == [item.pk]
    ItemCase.objects.filter(case=case).delete()
    assert not hits("EMN-2030-12345")


# --------------------------------------------------------- filters, counts


@pytest.mark.usefixtures("db_archive")
def test_facet_counts_agree_with_the_filtered_hits(client):
    data = get_json(client, q="regioner")
    assert data["total"] == len(hits("regioner")) > 20
    for name, options in data["facets"].items():
        assert options, name
        if name in ("art", "beslutning"):
            assert sum(option["count"] for option in options) == data["total"]
        for option in options:
            filtered = get_json(client, q="regioner", **{name: option["value"]})
            assert filtered["total"] == option["count"], (name, option)
            assert len(hits("regioner", **{name: option["value"]})) == option["count"]


@pytest.mark.usefixtures("db_archive")
def test_filters_combine_and_stay_in_the_url(client):
    both = get_json(client, q="regioner", organ="danske-regioners-bestyrelse", aar="2011")
    assert both["filters"] == {"organ": "danske-regioners-bestyrelse", "aar": "2011"}
    assert both["total"] and all(hit["date"].startswith("2011") for hit in both["hits"])
    dated = get_json(client, q="regioner", fra="2011-06-01", til="2011-06-30", art="agenda")
    assert dated["total"] and all(hit["date"] == "2011-06-23" for hit in dated["hits"])
    decided = get_json(client, q="regioner", beslutning="ja")
    assert all(
        AgendaItem.objects.get(title=hit["title"], number=hit["number"]).decision
        for hit in decided["hits"]
    )
    html = client.get("/soeg/", {"q": "regioner", "aar": "2011"}).content.decode()
    assert "aar=2011" in html and "format=csv" in html


@pytest.mark.usefixtures("db_archive")
def test_search_within_one_meeting():
    meeting = Case.objects.get(number="10/2562").items.get().meeting
    found = hits("regioner", moede=meeting.slug)
    assert found and {item.meeting_id for item in found} == {meeting.pk}


@pytest.mark.usefixtures("db_archive")
def test_invalid_filter_is_reported_and_ignored(client):
    data = get_json(client, q="regioner", aar="tyve", art="hemmelig")
    assert data["total"] == get_json(client, q="regioner")["total"]
    assert len(data["notices"]) == 2


def test_a_search_without_filters_shares_one_filter_set_that_nothing_changes():
    """The filter set of a search naming no filter is made once per process (the same for
    every such search); one that names a filter gets its own, and leaves the shared one as
    it was. Every filter the set has is one the shortcut looks for."""
    from meetings.search_filters import FILTER_PARAMS, SearchFilter, clean_filters

    assert set(FILTER_PARAMS) == set(SearchFilter.base_filters)
    shared = clean_filters({"q": "regioner"})
    assert clean_filters({"q": "sundhed", "organ": "", "side": "2"}) is shared
    filtered = clean_filters({"q": "regioner", "art": "minutes", "aar": "tyve"})
    assert filtered is not shared
    assert filtered.active == {"art": "minutes"} and "aar" in filtered.form.errors
    assert shared.active == {} and not shared.form.errors
    assert clean_filters({}) is shared


# ------------------------------------------------------------------ twins


@pytest.mark.usefixtures("db_archive")
def test_json_twin_carries_the_page(client):
    data = get_json(client, q="sundhedsvæsen")
    hit = data["hits"][0]
    assert hit["url"] == AgendaItem.objects.get(title=hit["title"]).get_absolute_url()
    assert hit["body"] == "Sundhedsudvalget" and hit["kind"] == "agenda"
    assert "<mark>" in hit["snippet_html"]


@pytest.mark.usefixtures("db_archive")
def test_csv_export_quotes_and_defuses_formulas(client):
    response = client.get("/soeg/", {"q": "svineproduktion OR caféordningen", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["titel", "dato", "organ"]
    by_title = {row[0]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","klik") og svin' in by_title
    assert by_title['<script>alert("xss")</script> Café-ordningen <b>fed</b>'][1] == "2025-03-06"
    assert searching_cell("-1") == "'-1" and searching_cell("@SUM(A1)") == "'@SUM(A1)"
    assert b'"titel";"dato"' in response.content


def searching_cell(value: str) -> str:
    from meetings.exports import csv_cell

    return csv_cell(value)


@pytest.mark.usefixtures("db_archive")
def test_atom_feed_lists_newest_first(client):
    response = client.get("/soeg/", {"q": "regioner", "format": "atom"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    # Dated meetings newest first; undated ones (never guessed) after them, unpublished.
    published = [entry.find(f"{ATOM}published") for entry in entries]
    dates = [element.text for element in published if element is not None]
    assert dates and dates == sorted(dates, reverse=True)
    assert published[: len(dates)] == [p for p in published if p is not None]
    assert all(entry.find(f"{ATOM}updated") is not None for entry in entries)
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://testserver/moeder/")


@pytest.mark.usefixtures("db_archive")
def test_date_order_is_newest_first():
    found = hits("regioner", order=searching.NEWEST)
    dates = [item.meeting.date for item in found if item.meeting.date]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.usefixtures("db_archive")
@pytest.mark.parametrize("order", [searching.NEWEST, searching.OLDEST])
@pytest.mark.parametrize(
    "q", ["regioner", "psykiatri", "regioner -sundhedsvæsen", "EMN-2024-00917"]
)
@pytest.mark.parametrize("sorted_in_sql", [True, False])
def test_a_date_page_is_the_same_whichever_way_it_is_found(q, order, sorted_in_sql, monkeypatch):
    """All matches fetched and sorted, or the meetings walked by date: the same pages, each
    the date order of every match (case-number hits first, undated last, id descending)."""
    query = searching.parse_query(q)
    every = searching.search_page(query, page_size=searching.CANDIDATES, highlight=False).hits
    assert every and len(every) < searching.CANDIDATES, q

    def date_order(item) -> tuple:
        date = item.meeting.date
        day = date.toordinal() if date else 0
        newest = order == searching.NEWEST
        return (not item.case_hit, date is None, -day if newest else day, -item.pk)

    walked = [item.pk for item in sorted(every, key=date_order)]
    if not sorted_in_sql:  # as for a word with too many matches to fetch them all
        monkeypatch.setattr(searching, "DATE_SORT_ROWS", -1)
        monkeypatch.setattr(
            searching,
            "ranked",
            lambda *args: searching.Ranked(summary=searching.Summary(total=len(walked), more=True)),
        )
    for offset in range(0, len(walked), 3):
        ids, _ = searching.page_ids(query, None, order, offset, 3)
        assert ids == walked[offset : offset + 3]


# ----------------------------------------------------------- odd queries


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Sådan søger du"),
        ("   ", "Sådan søger du"),
        ("og i", "kun meget almindelige ord"),
        ("ikke", "kun meget almindelige ord"),  # a plain word, but a stop word
        ("ikke meget", "kun meget almindelige ord"),
        ('"""', "kun meget almindelige ord"),
        ("- OR ( ) & | ! :*", "matche"),
        ("sundhed " * 400, "forkortet til 200 tegn"),
        ("\x00\x01klima\x7f", "matcher"),
        ("zxqwvy", "Ingen punkter matchede"),
        ("'; DROP TABLE meetings_case; --", "Ingen punkter matchede"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
@pytest.mark.usefixtures("db_archive")
def test_odd_queries_get_a_helpful_page(client, q, message):
    response = client.get("/soeg/", {"q": q, "side": "x", "sortering": "?", "format": "html"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<script>alert" not in html
    assert get_json(client, q=q)["query"] == searching.parse_query(q).raw
    assert Case.objects.exists()


@pytest.mark.usefixtures("db_archive")
def test_pages_are_bounded_and_linked(client):
    first = get_json(client, q="regioner")
    assert first["next"] and "side=2" in first["next"]
    second = get_json(client, q="regioner", side="2")
    assert not {h["url"] for h in first["hits"]} & {h["url"] for h in second["hits"]}
    assert get_json(client, q="regioner", side="9999")["page"] == first["pages"]


# ---------------------------------------------------------------- performance


@pytest.fixture
def search_cache(settings):
    from django.core.cache import cache

    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def count_queries(client, **params) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    searching.database_planner.table()  # read once a minute per process, not per page
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/soeg/", params)
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.usefixtures("db_archive")
def test_a_page_costs_a_few_queries_whatever_its_hits(client):
    # What a process reads once (a word's forms) is read before counting, whichever test ran
    # first; results are not kept here (SEARCH_CACHE_SECONDS is 0).
    for words in ("telemedicinstrategi", "regioner"):
        client.get("/soeg/", {"q": words})
    few, _ = count_queries(client, q="telemedicinstrategi")
    many, response = count_queries(client, q="regioner")
    assert response.content.decode().count('class="search-hit"') == 20
    # how common the words are as typed and with the prefix (the planner's estimates, one
    # statement), candidates with their counts, the facets' body names, the page with its
    # snippets, and the people whose names the words could be (meetings/persons.py)
    # ... and for a search of few hits, one look-up of its words in the vocabulary (no
    # "Mente du" for words the archive holds).
    assert few == 6 and many == 5


@pytest.mark.usefixtures("db_archive", "search_cache")
def test_a_repeated_search_is_answered_from_the_cache(client, monkeypatch):
    # Snippets in one pass (not two for an item matching only past the first characters).
    monkeypatch.setattr(searching, "HEADLINE_FIRST_CHARS", searching.HEADLINE_TEXT_LIMIT)
    searching.word_forms(["regioner"])  # read once per process, whichever test ran first
    first, _ = count_queries(client, q="regioner")
    again, _ = count_queries(client, q="regioner")
    second_page, _ = count_queries(client, q="regioner", side="2")
    newest, _ = count_queries(client, q="regioner", sortering="nyeste")
    # Every request reads the archive's version once (cached results are per version).
    assert first == 6 and again == 2  # the version, the page (snippets from the cache)
    assert second_page == 2  # the version, the page with its items' snippets (then cached)
    # The date order pages through every match: its ids, the page with its snippets.
    assert newest == 3 and count_queries(client, q="regioner", sortering="nyeste")[0] == 2
    cached = get_json(client, q="regioner")
    with override_settings(SEARCH_CACHE_SECONDS=0):
        assert get_json(client, q="regioner") == cached


@pytest.mark.usefixtures("db_archive", "search_cache")
def test_cached_results_are_not_used_once_the_archive_changed(
    client, django_capture_on_commit_callbacks
):
    before = get_json(client, q="vandløbsrestaurering")
    assert before["total"] == 0
    document = "Referat af møde i Vandudvalget\n\nPunkt 1. Vandløbsrestaurering i Gudenåen\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = import_document(
            document.encode(), "vand.txt", Metadata(body="Vandudvalget", date=dt.date(2025, 5, 1))
        )
    assert result.outcome == "created", result.message

    after = get_json(client, q="vandløbsrestaurering")
    assert after["total"] == 1
    assert after["hits"][0]["title"] == "Vandløbsrestaurering i Gudenåen"


@pytest.mark.usefixtures("db_archive", "search_cache")
def test_the_facets_body_names_are_read_once_per_version_of_the_archive(
    client, django_capture_on_commit_callbacks
):
    """Every search names its bodies: they are kept as results are, and a body renamed in
    the admin is shown by its new name at once (its save advances the archive's version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        names = {body.slug: body.name for body in searching._bodies().values()}
    with CaptureQueriesContext(connection) as again:
        assert {body.slug: body.name for body in searching._bodies().values()} == names
    # Outside a request the archive's version is read on each call; the bodies only once.
    assert (len(first), len(again)) == (2, 1)

    facet = get_json(client, q="regioner")["facets"]["organ"][0]
    assert facet["label"] == names[facet["value"]]
    body = Body.objects.get(slug=facet["value"])
    with django_capture_on_commit_callbacks(execute=True):
        body.name = "Omdøbt organ"
        body.save()
    facets = get_json(client, q="regioner")["facets"]["organ"]
    assert {f["value"]: f["label"] for f in facets}[body.slug] == "Omdøbt organ"


@pytest.mark.usefixtures("db_archive", "search_cache")
def test_a_snippet_is_made_again_when_its_item_changes(client):
    """A kept snippet is shown only for the version of the row it was made from."""
    first = get_json(client, q="regioner")["hits"][0]
    item = AgendaItem.objects.get(title=first["title"], number=first["number"])
    key = searching._snippet_key(searching.parse_query("regioner"), item.pk)
    version, snippet = cache.get(key)
    assert snippet == first["snippet_html"] and "<mark>" in snippet
    cache.set(key, (version, "kept snippet"))
    assert get_json(client, q="regioner")["hits"][0]["snippet_html"] == "kept snippet"

    AgendaItem.objects.filter(pk=item.pk).update(handler="Ny sagsbehandler")
    assert get_json(client, q="regioner")["hits"][0]["snippet_html"] == snippet


@pytest.mark.usefixtures("db_archive", "search_cache")
def test_cached_results_never_show_an_item_made_confidential(client):
    first = get_json(client, q="regioner")["hits"][0]
    item = AgendaItem.objects.get(title=first["title"], number=first["number"])
    AgendaItem.objects.filter(pk=item.pk).update(
        access=CONFIDENTIAL,
        title="",
        handler="",
        recommendation="",
        recommended_by="",
        decision="",
        sections=[],
        links=[],
        other_case_numbers=[],
    )
    assert item.get_absolute_url() not in {
        hit["url"] for hit in get_json(client, q="regioner")["hits"]
    }


@pytest.mark.parametrize("output", ["html", "json"])
@pytest.mark.usefixtures("db_archive")
def test_a_search_cancelled_by_the_statement_timeout_gets_a_friendly_503(
    client, monkeypatch, output
):
    from django.db import connection

    def slow(execute, sql, params, many, context):
        if 'AS "rank_"' in sql:  # the candidate read: the database cancels it
            execute("SET LOCAL statement_timeout = '10ms'", None, many, context)
            execute("SELECT pg_sleep(1)", None, many, context)
        return execute(sql, params, many, context)

    # The test's transaction is aborted after the cancel: one request, then only assertions.
    with connection.execute_wrapper(slow):
        response = client.get("/soeg/", {"q": "regioner", "format": output})
    assert response.status_code == 503
    assert "Søgningen tog for lang tid – gør den mere præcis" in response.content.decode()


@pytest.mark.usefixtures("db_archive")
def test_cleaning_the_search_index_empties_its_pending_list(client):
    """Inserted items wait in the GIN index's pending list; cleaning moves them all, and
    search still finds them."""
    text = TRICKY.replace("svineproduktion", "grisehold")
    stated = Metadata(body="Testudvalget", date=dt.date(2025, 3, 7))
    assert import_document(text.encode(), "tricky-2.txt", stated).outcome == "created"
    assert searching.clean_search_index() > 0
    assert searching.clean_search_index() == 0
    assert [hit["number"] for hit in get_json(client, q="grisehold")["hits"]] == [2]
