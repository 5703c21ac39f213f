"""Search: read the user's query, find the matching agenda items, rank and highlight them.

Every full-text and case-number query of the archive is built here; views call
`parse_query` and `search_page` (one page of hits with its counts, facets, cases
and suggestion), and never build a tsquery themselves. The vectors and the
accent folding they use (`meetings_fold`, never folding æ, ø, å) are defined in
migration 0002.

This module must never return a confidential item, never let document text
through as markup (only its own <mark> tags survive), and never raise on
what a user types.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import psycopg
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Reverse
from django.db.models.lookups import Exact
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from archive.routing import for_reading, read_alias

from . import page_cache, rows
from .filters import UNDATED
from .models import PUBLIC, AgendaItem, Body, Case, ItemCase, Meeting

MAX_QUERY_LENGTH = 200

# ---------------------------------------------------------------- policies
# How a search bounds its cost and chooses its way through the index: every measured
# choice of this module is one of these names, with the figure that set it.

# A query's cost grows with its terms: highlighting (ts_headline) tests every term at
# every word of the text, and ~99 one-letter words held a worker for 2-3.5 s. So a word
# of one letter is dropped, a repeated word kept once, and only the first MAX_TERMS
# words are searched (see _bounded_words).
MAX_TERMS = 10
# Relevance ranking (ts_rank_cd) reads every candidate's vector, and counting reads every
# match: both stop at the first CANDIDATES matches (the page then says "more than").
CANDIDATES = 1000
# A phrase cannot be answered from the GIN index alone: every row holding the words must
# be read to test where they stand. With common words that is most of the archive
# (seconds), so only the first SCANNED rows holding all the words are tested (after a
# quick try), and the page says so when there were more.
SCANNED = 20_000
# None: no quick try, the bounded scan at once.
QUICK_TRY_MS: str | None = "300ms"
# Words and a trailing prefix: the prefix is tested on the other words' rows when they
# are at most this many (see _share_when_prefix_tested_on_rows).
PREFIX_TEST_ROWS = 5_000
# Words that more items hold than this share are looked for by reading the table in
# order, rarer words through the index (see _candidate_rows_of_words).
COMMON_WORD_SHARE = 0.2
# A word typed alone that the planner expects in fewer items than this share is tried
# as typed only when its prefix is expected in more (see _candidate_rows_of_typed_words):
# the one more estimate costs planning only, a needless try 4 statements.
TYPED_TRY_SHARE = COMMON_WORD_SHARE
# A query with an excluded word is answered by the index (see _text_candidate_rows),
# which for common words builds a bitmap of most of the table (50-140 ms). When the
# planner expects at least this share of the items to match, the first FIRST_BLOCKS
# pages of the table (about 9,000 items, 8 ms at most) are tried first.
FIRST_BLOCKS_SHARE = 0.05
FIRST_BLOCKS = 2_000
# Reading one page of the table in order (testing its rows) costs about as much as
# finding this many matches through the index (measured at 1,000,000 items: 6-10 us a
# page, 0.41-0.56 us a match, bitmap and rows). Words rarer than COMMON_WORD_SHARE get
# as many of the table's first pages as the index would cost them (see
# _first_blocks_to_try); 12, 18 and 25 did alike over the load test's searches.
MATCHES_PER_BLOCK = 18
# Date orders: when at most this many items are expected to match, they are all fetched
# through the index and sorted (see _date_page_rows); more, and the meetings are walked
# newest (or oldest) first until a page of matches is found.
DATE_SORT_ROWS = 10_000
# Prefix search on the last word only from this length: `kom:*` would match nearly everything.
PREFIX_MIN_LENGTH = 5
# ts_headline costs about 0.1 ms per kB: highlight at most this much of an item, and
# first only the beginning (see _snippet_sql).
HEADLINE_TEXT_LIMIT = 20_000
HEADLINE_FIRST_CHARS = 2_500
# The ranked candidates and counts of one (query, filters) are kept this long in Django's
# cache (settings.SEARCH_CACHE_SECONDS; 0 turns it off), for the archive's current
# version only: paging, re-sorting and the twins of a search then cost one query. The
# hits themselves are re-read (and re-checked as public) on every request.
SEARCH_CACHE_SECONDS = 120
# ------------------------------------------------------------ end of policies

RELEVANCE, NEWEST, OLDEST = "relevans", "nyeste", "aeldste"
ORDERS = (RELEVANCE, NEWEST, OLDEST)

# Case numbers as people type them. Modern: EMN-2024-00917, emn 2024 917, MOD-2025-122.
# Dots for dashes too (EMN.2025.003383); the serial's zeros may be left out (EMN-2025-3383
# is EMN-2025-003383): the vectors hold every number without them as well (migration 0018).
_MODERN_CASE = re.compile(
    r"(?<![\w.-])([A-Za-zÆØÅæøå]{2,5})(\s*[-.]\s*|\s+)((?:19|20)\d\d)(?:\s*[-.]\s*|\s+)(\d{1,6})"
    r"(?![\w-]|\.\d)"
)
# Without its prefix: 2024-00917; eDoc's 2011-29298.
_YEAR_SERIAL = re.compile(r"(?<![\w/.-])((?:19|20)\d\d)\s*[-.]\s*(\d{3,6})(?![\w/-]|\.\d)")
# A two-digit year and a serial, as Greve (FirstAgenda) prints them: 24-006786, 24-6786.
_SHORT_YEAR_SERIAL = re.compile(r"(?<![\w/.-])(\d{2})\s*[-.]\s*(\d{4,6})(?![\w/-]|\.\d)")
# Old style: 10/2562, sagsnr. 10/2562 (a bare 10/12 is more likely a date: needs 3+ digits).
_OLD_CASE = re.compile(
    r"(?:\b(sagsnr|sags\s*nr|j\.?\s*nr)\.?\s*)?(?<![\w/])(\d{2})\s*/\s*(\d{1,6})(?![\w/])",
    re.IGNORECASE,
)
_CASE_WORDS = re.compile(r"\b(sagsnr|sagsnummer|sags\s*nr|j\.?\s*nr)\b\.?", re.IGNORECASE)
# Prefixes that count as a case number even when separated by spaces ("emn 2024 917").
_KNOWN_PREFIXES = {"EMN", "MOD"}
# A query of nothing but digits and separators: part of a case number (00917, 2024-009).
_PARTIAL_CASE = re.compile(r"^[\d\s/-]*\d{3,}[\d\s/-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PLAIN_WORD = re.compile(r"^[^\W_]+$")


@dataclass(frozen=True)
class CaseNumber:
    """A case number found in a query."""

    typed: str
    # The normalised number when the query gave all of it (EMN-2024-00917, 10/2562), else "".
    full: str
    # The word the search vectors hold for it, the serial without its leading zeros
    # (emn2024917, 2024917, 246786, 10/2562: see meetings_case_terms).
    term: str
    # Case.compact as the number may be stored (its serial zero-padded to 5 or 6 digits):
    # looked up exactly, or as the end of a longer number when `suffix`.
    compacts: tuple[str, ...] = ()
    suffix: bool = False
    # Case.number as it may be stored (the same paddings), looked up by its unique index.
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A user's query, cleaned: the words to search and the case numbers found in it."""

    raw: str = ""
    text: str = ""
    cases: tuple[CaseNumber, ...] = ()
    # Digits that may be part of a case number (00917); looked up on Case.compact.
    partial_case: str = ""
    shortened: bool = False
    # Words dropped by _bounded_words (one letter, repeated, beyond MAX_TERMS).
    words_dropped: bool = False
    # The last word only as typed (in its forms), never as a prefix (see
    # _text_candidate_rows).
    exact: bool = False
    # Look-ups made once per request (the items of partially typed case numbers).
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.cases or self.partial_case)

    @property
    def single_case(self) -> CaseNumber | None:
        """The query is one complete case number and nothing else."""
        if len(self.cases) == 1 and not self.text.strip() and self.cases[0].full:
            return self.cases[0]
        return None

    def words_and_prefix(self) -> tuple[str, str]:
        """The websearch part, and the last word when it should match as a stem prefix.

        Only a plain last word outside quotes, not an operand of OR, long enough for its
        stem to be selective: "sundhedsv" then also finds "sundhedsvæsenet" (the other
        words find their forms, see plain_words).
        """
        text = self.text.strip()
        if self.exact or text.count('"') % 2:
            return text, ""
        before, _, last = text.rpartition(" ")
        previous = before.split()[-1].lower() if before.split() else ""
        if (
            _PLAIN_WORD.match(last)
            and len(last) >= PREFIX_MIN_LENGTH
            and last.lower() != "or"
            and previous != "or"
        ):
            return before.strip(), last
        return text, ""


