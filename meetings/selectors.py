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

from django.contrib.postgres.search import SearchVectorField
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from archive.routing import for_reading

from . import page_cache, rows
from .models import (
    AGENDA,
    MINUTES,
    PDF,
    PUBLIC,
    AgendaItem,
    Attachment,
    Body,
    Case,
    Meeting,
    PersonLink,
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


def latest_met(bodies: Sequence[Body], count: int) -> list[Body]:
    """The `count` bodies of `bodies` (annotated as bodies() does) that met last, newest
    first; those whose meetings are all undated after them, by name."""
    dated = sorted((b for b in bodies if b.latest_date), key=lambda b: b.latest_date, reverse=True)
    return (dated + [b for b in bodies if not b.latest_date])[:count]


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


# The meeting page's statements (see meetings/rows.py): the meeting with its body and the
# people its lists name (persons.meeting_people's links, as [{printed, role, slug}]); its
# source documents (never their text or bytes), each with the kind it gives the meeting;
# and its agenda as shown, each item with its case numbers. Composed as querysets they
# cost the page 2.0, 1.8 and 1.5 ms, mostly compiling (20,000 items).
_MEETING = rows.Columns.of(Meeting, "m")
_BODY = rows.Columns.of(Body, "b")
_MEETING_SQL = f"""
SELECT {_MEETING.sql}, {_BODY.sql},
    (SELECT coalesce(json_agg(json_build_object(
                'printed', l.printed, 'role', l.role, 'slug', p.slug)), '[]')
     FROM meetings_personlink AS l JOIN meetings_person AS p ON p.id = l.person_id
     WHERE l.meeting_id = m.id AND l.role <> %(handled)s) AS people
FROM meetings_meeting AS m LEFT JOIN meetings_body AS b ON b.id = m.body_id
WHERE m.slug = %(slug)s
"""
_LISTED_DOCUMENT = rows.Columns.of(
    SourceDocument, "d", leave_out=("content", "text", "warnings", "metadata")
)
# The kind by a subquery on the (document, meeting, number) key: a join would read every
# item of a packet shared by many meetings.
_MEETING_DOCUMENTS_SQL = f"""
SELECT {_LISTED_DOCUMENT.sql},
    (SELECT i.kind FROM meetings_agendaitem AS i
     WHERE i.document_id = d.id AND i.meeting_id = dm.meeting_id ORDER BY i.kind DESC LIMIT 1)
FROM meetings_sourcedocument AS d
JOIN meetings_sourcedocument_meetings AS dm ON dm.sourcedocument_id = d.id
WHERE dm.meeting_id = %s
ORDER BY d.file_name
"""
# An item's case numbers in order, read with the item (a prefetch of the cases was a
# query of its own and 1.8-2.5 ms of a meeting page's 16-17 at 1,000,000 items).
_CASE_NUMBERS_OF_ITEM = """ARRAY(
    SELECT c.number FROM meetings_itemcase AS ic JOIN meetings_case AS c ON c.id = ic.case_id
    WHERE ic.item_id = i.id ORDER BY c.number)"""
_AGENDA_ROW = rows.Columns.of(
    AgendaItem,
    "i",
    leave_out=(*SEARCH_FIELDS, "sections", "recommendation", "links", "other_case_numbers"),
)
_MEETING_ITEMS_SQL = f"""
SELECT {_AGENDA_ROW.sql}, {_CASE_NUMBERS_OF_ITEM}
FROM meetings_agendaitem AS i
WHERE i.is_current AND i.meeting_id = %s
ORDER BY i.number, i.sub
"""


def meeting(slug: str) -> Meeting | None:
    """The meeting with its body and the people its lists name (persons.meeting_people)."""
    with for_reading().cursor() as cursor:
        cursor.execute(_MEETING_SQL, {"handled": PersonLink.HANDLED, "slug": slug})
        row = cursor.fetchone()
    if row is None:
        return None
    (found, body), (found.people_,) = rows.split(row, _MEETING, _BODY)
    Meeting.body.field.set_cached_value(found, body if found.body_id is not None else None)
    return found


def meeting_documents(meeting: Meeting) -> list[SourceDocument]:
    """The meeting's source documents (never their bytes), each with the kind it gives."""
    with for_reading().cursor() as cursor:
        cursor.execute(_MEETING_DOCUMENTS_SQL, [meeting.pk])
        found = cursor.fetchall()
    documents = []
    for row in found:
        (document,), (document.kind,) = rows.split(row, _LISTED_DOCUMENT)
        documents.append(document)
    return documents


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda as shown: one row per item number, with its cases."""
    with for_reading().cursor() as cursor:
        cursor.execute(_MEETING_ITEMS_SQL, [meeting.pk])
        found = cursor.fetchall()
    items = []
    for row in found:
        (item,), (case_numbers,) = rows.split(row, _AGENDA_ROW)
        item.case_list = [CaseLink(number) for number in case_numbers]
        items.append(item)
    return items


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


# The item page's statement (see meetings/rows.py): every version of the item, each with
# its meeting, body and source document (never the document's text or bytes), its cases
# in order, the slug of its handler, which of the case numbers its text mentions are in
# the archive, and the (number, sub) of every item its meeting shows. Composed as a
# queryset it cost the page 2.6 ms to compile for 0.4 ms of execution.
_ITEM = rows.Columns.of(AgendaItem, "i", leave_out=SEARCH_FIELDS)
_ITEM_PAGE_SQL = f"""
SELECT {_ITEM.sql}, {_MEETING.sql}, {_BODY.sql}, {_LISTED_DOCUMENT.sql},
    {_CASE_NUMBERS_OF_ITEM} AS case_numbers,
    (SELECT p.slug FROM meetings_personlink AS l JOIN meetings_person AS p ON p.id = l.person_id
     WHERE l.item_id = i.id AND l.role = %(handled)s LIMIT 1) AS handler_slug,
    ARRAY(SELECT c.number FROM meetings_case AS c WHERE c.number = ANY(i.other_case_numbers))
        AS known_cases,
    ARRAY(SELECT ARRAY[s.number, s.sub] FROM meetings_agendaitem AS s
          WHERE s.meeting_id = i.meeting_id AND s.is_current ORDER BY s.number, s.sub) AS numbers
FROM meetings_agendaitem AS i
JOIN meetings_meeting AS m ON m.id = i.meeting_id
LEFT JOIN meetings_body AS b ON b.id = m.body_id
JOIN meetings_sourcedocument AS d ON d.id = i.document_id
WHERE m.slug = %(slug)s AND i.number = %(number)s AND i.sub = %(sub)s
"""


def item_page(slug: str, number: tuple[int, int]) -> ItemPage | None:
    """The item `number`, (number, sub), of the meeting `slug` in every version, with its
    meeting, or None when there is no such item (or no such meeting): one statement, and
    one for the attachments."""
    with for_reading().cursor() as cursor:
        cursor.execute(
            _ITEM_PAGE_SQL,
            {"handled": PersonLink.HANDLED, "slug": slug, "number": number[0], "sub": number[1]},
        )
        found = cursor.fetchall()
    if not found:
        return None
    versions, known = [], set()
    for row in found:
        (version, meeting, body, document), extra = rows.split(
            row, _ITEM, _MEETING, _BODY, _LISTED_DOCUMENT
        )
        case_numbers, version.handler_slug_, known_cases, numbers = extra
        version.case_list = [CaseLink(n) for n in case_numbers]
        AgendaItem.document.field.set_cached_value(version, document)
        known.update(known_cases)
        versions.append(version)
    # The page shows its meeting once, beside the item: the item's own fields stay what
    # they were when the meeting came in a query of its own (its JSON too).
    Meeting.body.field.set_cached_value(meeting, body if meeting.body_id is not None else None)
    prefetch_related_objects(
        versions, Prefetch("attachments", queryset=Attachment.objects.order_by("position"))
    )
    # The ranking is_current records, in Python: every version is at hand anyway.
    versions.sort(key=lambda row: (row.kind, row.pk))
    item = versions[-1]
    agenda = None
    if item.kind == MINUTES and not item.is_confidential:
        agendas = [v for v in versions if v.kind == AGENDA and not v.is_confidential]
        agenda = agendas[-1] if agendas else None
    mentioned = _mentioned_cases(item, agenda)
    numbers = [tuple(pair) for pair in numbers]
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
