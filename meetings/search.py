"""Search: read the user's query, find the matching agenda items, rank and highlight them.

Every full-text and case-number query of the archive is built here; views call
`parse_query`, `search`, `summarise`, `highlight` and the case look-ups, and
never build a tsquery themselves. The vectors and the accent folding they use
(`meetings_fold`, never folding æ, ø, å) are defined in migration 0002.

This module must never return a confidential item, never let document text
through as markup (only its own <mark> tags survive), and never raise on
what a user types.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import PUBLIC, AgendaItem, Body, Case, ItemCase, Meeting

MAX_QUERY_LENGTH = 200
# Relevance ranking (ts_rank_cd) reads every candidate's vector, and counting reads every
# match: both stop at the first CANDIDATES matches (the page then says "more than").
CANDIDATES = 1000
# Prefix search on the last word only from this length: `kom:*` would match nearly everything.
PREFIX_MIN_LENGTH = 5
# ts_headline costs about 0.1 ms per kB: highlight at most this much of an item.
HEADLINE_TEXT_LIMIT = 20_000
RELEVANCE, NEWEST, OLDEST = "relevans", "nyeste", "aeldste"
ORDERS = (RELEVANCE, NEWEST, OLDEST)

# Case numbers as people type them. Modern: EMN-2024-00917, emn 2024 917, MOD-2025-122.
_MODERN_CASE = re.compile(
    r"(?<![\w-])([A-Za-zÆØÅæøå]{2,5})(\s*-\s*|\s+)((?:19|20)\d\d)(?:\s*-\s*|\s+)(\d{1,6})(?![\w-])"
)
# Without its prefix: 2024-00917.
_YEAR_SERIAL = re.compile(r"(?<![\w/-])((?:19|20)\d\d)-(\d{3,6})(?![\w/-])")
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
    # The word the search vectors hold for it (emn202400917, 202400917, 10/2562).
    term: str


@dataclass(frozen=True)
class Query:
    """A user's query, cleaned: the words to search and the case numbers found in it."""

    raw: str = ""
    text: str = ""
    cases: tuple[CaseNumber, ...] = ()
    # Digits that may be part of a case number (00917); looked up on Case.compact.
    partial_case: str = ""
    shortened: bool = False
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
        stem to be selective: "sundhedsvæsen" then also finds "sundhedsvæsenet".
        """
        text = self.text.strip()
        if text.count('"') % 2:
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
        return take(match, CaseNumber(match.group(0), full, _compact(full)))

    def old(match: re.Match) -> str:
        lead, year, serial = match.groups()
        if not lead and len(serial) < 3:
            return match.group(0)
        full = f"{year}/{int(serial)}"
        return take(match, CaseNumber(match.group(0), full, full))

    def year_serial(match: re.Match) -> str:
        year, serial = match.groups()
        return take(match, CaseNumber(match.group(0), "", f"{year}{serial.zfill(5)}"))

    text = _MODERN_CASE.sub(modern, text)
    text = _OLD_CASE.sub(old, text)
    text = _YEAR_SERIAL.sub(year_serial, text)
    partial = ""
    if not cases and _PARTIAL_CASE.match(_CASE_WORDS.sub(" ", text)):
        partial = re.sub(r"[^\d/]", "", _CASE_WORDS.sub(" ", text))
    if cases or partial:
        text = _CASE_WORDS.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return Query(raw=raw, text=text, cases=tuple(cases), partial_case=partial, shortened=shortened)


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


def text_tsquery(query: Query) -> _SQLQuery | None:
    """websearch_to_tsquery semantics on folded text; the last word also as a stem prefix."""
    words, prefix = query.words_and_prefix()
    parts, params = [], []
    if words:
        parts.append("websearch_to_tsquery('danish'::regconfig, meetings_fold(%s))")
        params.append(words)
    if prefix:
        parts.append("to_tsquery('danish'::regconfig, meetings_fold(%s) || ':*')")
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
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT numnode({tsquery.sql})", tsquery.params)
        return cursor.fetchone()[0] > 0


# ------------------------------------------------------------------- search


def matching_cases(query: Query, limit: int = 50) -> list[Case]:
    """Cases the query names: exactly, or containing the typed digits (00917, 2024-009)."""
    exact = [case.full for case in query.cases if case.full]
    suffixes = [case.term for case in query.cases if not case.full]  # 2024-00917: any prefix
    partial = query.partial_case if len(query.partial_case) >= 3 else ""
    if not (exact or suffixes or partial):
        return []
    condition = Q(number__in=exact)
    for suffix in suffixes:
        condition |= Q(compact__endswith=suffix)
    if partial:
        condition |= Q(compact__contains=partial)
    # Unordered in SQL so the trigram index serves the LIKEs; newest numbers first here.
    found = list(Case.objects.filter(condition).order_by()[: limit * 4])
    return sorted(found, key=lambda case: case.number, reverse=True)[:limit]


def close_cases(query: Query, limit: int = 5) -> list[Case]:
    """Existing case numbers resembling a mistyped or partial one (pg_trgm).

    Word similarity, since the typed number may lack its prefix; at 0.45 it still
    offers EMN-2024-00917 for a typed 2024-00971 (0.5), which similarity (0.28) would not.
    """
    terms = [case.term for case in query.cases]
    if query.partial_case:
        terms.append(query.partial_case)
    found: dict[int, Case] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.45")
        for term in terms:
            similar = (
                Case.objects.filter(compact__trigram_word_similar=term)
                .annotate(
                    closeness=Func(Value(term), F("compact"), function="word_similarity"),
                    similarity=Func(F("compact"), Value(term), function="similarity"),
                )
                .order_by("-closeness", "-similarity", "-number")[:limit]
            )
            for case in similar:
                found.setdefault(case.pk, case)
    return list(found.values())[:limit]


def matching_items(query: Query, filters=None) -> QuerySet[AgendaItem]:
    """Public items matching the query's words or case numbers, filtered; unordered."""
    items = AgendaItem.objects.filter(access=PUBLIC, search_vector__isnull=False)
    if filters is not None:
        items = filters.filter_queryset(items)
    condition = _match_condition(query)
    # order_by(): the model's default order would sort every match inside subqueries.
    return items.filter(condition).order_by() if condition is not None else items.none()


