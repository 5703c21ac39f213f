"""Reading the archive for its pages: functions that return querysets or plain data.

Every page's data comes from here, in a bounded number of queries whatever the
number of items (select_related / prefetch_related / subqueries, never a query
per row). An AgendaItem row is one document's version of an item; the pages
show, per meeting and item number, the minutes' row when there is one, else
the agenda's: the row the importer flags `is_current` (`shown_items`).

This module must never write, and never hand out the text of a confidential
item: the database keeps none, neither on the item nor in the stored document
(whose text the importer blanked and whose bytes it dropped).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db.models import (
    Count,
    F,
    Func,
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

from . import page_cache, persons
from .models import (
    AGENDA,
    MINUTES,
    PDF,
    PUBLIC,
    AgendaItem,
    Attachment,
    Body,
    Case,
    ItemCase,
    Meeting,
    SourceDocument,
)

# A text document's page on the site shows this many lines; item links point into it.
LINES_PER_PAGE = 500


# Search vectors belong to the search engine: pages never read them, so never load them.
SEARCH_FIELDS = tuple(
    f.name for f in AgendaItem._meta.concrete_fields if isinstance(f, SearchVectorField)
)


def item_rows() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.defer(*SEARCH_FIELDS)


# ------------------------------------------------------------------ items


def shown_items() -> QuerySet[AgendaItem]:
    """Per (meeting, number) the row pages show: minutes over agenda, then the newest row."""
    return item_rows().filter(is_current=True)


def public_decisions() -> QuerySet[AgendaItem]:
    """Shown items that record a decision, newest meeting first (undated last)."""
    return (
        shown_items()
        .filter(access=PUBLIC)
        .exclude(decision="")
        .select_related("meeting__body")
        .defer("sections", "recommendation", "links", "meeting__participants", "meeting__absent")
        .order_by(F("meeting__date").desc(nulls_last=True), "-meeting_id", "number", "sub")
    )


def _with_cases(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """Each item's case numbers, in order, read with the item (see _with_case_lists).

    A prefetch of the cases was a query of its own and, with the machinery that joins its
    rows to the items, 1.8-2.5 ms of a meeting page's 16-17 (1,000,000 items).
    """
    numbers = ItemCase.objects.filter(item=OuterRef("pk")).order_by("case__number")
    return items.annotate(case_numbers_=ArraySubquery(numbers.values("case__number")))


def _with_case_lists(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """The items of a _with_cases queryset, each with its cases as `case_list`."""
    items = list(items)
    for item in items:
        item.case_list = [CaseLink(number) for number in item.case_numbers_]
    return items


@dataclass(frozen=True)
class CaseLink:
    """A case as a page of items shows it: its number, linking to the case's page."""

    number: str

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.number])


def _item_count() -> Subquery:
    """Item numbers of the outer meeting: one index-only scan per meeting shown."""
    counted = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"), is_current=True)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --------------------------------------------------------------- the home page


def archive_figures() -> dict[str, int]:
    """How much the archive holds, counting items as the pages show them.

    Counting a million items takes a few hundred milliseconds, so the figures
    are kept until the archive changes.
    """
    return page_cache.until_archive_changes("archive-figures", _count_archive)


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
    """The latest meetings, with their body and item count.

    A meeting whose date no document states is placed by the day it came into
    the archive (and shown as "dato ukendt"): the newest minutes are often the
    ones still undated, and leaving them out hid them from the front page.
    """
    meetings = meeting_list()
    dated = list(meetings.filter(date__isnull=False).order_by("-date", "-id")[:limit])
    undated = list(meetings.filter(date__isnull=True).order_by("-created_at", "-id")[:limit])
    placed = sorted(
        dated + undated,
        key=lambda m: (m.date or m.created_at.date(), m.date is not None, m.pk),
        reverse=True,
    )
    return placed[:limit]


def meeting_list() -> QuerySet[Meeting]:
    """Every meeting, newest first (undated last), with its body and item count."""
    return (
        Meeting.objects.select_related("body")
        .defer("participants", "absent")
        .annotate(item_count=_item_count())
        .order_by(F("date").desc(nulls_last=True), "-id")
    )


# ------------------------------------------------------------------ bodies


