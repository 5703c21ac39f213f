"""The search page /soeg/ and its twins: JSON, CSV and an Atom feed of the same search.

The view parses the request, asks meetings/search.py for the hits, counts and
snippets, and renders; every format is made from the one context that
`search_context` builds. The URL holds the whole state (q, filters, order,
page, format).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import OperationalError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import exports, feeds, page_cache, persons, selectors
from . import search as searching
from .filters import UNDATED
from .models import KIND_CHOICES, PUBLIC, Body, Case, Meeting, Person
from .search_filters import FILTER_PARAMS, clean_filters
from .templatetags.archive_tags import meeting_label

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
EXPORT_LIMIT = 1000
FEED_SIZE = 50
FORMATS = ("html", "json", "csv", "atom")
ORDER_LABELS = {
    searching.RELEVANCE: gettext_lazy("Relevans"),
    searching.NEWEST: gettext_lazy("Nyeste først"),
    searching.OLDEST: gettext_lazy("Ældste først"),
}


def search(request: HttpRequest) -> HttpResponse:
    output = request.GET.get("format", "html")
    if output not in FORMATS:
        output = "html"
    query = searching.parse_query(request.GET.get("q"))
    with searching.planned_for_the_words():
        return _search(request, query, output)


def _search(request: HttpRequest, query: searching.Query, output: str) -> HttpResponse:
    try:
        if output == "csv":
            context = search_context(request, query, page_size=EXPORT_LIMIT, highlight=False)
            return exports.items_csv(request, context["hits"], "moedearkiv-soegning.csv")
        if output == "atom":
            context = search_context(request, query, page_size=FEED_SIZE, order=searching.NEWEST)
            return _atom(request, context)
        context = search_context(request, query)
    except OperationalError as error:
        if not _canceled(error):
            raise  # the database is gone: DatabaseUnavailableMiddleware answers
        return _too_slow(request, query, output, error)
    if output == "json":
        return JsonResponse(_as_json(context), json_dumps_params={"ensure_ascii": False})
    hits = context["hits"]
    context["rows"] = _Lazy(_hit_rows, hits)
    # The list of hits as rendered, for exactly these rows (their versions: an edited item
    # is a new key), case marks and words: rendered once per cache period.
    context["hits_key"] = hashlib.sha256(
        repr(
            (
                query.text,
                [
                    (item.pk, item.row_version_, item.case_hit, item.meeting.slug)
                    + (item.meeting.date, item.meeting.body.name if item.meeting.body else "")
                    for item in hits
                ],
            )
        ).encode()
    ).hexdigest()
    return render(request, "search/search.html", context)


class _Lazy:
    """A list made when first iterated (not when its fragment comes from the cache)."""

    def __init__(self, make, *args):
        self.make, self.args, self.made = make, args, None

    def __iter__(self):
        if self.made is None:
            self.made = self.make(*self.args)
        return iter(self.made)


def _hit_rows(hits) -> list[dict]:
    """What the page shows of each hit, as plain values: the template only prints them."""
    kinds = {value: str(label) for value, label in KIND_CHOICES}
    months = {}  # as the date filter's "j. F Y", each month translated once
    # The page's one translation lookup for the item numbers (was a blocktranslate per hit).
    number_label = _("punkt %(number)s")
    rows = []
    for item in hits:
        meeting = item.meeting
        rows.append(
            {
                "url": reverse("item_detail", args=[meeting.slug, item.label]),
                "title": item.title,
                "date": meeting.date.isoformat() if meeting.date else "",
                "date_text": _day_month_year(meeting.date, months) if meeting.date else "",
                "body": meeting.body.name if meeting.body else "",
                "kind": kinds.get(item.kind, item.kind),
                "number": number_label % {"number": item.label},
                "case_hit": item.case_hit,
                "snippet": getattr(item, "snippet", ""),
            }
        )
    return rows


def _day_month_year(date: dt.date, months: dict[int, str]) -> str:
    if date.month not in months:
        months[date.month] = str(MONTHS[date.month])
    return f"{date.day}. {months[date.month]} {date.year}"


def _canceled(error: OperationalError) -> bool:
    """PostgreSQL cancelled the statement (statement_timeout): SQLSTATE 57014."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "57014" or "canceling statement" in str(error)


