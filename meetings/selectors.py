"""Reading the archive for its pages: functions that return querysets or plain data.

Every page's data comes from here, in a bounded number of queries whatever the
number of items (select_related / prefetch_related / subqueries, never a query
per row). An AgendaItem row is one document's version of an item; the pages
show, per meeting and item number, the minutes' row when there is one, else
the agenda's (`shown_items`).

This module must never write, and never hand out the text of a confidential
item: the database keeps none on the item, and the document text shown on a
document page is blanked inside a confidential item's span (`document_text`).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import (
    AGENDA,
    CONFIDENTIAL,
    MINUTES,
    PUBLIC,
    AgendaItem,
    Attachment,
    Body,
    Case,
    Meeting,
    SourceDocument,
)
from .parsing.decode import decode_document
from .parsing.model import ParseError
from .parsing.normalise import normalise

# A text document's page on the site shows this many lines; item links point into it.
LINES_PER_PAGE = 500
PDF = "application/pdf"
FIGURES_SECONDS = 3600


# Search vectors belong to the search engine: pages never read them, so never load them.
SEARCH_FIELDS = tuple(
    f.name for f in AgendaItem._meta.concrete_fields if isinstance(f, SearchVectorField)
)


def item_rows() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.defer(*SEARCH_FIELDS)


# ------------------------------------------------------------------ items


def shown_items() -> QuerySet[AgendaItem]:
    """Per (meeting, number) the row pages show: minutes over agenda, then the newest row.

    A row is shown when no other row of its meeting and number outranks it; the
    (meeting, number) index makes the anti-join cheap.
    `kind` is compared as text: "minutes" sorts after "agenda" (a test pins this).
    """
    better = AgendaItem.objects.filter(
        meeting=OuterRef("meeting"), number=OuterRef("number")
    ).filter(Q(kind__gt=OuterRef("kind")) | Q(kind=OuterRef("kind"), pk__gt=OuterRef("pk")))
    return item_rows().filter(~Exists(better))


def public_decisions() -> QuerySet[AgendaItem]:
    """Shown items that record a decision, newest meeting first (undated last)."""
    return (
        shown_items()
        .filter(access=PUBLIC)
        .exclude(decision="")
        .select_related("meeting__body")
        .defer("sections", "recommendation", "links", "meeting__participants", "meeting__absent")
        .order_by(F("meeting__date").desc(nulls_last=True), "-meeting_id", "number")
    )


def _with_cases(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """Each item's cases as `item.case_list`, in one query for the whole list."""
    return items.prefetch_related(
        Prefetch("cases", queryset=Case.objects.order_by("number"), to_attr="case_list")
    )