def parse_query(raw: str | None) -> Query:
    """Clean what the user typed: cap its length, strip control characters, find case numbers."""
    raw = unicodedata.normalize("NFC", _CONTROL.sub(" ", raw or "")).strip()
    shortened = len(raw) > MAX_QUERY_LENGTH
    if shortened:
        cut = raw[:MAX_QUERY_LENGTH]
        raw = cut.rsplit(" ", 1)[0] if " " in cut[MAX_QUERY_LENGTH // 2 :] else cut
    text, cases = raw, []

    def take(match: re.Match, case: CaseNumber) -> str:
        cases.append(case)
        return " "

    def modern(match: re.Match) -> str:
        prefix, separator, year, serial = match.groups()
        if "-" not in separator and prefix.upper() not in _KNOWN_PREFIXES and not prefix.isupper():
            return match.group(0)  # "til 2024 3" is words, not a case number
        full = f"{prefix.upper()}-{year}-{serial.zfill(5)}"
        head = _compact(prefix) + year
        term = head + str(int(serial))
        numbers = _paddings(f"{prefix.upper()}-{year}-", serial)
        return take(
            match, CaseNumber(match.group(0), full, term, _paddings(head, serial), numbers=numbers)
        )

    def old(match: re.Match) -> str:
        lead, year, serial = match.groups()
        if not lead and len(serial) < 3:
            return match.group(0)
        full = f"{year}/{int(serial)}"
        return take(match, CaseNumber(match.group(0), full, full, (full,), numbers=(full,)))

    def year_serial(match: re.Match) -> str:
        year, serial = match.groups()
        found = CaseNumber(
            match.group(0), "", year + str(int(serial)), _paddings(year, serial), suffix=True
        )
        return take(match, found)

    def short_year_serial(match: re.Match) -> str:
        year, serial = match.groups()
        found = CaseNumber(
            match.group(0),
            "",
            year + str(int(serial)),
            _paddings(year, serial),
            numbers=_paddings(f"{year}-", serial),
        )
        return take(match, found)

    text = _MODERN_CASE.sub(modern, text)
    text = _OLD_CASE.sub(old, text)
    text = _YEAR_SERIAL.sub(year_serial, text)
    text = _SHORT_YEAR_SERIAL.sub(short_year_serial, text)
    partial = ""
    if not cases and _PARTIAL_CASE.match(_CASE_WORDS.sub(" ", text)):
        partial = re.sub(r"[^\d/]", "", _CASE_WORDS.sub(" ", text))
    if cases or partial:
        text = _CASE_WORDS.sub(" ", text)
    text, dropped = _bounded_words(re.sub(r"\s+", " ", text).strip())
    return Query(
        raw=raw,
        text=text,
        cases=tuple(cases),
        partial_case=partial,
        shortened=shortened,
        words_dropped=dropped,
    )


def _bounded_words(text: str) -> tuple[str, bool]:
    """The words without one-letter words, repeats and words beyond MAX_TERMS; and
    whether any was dropped. A repeat is the same token outside quotes; inside quotes
    only one-letter words and words beyond MAX_TERMS go (a phrase keeps its order, and
    its quotes). Operators (OR, a lone "-") are not terms.
    """
    kept: list[str] = []
    seen: set[str] = set()
    terms = 0
    dropped = False
    quoted = False
    opening = ""  # a dropped token's opening quote, for the next word kept
    for token in text.split():
        in_phrase = quoted
        quotes = token.count('"')
        quoted ^= quotes % 2 == 1
        core = token.strip(_TOKEN_PUNCTUATION + '"-')
        one_letter = len(core) == 1 and core.isalpha()
        operator = not core or core.lower() == "or"
        repeat = not in_phrase and not quoted and token.lower() in seen
        if operator or not (one_letter or repeat or terms >= MAX_TERMS):
            kept.append(opening + token)
            opening = ""
            if not operator:
                seen.add(token.lower())
                terms += 1
            continue
        dropped = True
        if quotes % 2 and in_phrase:  # it closed a phrase: close it on the word before
            if opening:
                opening = ""  # the phrase is empty: no quotes at all
            elif kept:
                kept[-1] += '"'
        elif quotes % 2:
            opening = '"'
    if opening:
        dropped = True
    if not dropped:
        return text, False
    # An OR whose word went has nothing to join.
    while kept and kept[0].lower() == "or":
        kept.pop(0)
    while kept and kept[-1].lower() == "or":
        kept.pop()
    kept = [t for i, t in enumerate(kept) if not (t.lower() == "or" == kept[i - 1].lower())]
    return " ".join(kept), True


def _paddings(head: str, serial: str) -> tuple[str, ...]:
    """The compact numbers `head` + `serial` may be stored as: as typed, zero-padded to 5, 6."""
    return tuple(dict.fromkeys(head + serial.zfill(n) for n in (len(serial), 5, 6)))


def _compact(number: str) -> str:
    """As Case.compact and the vectors hold it: lower-case, without separators but `/`."""
    return re.sub(r"[^\w/]|_", "", number).lower()


# ------------------------------------------------------------------ tsquery


class _SQLQuery(SearchQuery):
    """A tsquery given as SQL, so Django's `@@` lookup and SearchRank accept it."""

    def __init__(self, sql: str, params: Sequence[object]):
        super().__init__("")
        self.sql, self.params = sql, list(params)

    def as_sql(self, compiler, connection, function=None, template=None):
        return f"({self.sql})", list(self.params)


# An excluded word excludes it as a whole word only (weights A-C), not where it is only a
# compound's part or another spelling (weight D, migration 0018): -plan keeps lokalplan.
_WEBSEARCH_TSQUERY = (
    "regexp_replace(websearch_to_tsquery('danish'::regconfig, meetings_fold(%s))::text,"
    r" '!''([^'']+)''', '!''\1'':ABC', 'g')::tsquery"
)
_PREFIX_TSQUERY = "to_tsquery('danish'::regconfig, meetings_fold(%s) || ':*')"
# Shorter words keep to their stem: the endings would make other words of them (to, toer).
WORD_FORMS_MIN_LENGTH = 3
_LETTERS = re.compile(r"^[^\W\d_]+$")
_TOKEN_PUNCTUATION = ",.;:!?()"


def plain_words(words: str) -> tuple[str, list[str]]:
    """`words` split into what websearch_to_tsquery reads and the plain words taken out.

    A plain word is letters only, outside quotes, neither OR nor next to one, nor after
    a lone "-": a word every match must hold, which can be looked for in all its forms.
    The rest keeps its order, so quotes, OR and exclusions mean what they did.
    """
    tokens = words.split()
    rest, plain = [], []
    quotes = 0
    for position, token in enumerate(tokens):
        core = token.strip(_TOKEN_PUNCTUATION)
        neighbours = [t.lower() for t in tokens[max(position - 1, 0) : position + 2]]
        if (
            quotes % 2 == 0
            and _LETTERS.match(core)
            and len(core) >= WORD_FORMS_MIN_LENGTH
            and "or" not in neighbours
            and (position == 0 or tokens[position - 1] != "-")
        ):
            plain.append(core)
        else:
            rest.append(token)
        quotes += token.count('"')
    return " ".join(rest), plain


def _words_tsquery(words: str) -> _SQLQuery | None:
    """websearch_to_tsquery semantics on folded text, each plain word in all its forms."""
    rest, plain = plain_words(words)
    forms = [text for text in word_forms(plain) if text]  # '': a stop word, dropped
    if not rest and not forms:
        # Stop words only: the empty query websearch_to_tsquery makes of them, which
        # matches nothing (the page says the words are too common to search for).
        return _SQLQuery(_WEBSEARCH_TSQUERY, [words]) if words.strip() else None
    parts = ([_WEBSEARCH_TSQUERY] if rest else []) + ["%s::tsquery"] * len(forms)
    return _SQLQuery(" && ".join(parts), ([rest] if rest else []) + forms)


# Words and their forms as tsquery text, kept by each process: the forms of a word never
# change, and the database's function costs 0.15 ms in every statement that calls it (its
# body is planned anew each time), where a search makes several statements per word.
_known_forms: dict[str, str] = {}
KNOWN_FORMS_LIMIT = 20_000


def word_forms(words: Sequence[str]) -> list[str]:
    """Each word in all its forms as tsquery text ('' for a stop word): the stems of the
    word with the common Danish endings (meetings_word_forms, migration 0010)."""
    found = {word: _known_forms.get(word) for word in words}
    missing = [word for word, forms in found.items() if forms is None]
    if missing:
        with for_reading().cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(meetings_word_forms(meetings_fold(w))::text, '')"
                " FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
                [missing],
            )
            read = dict(zip(missing, (forms for (forms,) in cursor.fetchall()), strict=True))
        if len(_known_forms) + len(read) > KNOWN_FORMS_LIMIT:
            _known_forms.clear()
        _known_forms.update(read)
        found.update(read)
    return [found[word] for word in words]