def _too_slow(
    request: HttpRequest, query: searching.Query, output: str, error: Exception
) -> HttpResponse:
    """The search ran into the statement timeout: say so, and how to help, with a 503."""
    logger.warning("search cancelled by the statement timeout: %r: %s", query.raw, error)
    message = _("Søgningen tog for lang tid – gør den mere præcis")
    if output == "json":
        response = JsonResponse(
            {"query": query.raw, "error": message},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "search/too_slow.html", {"query": query.raw, "message": message}, status=503
        )
    response["Retry-After"] = "10"
    return response


def _case_url(case: Case) -> str | None:
    try:
        return case.get_absolute_url()
    except NoReverseMatch:
        return None


def search_context(
    request: HttpRequest,
    query: searching.Query,
    *,
    page_size: int = PAGE_SIZE,
    order: str | None = None,
    highlight: bool = True,
) -> dict:
    """Everything every format shows: hits of one page, counts, facets, notices, links."""
    params = request.GET
    url = _UrlMaker(params)
    filters = clean_filters(params)
    order = order or params.get("sortering") or searching.RELEVANCE
    if order not in searching.ORDERS:
        order = searching.RELEVANCE
    notices: list[str] = []
    if query.shortened:
        notices.append(
            _("Søgningen var for lang og er forkortet til %(n)d tegn.")
            % {"n": searching.MAX_QUERY_LENGTH}
        )
    if query.words_dropped:
        notices.append(
            _("Ord på ét bogstav og gentagne ord er udeladt, og der søges højst på %(n)d ord.")
            % {"n": searching.MAX_TERMS}
        )
    for name in filters.form.errors:
        notices.append(
            _("Filteret “%(name)s” har en ugyldig værdi og blev ignoreret.") % {"name": name}
        )

    context = {
        "query": query.raw,
        "parsed": query,
        "filters": filters,
        "order": order,
        "orders": [
            {"value": value, "label": label, "url": url(sortering=value)}
            for value, label in ORDER_LABELS.items()
        ],
        "notices": notices,
        "hits": [],
        "people": [],
        "summary": searching.Summary(),
        "page": 1,
        "pages": 0,
        "pages_known": True,
        "has_next": False,
        "close_cases": [],
        "suggestion": None,
        "cases": [],
        "empty": query.is_empty,
        "no_words": False,
        "links": _links(url),
        "facets": [],
        "active_filters": _active_filter_links(url, filters),
    }
    if query.is_empty:
        if filters.active:
            context.update(_filtered_listing(filters, params, url, page_size, highlight))
        return context
    # People by name or address: a query of its own on the people table, beside the hits.
    context["people"] = _people(query.raw)
    results = searching.search_page(
        query,
        filters,
        order=order,
        page=_page_number(params.get("side")),
        page_size=page_size,
        highlight=highlight,
    )
    summary = results.summary
    if results.suggestion:
        context["suggestion"] = {"query": results.suggestion, "url": url(q=results.suggestion)}
    if results.no_words:
        context["no_words"] = True
        notices.append(
            _(
                "Søgningen indeholder kun meget almindelige ord eller tegn, som der ikke "
                "kan søges på. Prøv med mere specifikke ord."
            )
        )
        return context
    if summary.more:
        notices.append(
            _(
                "Mere end %(n)s punkter matcher; tallene og relevansordenen gælder de første "
                "%(n)s. Tilføj ord eller filtre, eller sortér efter dato for at se alle."
            )
            % {"n": f"{searching.CANDIDATES:,}".replace(",", ".")}
        )
    if summary.partial_scan:
        scanned = {"n": f"{searching.SCANNED:,}".replace(",", ".")}
        notices.append(
            _(
                "Søgningen har kun udelukkede ord, så den er afprøvet på de første %(n)s "
                "punkter. Tilføj et ord at søge efter for at søge i hele arkivet."
            )
            % scanned
            if searching.only_exclusions(query)
            else _(
                "Udtryk i anførselstegn er afprøvet på de første %(n)s punkter med alle "
                "ordene; flere punkter har ordene. Tilføj ord eller filtre for at søge i "
                "resten."
            )
            % scanned
        )
    context["close_cases"] = [(case, _case_url(case)) for case in results.close_cases]
    context.update(
        summary=summary,
        hits=results.hits,
        page=results.page,
        pages=results.pages,
        pages_known=not summary.more or order == searching.RELEVANCE,
        has_next=results.has_next,
        cases=[(case, _case_url(case)) for case in results.cases[:10]],
        facets=_Facets(url, filters, summary),
        # The sidebar is the same on every page of a search: rendered once per cache period.
        facets_key=hashlib.sha256(
            repr((sorted(url.kept.items()), order, summary)).encode()
        ).hexdigest(),
        facets_seconds=searching.cache_seconds(),
        pager=_pager(url, results.page, results.pages, results.has_next),
    )
    return context