def _item_count() -> Subquery:
    """Distinct item numbers of the outer meeting: one index scan per meeting shown."""
    counted = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("number", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --------------------------------------------------------------- the home page


def archive_figures() -> dict[str, int]:
    """How much the archive holds, counting items as the pages show them.

    Counting 100,000 items takes a few hundred milliseconds, so the figures are
    cached until the next import (or deletion) of a document changes them.
    """
    state = SourceDocument.objects.aggregate(n=Count("pk"), last=Max("imported_at"))
    key = f"archive-figures:{state['n']}:{state['last'].isoformat() if state['last'] else ''}"
    return cache.get_or_set(key, _count_archive, FIGURES_SECONDS)


def _count_archive() -> dict[str, int]:
    items = shown_items().aggregate(
        items=Count("pk"), decisions=Count("pk", filter=Q(access=PUBLIC) & ~Q(decision=""))
    )
    return {
        "meetings": Meeting.objects.count(),
        "items": items["items"],
        "cases": Case.objects.count(),
        "decisions": items["decisions"],
    }


def recent_meetings(limit: int = 10) -> list[Meeting]:
    """The latest dated meetings, with their body and item count."""
    return list(
        Meeting.objects.filter(date__isnull=False)
        .select_related("body")
        .defer("participants", "absent")
        .annotate(item_count=_item_count())
        .order_by("-date", "-id")[:limit]
    )


# ------------------------------------------------------------------ bodies


def bodies() -> QuerySet[Body]:
    """Every body with how many meetings it has and its latest meeting date."""
    return Body.objects.annotate(
        meeting_count=Count("meetings"), latest_date=Max("meetings__date")
    ).order_by("name")


def body(slug: str) -> Body | None:
    return Body.objects.filter(slug=slug).first()


def body_meetings(body: Body) -> QuerySet[Meeting]:
    """A body's meetings, newest first, undated last, each with its item count."""
    return (
        body.meetings.defer("participants", "absent")
        .annotate(item_count=_item_count())
        .order_by(F("date").desc(nulls_last=True), "-id")
    )


@dataclass
class YearGroup:
    """Meetings of one year; year None holds the meetings whose date is unknown."""

    year: int | None
    meetings: list[Meeting] = field(default_factory=list)


def group_by_year(meetings: Iterable[Meeting]) -> list[YearGroup]:
    """Consecutive meetings grouped by year, in the order given."""
    groups: list[YearGroup] = []
    for meeting in meetings:
        year = meeting.date.year if meeting.date else None
        if not groups or groups[-1].year != year:
            groups.append(YearGroup(year))
        groups[-1].meetings.append(meeting)
    return groups


# ---------------------------------------------------------------- meetings


def meeting(slug: str) -> Meeting | None:
    return Meeting.objects.select_related("body").filter(slug=slug).first()


def meeting_documents(meeting: Meeting) -> list[SourceDocument]:
    """The meeting's source documents (never their bytes), each with the kind it gives."""
    # A subquery on the (document, meeting, number) key: a join would read every
    # item of a packet shared by many meetings.
    kind = item_rows().filter(document=OuterRef("pk"), meeting=meeting).order_by("-kind")
    return list(
        meeting.documents.defer("content", "warnings", "metadata")
        .annotate(kind=Subquery(kind.values("kind")[:1]))
        .order_by("file_name")
    )


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda as shown: one row per item number, with its cases."""
    return list(
        _with_cases(shown_items().filter(meeting=meeting))
        .defer("sections", "recommendation", "links", "other_case_numbers")
        .order_by("number")
    )


# ------------------------------------------------------------------- items


@dataclass
class Section:
    heading: str
    text: str


@dataclass
class ItemPage:
    """Everything an item page shows. `agenda` is the agenda's version when minutes exist."""

    item: AgendaItem
    agenda: AgendaItem | None
    sections: list[Section]
    agenda_sections: list[Section]
    mentioned_cases: list[str]
    known_cases: set[str]
    previous_number: int | None
    next_number: int | None


def item_page(meeting: Meeting, number: int) -> ItemPage | None:
    """The item `number` of a meeting in every version, or None when it has none."""
    versions = list(
        item_rows()
        .filter(meeting=meeting, number=number)
        .select_related("document")
        .defer("document__content", "document__warnings", "document__metadata")
        .prefetch_related(
            Prefetch("cases", queryset=Case.objects.order_by("number"), to_attr="case_list"),
            Prefetch("attachments", queryset=Attachment.objects.order_by("position")),
        )
    )
    if not versions:
        return None
    # The same ranking as shown_items(), in Python.
    versions.sort(key=lambda row: (row.kind, row.pk))
    item = versions[-1]
    agenda = None
    if item.kind == MINUTES and not item.is_confidential:
        agendas = [v for v in versions if v.kind == AGENDA and not v.is_confidential]
        agenda = agendas[-1] if agendas else None
    mentioned = _mentioned_cases(item, agenda)
    known = set(Case.objects.filter(number__in=mentioned).values_list("number", flat=True))
    numbers = _item_numbers(meeting)
    position = numbers.index(number)
    return ItemPage(
        item=item,
        agenda=agenda,
        sections=ordered_sections(item),
        agenda_sections=ordered_sections(agenda) if agenda else [],
        mentioned_cases=mentioned,
        known_cases=known,
        previous_number=numbers[position - 1] if position > 0 else None,
        next_number=numbers[position + 1] if position + 1 < len(numbers) else None,
    )


def _item_numbers(meeting: Meeting) -> list[int]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("number")
        .values_list("number", flat=True)
        .distinct()
    )


def _mentioned_cases(item: AgendaItem, agenda: AgendaItem | None) -> list[str]:
    """Case numbers the text mentions besides the item's own, without repeats."""
    own = {case.number for case in item.case_list}
    mentioned = [*item.other_case_numbers, *(agenda.other_case_numbers if agenda else [])]
    return [n for n in dict.fromkeys(mentioned) if n not in own]


# What an item page shows in a box of its own rather than among the sections.
BOXED_HEADINGS = {"indstilling", "beslutning", "beslutninger"}


def ordered_sections(item: AgendaItem) -> list[Section]:
    """The item's sections in the order of its source document, minus the boxed ones.

    The sections are stored as jsonb, which keeps no key order; the source text
    does, so the headings are looked up there (lines of text documents are
    cached per document version). Sections whose heading is not found (PDFs,
    headings the parser invents) follow in stored order. A section repeating
    the decision or the recommendation word for word is left out: the item page
    shows those apart.
    """
    if item.is_confidential:
        return []
    sections = [
        Section(heading, text)
        for heading, text in item.sections.items()
        if _fold(heading) not in BOXED_HEADINGS
        and text.strip()
        and text.strip() not in {item.decision.strip(), item.recommendation.strip()}
    ]
    document = item.document
    if item.line and document.content_type != PDF and sections:
        lines = document_lines(document.pk, document.sha256)
        positions = _heading_positions(lines, item.line, {_fold(s.heading) for s in sections})
        sections.sort(key=lambda s: positions.get(_fold(s.heading), len(lines) + 1))
    return sections