def _text_condition(query: Query) -> Q | None:
    """The words through the GIN index; a trailing prefix only re-checked on those rows.

    A prefix of a common stem (patient:*) makes GIN merge the posting lists of every
    word it starts (10x slower with another word); when other words narrow the search,
    the prefix is tested on their rows instead (ts_match_vq is not indexable).
    """
    words, prefix = query.words_and_prefix()
    if not (words and prefix and _has_terms(query, words)):
        text = text_tsquery(query)
        return Q(search_vector=text) if text is not None else None
    narrowing = _SQLQuery("websearch_to_tsquery('danish'::regconfig, meetings_fold(%s))", [words])
    prefix_query = _SQLQuery("to_tsquery('danish'::regconfig, meetings_fold(%s) || ':*')", [prefix])
    recheck = Func(
        F("search_vector"), prefix_query, function="ts_match_vq", output_field=BooleanField()
    )
    return Q(search_vector=narrowing) & Q(recheck)


def _has_terms(query: Query, words: str) -> bool:
    """Whether the words hold any searchable term (not only stop words or negations)."""
    key = ("has_terms", words)
    if key not in query.memo:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT numnode(q) > 0 AND querytree(q) <> 'T'"
                " FROM websearch_to_tsquery('danish'::regconfig, meetings_fold(%s)) AS q",
                [words],
            )
            query.memo[key] = cursor.fetchone()[0]
    return query.memo[key]


def _match_condition(query: Query) -> Q | None:
    conditions = []
    text = _text_condition(query)
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


def candidate_ids(query: Query, filters=None) -> tuple[list[int], bool]:
    """The first CANDIDATES matching ids (case-number hits first), and whether there are more.

    Fetched once per request and shared by the counts and the relevance ranking, so the
    index is read once; for a common word that read is most of the cost.
    """
    key = ("candidates", tuple(sorted(getattr(filters, "active", {}).items())))
    if key not in query.memo:
        matches = matching_items(query, filters)
        ids: list[int] = []
        case_condition = _case_condition(query)
        if case_condition is not None:
            case_hits = matches.filter(case_condition).values_list("pk", flat=True)
            ids += case_hits[: CANDIDATES + 1]
        ids += matches.values_list("pk", flat=True)[: CANDIDATES + 1]
        unique = list(dict.fromkeys(ids))
        query.memo[key] = (unique[:CANDIDATES], len(unique) > CANDIDATES)
    return query.memo[key]


def _id_in(ids: Sequence[int]) -> ExpressionWrapper:
    """`id = ANY(array)`: one parameter, where pk__in would bind (and convert) a thousand."""
    return ExpressionWrapper(
        RawSQL('"meetings_agendaitem"."id" = ANY(%s)', [list(ids)]), output_field=BooleanField()
    )


def search(query: Query, filters=None, order: str = RELEVANCE) -> QuerySet[AgendaItem]:
    """The hits, ordered: case-number hits first, then by relevance or by meeting date.

    Relevance ranks the bounded candidate set of `candidate_ids`: exact whenever fewer
    than CANDIDATES items match, and what keeps the commonest words fast. The date
    orders run over every match (walking the meeting-date index).
    """
    case_condition = _case_condition(query)
    case_hit = (
        ExpressionWrapper(case_condition, output_field=BooleanField())
        if case_condition is not None
        else Value(False)
    )
    # A constant in ORDER BY could keep the planner from walking an index in date order.
    case_first = ("-case_hit",) if case_condition is not None else ()
    newest = F("meeting__date").desc(nulls_last=True)
    if order in (NEWEST, OLDEST):
        date = newest if order == NEWEST else F("meeting__date").asc(nulls_last=True)
        hits = matching_items(query, filters).annotate(case_hit=case_hit)
        return (
            hits.order_by(*case_first, date, "-id")
            .select_related("meeting__body")
            .defer(*_NOT_LISTED)
        )

    ids, _ = candidate_ids(query, filters)
    text = text_tsquery(query)
    rank = (
        SearchRank(F("search_vector"), text, cover_density=True) if text is not None else Value(0.0)
    )
    # The date by subquery and the meetings fetched after the slice: a join here would
    # make the planner hash the whole meeting table for a thousand candidates.
    meeting_date = Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("date"))
    return (
        AgendaItem.objects.filter(_id_in(ids))
        .annotate(case_hit=case_hit, rank=rank, meeting_date=meeting_date)
        .order_by(*case_first, "-rank", F("meeting_date").desc(nulls_last=True), "-id")
        .prefetch_related("meeting__body")
        .defer(*_NOT_LISTED)
    )


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
    bodies: list[Facet] = field(default_factory=list)
    years: list[Facet] = field(default_factory=list)
    kinds: list[Facet] = field(default_factory=list)
    decision: list[Facet] = field(default_factory=list)


