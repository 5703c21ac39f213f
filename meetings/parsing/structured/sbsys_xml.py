"""SBSYS eDagsorden's publication XML (Publication553.xml; Region Hovedstaden), alone or zipped.

<Publication> holds PublicationTypeAsEnum (Draft: an agenda) and
Agendas/Agenda, each with its Meeting (When, Until, Where, Members), its
Committee (Name, in capitals) and Items/Item: Number, Caption,
Case/Number, IsPublic, Enclosures/Enclosure/Name and Fields/ItemField, a
Caption ("ADMINISTRATIONENS INDSTILLING", "FORRETNINGSUDVALGETS
BESLUTNING") with its Content as HTML. The publication ZIP adds the
attachments' PDFs beside the XML; only the XML is read.

Not this meeting's: Committee/DefaultMeetingPlace (the body's usual room),
a decision field of another body ("REGIONSRÅDETS BESLUTNING"), and the
dated block of an earlier meeting inside this body's decision field (see
roles.decision_text). IsPublic False closes an item.
"""

from __future__ import annotations

from lxml import etree

from ..model import AGENDA, MINUTES, ParsedDocument
from . import build
from .html_text import blocks_of_html
from .loading import element_text, local_name
from .values import flag, item_number, sentence_case, when

NAME = "sbsys-publication-xml"
# PublicationTypeAsEnum: the Committee's GeneratorSettingsDraft/Final/Minutes name the three.
KINDS = {"draft": AGENDA, "final": AGENDA, "minutes": MINUTES}
# ParticipationStatusAsText values that mean the member was not there.
AWAY_STATUSES = {"absent", "cancelled", "canceled", "notparticipating", "declined", "afbud",
                 "fraværende"}  # fmt: skip


def looks_like_publication(name: str, head: bytes) -> bool:
    """A ZIP member that is the publication XML (read from its first bytes)."""
    return b"<Publication" in head


def matches(root: etree._Element) -> bool:
    return local_name(root) == "Publication" and root.find("Agendas") is not None


def read(root: etree._Element, filename: str) -> ParsedDocument:
    kind_name = element_text(root.find("PublicationTypeAsEnum")).casefold()
    kind = KINDS.get(kind_name)
    warnings = []
    if kind_name and kind is None:
        warnings.append(f"unknown SBSYS publication type {kind_name[:40]!r}")
    meetings = [_meeting(agenda, kind, filename) for agenda in root.iterfind("Agendas/Agenda")]
    return build.document(filename, NAME, meetings, warnings=warnings)


def _meeting(agenda: etree._Element, kind: str | None, filename: str) -> build.SourceMeeting:
    meeting = agenda.find("Meeting")
    date, start = when(element_text(meeting.find("When")) if meeting is not None else "")
    until_date, until = when(element_text(meeting.find("Until")) if meeting is not None else "")
    time = f"{start} - {until}" if start and until and until_date == date else start
    present, absent = [], []
    for member in agenda.iterfind("Meeting/Members/MeetingMember"):
        status = element_text(member.find("ParticipationStatusAsText")).casefold()
        name = element_text(member.find("Name")) or element_text(member.find("Member/Name"))
        (absent if status in AWAY_STATUSES else present).append(name)
    body = sentence_case(element_text(agenda.find("Committee/Name")))
    items = sorted(
        (_item(item, filename) for item in agenda.iterfind("Items/Item")),
        key=lambda item: _order(item.number),
    )
    return build.SourceMeeting(
        body=body,
        date=date,
        time=time,
        location=element_text(meeting.find("Where")) if meeting is not None else None,
        participants=present,
        absent=absent,
        kind=kind,
        items=items,
    )


def _item(item: etree._Element, filename: str) -> build.SourceItem:
    sections = []
    fields = sorted(item.iterfind("Fields/ItemField"), key=_field_index)
    for field in fields:
        caption = element_text(field.find("Caption"))
        blocks = blocks_of_html(element_text(field.find("Content")), filename)
        # A field's caption is its section; bold lines inside it are emphasis, not sections.
        paragraphs = [block.text for block in blocks if block.text]
        if paragraphs:
            sections.append(build.Section(caption, paragraphs))
    public = flag(element_text(item.find("IsPublic")))
    return build.SourceItem(
        number=item_number(element_text(item.find("Number"))),
        title=element_text(item.find("Caption")),
        case_numbers=[element_text(item.find("Case/Number"))],
        closed=public is not True,
        sections=sections,
        attachments=[element_text(e.find("Name")) for e in item.iterfind("Enclosures/Enclosure")],
    )


def _field_index(field: etree._Element) -> int:
    index = item_number(element_text(field.find("Index")))
    return index if isinstance(index, int) else 0


def _order(number: int | str | None) -> tuple:
    if number is None:
        return (1,)
    return (0, *(int(part) for part in str(number).split(".")))