def _people(text: str) -> list[Person]:
    """People by name or address (persons.matching), kept like the search's results: in this
    process's cache for SEARCH_CACHE_SECONDS, per version of the archive."""
    seconds = searching.cache_seconds()
    if not seconds:
        return persons.matching(text)
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    key = f"search:people:{digest}:{page_cache.archive_version()}"
    found = cache.get(key)
    if found is None:
        found = persons.matching(text)
        cache.set(key, found, seconds)
    return found


def _filtered_listing(filters, params, url: _UrlMaker, page_size: int, highlight: bool) -> dict:
    """Filters and no words: every public item they give, the newest meeting first
    (all of Sundhedsudvalget's items of 2024, say), paged like a search."""
    items = filters.filter_queryset(selectors.shown_items().filter(access=PUBLIC))
    total = page_cache.until_archive_changes(
        f"listing-count:{sorted(filters.active.items())!r}", items.count
    )
    pages = max(1, math.ceil(total / page_size))
    page = _page_number(params.get("side"), pages)
    ordered = items.order_by(
        F("meeting__date").desc(nulls_last=True), "-meeting_id", "number", "sub"
    )
    ids = list(ordered.values_list("pk", flat=True)[(page - 1) * page_size : page * page_size])
    return {
        "empty": False,
        "listing": True,
        "summary": searching.Summary(total=total),
        "hits": searching.load_page(ids, frozenset(), searching.parse_query(""), highlight=False),
        "page": page,
        "pages": pages,
        "has_next": page < pages,
        "pager": _pager(url, page, pages, page < pages),
        "facets_key": "",
        "facets_seconds": 0,
    }


def _page_number(value: str | None, pages: int | None = None) -> int:
    """The page asked for (`side`), 1 when it is no number; at most `pages` when given."""
    try:
        page = max(int(value or 1), 1)
    except ValueError:
        return 1
    return min(page, pages) if pages is not None else page


class _UrlMaker:
    """/soeg/ with the current parameters, some changed (None removes), without `side`."""

    def __init__(self, params):
        self.params = params
        self.base = reverse("search")
        self.kept = {key: params.get(key) for key in params if key not in ("side", "format")}

    def __call__(self, **changes) -> str:
        merged = {**self.kept, **changes}
        clean = {key: value for key, value in merged.items() if value not in (None, "")}
        return f"{self.base}?{urlencode(clean)}" if clean else self.base


def _url(params, **changes) -> str:
    return _UrlMaker(params)(**changes)


def _links(url: _UrlMaker) -> dict:
    return {
        "json": url(format="json", side=url.params.get("side")),
        "csv": url(format="csv"),
        "atom": url(format="atom", sortering=None),
    }


def _pager(url: _UrlMaker, page: int, pages: int, has_next: bool) -> dict:
    return {
        "previous": url(side=str(page - 1)) if page > 1 else None,
        "next": url(side=str(page + 1)) if has_next else None,
    }


class _Facets:
    """The facets (see `_facets`), made when first iterated: not when the page's sidebar
    comes from the template fragment cache."""

    def __init__(self, url: _UrlMaker, filters, summary: searching.Summary):
        self.made = None
        self.args = (url, filters, summary)

    def __iter__(self):
        if self.made is None:
            self.made = _facets(*self.args)
        return iter(self.made)

    def __bool__(self) -> bool:
        return any(True for _ in self)


