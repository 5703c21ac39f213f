"""Acadre's agenda XML, as it publishes a meeting's agenda or minutes to portals.

No Acadre export was at hand. The shape is the one OS2web's importer
(github.com/OS2web/os2web_meetings_acadre) reads and FirstAgenda's support
page ("Hvilke informationer understøtter FirstAgenda fra ESDH?") lists:
generic tables and fields,

    <table name="agenda"><fields><field name="sysid">…</field>…</fields>
      <table name="meeting"><fields> name, date, finish, location, address
      <table name="committee"><fields> name
      <table name="agendaitemparents"><fields> sort (the item's number)
        <table name="agendaitem"><fields> name, access (1 = open), caseno, comname
          <table name="bullet"><fields> bulletname (caption), bulletcontent (HTML)
          <table name="enclosure"><fields> name, access
          <table name="absentmembers"><fields> name

with members as rows of fields name and absent (0 present, 1 absent,
2 sent apologies). Which table holds the members, and how dates are
written, the sources do not say: any table under the meeting whose rows
have both fields is read, and dates are read in any of the forms values.when
knows. Whether the file is an agenda or minutes is stated by the manifest
beside it (producedAgenda type 1 or 2), not in it: a field "type" is read
when there is one, else the kind follows from a recorded decision and the
parse says so.

Only this meeting's decision counts ("Beslutning i Udvalget for plan,
udvikling og kultur (PUK) den 20-06-2013", not the earlier ones; roles.py).
An item or an attachment whose access is not 1 is closed; a closed
attachment's title is not kept.
"""

from __future__ import annotations

from lxml import etree

from ..model import AGENDA, MINUTES, ParsedDocument
from . import build
from .html_text import blocks_of_html
from .loading import element_text, local_name
from .values import item_number, when

NAME = "acadre-agenda-xml"
OPEN_ACCESS = "1"
AGENDA_TYPES = {"1": AGENDA, "2": MINUTES}
AWAY = {"1", "2"}


def matches(root: etree._Element) -> bool:
    return _agenda(root) is not None


def read(root: etree._Element, filename: str) -> ParsedDocument:
    agenda = _agenda(root)
    meeting = _table(agenda, "meeting")
    date, start = when(_field(meeting, "date"))
    end_date, end = when(_field(meeting, "finish"))
    present, absent = _members(meeting)
    items, closed_attachments = [], 0
    for parent in _tables(agenda, "agendaitemparents"):
        item, withheld = _item(parent, filename)
        items.append(item)
        closed_attachments += withheld
    warnings = []
    if closed_attachments:
        warnings.append(f"{closed_attachments} closed attachments of public items are not listed")
    location = ", ".join(
        part for part in (_field(meeting, "location"), _field(meeting, "address")) if part
    )
    source = build.SourceMeeting(
        body=_field(_table(agenda, "committee"), "name"),
        date=date,
        time=f"{start} - {end}" if start and end and end_date == date else start,
        location=location,
        participants=present,
        absent=absent,
        kind=AGENDA_TYPES.get(_field(agenda, "type")),
        items=items,
    )
    return build.document(filename, NAME, [source], warnings=warnings)


def _item(parent: etree._Element, filename: str) -> tuple[build.SourceItem, int]:
    item = _table(parent, "agendaitem")
    sections = []
    for bullet in _tables(item, "bullet"):
        blocks = blocks_of_html(_field(bullet, "bulletcontent"), filename)
        paragraphs = [block.text for block in blocks if block.text]
        if paragraphs:
            sections.append(build.Section(_field(bullet, "bulletname"), paragraphs))
    enclosures = _tables(item, "enclosure")
    public = [e for e in enclosures if _field(e, "access") == OPEN_ACCESS]
    return build.SourceItem(
        number=item_number(_field(parent, "sort")),
        title=_field(item, "name"),
        case_numbers=[_field(item, "caseno")],
        closed=_field(item, "access") != OPEN_ACCESS,
        sections=sections,
        attachments=[_field(e, "name") for e in public],
    ), len(enclosures) - len(public)


def _members(meeting: etree._Element | None) -> tuple[list[str], list[str]]:
    present, absent = [], []
    for fields in meeting.iter("fields") if meeting is not None else []:
        names = {field.get("name"): element_text(field) for field in fields}
        if "name" in names and "absent" in names:
            (absent if names["absent"] in AWAY else present).append(names["name"])
    return present, absent


def _agenda(root: etree._Element) -> etree._Element | None:
    if local_name(root) == "table" and root.get("name") == "agenda":
        return root
    found = root.xpath("//table[@name='agenda']")
    return found[0] if found else None


def _tables(parent: etree._Element | None, name: str) -> list[etree._Element]:
    if parent is None:
        return []
    return [child for child in parent if local_name(child) == "table" and child.get("name") == name]


def _table(parent: etree._Element | None, name: str) -> etree._Element | None:
    found = _tables(parent, name)
    return found[0] if found else None


def _field(table: etree._Element | None, name: str) -> str:
    """A field of a table's own <fields> (not of the tables inside it)."""
    if table is None:
        return ""
    for fields in table:
        if local_name(fields) != "fields":
            continue
        for field in fields:
            if local_name(field) == "field" and field.get("name") == name:
                return element_text(field)
    return ""
