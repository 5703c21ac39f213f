"""KMD eDoc's agenda-publishing XML, in the two shapes public importers read.

No eDoc export was at hand: both shapes are taken from the element paths
that OS2web's meeting importers (github.com/OS2web, os2web_meetings_edoc
and os2web_meetings_edoc_fujitsu) read, and from what the Ballerup eDoc
minutes print. Element names are certain only as far as those importers
use them; the fixtures in tests/parsing/test_structured_edoc.py are built
from them, not from a real file.

The namespaced shape (http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/;
eDoc came from Fujitsu): Root with OutputTypeEnumName ("Agenda" for an
agenda) and Committee {Name, Meeting {MeetingDateTime, EndDateTime,
MeetingLocation, MeetingParticipants/MeetingParticipant {Name,
Participate}, Agenda/AgendaElements/AgendaElement}}; an AgendaElement has
AccessIsPublic and HandlingItem {SerialNo, Title, CaseNumber,
CasePresentations/CasePresentation {Title, Content (HTML)},
Attachments/Attachment {Title}}.

The plain shape: Meeting {MeetingState ("Referat endeligt godkendt" for
minutes), Committee, MeetingDate, MeetingAgendaTypes/MeetingAgendaType
{AgendaType ("Lukket dagsorden" closes its items), MeetingAgendaItems/
MeetingAgendaItem {AgendaItemNumber, FullText (plain text), Document
{Title, PublishingType ("SKAL PUBLICERES" when public), Attachments/*
{Title}}}}}.

The decision is the presentation captioned as this body's decision of this
meeting's date ("Sundheds- og Forebyggelsesudvalgets beslutning den
04.12.2012"; roles.py).
"""

from __future__ import annotations

from lxml import etree

from ..model import AGENDA, MINUTES, ParsedDocument
from . import build, roles
from .html_text import blocks_of_html
from .loading import element_text, find, find_all, local_name, text_at
from .values import flag, item_number, when

NAME = "edoc-agenda-xml"
NAMESPACE = "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"
OUTPUT_KINDS = {"agenda": AGENDA, "dagsorden": AGENDA, "minutes": MINUTES, "summary": MINUTES,
                "referat": MINUTES, "decisions": MINUTES}  # fmt: skip
PUBLISHED = "skal publiceres"


def matches(root: etree._Element) -> bool:
    if local_name(root) == "Root" and etree.QName(root).namespace == NAMESPACE:
        return find(root, "Committee/Meeting") is not None
    return local_name(root) == "Meeting" and find(root, "MeetingAgendaTypes") is not None


def read(root: etree._Element, filename: str) -> ParsedDocument:
    if local_name(root) == "Root":
        return build.document(filename, NAME, [_namespaced(root, filename)])
    return build.document(filename, NAME, [_plain(root)])


# ------------------------------------------------------------ namespaced


def _namespaced(root: etree._Element, filename: str) -> build.SourceMeeting:
    meeting = find(root, "Committee/Meeting")
    date, start = when(text_at(meeting, "MeetingDateTime"))
    end_date, end = when(text_at(meeting, "EndDateTime"))
    present, absent = [], []
    for participant in find_all(meeting, "MeetingParticipants/MeetingParticipant"):
        name = text_at(participant, "Name")
        (absent if flag(text_at(participant, "Participate")) is False else present).append(name)
    all_public = flag(text_at(root, "OutputFilterIsPublic"))
    items = [
        _element_item(element, filename, all_public)
        for element in find_all(meeting, "Agenda/AgendaElements/AgendaElement")
    ]
    return build.SourceMeeting(
        body=text_at(root, "Committee/Name"),
        date=date,
        time=f"{start} - {end}" if start and end and end_date == date else start,
        location=text_at(meeting, "MeetingLocation"),
        participants=present,
        absent=absent,
        kind=OUTPUT_KINDS.get(text_at(root, "OutputTypeEnumName").casefold()),
        items=[item for item in items if item.title],
    )


def _element_item(
    element: etree._Element, filename: str, all_public: bool | None
) -> build.SourceItem:
    handling = find(element, "HandlingItem")
    public = flag(text_at(element, "AccessIsPublic"))
    sections = []
    for presentation in find_all(handling, "CasePresentations/CasePresentation"):
        blocks = blocks_of_html(text_at(presentation, "Content"), filename)
        paragraphs = [block.text for block in blocks if block.text]
        if paragraphs:
            sections.append(build.Section(text_at(presentation, "Title"), paragraphs))
    return build.SourceItem(
        number=item_number(text_at(handling, "SerialNo")),
        title=text_at(handling, "Title"),
        case_numbers=[text_at(handling, "CaseNumber")],
        # Closed unless the element says it is public (or the whole output is the public one).
        closed=not (public is True or (public is None and all_public is True)),
        sections=sections,
        attachments=[text_at(a, "Title") for a in find_all(handling, "Attachments/Attachment")],
    )


# ----------------------------------------------------------------- plain


def _plain(root: etree._Element) -> build.SourceMeeting:
    state = text_at(root, "MeetingState").casefold()
    kind = MINUTES if "referat" in state else AGENDA if "dagsorden" in state else None
    date, time = when(f"{text_at(root, 'MeetingDate')} {text_at(root, 'MeetingTime')}")
    items = []
    for agenda_type in find_all(root, "MeetingAgendaTypes/MeetingAgendaType"):
        part = text_at(agenda_type, "AgendaType").casefold()
        for raw in find_all(agenda_type, "MeetingAgendaItems/MeetingAgendaItem"):
            document = find(raw, "Document")
            publishing = text_at(document, "PublishingType").casefold()
            attachments = [
                text_at(child, "Title")
                for holder in find_all(document, "Attachments")
                for child in holder
            ]
            items.append(
                build.SourceItem(
                    number=item_number(text_at(raw, "AgendaItemNumber")),
                    title=text_at(document, "Title"),
                    closed=_closed(part, publishing),
                    sections=_plain_text_sections(element_text(find(raw, "FullText"))),
                    attachments=attachments,
                )
            )
    return build.SourceMeeting(
        body=text_at(root, "Committee"),
        date=date,
        time=time,
        kind=kind,
        items=items,
    )


def _closed(agenda_type: str, publishing: str) -> bool:
    """Public only on the export's word: an open agenda part, and "SKAL PUBLICERES" if stated."""
    if "lukket" in agenda_type or (publishing and publishing != PUBLISHED):
        return True
    return not (publishing == PUBLISHED or "åben" in agenda_type or "åbent" in agenda_type)


def _plain_text_sections(text: str) -> list[build.Section]:
    """Plain text: a line that is a known caption opens a section, blank lines part paragraphs."""
    sections = [build.Section("")]
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            sections[-1].paragraphs.append("\n".join(paragraph))
            paragraph.clear()

    for raw_line in text.replace("\r\n", "\n").split("\n"):
        line = " ".join(raw_line.split())
        if not line:
            close()
        elif roles.is_caption(line):
            close()
            sections.append(build.Section(line))
        else:
            paragraph.append(line)
    close()
    return [section for section in sections if section.paragraphs]