def _excluding_stems_tsquery(words: str) -> _SQLQuery | None:
    """The words again, but an excluded word excludes what its stem begins, as the last
    word finds it (sundhedsvæsen finds sundhedsvæsenet; -sundhedsvæsen drops it). Short
    stems stay exact (-plan must not drop planlægning). Only tested on the rows the index
    gives for the words: in the index, an excluded prefix of a common stem (!region:*)
    merges the lists of every word it begins (20 -> 140 ms at 1,000,000 items).
    """
    tsquery = _words_tsquery(words)
    if tsquery is None:
        return None
    return _SQLQuery(
        f"regexp_replace(({tsquery.sql})::text,"
        f" '!''([^'']{{{PREFIX_MIN_LENGTH},}})'':ABC', '!''\\1'':*ABC', 'g')::tsquery",
        tsquery.params,
    )


def text_tsquery(query: Query) -> _SQLQuery | None:
    """websearch_to_tsquery semantics on folded text, plain words in all their forms (see
    plain_words); the last word also as a stem prefix."""
    words, prefix = query.words_and_prefix()
    parts, params = [], []
    in_words = _words_tsquery(words) if words else None
    if in_words is not None:
        parts.append(in_words.sql)
        params.extend(in_words.params)
    if prefix:
        parts.append(_PREFIX_TSQUERY)
        params.append(prefix)
    if not parts:
        return None
    return _SQLQuery(" && ".join(parts), params)


def _highlight_tsquery(query: Query) -> _SQLQuery | None:
    """The text query, or'ed with the unfolded words so accented spellings light up too."""
    folded = text_tsquery(query)
    if folded is None:
        return None
    return _SQLQuery(
        f"{folded.sql} || websearch_to_tsquery('danish'::regconfig, %s)",
        [*folded.params, query.text],
    )


def _case_tsquery(query: Query) -> _SQLQuery | None:
    terms = sorted({case.term for case in query.cases})
    if not terms:
        return None
    # Terms are [a-z0-9/] only (made by parse_query), quoted as single lexemes.
    return _SQLQuery("%s::tsquery", [" | ".join(f"'{term}'" for term in terms)])


def has_searchable_words(query: Query) -> bool:
    """False when the words are all stop words or punctuation ("og i", "---")."""
    tsquery = text_tsquery(query)
    if tsquery is None:
        return False
    known = _known_to_have_terms(query.text)  # the last word's forms hold its stem
    if known is not None:
        return known
    with for_reading().cursor() as cursor:
        cursor.execute(f"SELECT numnode({tsquery.sql})", tsquery.params)
        return cursor.fetchone()[0] > 0


# ------------------------------------------------------------------- search


def matching_cases(query: Query, limit: int = 50) -> list[Case]:
    """Cases the query names: exactly, or containing the typed digits (00917, 2024-009)."""
    key = ("matching_cases", limit)
    if key not in query.memo:
        query.memo[key] = _matching_cases(query, limit)
    return query.memo[key]


def _matching_cases(query: Query, limit: int) -> list[Case]:
    exact = [number for case in query.cases if not case.suffix for number in case.numbers]
    suffixes = [c for case in query.cases if case.suffix for c in case.compacts]  # any prefix
    partial = query.partial_case if len(query.partial_case) >= 3 else ""
    if not (exact or suffixes or partial):
        return []
    condition = Q(number__in=exact)
    for suffix in suffixes:  # its end: the start of the reversed number (its own index)
        condition |= Q(reversed_compact__startswith=suffix[::-1])
    if partial:
        condition |= Q(compact__contains=partial)
    # Unordered in SQL so the indexes serve the LIKEs; newest numbers first here.
    cases = Case.objects.alias(reversed_compact=Reverse("compact"))
    found = list(cases.filter(condition).order_by()[: limit * 4])
    return sorted(found, key=lambda case: case.number, reverse=True)[:limit]


def close_cases(query: Query, limit: int = 5) -> list[Case]:
    """Existing case numbers resembling a mistyped or partial one (pg_trgm).

    Word similarity, since the typed number may lack its prefix; at 0.45 it still
    offers EMN-2024-00917 for a typed 2024-00971 (0.5), which similarity (0.28) would not.
    """
    terms = [case.compacts[0] if case.compacts else case.term for case in query.cases]
    if query.partial_case:
        terms.append(query.partial_case)
    if not terms:
        return []
    # Each term's closest first (meetings_close_cases, migration 0022), the terms in turn.
    similar = Case.objects.using(read_alias()).raw(
        "SELECT c.* FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n)"
        " CROSS JOIN LATERAL meetings_close_cases(t.term, %s) WITH ORDINALITY AS c"
        " ORDER BY t.n, c.ordinality",
        [terms, limit],
    )
    found: dict[int, Case] = {}
    for case in similar:
        found.setdefault(case.pk, case)
    return list(found.values())[:limit]


def matching_items(
    query: Query, filters=None, *, prefix_in_index: bool = False
) -> QuerySet[AgendaItem]:
    """Public items matching the query's words or case numbers, filtered; unordered.

    With `prefix_in_index`, a trailing prefix is looked up in the index with the other
    words rather than tested on their rows (see _text_condition).
    """
    items = AgendaItem.objects.filter(access=PUBLIC, search_vector__isnull=False)
    if filters is not None:
        items = filters.filter_queryset(items)
    condition = _match_condition(query, prefix_in_index)
    # order_by(): the model's default order would sort every match inside subqueries.
    return items.filter(condition).order_by() if condition is not None else items.none()


def _text_condition(query: Query, prefix_in_index: bool = False) -> Q | None:
    """The words through the GIN index, excluded stems tested on the rows it gives."""
    condition = _words_condition(query, prefix_in_index)
    words, _prefix = query.words_and_prefix()
    shape = _tsquery_shape(query) if condition is not None and words else None
    if shape is not None and "!" in shape[0]:
        excluding_stems = Func(
            F("search_vector"),
            _excluding_stems_tsquery(words),
            function="ts_match_vq",
            output_field=BooleanField(),
        )
        condition &= Q(excluding_stems)
    return condition


def _words_condition(query: Query, prefix_in_index: bool) -> Q | None:
    """The words through the GIN index; a trailing prefix only re-checked on those rows.

    A prefix of a common stem (patient:*) makes GIN merge the posting lists of every
    word it starts (10x slower with another word); when other words narrow the search,
    the prefix is tested on their rows instead (ts_match_vq is not indexable). When
    those words are common and the prefix is not, that reads most rows: ranking then
    falls back to the index for both (prefix_in_index; see _text_candidate_rows).
    """
    if prefix_in_index or not _tests_prefix_on_rows(query):
        text = text_tsquery(query)
        return Q(search_vector=text) if text is not None else None
    words, prefix = query.words_and_prefix()
    narrowing = _words_tsquery(words)
    prefix_query = _SQLQuery(_PREFIX_TSQUERY, [prefix])
    recheck = Func(
        F("search_vector"), prefix_query, function="ts_match_vq", output_field=BooleanField()
    )
    # A stop word ("meget") makes an empty prefix query, which matches no row: it is
    # dropped instead, as websearch_to_tsquery drops stop words (and as `&&` does).
    stop_word = Exact(Func(prefix_query, function="numnode", output_field=IntegerField()), 0)
    return Q(search_vector=narrowing) & (Q(recheck) | Q(stop_word))


def _tests_prefix_on_rows(query: Query) -> bool:
    """Whether the text condition tests a trailing prefix on the rows of the other words."""
    words, prefix = query.words_and_prefix()
    return bool(words and prefix and _has_terms(query, words))


def _has_terms(query: Query, words: str) -> bool:
    """Whether the words hold any searchable term (not only stop words or negations)."""
    known = _known_to_have_terms(words)
    if known is not None:
        return known
    key = ("has_terms", words)
    if key not in query.memo:
        with for_reading().cursor() as cursor:
            cursor.execute(
                "SELECT numnode(q) > 0 AND querytree(q) <> 'T'"
                " FROM websearch_to_tsquery('danish'::regconfig, meetings_fold(%s)) AS q",
                [words],
            )
            query.memo[key] = cursor.fetchone()[0]
    return query.memo[key]