def _facets(url: _UrlMaker, filters, summary: searching.Summary) -> list[dict]:
    """Each facet with counts and the link that applies it (or removes it when applied)."""
    groups = [
        ("organ", _("Organ"), summary.bodies),
        ("aar", _("År"), summary.years),
        ("art", _("Art"), summary.kinds),
        ("beslutning", _("Beslutning"), summary.decision),
    ]
    # Labels in the request's language: the summary may come from the cache.
    labels = {
        "art": {value: str(label) for value, label in KIND_CHOICES},
        "beslutning": {"ja": _("Med beslutning"), "nej": _("Uden beslutning")},
        "aar": {UNDATED: _undated()},
    }
    result = []
    for name, title, values in groups:
        selected = url.params.get(name) if name in filters.active else None
        options = [
            {
                "value": facet.value,
                "label": labels.get(name, {}).get(facet.value, facet.label),
                "count": facet.count,
                "selected": facet.value == selected,
                "url": url(**{name: None if facet.value == selected else facet.value}),
            }
            for facet in values
        ]
        if options:
            result.append({"name": name, "title": title, "options": options})
    return result


def _active_filter_links(url: _UrlMaker, filters) -> list[dict]:
    """The chosen filters as the reader would name them ("Organ: Sundhedsudvalget")."""
    return [
        {
            "name": name,
            "label": filters.form.fields[name].label,
            "value": url.params.get(name),
            "shown": _shown_value(filters, name, filters.active[name]),
            "remove": url(**{name: None}),
        }
        for name in FILTER_PARAMS
        if name in filters.active
    ]


def _undated() -> str:
    """The undated year's name, in the request's language: as a facet and as a chosen filter."""
    return _("Dato ukendt")


def _shown_value(filters, name: str, value) -> str:
    field = filters.form.fields[name]
    if hasattr(field, "choices"):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.date):
        return _day_month_year(value, {})
    if name == "aar" and value == UNDATED:
        return _undated()
    if name == "organ":
        body = Body.objects.filter(slug=value).only("name").first()
        return body.name if body else str(value)
    if name == "moede":
        meeting = Meeting.objects.filter(slug=value).select_related("body").first()
        return meeting_label(meeting) if meeting else str(value)
    return str(value)


# ------------------------------------------------------------------- twins


def _hit_json(item) -> dict:
    meeting = item.meeting
    return {
        "title": item.title,
        "url": item.get_absolute_url(),
        "number": item.printed_number,
        "kind": item.kind,
        "date": meeting.date.isoformat() if meeting.date else None,
        "body": meeting.body.name if meeting.body else None,
        "meeting_url": meeting.get_absolute_url(),
        "case_hit": bool(item.case_hit),
        "snippet_html": str(getattr(item, "snippet", "")),
    }


def _as_json(context: dict) -> dict:
    summary: searching.Summary = context["summary"]
    return {
        "query": context["query"],
        "order": context["order"],
        "page": context["page"],
        "pages": context["pages"],
        "total": summary.total,
        "more": summary.more,
        "total_is_lower_bound": summary.more or summary.partial_scan,
        "notices": [str(notice) for notice in context["notices"]],
        "filters": {name: str(value) for name, value in context["filters"].active.items()},
        "hits": [_hit_json(item) for item in context["hits"]],
        "people": [
            {"name": person.name, "slug": person.slug, "url": person.get_absolute_url()}
            for person in context["people"]
        ],
        "facets": {
            facet["name"]: [
                {"value": o["value"], "label": str(o["label"]), "count": o["count"]}
                for o in facet["options"]
            ]
            for facet in context["facets"]
        },
        "cases": [{"number": case.number, "url": url} for case, url in context["cases"]],
        "close_cases": [
            {"number": case.number, "url": url} for case, url in context["close_cases"]
        ],
        "suggestion": context.get("suggestion"),
        "next": (context.get("pager") or {}).get("next"),
    }


def _atom(request: HttpRequest, context: dict) -> HttpResponse:
    title = _("Mødearkiv: søgning efter “%(q)s”") % {"q": context["query"]}
    feed = feeds.atom_feed(request, title, _url(request.GET, format=None))
    for item in context["hits"]:
        feed.add_item(**feeds.item_entry(request, item, str(getattr(item, "snippet", ""))))
    return feeds.atom_response(feed)