def summary_sql(ids: Sequence[int]) -> tuple[str, list]:
    """Total and every facet's counts over the candidate ids, in one query.

    The meeting is looked up per item (LATERAL ... OFFSET 0 keeps it a nested loop):
    otherwise the planner hashes the whole meeting table for a thousand items.
    """
    return (
        "SELECT grouping(m.b, m.y, i.kind, i.decided), m.b, m.y, i.kind, i.decided, count(*)"
        " FROM (SELECT meeting_id, kind, decision <> '' AS decided FROM meetings_agendaitem"
        "       WHERE id = ANY(%s)) AS i"
        " CROSS JOIN LATERAL (SELECT body_id AS b, EXTRACT(year FROM date)::int AS y"
        "       FROM meetings_meeting WHERE id = i.meeting_id OFFSET 0) AS m"
        " GROUP BY GROUPING SETS ((), (m.b), (m.y), (i.kind), (i.decided))",
        [list(ids)],
    )


def summarise(query: Query, filters=None) -> Summary:
    """How many items match and how they spread over the filters (see candidate_ids)."""
    ids, more = candidate_ids(query, filters)
    if not ids:
        return Summary()
    with connection.cursor() as cursor:
        cursor.execute(*summary_sql(ids))
        grouped = cursor.fetchall()
    summary = Summary()
    by_body: dict[int, int] = {}
    for grouping, body, year, kind, decided, count in grouped:
        if grouping == 0b1111:
            summary.total = count
            summary.more = more
        elif grouping == 0b0111 and body is not None:
            by_body[body] = count
        elif grouping == 0b1011 and year is not None:
            summary.years.append(Facet(str(year), str(year), count))
        elif grouping == 0b1101:
            label = dict(AgendaItem._meta.get_field("kind").choices).get(kind, kind)
            summary.kinds.append(Facet(kind, str(label), count))
        elif grouping == 0b1110:
            summary.decision.append(Facet("ja" if decided else "nej", "", count))
    names = Body.objects.in_bulk(list(by_body))
    summary.bodies = sorted(
        (Facet(names[pk].slug, names[pk].name, n) for pk, n in by_body.items() if pk in names),
        key=lambda facet: (-facet.count, facet.label),
    )
    summary.years.sort(key=lambda facet: facet.value, reverse=True)
    summary.kinds.sort(key=lambda facet: facet.value)
    summary.decision.sort(key=lambda facet: facet.value)
    return summary


# ----------------------------------------------------------- highlighting

_ITEM_TEXT = (
    "concat_ws(E'\\n', meetings_agendaitem.recommendation, meetings_agendaitem.decision,"
    " CASE WHEN jsonb_typeof(meetings_agendaitem.sections) = 'object' THEN"
    " (SELECT string_agg(s.value, E'\\n') FROM jsonb_each_text(meetings_agendaitem.sections) s)"
    " END)"
)


def highlight(items: Iterable[AgendaItem], query: Query) -> None:
    """Set `item.snippet` on each item of the shown page: escaped text, hits in <mark>."""
    items = list(items)
    if not items:
        return
    tsquery = _highlight_tsquery(query)
    if tsquery is None:  # case-number hits only: the start of the text, no highlights
        tsquery = _SQLQuery("''::tsquery", [])
    start, stop = f"hl{secrets.token_hex(12)}s", f"hl{secrets.token_hex(12)}e"
    options = (
        f"StartSel={start}, StopSel={stop}, MaxWords=40, MinWords=15, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    headline = Func(
        Left(RawSQL(_ITEM_TEXT, []), HEADLINE_TEXT_LIMIT),
        tsquery,
        Value(options),
        template="ts_headline('danish'::regconfig, %(expressions)s)",
        output_field=TextField(),
    )
    snippets = dict(
        AgendaItem.objects.filter(pk__in=[item.pk for item in items])
        .annotate(snippet=headline)
        .values_list("pk", "snippet")
    )
    for item in items:
        item.snippet = safe_snippet(snippets.get(item.pk) or "", start, stop)


def safe_snippet(text: str, start: str, stop: str) -> SafeString:
    """Escape everything, then turn only our own sentinels into <mark> tags."""
    escaped = str(escape(text))
    escaped = escaped.replace(start, "<mark>").replace(stop, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our tags added