def _known_to_have_terms(words: str) -> bool | None:
    """Whether plain words (see plain_words) hold a searchable term, from their forms, which
    are '' for a stop word and each process keeps (word_forms); None when the words hold
    more than plain words (quotes, OR, exclusions): the database must parse those."""
    rest, plain = plain_words(words)
    if rest.strip() or not plain:
        return None
    return any(word_forms(plain))


def _match_condition(query: Query, prefix_in_index: bool = False) -> Q | None:
    conditions = []
    text = _text_condition(query, prefix_in_index)
    if text is not None:
        conditions.append(text)
    case_condition = _case_condition(query)
    if case_condition is not None:
        conditions.append(case_condition)
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _case_condition(query: Query) -> Q | None:
    conditions = []
    case_query = _case_tsquery(query)
    if case_query is not None:
        conditions.append(Q(search_vector=case_query))
    if query.partial_case:
        # Item ids, not a join: `vector @@ q OR id IN (...)` can still use both indexes.
        if "partial_items" not in query.memo:
            query.memo["partial_items"] = list(
                ItemCase.objects.filter(case__in=matching_cases(query))
                .order_by()
                .values_list("item_id", flat=True)[:CANDIDATES]
            )
        if query.memo["partial_items"]:
            conditions.append(Q(pk__in=query.memo["partial_items"]))
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]


# What a hit list never shows: not read for the page (sections alone can be 100 kB).
_NOT_LISTED = ("sections", "search_vector", "recommendation", "links", "other_case_numbers")
_MEETING_NOT_LISTED = ("meeting__participants", "meeting__absent", "meeting__location")


# ---------------------------------------------------------- counts, facets


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class Summary:
    """How many items match (up to CANDIDATES) and how they spread over the filters."""

    total: int = 0
    more: bool = False
    # Only the first SCANNED items holding all the words were tested for a phrase, and
    # more hold them: `total` is then a lower bound.
    partial_scan: bool = False
    bodies: list[Facet] = field(default_factory=list)
    years: list[Facet] = field(default_factory=list)
    kinds: list[Facet] = field(default_factory=list)
    decision: list[Facet] = field(default_factory=list)


@dataclass
class Ranked:
    """The candidates of one (query, filters): ids by relevance, case-number hits, counts."""

    ids: list[int] = field(default_factory=list)
    case_hits: frozenset[int] = frozenset()
    summary: Summary = field(default_factory=Summary)
    # The cases whose number the query names (see matching_cases).
    cases: list[Case] = field(default_factory=list)


@contextmanager
def planned_for_the_words() -> Iterator[None]:
    """Statements inside are planned for the values they run with: never prepared.

    psycopg prepares a statement after its PREPARE_THRESHOLD-th run on a connection
    (archive/settings.py), and PostgreSQL may then keep one generic plan for it. A search
    must not get one: reading the table in order suits a common word and takes seconds
    for a rare one, and a kept plan would also ignore the settings made for the words at
    hand (enable_seqscan, see _candidate_rows_of_words). Browsing statements, whose
    plans do not depend on their values, stay prepared.
    """
    reading = for_reading()
    reading.ensure_connection()
    client = reading.connection
    threshold = client.prepare_threshold
    client.prepare_threshold = None
    try:
        yield
    finally:
        client.prepare_threshold = threshold


def _rows_within(budget: str, sql: str, params: Sequence) -> list[tuple] | None:
    """The statement's rows if the database answers within `budget`, else None (it
    cancelled the statement).

    Outside a transaction (a web request's case) the budget and the statement go in one
    message: PostgreSQL runs the statements of one message as one transaction, which
    ends the setting when it ends, and times each statement on its own, so the budget
    is the statement's alone. Sent apart, BEGIN, set_config and COMMIT were three round
    trips more. Inside a caller's transaction, a savepoint keeps a cancelled statement
    from aborting it (its rollback restores the setting too), and a statement that
    answers sets the setting back.
    """
    reading = for_reading()
    try:
        if not reading.in_atomic_block:
            timeout = _inlined("SELECT set_config('statement_timeout', %s, true)", [budget])
            message = f"{timeout}; {_inlined(sql, params)}"
            with reading.cursor() as cursor:
                # Given no parameters, psycopg sends the text as a simple query, the only
                # kind that may hold two statements; the cursor starts on the first's result.
                cursor.execute(message)
                cursor.nextset()
                return cursor.fetchall()
        with transaction.atomic(using=read_alias()), reading.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'),"
                " set_config('statement_timeout', %s, true)",
                [budget],
            )
            previous = cursor.fetchone()[0]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return rows
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != "57014":  # not a cancelled statement
            raise
        return None


def _inlined(sql: str, params: Sequence) -> str:
    """A statement with its values written in as literals (psycopg's own quoting), for the
    functions of migration 0021 that run a statement given as text."""
    reading = for_reading()
    reading.ensure_connection()
    return psycopg.ClientCursor(reading.connection).mogrify(sql, params)


def _estimated_rows(items: QuerySet[AgendaItem], memo: dict | None = None) -> float:
    """The planner's estimate of how many items `items` holds (no row is read)."""
    return _estimates(items, memo=memo)[0]


def _estimates(*item_sets: QuerySet[AgendaItem], memo: dict | None = None) -> list[float]:
    """The planner's estimates of how many items each of `item_sets` holds, in one
    statement. With `memo` (a query's), what was estimated for the query before is not
    asked again: a page's choices ask about the same sets at several turns."""
    memo = {} if memo is None else memo
    statements = [
        _inlined(*items.order_by().values("id").query.sql_with_params()) for items in item_sets
    ]
    wanted = [sql for sql in dict.fromkeys(statements) if ("estimate", sql) not in memo]
    if wanted:
        for sql, rows in zip(wanted, _planner.get().rows(wanted), strict=True):
            memo["estimate", sql] = rows
    return [memo["estimate", sql] for sql in statements]


class Planner:
    """PostgreSQL's planner as a search consults it: how many items there are, and how many
    it expects a statement to give (no row is read).

    Its figures choose every way through the index below (the policies' shares are
    shares of its counts), and they are the one input of a search from outside the
    query: tests hand in a planner of their own (see `planning_with`) to take, on the
    samples' few items, the way an archive of a million would.
    """

    _table: tuple[float, float, float] = (0.0, 0.0, 0.0)  # (when read, items, pages)

    def rows(self, statements: list[str]) -> list[float]:
        """The planner's row estimate of each statement (EXPLAIN, through
        meetings_estimated_rows of migration 0021: one round trip for them all)."""
        with for_reading().cursor() as cursor:
            cursor.execute("SELECT meetings_estimated_rows(%s::text[])", [statements])
            return [float(rows) for rows in cursor.fetchone()[0]]

    def table(self) -> tuple[float, float]:
        """The item table's rows, and its rows per page (pg_class), read at most once a
        minute per process."""
        read_at, count, pages = self._table
        if time.monotonic() - read_at > 60:
            with for_reading().cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples, relpages FROM pg_class"
                    " WHERE oid = 'meetings_agendaitem'::regclass"
                )
                count, pages = cursor.fetchone()
            # reltuples is -1 and relpages 0 before the first ANALYZE.
            count, pages = max(float(count), 1.0), max(float(pages), 1.0)
            self._table = (time.monotonic(), count, pages)
        return count, count / pages


# PostgreSQL's, unless a test hands in its own (planning_with).
database_planner = Planner()
_planner: ContextVar[Planner] = ContextVar("search_planner", default=database_planner)


@contextmanager
def planning_with(planner: Planner) -> Iterator[None]:
    """Searches inside consult `planner` rather than PostgreSQL's."""
    token = _planner.set(planner)
    try:
        yield
    finally:
        _planner.reset(token)


def _share_of_items(items: QuerySet[AgendaItem], memo: dict | None = None) -> float:
    """The planner's estimate of the share of all items that `items` holds."""
    return _estimated_rows(items, memo) / _estimated_item_count()


def _estimated_item_count() -> float:
    """The planner's count of items."""
    return _planner.get().table()[0]


def _candidate_rows_of_words(
    items: QuerySet[AgendaItem],
    query: Query,
    *,
    by_index: bool = False,
    share: float | None = None,
) -> list[tuple]:
    """_candidate_rows, reading the rows in table order only when the words are common.

    The first CANDIDATES matches are found fastest by reading the table in order when
    most rows match (a common word: 10 ms, where the index takes 120). When fewer do,
    the planner still expects them spread evenly, but words cluster (a subject of some
    years, one body's vocabulary): reading in order then takes 200-400 ms where the
    index takes 40. So below a share of COMMON_WORD_SHARE the index is used. The share
    is the planner's estimate unless the caller knows better.
    """
    if share is None:
        share = _share_of_items(items, query.memo)
    if not by_index and share >= COMMON_WORD_SHARE:
        return _candidate_rows(items, query)
    blocks = _first_blocks_to_try(share, by_index, *_planner.get().table())
    if blocks:
        # Often the first blocks of the table hold enough matches: read only those
        # (a TID range scan, 2-10 ms where the index's bitmap of a common word takes 30-90).
        rows = _candidate_rows(items.filter(_in_first_blocks(blocks)), query)
        if len(rows) > CANDIDATES:
            return rows
    return _candidate_rows(items, query, by_index=True)


