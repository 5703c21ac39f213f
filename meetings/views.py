"""The archive's pages. Views parse the request, call selectors, and return a context.

Each page view returns its context dict; the `page` decorator renders it as
HTML, or as the page's JSON twin when the URL says `?format=json` — one code
path for both. The JSON form comes from `to_data`, which never emits the text
of a confidential item or a document's bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

import django_filters
from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from archive.routing import for_reading

from . import exports, page_cache, selectors
from .filters import CaseFilter, DecisionFilter, MeetingFilter, count_choices
from .models import (
    PDF,
    AgendaItem,
    Attachment,
    Body,
    Case,
    Meeting,
    SourceDocument,
    item_label,
)
from .templatetags.archive_tags import meeting_label
from .templatetags.people_tags import people_links

logger = logging.getLogger(__name__)

PER_PAGE = 50
PAGE_PARAM = "side"

Context = dict[str, Any]


# ------------------------------------------------------------ page machinery


@dataclasses.dataclass
class Crumb:
    label: str
    url: str | None = None


@dataclasses.dataclass
class Pagination:
    number: int
    pages: int
    count: int
    per_page: int
    previous_url: str | None
    next_url: str | None


def page(template: str) -> Callable:
    """Render the view's context with `template`, or as JSON for `?format=json`."""

    def decorate(view: Callable[..., Context]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def respond(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wants_json = request.GET.get("format") == "json"
            try:
                context = view(request, *args, **kwargs)
            except Http404 as exc:
                if not wants_json:
                    raise
                return JsonResponse({"error": str(exc)}, status=404, json_dumps_params=JSON)
            if wants_json:
                return JsonResponse(to_data(context), json_dumps_params=JSON)
            return render(request, template, context)

        return respond

    return decorate


JSON = {"ensure_ascii": False, "indent": 1}


# A list of at most this many rows is counted (one bounded query) instead of its count kept.
COUNTED_OUTRIGHT = 500


class ArchivePaginator(Paginator):
    """Counts a long queryset once per version of the archive: a count reads every row it
    counts. A short one (a case's items) is counted each time it is not kept: keeping its
    count costs more round trips (a transaction with a lock, a second read of the cache
    table, the count and a write) than counting a few rows. A first page is read before
    anything is counted: when the whole list fits on it, its rows are the count."""

    _first_rows: list | None = None

    def get_page(self, number) -> Page:
        if str(number or 1) == "1" and isinstance(self.object_list, QuerySet) and not self.orphans:
            # One row more than a page: whether the list goes on past this page.
            self._first_rows = list(self.object_list[: self.per_page + 1])
        return super().get_page(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number == 1 and self._first_rows is not None:
            return self._get_page(self._first_rows[: self.per_page], number, self)
        return super().page(number)

    @functools.cached_property
    def count(self) -> int:
        items = self.object_list
        if not isinstance(items, QuerySet):
            return super().count
        if self._first_rows is not None and len(self._first_rows) <= self.per_page:
            return len(self._first_rows)

        def if_short() -> int | None:
            counted = items.order_by()[: COUNTED_OUTRIGHT + 1].count()
            return counted if counted <= COUNTED_OUTRIGHT else None

        sql, params = items.query.sql_with_params()
        return page_cache.until_archive_changes(f"count:{sql}:{params!r}", items.count, if_short)


def paginate(request: HttpRequest, items: QuerySet | range, per_page: int | None = None) -> Page:
    return ArchivePaginator(items, per_page or PER_PAGE).get_page(request.GET.get(PAGE_PARAM))


def pagination(request: HttpRequest, current: Page) -> Pagination:
    def url_of(number: int) -> str:
        query = request.GET.copy()
        query[PAGE_PARAM] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return Pagination(
        number=current.number,
        pages=current.paginator.num_pages,
        count=current.paginator.count,
        per_page=current.paginator.per_page,
        previous_url=url_of(current.previous_page_number()) if current.has_previous() else None,
        next_url=url_of(current.next_page_number()) if current.has_next() else None,
    )


def listing(request: HttpRequest, name: str, items: QuerySet) -> Context:
    """A context holding one page of `items` under `name`, and how to reach the others."""
    current = paginate(request, items)
    return {name: list(current.object_list), "pagination": pagination(request, current)}


def home_crumb() -> Crumb:
    return Crumb(_("Forside"), reverse("home"))


# ----------------------------------------------------------------- pages


# The home page names this many bodies, those that met last; the body list has them all.
# All of them made the page grow with the archive: a 5,000,000-item archive's 100 bodies
# took it from 12.1 to 18.8 ms (bench/scale_bench.py), and every municipality is 98.
HOME_BODIES = 12


@page("meetings/home.html")
def home(request: HttpRequest) -> Context:
    bodies = selectors.bodies()
    return {
        "figures": selectors.archive_figures(),
        "meetings": selectors.recent_meetings(),
        "bodies": selectors.latest_met(bodies, HOME_BODIES),
        "body_count": len(bodies),
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database answers, 503 when not (the
    database public pages read: a replica, when there is one)."""
    try:
        with for_reading().cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The reason goes to the log, not to the public: it can name hosts and users.
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "reachable"})


# Crawlers are welcome on the archive's pages, which are finite and cached; not on
# search, where every word, filter and page is another address ranked afresh (a crawler
# following the facet links would be a load test of its own), nor on the JSON twins
# (the same content again) or the staff pages. "*" is the wildcard of RFC 9309.
ROBOTS_TXT = """User-agent: *
Disallow: /soeg/
Disallow: /*format=
Disallow: /admin/
Disallow: /sprog/
"""


def robots_txt(request: HttpRequest) -> HttpResponse:
    # The sitemap's address is absolute (RFC 9309), on the host the crawler asked.
    text = f"{ROBOTS_TXT}Sitemap: {request.build_absolute_uri(reverse('sitemap'))}\n"
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@page("meetings/body_list.html")
def body_list(request: HttpRequest) -> Context:
    return {
        **listing(request, "bodies", selectors.bodies()),
        "breadcrumbs": [home_crumb(), Crumb(_("Organer"))],
    }


@page("meetings/body_detail.html")
def body_detail(request: HttpRequest, slug: str) -> Context:
    body = selectors.body(slug)
    if body is None:
        raise Http404(_("Organet “%(slug)s” findes ikke i arkivet.") % {"slug": slug})
    context = listing(request, "meetings", selectors.body_meetings(body))
    return {
        "body": body,
        "years": selectors.group_by_year(context.pop("meetings")),
        **context,
        "breadcrumbs": [home_crumb(), Crumb(_("Organer"), reverse("body_list")), Crumb(body.name)],
    }


@page("meetings/meeting_list.html")
def meeting_list(request: HttpRequest) -> Context:
    meetings = MeetingFilter(request.GET or None, queryset=selectors.meeting_list())
    context = listing(request, "meetings", meetings.qs)
    return {
        "filter": meetings,
        "years": selectors.group_by_year(context.pop("meetings")),
        **context,
        "breadcrumbs": [home_crumb(), Crumb(_("Møder"))],
    }


@page("meetings/case_list.html")
def case_list(request: HttpRequest) -> Context:
    cases = CaseFilter(request.GET or None, queryset=selectors.case_list())
    return {
        "filter": cases,
        **listing(request, "cases", cases.qs),
        "breadcrumbs": [home_crumb(), Crumb(_("Sager"))],
    }


@page("meetings/meeting_detail.html")
def meeting_detail(request: HttpRequest, slug: str) -> Context:
    meeting = selectors.meeting(slug)
    if meeting is None:
        raise Http404(_("Mødet “%(slug)s” findes ikke i arkivet.") % {"slug": slug})
    return {
        "meeting": meeting,
        "documents": selectors.meeting_documents(meeting),
        "items": selectors.meeting_items(meeting),
        "breadcrumbs": [*_body_crumbs(meeting), Crumb(meeting_label(meeting))],
    }


@page("meetings/item_detail.html")
def item_detail(request: HttpRequest, slug: str, number: tuple[int, int]) -> Context:
    found = selectors.item_page(slug, number)
    label = item_label(*number)
    if found is None:
        meeting = selectors.meeting(slug)
        if meeting is None:
            raise Http404(_("Mødet “%(slug)s” findes ikke i arkivet.") % {"slug": slug})
        raise Http404(
            _("Mødet %(meeting)s har intet punkt %(number)s.")
            % {"meeting": meeting_label(meeting), "number": label}
        )
    meeting = found.meeting
    return {
        "meeting": meeting,
        "item": found.item,
        "agenda": found.agenda,
        "sections": found.sections,
        "agenda_sections": found.agenda_sections,
        "mentioned_cases": [
            {"number": n, "url": _case_url(n) if n in found.known_cases else None}
            for n in found.mentioned_cases
        ],
        "previous_url": _item_url(meeting, found.previous_number),
        "next_url": _item_url(meeting, found.next_number),
        "breadcrumbs": [
            *_body_crumbs(meeting),
            Crumb(meeting_label(meeting), meeting.get_absolute_url()),
            Crumb(_("Punkt %(number)s") % {"number": label}),
        ],
    }


@page("meetings/case_detail.html")
def case_detail(request: HttpRequest, number: str) -> Context:
    case = selectors.case(number)
    if case is None:
        raise Http404(_("Sagen %(number)s findes ikke i arkivet.") % {"number": number})
    return {
        "case": case,
        **listing(request, "items", selectors.case_items(case)),
        "breadcrumbs": [
            home_crumb(),
            Crumb(_("Sager"), reverse("case_list")),
            Crumb(_("Sag %(number)s") % {"number": case.number}),
        ],
    }


def decision_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "csv":
        decisions = DecisionFilter(request.GET or None, queryset=selectors.public_decisions())
        rows = decisions.qs[: exports.ROW_LIMIT]
        return exports.items_csv(request, rows, "moedearkiv-beslutninger.csv")
    return _decision_page(request)


@page("meetings/decision_list.html")
def _decision_page(request: HttpRequest) -> Context:
    base = selectors.public_decisions()
    decisions = DecisionFilter(request.GET or None, queryset=base)
    count_choices(decisions, base)
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    query["format"] = "csv"
    return {
        "filter": decisions,
        **listing(request, "items", decisions.qs),
        "csv_url": f"{request.path}?{query.urlencode()}",
        "breadcrumbs": [home_crumb(), Crumb(_("Beslutninger"))],
    }


@page("meetings/document_detail.html")
def document_detail(request: HttpRequest, pk: int) -> Context:
    document = selectors.document(pk)
    if document is None:
        raise Http404(_("Dokument nummer %(pk)s findes ikke i arkivet.") % {"pk": pk})
    items = selectors.document_items(document)
    context: Context = {
        "document": document,
        "meetings": selectors.document_meetings(document),
        "items": items,
        "lines": [],
        "pagination": None,
        "breadcrumbs": [home_crumb(), Crumb(document.file_name)],
    }
    if not document.offers_file:
        lines = selectors.document_lines(document.text)
        current = paginate(request, range(1, len(lines) + 1), per_page=selectors.LINES_PER_PAGE)
        context["lines"] = selectors.document_text(lines, items, current.object_list)
        context["pagination"] = pagination(request, current)
    return context


def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The original PDF; text documents, and PDFs with a confidential item, are read as text."""
    document = selectors.document_file(pk)
    if document is None:
        raise Http404(_("Dokument nummer %(pk)s har ingen fil at hente.") % {"pk": pk})
    response = HttpResponse(bytes(document.content), content_type=PDF)
    # RFC 6266 by the framework: quotes, newlines and non-ASCII names are encoded, never raw.
    response["Content-Disposition"] = content_disposition_header(False, document.file_name)
    return response


def _body_crumbs(meeting: Meeting) -> list[Crumb]:
    crumbs = [home_crumb(), Crumb(_("Organer"), reverse("body_list"))]
    if meeting.body:
        crumbs.append(Crumb(meeting.body.name, meeting.body.get_absolute_url()))
    return crumbs


def _case_url(number: str) -> str:
    return reverse("case_detail", args=[number])


def _item_url(meeting: Meeting, number: tuple[int, int] | None) -> str | None:
    return reverse("item_detail", args=[meeting.slug, number]) if number is not None else None


# ------------------------------------------------------------ JSON twins


@functools.singledispatch
def to_data(value: Any) -> Any:
    """A context value as JSON data. Unknown types fail loudly rather than leak."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"no JSON form for {type(value).__name__}")


@to_data.register(type(None))
@to_data.register(str)
@to_data.register(int)
@to_data.register(bool)
def _plain(value: Any) -> Any:
    return value


@to_data.register
def _lazy_text(value: Promise) -> str:
    return str(value)


@to_data.register
def _date(value: dt.date) -> str:
    return value.isoformat()


@to_data.register(dict)
def _dict(value: dict) -> dict:
    return {str(k): to_data(v) for k, v in value.items()}


@to_data.register(list)
@to_data.register(tuple)
@to_data.register(set)
def _sequence(value: Any) -> list:
    items = sorted(value) if isinstance(value, set) else value
    return [to_data(v) for v in items]


@to_data.register
def _body(value: Body) -> dict:
    data = {"name": value.name, "slug": value.slug, "url": value.get_absolute_url()}
    if "contact" in _loaded(value) and value.contact:
        data["contact"] = value.contact  # where to ask for access to a closed item
    return _with_annotations(value, data, "meeting_count", "latest_date")


@to_data.register
def _meeting(value: Meeting) -> dict:
    data = {"slug": value.slug, "url": value.get_absolute_url(), "date": to_data(value.date)}
    loaded = _loaded(value)
    for name in ("time", "location", "participants", "absent"):
        if name in loaded:
            data[name] = getattr(value, name)
    if Meeting.body.is_cached(value):
        data["body"] = to_data(value.body)
    if hasattr(value, "people_"):
        data["people"] = people_links(value)
    return _with_annotations(value, data, "item_count")


@to_data.register
def _item(value: AgendaItem) -> dict:
    data: dict[str, Any] = {"number": value.printed_number, "access": value.access}
    if AgendaItem.meeting.is_cached(value):
        data["url"] = value.get_absolute_url()
        data["meeting"] = to_data(value.meeting)
    if value.is_confidential:
        # Number, access level and the title as printed: nothing else of a closed item.
        if "title" in _loaded(value) and value.title:
            data["title"] = value.title
        return data
    loaded = _loaded(value)
    for name in (
        "kind",
        "title",
        "handler",
        "recommendation",
        "recommended_by",
        "decision",
        "links",
        "other_case_numbers",
        "page",
        "line",
    ):
        if name in loaded:
            data[name] = getattr(value, name)
    if getattr(value, "handler_slug_", None):
        data["handler_url"] = reverse("person_detail", args=[value.handler_slug_])
    for name in ("revised_at", "corrected_at"):
        if name in loaded and getattr(value, name):
            data[name] = getattr(value, name).isoformat()
    if hasattr(value, "case_list"):
        data["case_numbers"] = [case.number for case in value.case_list]
    if "attachments" in getattr(value, "_prefetched_objects_cache", {}):
        data["attachments"] = to_data(list(value.attachments.all()))
    if AgendaItem.document.is_cached(value):
        data["document"] = value.document_id
        data["source_url"] = selectors.source_url(value)
    return data


@to_data.register
def _case(value: Case) -> dict:
    return {"number": value.number, "url": value.get_absolute_url()}


@to_data.register
def _attachment(value: Attachment) -> dict:
    return {
        "position": value.position,
        "title": value.title,
        "document_id": value.document_id,
        "case_number": value.case_number,
    }


@to_data.register
def _document(value: SourceDocument) -> dict:
    data = {
        "id": value.pk,
        "file_name": value.file_name,
        "url": reverse("document_detail", args=[value.pk]),
        "content_type": value.content_type,
        "size": value.size,
        "sha256": value.sha256,
        "layout": value.layout,
        "page_count": value.page_count,
        "imported_at": value.imported_at.isoformat(),
    }
    if "has_original" in _loaded(value):
        data["original_kept"] = value.has_original
        if value.offers_file:
            data["file_url"] = reverse("document_file", args=[value.pk])
    return _with_annotations(value, data, "kind")


@to_data.register
def _filter(value: django_filters.FilterSet) -> dict:
    """Each filter's value and, for a choice, the choices (with their counts where shown)."""
    form = value.form
    data = {}
    for name, field in form.fields.items():
        data[name] = {"value": form[name].value() or None}
        if hasattr(field, "choices"):
            data[name]["choices"] = [
                {"value": str(v), "label": str(label)} for v, label in field.choices if v
            ]
    return data


def _loaded(instance: Model) -> set[str]:
    """Field names loaded on an instance: touching a deferred one would cost a query."""
    return {f.attname for f in instance._meta.concrete_fields} - instance.get_deferred_fields()


def _with_annotations(instance: Model, data: dict, *names: str) -> dict:
    for name in names:
        if hasattr(instance, name):
            data[name] = to_data(getattr(instance, name))
    return data