def bodies() -> list[Body]:
    """Every body with how many meetings it has and its latest meeting date.

    Kept until the archive changes: counting every body's meetings reads them all.
    """
    return page_cache.until_archive_changes(
        "bodies",
        lambda: list(
            Body.objects.annotate(
                meeting_count=Count("meetings"), latest_date=Max("meetings__date")
            ).order_by("name")
        ),
    )


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
    """The meeting with its body and the people its lists name (persons.meeting_people)."""
    return (
        Meeting.objects.select_related("body")
        .annotate(people_=persons.meeting_people())
        .filter(slug=slug)
        .first()
    )


def meeting_documents(meeting: Meeting) -> list[SourceDocument]:
    """The meeting's source documents (never their bytes), each with the kind it gives."""
    # A subquery on the (document, meeting, number) key: a join would read every
    # item of a packet shared by many meetings.
    kind = item_rows().filter(document=OuterRef("pk"), meeting=meeting).order_by("-kind")
    return list(
        meeting.documents.defer("content", "text", "warnings", "metadata")
        .annotate(kind=Subquery(kind.values("kind")[:1]))
        .order_by("file_name")
    )


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda as shown: one row per item number, with its cases."""
    return _with_case_lists(
        _with_cases(shown_items().filter(meeting=meeting))
        .defer("sections", "recommendation", "links", "other_case_numbers")
        .order_by("number", "sub")
    )


# ------------------------------------------------------------------- items


@dataclass
class Section:
    heading: str
    text: str


@dataclass
class ItemPage:
    """Everything an item page shows. `agenda` is the agenda's version when minutes exist."""

    meeting: Meeting
    item: AgendaItem
    agenda: AgendaItem | None
    sections: list[Section]
    agenda_sections: list[Section]
    mentioned_cases: list[str]
    known_cases: set[str]
    # (number, sub) of the items before and after it on the meeting's page.
    previous_number: tuple[int, int] | None
    next_number: tuple[int, int] | None


def item_page(slug: str, number: tuple[int, int]) -> ItemPage | None:
    """The item `number`, (number, sub), of the meeting `slug` in every version, with its
    meeting, or None when there is no such item (or no such meeting). The meeting comes
    with the versions: a query of its own was 0.4 ms of an item page's 6.4 (1,000,000
    items)."""
    versions = _with_case_lists(
        _with_cases(item_rows())
        .annotate(handler_slug_=persons.handler_slug(), numbers_=_meeting_item_numbers())
        .filter(meeting__slug=slug, number=number[0], sub=number[1])
        .select_related("meeting__body", "document")
        .defer("document__content", "document__text", "document__warnings", "document__metadata")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("position")))
    )
    if not versions:
        return None
    meeting = versions[0].meeting
    for version in versions:
        # The page shows its meeting once, beside the item: the item's own fields stay
        # what they were when the meeting came in a query of its own (its JSON too).
        AgendaItem.meeting.field.delete_cached_value(version)
    # The ranking is_current records, in Python: every version is at hand anyway.
    versions.sort(key=lambda row: (row.kind, row.pk))
    item = versions[-1]
    agenda = None
    if item.kind == MINUTES and not item.is_confidential:
        agendas = [v for v in versions if v.kind == AGENDA and not v.is_confidential]
        agenda = agendas[-1] if agendas else None
    mentioned = _mentioned_cases(item, agenda)
    known = set(Case.objects.filter(number__in=mentioned).values_list("number", flat=True))
    numbers = [tuple(pair) for pair in item.numbers_]
    position = numbers.index(number)
    return ItemPage(
        meeting=meeting,
        item=item,
        agenda=agenda,
        sections=shown_sections(item),
        agenda_sections=shown_sections(agenda) if agenda else [],
        mentioned_cases=mentioned,
        known_cases=known,
        previous_number=numbers[position - 1] if position > 0 else None,
        next_number=numbers[position + 1] if position + 1 < len(numbers) else None,
    )


def _meeting_item_numbers() -> ArraySubquery:
    """[number, sub] of each item its meeting shows, in order: read with the item, where a
    statement of its own cost the item page a round trip and an ORM query to compile."""
    shown = (
        AgendaItem.objects.filter(meeting=OuterRef("meeting_id"), is_current=True)
        .order_by("number", "sub")
        .values(
            pair=Func(
                F("number"),
                F("sub"),
                template="ARRAY[%(expressions)s]",
                output_field=ArrayField(IntegerField()),
            )
        )
    )
    return ArraySubquery(shown, output_field=ArrayField(ArrayField(IntegerField())))