def _first_blocks_to_try(share: float, by_index: bool, items: float, per_block: float) -> int:
    """How many of the table's first pages to read in order before the index; 0: none.

    As many pages as the index would cost to find the expected matches
    (MATCHES_PER_BLOCK), so that when they do not hold enough matches the search costs
    at most twice the index's way, and usually far less: a word an eighth of the items
    hold found its candidates in 4,700 pages (46 ms) where the index took 68. Tried only
    when the matches, spread evenly, would fill the ranked set within those pages: words
    of one subject cluster, and a rarer word would mostly be read for nothing. An
    excluded word beside common words gets at least FIRST_BLOCKS pages from
    FIRST_BLOCKS_SHARE on (measured: regioner -sikre 106 -> 6 ms).
    `items` and `per_block` are the planner's counts of the table (Planner.table).
    """
    blocks = int(share * items / MATCHES_PER_BLOCK)
    if by_index and share >= FIRST_BLOCKS_SHARE:
        return max(blocks, FIRST_BLOCKS)
    return blocks if share * per_block * blocks > CANDIDATES else 0


def _in_first_blocks(blocks: int) -> ExpressionWrapper:
    """Rows stored in the table's first `blocks` pages (ctid < (blocks, 0)).

    Both ways of reading give rows in table order (a bitmap heap scan visits the pages
    in order too), so the first CANDIDATES matches found here are the same as those the
    index would give: which way was taken never changes the candidates.
    """
    return ExpressionWrapper(
        RawSQL('"meetings_agendaitem".ctid < %s::tid', [f"({blocks},0)"]),
        output_field=BooleanField(),
    )


def _candidate_rows(
    items: QuerySet[AgendaItem], query: Query, *, by_index: bool = False
) -> list[tuple]:
    """(id, kind, decided, rank, body_id, date) of the first CANDIDATES + 1 of `items`.

    `by_index`: planned with enable_seqscan off, so the planner reads the index whatever
    it expects; in one statement, through meetings_candidates_by_index (migration 0021),
    where setting it for a transaction of its own took BEGIN, set_config and COMMIT."""
    sql, params = _candidate_statement(items, query)
    if by_index:
        sql, params = "SELECT * FROM meetings_candidates_by_index(%s)", [_inlined(sql, params)]
    # Plain values that need no conversion, read with a cursor: the ORM's row iterator cost
    # 1.2-2.9 ms more for the thousand rows (five interleaved runs at 1,000,000 items).
    with for_reading().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _candidate_statement(items: QuerySet[AgendaItem], query: Query) -> tuple[str, Sequence]:
    """The SQL and values of _candidate_rows' statement."""
    text = text_tsquery(query)
    rank = (
        SearchRank(F("search_vector"), text, cover_density=True) if text is not None else Value(0.0)
    )
    # The meeting's body and date are the item's copies (migration 0011): no meeting is
    # looked up for a thousand candidates.
    rows = items.annotate(
        decided_=ExpressionWrapper(~Q(decision=""), output_field=BooleanField()), rank_=rank
    ).values_list("id", "kind", "decided_", "rank_", "meeting_body_id", "meeting_date")[
        : CANDIDATES + 1
    ]
    return rows.query.sql_with_params()


def _cache_key(query: Query, filters) -> str:
    active = sorted((name, str(value)) for name, value in getattr(filters, "active", {}).items())
    state = repr((query.text, sorted(c.term for c in query.cases), query.partial_case, active))
    return "search:ranked:v1:" + hashlib.sha256(state.encode()).hexdigest()


def ranked(query: Query, filters=None) -> Ranked:
    """The first CANDIDATES matches (case-number hits first), ranked, with their counts.

    One query for plain words (two with a case number among them); the result is kept
    per request and, for SEARCH_CACHE_SECONDS, in Django's cache. Relevance ranks this
    bounded set: exact whenever fewer than CANDIDATES items match, and what keeps the
    commonest words fast.
    """
    if query.is_empty:  # nothing left to search (the words dropped): nothing found
        return Ranked()
    key = _cache_key(query, filters)
    if key in query.memo:
        return query.memo[key]
    seconds = cache_seconds()
    stored_key = _for_this_archive(key) if seconds else ""
    found = cache.get(stored_key) if seconds else None
    if found is None:
        found = _rank(query, filters)
        if seconds:
            cache.set(stored_key, found, seconds)
    query.memo[key] = found
    return found


def _for_this_archive(key: str) -> str:
    """`key` for the archive as it is now: nothing cached before an import is used after it
    (a page rendered from it would be kept by the page cache as the new version's)."""
    return f"{key}:{page_cache.archive_version()}"


def _rank(query: Query, filters) -> Ranked:
    matches = matching_items(query, filters)
    rows: dict[int, tuple] = {}
    case_hits: set[int] = set()
    case_condition = _case_condition(query)
    if case_condition is not None:
        for row in _candidate_rows(matches.filter(case_condition), query):
            rows[row[0]] = row
        case_hits = set(rows)
    partial_scan = False
    if case_condition is None or _text_condition(query) is not None:
        text_rows, partial_scan = _text_candidate_rows(matches, query, filters)
        for row in text_rows:
            rows.setdefault(row[0], row)
    more = len(rows) > CANDIDATES
    chosen = list(rows.values())[:CANDIDATES]
    case_hits &= {row[0] for row in chosen}

    def order(row: tuple) -> tuple:
        pk, _kind, _decided, rank, _body, date = row
        # case hits first, rank, meeting date (newest, undated last), id: all descending
        return (pk in case_hits, rank, date is not None, date.toordinal() if date else 0, pk)

    chosen.sort(key=order, reverse=True)
    return Ranked(
        ids=[row[0] for row in chosen],
        case_hits=frozenset(case_hits),
        summary=_summary(chosen, more, partial_scan),
        cases=matching_cases(query) if query.cases or query.partial_case else [],
    )


def _text_candidate_rows(
    matches: QuerySet[AgendaItem], query: Query, filters
) -> tuple[list[tuple], bool]:
    """The candidate rows of the words, and whether only some items holding them were tested.

    Plain words and exclusions: the index answers exactly. Words and a trailing prefix:
    the prefix is tested on the other words' rows when they are few, else looked up in
    the index with them. A phrase: see _phrase_candidate_rows.
    """
    holding_the_words = _rows_to_test(query, filters)
    if holding_the_words is not None:
        return _phrase_candidate_rows(matches, query, holding_the_words)
    share = None
    if query.words_and_prefix()[1]:
        rows, share = _candidate_rows_of_typed_words(query, filters)
        if rows is not None:
            return rows, False
    if _tests_prefix_on_rows(query):
        share = _share_when_prefix_tested_on_rows(query, filters)
        if share is None:
            matches = matching_items(query, filters, prefix_in_index=True)
    # The index answers an exclusion exactly from its lists of rows (40-100 ms); read in
    # table order, the rows of common words may hold the excluded word for a long while.
    rows = _candidate_rows_of_words(matches, query, by_index=_has_exclusion(query), share=share)
    return rows, False


