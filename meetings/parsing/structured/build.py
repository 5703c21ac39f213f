"""What every export reader hands over, and the one way it becomes a ParsedDocument.

A reader (firstagenda_json, sbsys_xml, …) only says what its file says:
meetings with their header fields, items with number, printed title, case
numbers, the source's own closed flag, captioned sections of paragraphs and
attachment titles. This module does the rest the same way for all of them:
section roles (roles.py) give the recommendation and this meeting's decision,
an agenda keeps no decision, and the parse's text is composed from the same
pieces ("N. Title", "Sagsnr.: …", captions, paragraphs), so an item's `line`
points at its header and the confidentiality rule, applied afterwards by the
pipeline, can blank a closed item's span as it does in a PDF's text.

It never decides what is closed beyond the source's flag: a "Lukket:" title
is the confidentiality rule's to recognise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from ..model import AGENDA, CONFIDENTIAL, MINUTES, PUBLIC, Attachment, Item, Meeting, ParsedDocument
from ..text import normalise_case_number
from . import roles
from .html_text import Block
from .values import clean

# An untitled block (an empty <h3>, Aarhus items 2, 3 and 6) after a decision or
# recommendation is no part of it; it gets this caption.
UNTITLED_CAPTION = "Indledning"
CASE_NUMBER_PLACEHOLDERS = {"", "-", "–", "0"}


@dataclass
class Section:
    caption: str
    paragraphs: list[str] = field(default_factory=list)
    # A role the source's own description gives a caption the shared table does
    # not know (SBSYS's "Referat:" is the meeting's decision).
    role: str | None = None


@dataclass
class SourceItem:
    number: int | str | None
    title: str | None
    case_numbers: list[str] = field(default_factory=list)
    # The export's own flag: closed items are confidential whatever their title says.
    closed: bool = False
    sections: list[Section] = field(default_factory=list)
    # Titles, or Attachment rows when the source prints a document number too.
    attachments: list[str | Attachment] = field(default_factory=list)
    # Who handles the case, when the source prints it (an e-mail line under the header).
    handler: str | None = None
    # Where a text source prints the item: 1-based line of its header, and page.
    line: int | None = None
    page: int | None = None


@dataclass
class SourceMeeting:
    body: str | None = None
    organisation: str | None = None
    date: dt.date | None = None
    time: str | None = None
    location: str | None = None
    participants: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    # None when the export does not say: then minutes exactly when a decision is recorded.
    kind: str | None = None
    items: list[SourceItem] = field(default_factory=list)


def sections_from_blocks(blocks: list[Block], first_caption: str = "") -> list[Section]:
    """Headings (and bold paragraphs that are known captions) open sections; text fills them."""
    sections = [Section(first_caption)]
    for block in blocks:
        if block.kind == "heading" or (block.bold and roles.is_caption(block.one_line)):
            sections.append(Section(block.one_line))
        elif block.text:
            sections[-1].paragraphs.append(block.text)
    return [section for section in sections if section.paragraphs]


def document(
    source: str,
    layout: str,
    meetings: list[SourceMeeting],
    *,
    warnings: list[str] | None = None,
    review_reasons: list[str] | None = None,
    lines: list[str] | None = None,
    say_unstated_kind: bool = True,
) -> ParsedDocument:
    """The parse of the meetings a source states.

    An export's text is composed from its pieces; a text source (the engine's
    PDFs and texts) hands over its own `lines`, which its items' lines count in.
    """
    parsed = ParsedDocument(
        source=source,
        layout=layout,
        warnings=list(warnings or []),
        review_reasons=list(review_reasons or []),
    )
    composed: list[str] = []
    for position, stated in enumerate(meetings, start=1):
        meeting = _meeting(stated, parsed, position, say_unstated_kind)
        if lines is None:
            _compose(meeting, stated, composed)
        parsed.meetings.append(meeting)
    parsed.lines = composed if lines is None else list(lines)
    return parsed


def _meeting(
    stated: SourceMeeting, parsed: ParsedDocument, position: int, say_unstated_kind: bool = True
) -> Meeting:
    meeting = Meeting(
        body=clean(stated.body) or None,
        organisation=clean(stated.organisation) or None,
        date=stated.date,
        time=clean(stated.time) or None,
        location=clean(stated.location) or None,
        participants=_names(stated.participants),
        absent=_names(stated.absent),
    )
    items = [_item(source, meeting) for source in stated.items]
    numbered = [item for item in items if item is not None]
    if len(numbered) < len(items):
        parsed.review_reasons.append(
            f"meeting {position}: {len(items) - len(numbered)} items of the export have no number"
        )
    repeated = [n for n, count in Counter(str(i.number) for i in numbered).items() if count > 1]
    for number in repeated:
        parsed.review_reasons.append(f"item {number} appears more than once in the export")
    for item in numbered:
        if not item.title and not item.is_confidential:
            parsed.review_reasons.append(f"item {item.number} has no title in the export")
    meeting.items = numbered
    decided = any(item.decision for item in numbered)
    if stated.kind in (AGENDA, MINUTES):
        meeting.kind = stated.kind
    else:
        meeting.kind = MINUTES if decided else AGENDA
    if stated.kind not in (AGENDA, MINUTES) and say_unstated_kind:
        parsed.warnings.append(
            f"the export does not say whether it is an agenda or minutes: read as {meeting.kind}"
            f" ({'a decision is' if decided else 'no decision is'} recorded)"
        )
    if meeting.kind == AGENDA:
        # An agenda is published before its meeting: any decision it carries is an
        # earlier meeting's, kept in its section's text only.
        for item in numbered:
            item.decision = None
    return meeting


def _item(source: SourceItem, meeting: Meeting) -> Item | None:
    if source.number is None:
        return None
    item = Item(
        number=source.number,
        access=CONFIDENTIAL if source.closed else PUBLIC,
        title=clean(source.title) or None,
        case_numbers=_case_numbers(source.case_numbers),
        handler=clean(source.handler) or None,
        attachments=_attachments(source.attachments),
        line=source.line,
        page=source.page,
    )
    sections = _captioned(source.sections)
    for section in sections:
        role = roles.role_for_meeting(section.caption, meeting.body, meeting.date)
        if role == roles.TEXT and section.role:
            role = section.role
        if role == roles.RECOMMENDATION and item.recommendation is None:
            item.recommendation, item.recommended_by = roles.recommendation_text(section.paragraphs)
        elif role == roles.DECISION and item.decision is None:
            item.decision = roles.decision_text(section.paragraphs, meeting.date)
    item.sections = _section_texts(sections)
    return item


def _attachments(stated: list[str | Attachment]) -> list[Attachment]:
    found = []
    for entry in stated:
        title = clean(entry if isinstance(entry, str) else entry.title)
        if title:
            doc = None if isinstance(entry, str) else entry.document_id
            found.append(Attachment(title=title, document_id=doc))
    return found


def _captioned(sections: list[Section]) -> list[Section]:
    """Untitled sections joined to the plain section before them, else given a caption."""
    result: list[Section] = []
    for section in sections:
        caption = clean(section.caption)
        if caption:
            result.append(Section(caption, list(section.paragraphs), section.role))
            continue
        before = result[-1] if result else None
        if before and roles.classify(before.caption).role == roles.TEXT:
            before.paragraphs.extend(section.paragraphs)
        else:
            result.append(Section(UNTITLED_CAPTION, list(section.paragraphs)))
    return result


def _section_texts(sections: list[Section]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for section in sections:
        text = "\n\n".join(
            p for p in section.paragraphs if p.strip() and roles.fold(p) not in roles.PLACEHOLDERS
        )
        if not text:
            continue
        texts[section.caption] = f"{texts[section.caption]}\n\n{text}" if section.caption in \
            texts else text  # fmt: skip
    return texts


def _case_numbers(raw: list[str]) -> list[str]:
    numbers: dict[str, None] = {}
    for value in raw:
        value = clean(value)
        if value not in CASE_NUMBER_PLACEHOLDERS:
            numbers.setdefault(normalise_case_number(value), None)
    return list(numbers)


def _names(names: list[str]) -> list[str]:
    return list(dict.fromkeys(name for name in map(clean, names) if name))


# ------------------------------------------------------------------ the text


def _compose(meeting: Meeting, stated: SourceMeeting, lines: list[str]) -> None:
    """The meeting as text lines: what the archive stores and shows as the document's text."""
    if lines:
        lines.append("")
    label = "Referat" if meeting.kind == MINUTES else "Dagsorden"
    lines.append(f"{label} {meeting.body}" if meeting.body else label)
    when = " ".join(
        part for part in (
            meeting.date.strftime("%d-%m-%Y") if meeting.date else "",
            f"kl. {meeting.time}" if meeting.time else "",
            meeting.location or "",
        ) if part
    )  # fmt: skip
    if when:
        lines.append(when)
    if meeting.participants:
        lines.append("Deltagere: " + ", ".join(meeting.participants))
    if meeting.absent:
        lines.append("Fraværende: " + ", ".join(meeting.absent))
    sources = {str(s.number): s for s in stated.items if s.number is not None}
    for item in meeting.items:
        source = sources.get(str(item.number))
        lines.append("")
        item.line = len(lines) + 1
        lines.append(f"{item.number}. {item.title or ''}".rstrip())
        if item.case_numbers:
            lines.append("Sagsnr.: " + ", ".join(item.case_numbers))
        for section in _captioned(source.sections) if source else []:
            lines.append("")
            lines.append(section.caption)
            for number, paragraph in enumerate(section.paragraphs):
                if number:
                    lines.append("")
                lines.extend(paragraph.split("\n"))
        if item.attachments:
            lines.append("")
            lines.append("Bilag")
            lines.extend(attachment.title for attachment in item.attachments)