def _mentioned_cases(item: AgendaItem, agenda: AgendaItem | None) -> list[str]:
    """Case numbers the text mentions besides the item's own, without repeats."""
    own = {case.number for case in item.case_list}
    mentioned = [*item.other_case_numbers, *(agenda.other_case_numbers if agenda else [])]
    return [n for n in dict.fromkeys(mentioned) if n not in own]


# What an item page shows in a box of its own rather than among the sections.
BOXED_HEADINGS = {"indstilling", "beslutning", "beslutninger"}


def shown_sections(item: AgendaItem) -> list[Section]:
    """The item's sections in document order, minus those the page shows apart.

    The boxed headings are left out, and so is a section repeating the
    decision or the recommendation word for word.
    """
    if item.is_confidential:
        return []
    repeated = {item.decision.strip(), item.recommendation.strip()}
    return [
        Section(section["heading"], section["text"])
        for section in item.sections
        if _fold(section["heading"]) not in BOXED_HEADINGS
        and section["text"].strip()
        and section["text"].strip() not in repeated
    ]


def _fold(text: str) -> str:
    """Compare headings without case or accents ("Resume" is "Resumé")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def source_url(item: AgendaItem) -> str:
    """Where the item starts in its source document: a PDF page, or a line of the text.

    A PDF the archive may not serve (it has a confidential item) is read as text too.
    """
    document = item.document
    if document.offers_file:
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
    # PostgreSQL text cannot hold NUL: no case has one, and the URL must give 404, not 500.
    return None if "\x00" in number else Case.objects.filter(number=number).first()


def case_list() -> QuerySet[Case]:
    """Cases with a public item shown, the latest-discussed first, each with its item count
    and the dates of its first and last meeting (kept on the case by the database)."""
    return (
        Case.objects.filter(shown_items__gt=0)
        .annotate(item_count=F("shown_items"))
        .order_by(F("last_date").desc(nulls_last=True), "number")
    )


def case_items(case: Case) -> QuerySet[AgendaItem]:
    """Every shown, public item that carried the case: oldest meeting first, undated last."""
    return (
        shown_items()
        .filter(cases=case, access=PUBLIC)
        .select_related("meeting__body")
        .defer("sections", "recommendation", "links", "meeting__participants", "meeting__absent")
        .order_by(F("meeting__date").asc(nulls_last=True), "meeting_id", "number", "sub")
    )


# --------------------------------------------------------------- documents


def document(pk: int) -> SourceDocument | None:
    """A published document with its stored (blanked) text, without its bytes.

    Held and withdrawn documents are on no public page.
    """
    return (
        SourceDocument.objects.defer("content")
        .filter(pk=pk, status=SourceDocument.PUBLISHED)
        .first()
    )


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
            "sub",
            "access",
            "title",
            "kind",
            "line",
            "page",
            "meeting__slug",
            "meeting__date",
            "document__content_type",
            "document__has_original",
        )
        .order_by(F("line").asc(nulls_last=True), "meeting_id", "number", "sub")
    )


def document_file(pk: int) -> SourceDocument | None:
    """A PDF whose original the archive keeps (never one with a confidential item)."""
    return (
        SourceDocument.objects.filter(
            pk=pk, content_type=PDF, content__isnull=False, status=SourceDocument.PUBLISHED
        )
        .only("file_name", "content")
        .first()
    )


def document_lines(text: str) -> list[str]:
    """A stored document text as its lines, numbered from 1 as the parser numbered them."""
    return text.split("\n") if text else []


@dataclass
class Line:
    number: int
    text: str
    # The first line of a confidential item: the page says what was left out.
    withheld: bool = False


def document_text(lines: Sequence[str], items: Sequence[AgendaItem], numbers: range) -> list[Line]:
    """The lines `numbers` (1-based) of a document's stored text.

    The importer blanked each confidential item's lines; its first line is
    marked, so the page can say the item's text is left out.
    """
    withheld = {item.line for item in items if item.is_confidential and item.line}
    return [Line(n, lines[n - 1], n in withheld) for n in numbers if 0 < n <= len(lines)]