def _heading_positions(lines: Sequence[str], start: int, wanted: set[str]) -> dict[str, int]:
    """The first line at or after `start` (1-based) on which each wanted heading stands."""
    found: dict[str, int] = {}
    for index in range(start - 1, len(lines)):
        folded = _fold(lines[index].strip().rstrip(":").rstrip())
        if folded in wanted and folded not in found:
            found[folded] = index
            if len(found) == len(wanted):
                break
    return found


def _fold(text: str) -> str:
    """Compare headings without case or accents ("Resume" is "Resumé")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def source_url(item: AgendaItem) -> str:
    """Where the item starts in its source document: a line of the text, or a PDF page."""
    document = item.document
    if document.content_type == PDF:
        url = reverse("document_file", args=[document.pk])
        return f"{url}#page={item.page}" if item.page else url
    url = reverse("document_detail", args=[document.pk])
    if not item.line:
        return url
    page = (item.line - 1) // LINES_PER_PAGE + 1
    query = f"?side={page}" if page > 1 else ""
    return f"{url}{query}#linje-{item.line}"


# ------------------------------------------------------------------- cases


def case(number: str) -> Case | None:
    return Case.objects.filter(number=number).first()


def case_items(case: Case) -> QuerySet[AgendaItem]:
    """Every shown, public item that carried the case: oldest meeting first, undated last."""
    return (
        shown_items()
        .filter(cases=case, access=PUBLIC)
        .select_related("meeting__body")
        .defer("sections", "recommendation", "links", "meeting__participants", "meeting__absent")
        .order_by(F("meeting__date").asc(nulls_last=True), "meeting_id", "number")
    )


# --------------------------------------------------------------- documents


def document(pk: int) -> SourceDocument | None:
    return SourceDocument.objects.defer("content").filter(pk=pk).first()


def document_meetings(document: SourceDocument) -> list[Meeting]:
    return list(document.meetings.select_related("body").defer("participants", "absent"))


def document_items(document: SourceDocument) -> list[AgendaItem]:
    """The document's own item rows in document order (its version of each item)."""
    return list(
        item_rows()
        .filter(document=document)
        .select_related("meeting", "document")
        .only(
            "number",
            "access",
            "title",
            "kind",
            "line",
            "page",
            "meeting__slug",
            "meeting__date",
            "document__content_type",
        )
        .order_by(F("line").asc(nulls_last=True), "meeting_id", "number")
    )


def document_file(pk: int) -> SourceDocument | None:
    return SourceDocument.objects.only("file_name", "content", "content_type").filter(pk=pk).first()


@functools.lru_cache(maxsize=16)
def document_lines(pk: int, sha256: str) -> tuple[str, ...]:
    """A document's lines as the parser numbered them (cached per version of the file).

    Keyed by the content hash too, so a re-imported document is read afresh.
    Empty for a document that no longer decodes.
    """
    data = SourceDocument.objects.filter(pk=pk, sha256=sha256).values_list("content", flat=True)
    content = data.first()
    if content is None:
        return ()
    try:
        decoded = decode_document(bytes(content), f"document-{pk}.txt")
    except ParseError:
        return ()
    return tuple(normalise(decoded.text).lines)


@dataclass
class Line:
    number: int
    text: str
    withheld: bool = False


def document_text(
    document: SourceDocument, items: Sequence[AgendaItem], numbers: range
) -> list[Line]:
    """The lines `numbers` (1-based) of a text document.

    A confidential item's lines, from its header up to the next item, are
    withheld: the archive shows nothing of a confidential item, even when a
    source happened to carry its text.
    """
    lines = document_lines(document.pk, document.sha256)
    withheld = _withheld_lines(items, len(lines))
    return [
        Line(n, "" if n in withheld else lines[n - 1], n in withheld and bool(lines[n - 1].strip()))
        for n in numbers
        if 0 < n <= len(lines)
    ]


def _withheld_lines(items: Sequence[AgendaItem], line_count: int) -> set[int]:
    starts = sorted(item.line for item in items if item.line)
    withheld: set[int] = set()
    for item in items:
        if item.access != CONFIDENTIAL or not item.line:
            continue
        later = [s for s in starts if s > item.line]
        end = later[0] if later else line_count + 1
        withheld.update(range(item.line, end))
    return withheld