def _candidate_rows_of_typed_words(
    query: Query, filters
) -> tuple[list[tuple] | None, float | None]:
    """The candidates of the words as typed, when they alone are more than CANDIDATES.

    The last word also matches as a prefix (a half-typed word, sundhedsv, finds
    sundhedsvæsen), and a prefix is the costliest look-up there is: the index merges the
    lists of every word it begins (40-50 ms at 1,000,000 items for a prefix that a tenth
    of them hold, where a word as common takes 8-15). When the word as typed (in all its
    forms, see plain_words) already matches more items than are ranked, those items are
    the candidates, and the page says "more than" as it would: the prefix would add items
    holding only longer words to a set that is cut at CANDIDATES anyway. Such items still
    match: they are counted in "more than", and the date orders, which go through every
    match, list them. Otherwise (a rare or half-typed word) None, and the prefix is
    looked up; with it the planner's expected share of items the query matches, when
    that was read here (else None).

    A word typed alone that the planner does not count among the common ones
    (TYPED_TRY_SHARE) is tried only when it expects the prefix to match more items than
    the word: a word outside its most common elements gets one floor estimate, the
    prefix too (4,577 of 1,000,000 items for vandløbsrestaurering, which 49 hold), and
    trying it read the same rows twice (4 statements more for a rare or misspelt word).
    """
    # The case look-ups do not depend on how the last word is read: made once.
    typed = replace(query, exact=True, memo=query.memo)
    items = matching_items(typed, filters)
    alone = not query.words_and_prefix()[0]
    # Every estimate the page may want next, in the same statement: the prefix's (a word
    # alone), or the other words' and the prefix's (see _share_when_prefix_tested_on_rows).
    later = [matching_items(query, filters)] if alone else []
    if _tests_prefix_on_rows(query):
        later += _prefix_test_sets(query, filters)
    expected, *later_rows = _estimates(items, *later, memo=query.memo)
    prefix_share = later_rows[0] / _estimated_item_count() if alone else None
    if expected <= CANDIDATES:  # a rare or half-typed word: not worth a try
        return None, prefix_share
    share = expected / _estimated_item_count()
    if alone and share < TYPED_TRY_SHARE and prefix_share <= share:
        return None, prefix_share
    rows = _candidate_rows_of_words(items, typed, by_index=_has_exclusion(typed), share=share)
    return (rows if len(rows) > CANDIDATES else None), prefix_share


def _share_when_prefix_tested_on_rows(query: Query, filters) -> float | None:
    """The expected share of items matching, if testing the prefix on the other words'
    rows soon finds its matches; None if the index should look up both.

    Testing on rows is quick when those words are rare (at most PREFIX_TEST_ROWS rows:
    the planner's estimate, which is good for words), or when the prefix is common (a
    fifth of the items or more) so that most of their rows hold it. Otherwise both are
    looked up in the index (30-80 ms): the rows of common words can go on for a long
    while without a rarer prefix, as words of one subject cluster (that took up to a
    second). The share is the two shares multiplied: the planner cannot estimate the
    test on rows, and guessed a third, which sent two common words to the index (a
    bitmap of most of the table, 86 ms, where reading in order takes 2).
    """
    words_rows, prefix_rows = _estimates(*_prefix_test_sets(query, filters), memo=query.memo)
    words_share = words_rows / _estimated_item_count()
    if words_rows <= PREFIX_TEST_ROWS:
        return words_share  # at most that: the index for these rows
    prefix_share = prefix_rows / _estimated_item_count()
    return words_share * prefix_share if prefix_share >= COMMON_WORD_SHARE else None


def _prefix_test_sets(query: Query, filters) -> list[QuerySet[AgendaItem]]:
    """The items holding the words before the prefix, and those holding the prefix."""
    words, prefix = query.words_and_prefix()
    items = AgendaItem.objects.filter(access=PUBLIC, search_vector__isnull=False)
    if filters is not None:
        items = filters.filter_queryset(items)
    prefix_query = _SQLQuery(_PREFIX_TSQUERY, [prefix])
    return [
        items.filter(search_vector=_words_tsquery(words)),
        items.filter(search_vector=prefix_query),
    ]


def _phrase_candidate_rows(
    matches: QuerySet[AgendaItem], query: Query, holding_the_words: QuerySet[AgendaItem]
) -> tuple[list[tuple], bool]:
    """A phrase needs each row holding its words read, to test where the words stand
    (and only exclusions, every row).

    The query is tried as it is for QUICK_TRY_MS: a common phrase finds its matches at
    once. When that is not enough, only the first SCANNED items holding the words are
    tested (the page then says the count is a lower bound). The planner's estimates
    cannot choose here: words of one subject go together far more often than it assumes.
    """
    if QUICK_TRY_MS:
        quick = _quick_try(matches, query, QUICK_TRY_MS)
        if quick is not None:
            return quick, False
    # The ids as a list: given as a subquery, the planner may re-run it for every row.
    ids = list(holding_the_words[: SCANNED + 1])
    return _candidate_rows(matches.filter(_id_in(ids[:SCANNED])), query), len(ids) > SCANNED


def _quick_try(matches: QuerySet[AgendaItem], query: Query, budget: str) -> list[tuple] | None:
    """The candidate rows if the database finds them within `budget`, else None."""
    return _rows_within(budget, *_candidate_statement(matches, query))


def _tsquery_shape(query: Query) -> tuple[str, str] | None:
    """The query's tsquery and the part of it the index can answer (querytree), as text.

    None for plain words (no quotes or hyphens: no phrase, no exclusion).
    """
    text = text_tsquery(query)
    if text is None or ('"' not in query.text and "-" not in query.text):
        return None  # websearch_to_tsquery makes phrases of quotes and hyphens only
    # A pure function of the statement and its values (and of the text search
    # configuration, which only a migration changes): kept by the process as word forms
    # are, a statement less for every phrase or exclusion asked again.
    key = repr((text.sql, text.params))
    shape = _known_shapes.get(key)
    if shape is None:
        with for_reading().cursor() as cursor:
            cursor.execute(
                f"SELECT q::text, querytree(q)::text FROM (SELECT ({text.sql}) AS q) AS s",
                text.params,
            )
            shape = tuple(cursor.fetchone())
        if len(_known_shapes) >= KNOWN_FORMS_LIMIT:
            _known_shapes.clear()
        _known_shapes[key] = shape
    return shape


_known_shapes: dict[str, tuple[str, str]] = {}


def _has_exclusion(query: Query) -> bool:
    """An excluded word ("-word") beside words the index can look up."""
    shape = _tsquery_shape(query)
    return shape is not None and "!" in shape[0] and shape[1].strip() != "T"


def only_exclusions(query: Query) -> bool:
    """Nothing but excluded words ("-regionerne"): no word the index could look up."""
    shape = _tsquery_shape(query)
    return shape is not None and "!" in shape[0] and shape[1].strip() == "T"


def _rows_to_test(query: Query, filters) -> QuerySet[AgendaItem] | None:
    """For a phrase: the ids of the items holding all its words, in the order the index
    gives them (the caller tests the first SCANNED); for only exclusions, every item's,
    in table order. None when the index answers the query by itself (words, exclusions
    beside words).
    """
    shape = _tsquery_shape(query)
    if shape is not None and only_exclusions(query):
        items = AgendaItem.objects.filter(access=PUBLIC, search_vector__isnull=False)
        if filters is not None:
            items = filters.filter_queryset(items)
        return items.order_by().values_list("id", flat=True)
    if shape is None or "<" not in shape[1]:
        return None
    # All the words, in any order: what the index finds without reading the rows.
    words = re.sub(r"<(?:-|\d+)>", "&", shape[1])
    items = AgendaItem.objects.filter(access=PUBLIC, search_vector__isnull=False)
    if filters is not None:
        items = filters.filter_queryset(items)
    return (
        items.filter(search_vector=_SQLQuery("%s::tsquery", [words]))
        .order_by()
        .values_list("id", flat=True)
    )


def _summary(rows: Sequence[tuple], more: bool, partial_scan: bool = False) -> Summary:
    if not rows:
        return Summary(partial_scan=partial_scan)
    bodies: dict[int, int] = {}
    years: dict[int, int] = {}
    kinds: dict[str, int] = {}
    decided: dict[bool, int] = {}
    for _pk, kind, is_decided, _rank, body, date in rows:
        if body is not None:
            bodies[body] = bodies.get(body, 0) + 1
        year = date.year if date is not None else None  # undated: counted, never left out
        years[year] = years.get(year, 0) + 1
        kinds[kind] = kinds.get(kind, 0) + 1
        decided[is_decided] = decided.get(is_decided, 0) + 1
    kind_labels = dict(AgendaItem._meta.get_field("kind").choices)
    names = _bodies()
    return Summary(
        total=len(rows),
        more=more,
        partial_scan=partial_scan and not more,
        bodies=sorted(
            (Facet(names[pk].slug, names[pk].name, n) for pk, n in bodies.items() if pk in names),
            key=lambda facet: (-facet.count, facet.label),
        ),
        years=[
            Facet(str(year), str(year), n)
            for year, n in sorted(((y, n) for y, n in years.items() if y), reverse=True)
        ]
        + ([Facet(UNDATED, gettext("Dato ukendt"), years[None])] if None in years else []),
        kinds=[
            Facet(kind, str(kind_labels.get(kind, kind)), n) for kind, n in sorted(kinds.items())
        ],
        decision=[Facet("ja" if d else "nej", "", n) for d, n in sorted(decided.items())],
    )


def _bodies() -> dict[int, Body]:
    """Every body by id, kept as search results are: every search's facets name them (a few
    dozen rows), and reading them was a query of 1 ms per search on a slow machine. A body
    renamed in the admin advances the archive's version (page_cache's signals)."""
    seconds = cache_seconds()
    key = _for_this_archive("search:bodies:v1") if seconds else ""
    bodies = cache.get(key) if seconds else None
    if bodies is None:
        bodies = Body.objects.only("slug", "name").in_bulk()
        if seconds:
            cache.set(key, bodies, seconds)
    return bodies


def _id_in(ids: Sequence[int]) -> ExpressionWrapper:
    """`id = ANY(array)`: one parameter, where pk__in would bind (and convert) a thousand."""
    return ExpressionWrapper(
        RawSQL('"meetings_agendaitem"."id" = ANY(%s)', [list(ids)]), output_field=BooleanField()
    )


def _case_hit(query: Query) -> tuple[ExpressionWrapper | Value, bool]:
    case_condition = _case_condition(query)
    if case_condition is None:
        return Value(False), False
    return ExpressionWrapper(case_condition, output_field=BooleanField()), True


def _by_date(query: Query, filters, order: str) -> QuerySet[AgendaItem]:
    case_hit, has_cases = _case_hit(query)
    # A constant in ORDER BY could keep the planner from walking an index in date order.
    case_first = ("-case_hit",) if has_cases else ()
    date = (
        F("meeting__date").desc(nulls_last=True)
        if order == NEWEST
        else F("meeting__date").asc(nulls_last=True)
    )
    return (
        matching_items(query, filters)
        .annotate(case_hit=case_hit)
        .order_by(*case_first, date, "-id")
    )


# One page of the matches by date, from all the matches fetched through the index: the
# CTE is materialized so the planner cannot turn it into a walk of the meeting-date index;
# each match's date is the item's copy of its meeting's (migration 0011).
_SORTED_MATCHES_SQL = (
    "WITH matches AS MATERIALIZED ({matches})"
    " SELECT matches.id, matches.case_hit FROM matches"
    " ORDER BY matches.case_hit DESC, matches.meeting_date {direction} NULLS LAST,"
    " matches.id DESC OFFSET %s LIMIT %s"
)


def _date_page_rows(
    query: Query, filters, order: str, offset: int, limit: int
) -> list[tuple[int, bool]]:
    """(id, case hit) of one page of the matches by meeting date.

    Walking the meetings by date and testing their items finds a page of a common word
    at once, but a word of a few thousand items, most of them in other years than the
    first ones walked, took 200 ms and more (70,000 items tested). So when the matches
    are known to be few (the ranking saw all of them) or expected to be (the planner's
    estimate, good for words; not for phrases, which it cannot estimate, nor for a prefix
    tested on the rows of other words, which reads all of those), all are fetched
    through the index and sorted: 30 ms for 7,000 matches at 1,000,000 items.
    """
    found = ranked(query, filters)
    complete = not found.summary.more and not found.summary.partial_scan
    matches = _by_date(query, filters, order)
    if complete or (
        _rows_to_test(query, filters) is None
        and not _tests_prefix_on_rows(query)  # its rows read are the other words', not these
        and _estimated_rows(matching_items(query, filters), query.memo) <= DATE_SORT_ROWS
    ):
        sql, params = (
            matches.order_by().values("id", "meeting_date", "case_hit").query.sql_with_params()
        )
        direction = "DESC" if order == NEWEST else "ASC"
        with for_reading().cursor() as cursor:
            cursor.execute(
                _SORTED_MATCHES_SQL.format(matches=sql, direction=direction),
                [*params, offset, limit],
            )
            return [(pk, bool(hit)) for pk, hit in cursor.fetchall()]
    return list(matches.values_list("pk", "case_hit")[offset : offset + limit])


def page_ids(
    query: Query, filters, order: str, offset: int, limit: int
) -> tuple[list[int], frozenset[int]]:
    """The ids of one page of hits in order, and which of them are case-number hits."""
    if order in (NEWEST, OLDEST):
        # The archive's version only when kept: a key of a cache that is off costs a statement.
        seconds = cache_seconds()
        key = f"{_cache_key(query, filters)}:{order}:{offset}:{limit}"
        key = _for_this_archive(key) if seconds else ""
        rows = cache.get(key) if seconds else None
        if rows is None:
            rows = _date_page_rows(query, filters, order, offset, limit)
            if seconds:
                cache.set(key, rows, seconds)
        return [pk for pk, _ in rows], frozenset(pk for pk, hit in rows if hit)
    found = ranked(query, filters)
    return found.ids[offset : offset + limit], found.case_hits


# A page's hits (see load_page), each with its meeting and body, the version of its row
# (xmin: every write of a row gives it a new one) and its snippet ({snippet}: see
# _snippet_sql). Written out, not composed as a queryset:
# compiling one cost the page more than running it (meetings/rows.py).
_HIT = rows.Columns.of(AgendaItem, "meetings_agendaitem", leave_out=_NOT_LISTED)
_HIT_MEETING = rows.Columns.of(
    Meeting, "m", leave_out=[name.removeprefix("meeting__") for name in _MEETING_NOT_LISTED]
)
_HIT_BODY = rows.Columns.of(Body, "b")
_HITS_SQL = (
    f"SELECT {_HIT.sql}, {_HIT_MEETING.sql}, {_HIT_BODY.sql}, meetings_agendaitem.xmin::text,"
    " {snippet}"
    " FROM meetings_agendaitem JOIN meetings_meeting AS m ON m.id = meetings_agendaitem.meeting_id"
    " LEFT JOIN meetings_body AS b ON b.id = m.body_id"
    " WHERE meetings_agendaitem.id = ANY(%s) AND meetings_agendaitem.access = %s"
    " AND meetings_agendaitem.search_vector IS NOT NULL"
)


def load_page(
    ids: Sequence[int], case_hits: frozenset[int], query: Query, *, highlight: bool = True
) -> list[AgendaItem]:
    """The items of one page, in the order of `ids`, with meeting, body and (with
    `highlight`) snippet, in one statement.

    A snippet comes from the cache when that holds one for this version of the row (its
    xmin: any write to the item makes a new one, so an edited or redacted text is never
    shown from the cache); the statement makes the others (see _snippet_sql). Public and
    searchable is checked on every call: the ids may come from the cache.
    """
    if not ids:
        return []
    snippet_sql, snippet_params = "NULL", []
    if highlight:
        cached = _cached_snippets(ids, query)
        start, stop = _sentinels()
        snippet_sql, snippet_params = _snippet_sql(
            query, start, stop, {pk: v for pk, (v, _) in cached.items()}
        )
    with for_reading().cursor() as cursor:
        cursor.execute(_HITS_SQL.format(snippet=snippet_sql), [*snippet_params, list(ids), PUBLIC])
        found = cursor.fetchall()
    items = []
    for row in found:
        (item, meeting, body), (item.row_version_, item.snippet_) = rows.split(
            row, _HIT, _HIT_MEETING, _HIT_BODY
        )
        Meeting.body.field.set_cached_value(meeting, body if meeting.body_id is not None else None)
        AgendaItem.meeting.field.set_cached_value(item, meeting)
        items.append(item)
    by_id = {item.pk: item for item in items}
    page = [by_id[pk] for pk in ids if pk in by_id]
    for item in page:
        item.case_hit = item.pk in case_hits
    if highlight:
        made = {}
        for item in page:
            if item.snippet_ is None:  # the cache's snippet is of this version of the row
                item.snippet = mark_safe(cached[item.pk][1])  # noqa: S308 - made by safe_snippet
            else:
                item.snippet = safe_snippet(item.snippet_, start, stop)
                made[_snippet_key(query, item.pk)] = (item.row_version_, str(item.snippet))
        if made and cache_seconds():
            cache.set_many(made, cache_seconds())
    return page


def _snippet_key(query: Query, pk: int) -> str:
    words = hashlib.sha256(query.text.encode()).hexdigest()
    return f"search:snippet:v3:{words}:{pk}"


def _cached_snippets(ids: Sequence[int], query: Query) -> dict[int, tuple[str, str]]:
    """id: (row version, snippet) of the snippets the cache holds for these items."""
    if not cache_seconds():
        return {}
    keys = {_snippet_key(query, pk): pk for pk in ids}
    return {keys[key]: tuple(value) for key, value in cache.get_many(list(keys)).items()}


@dataclass
class Results:
    """One page of a search, as every format shows it (see `search_page`)."""

    summary: Summary = field(default_factory=Summary)
    hits: list[AgendaItem] = field(default_factory=list)
    page: int = 1
    pages: int = 0
    has_next: bool = False
    # The cases whose number the query names, and, when no hit carries a named number,
    # existing numbers resembling it (close_cases).
    cases: list[Case] = field(default_factory=list)
    close_cases: list[Case] = field(default_factory=list)
    # "Mente du …": the query with its unknown words replaced, or "".
    suggestion: str = ""
    # Nothing found because the words are all stop words or punctuation ("og i", "---").
    no_words: bool = False


# Date orders page through every match, uncounted beyond CANDIDATES: as deep as this.
MAX_DATE_PAGES = 500


def search_page(
    query: Query,
    filters=None,
    *,
    order: str = RELEVANCE,
    page: int = 1,
    page_size: int = 20,
    highlight: bool = True,
) -> Results:
    """Page `page` of the hits (case-number hits first, then by relevance or meeting date),
    with the counts and facets of all of them, the cases named, and "Mente du …".

    What every search page, export and feed shows comes from this one call. Relevance
    pages go as deep as the ranked candidates, the date orders as deep as counted (or
    MAX_DATE_PAGES when more match); a page beyond the last shows the last.
    """
    if query.is_empty:
        return Results()
    found = ranked(query, filters)
    summary = found.summary
    suggested = suggestion(query, filters, summary.total)
    words_only = query.text and not query.cases and not query.partial_case
    if not summary.total and words_only and not has_searchable_words(query):
        return Results(summary=summary, suggestion=suggested, no_words=True)
    pages = max(1, -(-summary.total // page_size))
    if order != RELEVANCE and summary.more:
        pages = MAX_DATE_PAGES
    page = min(max(page, 1), pages)
    ids, case_hits = page_ids(query, filters, order, (page - 1) * page_size, page_size + 1)
    hits = load_page(ids[:page_size], case_hits, query, highlight=highlight)
    close: list[Case] = []
    if (query.cases or query.partial_case) and not any(hit.case_hit for hit in hits):
        close = [case for case in close_cases(query) if case not in found.cases]
    return Results(
        summary=summary,
        hits=hits,
        page=page,
        pages=pages,
        has_next=len(ids) > page_size,
        cases=found.cases,
        close_cases=close,
        suggestion=suggested,
    )


def cache_seconds() -> int:
    """How long search results are cached (settings.SEARCH_CACHE_SECONDS; 0: not at all)."""
    return getattr(settings, "SEARCH_CACHE_SECONDS", SEARCH_CACHE_SECONDS)


def _snippet_sql(query: Query, start: str, stop: str, cached: dict[int, str]) -> tuple[str, list]:
    """SQL of the item's snippet, highlighted between start and stop; NULL when `cached`
    (id: row version) holds the row's version.

    ts_headline reads every word of the text it is given (about 1 ms for a long item),
    and most items match early on. So the headline is first made from the first
    HEADLINE_FIRST_CHARS; only an item that shows no match there and has more text is
    made again from up to HEADLINE_TEXT_LIMIT (the 20 snippets of the first page of
    "danske" at 1,000,000 items: 28-29 ms -> 16-18 ms). Case-number hits only: nothing
    to highlight, the start of the text, made once.
    """
    tsquery = _highlight_tsquery(query)
    again = tsquery is not None
    if tsquery is None:
        tsquery = _SQLQuery("''::tsquery", [])
    options = (
        f"StartSel={start}, StopSel={stop}, MaxWords=40, MinWords=15, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    headline = f"ts_headline('danish'::regconfig, left(t.text, %s), ({tsquery.sql}), %s)"
    sql = (
        "CASE WHEN coalesce(%s::jsonb ->> meetings_agendaitem.id::text, '')"
        " = meetings_agendaitem.xmin::text THEN NULL ELSE"
        " (SELECT CASE WHEN %s AND strpos(h.first, %s) = 0 AND length(t.text) > %s"
        f" THEN {headline} ELSE h.first END"
        # OFFSET 0: each made once. Flattened, the planner copies the text and the first
        # headline into every place that names them (a common word's page at 1,000,000 items:
        # 13.5 ms, made once 7.0).
        f" FROM (SELECT {_ITEM_TEXT} AS text OFFSET 0) AS t,"
        f" LATERAL (SELECT {headline} AS first OFFSET 0) AS h) END"
    )
    headline_params = [*tsquery.params, options]
    params = [
        json.dumps({str(pk): version for pk, version in cached.items()}),
        again,
        start,
        HEADLINE_FIRST_CHARS,
        HEADLINE_TEXT_LIMIT,
        *headline_params,
        HEADLINE_FIRST_CHARS,
        *headline_params,
    ]
    return sql, params


# ----------------------------------------------------------- highlighting

# The text a snippet is cut from: recommendation, decision, then the sections in order (a
# list of {"heading", "text"}; rows not yet converted by migration 0006 hold an object).
_ITEM_TEXT = (
    "concat_ws(E'\\n', meetings_agendaitem.recommendation, meetings_agendaitem.decision,"
    " CASE jsonb_typeof(meetings_agendaitem.sections)"
    " WHEN 'array' THEN (SELECT string_agg(s.section ->> 'text', E'\\n' ORDER BY s.n)"
    "  FROM jsonb_array_elements(meetings_agendaitem.sections) WITH ORDINALITY AS s(section, n))"
    " WHEN 'object' THEN (SELECT string_agg(s.value, E'\\n')"
    "  FROM jsonb_each_text(meetings_agendaitem.sections) AS s)"
    " END)"
)


def _sentinels() -> tuple[str, str]:
    return f"hl{secrets.token_hex(12)}s", f"hl{secrets.token_hex(12)}e"


def safe_snippet(text: str, start: str, stop: str) -> SafeString:
    """Escape everything, then turn only our own sentinels into <mark> tags."""
    escaped = str(escape(text))
    escaped = escaped.replace(start, "<mark>").replace(stop, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our tags added


# ------------------------------------------------------------ maintenance


def clean_search_index() -> int:
    """Move the item search index's pending list into the index proper; pages cleaned.

    The GIN index takes inserts into a pending list (fastupdate), which every search must
    scan until autovacuum merges it: after a bulk import, searches for rare words were 3x
    slower. Call this once at the end of an import (meetings.importing.run_import).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('item_search_vector_gin'::regclass)")
        return int(cursor.fetchone()[0])


# ------------------------------------------------------------ "Mente du …"

# A suggestion is looked for when a search finds fewer items than this.
FEW_HITS = 3
# pg_trgm similarity a vocabulary word needs to be offered for a typed one.
SUGGESTION_SIMILARITY = 0.4
_SUGGESTED_WORD_MIN_LENGTH = 4


def suggestion(query: Query, filters, found: int) -> str:
    """The query with its unknown words replaced by the archive's closest words (pg_trgm
    over meetings_word, the commoner word first among equally close ones); "" when none
    is closer, or when the new query would find no more items than `found` (the table
    may keep words no public item holds any more: they are never offered)."""
    if found >= FEW_HITS or not query.text or query.cases or query.partial_case:
        return ""
    tokens = query.text.split()
    cores = {
        position: token.strip(_TOKEN_PUNCTUATION + '"-') for position, token in enumerate(tokens)
    }
    cores = {
        position: core
        for position, core in cores.items()
        if len(core) >= _SUGGESTED_WORD_MIN_LENGTH and _LETTERS.match(core)
    }
    if not cores:
        return ""
    closest = _closest_words(sorted({core.lower() for core in cores.values()}))
    changed = False
    for position, core in cores.items():
        better = closest.get(core.lower(), "")
        if better and better != core.lower():
            tokens[position] = tokens[position].replace(core, better)
            changed = True
    if not changed:
        return ""
    suggested = " ".join(tokens)
    # Only whether it finds more than `found`: the matches counted up to one more, not
    # ranked (ranking the offer made a misspelt word's page 55 ms slower at 1,000,000 items).
    offered = matching_items(parse_query(suggested), filters)
    return suggested if offered[: found + 1].count() > found else ""


def _closest_words(words: list[str]) -> dict[str, str]:
    """Each word: itself when the vocabulary holds it, else its closest word, else "".
    One statement: the trigram index finds candidates at pg_trgm's default threshold
    (0.3), the closer ones are kept. Read where the page reads (the replica, when set)."""
    with for_reading().cursor() as cursor:
        cursor.execute(
            "SELECT t.w, (SELECT m.word FROM meetings_word AS m"
            "  WHERE m.word %% t.w AND similarity(m.word, t.w) >= %s"
            "  ORDER BY m.word = t.w DESC, similarity(m.word, t.w) DESC, m.uses DESC, m.word"
            "  LIMIT 1)"
            " FROM unnest(%s::text[]) AS t(w)",
            [SUGGESTION_SIMILARITY, words],
        )
        return {word: closest or "" for word, closest in cursor.fetchall()}
