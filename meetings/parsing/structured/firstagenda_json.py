"""FirstAgenda's publication API: a meeting as JSON (Greve Kommune's dagsordener.greve.dk).

Top level: Dagsordenpunkter (the items), Udvalg {Navn} (the body), Moede
{Dato / MeetingBeginUtc, Sted, Afsluttet, Moededeltagere}. An item has
Number/Punktnummer, Caption/Navn, SagsNummer/CaseNumber, Bilag[].Navn and
Felter[].Html, which holds the whole item text: "<h3>Beslutning</h3>" (this
meeting's decision) first, then "<h3>Fremstilling</h3>" with its captions.

What the API does not say reliably, and so is not read:
- Moede.Navn is "Dagsorden" for the Greve minutes too: the kind comes from
  Moede.Afsluttet (a concluded meeting's publication is its minutes).
- IsOpen is False for all 15 Greve items, the 13 public ones included: it
  is no closed flag. A closed item is recognised by its "Lukket: " title, by
  the confidentiality rule, as in FirstAgenda's PDFs.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from ..model import AGENDA, MINUTES, ParsedDocument
from . import build
from .html_text import blocks_of_html
from .organisation import organisation
from .values import clean, item_number, when

NAME = "firstagenda-api-json"


def matches(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("Dagsordenpunkter"), list)


def read(value: dict, filename: str) -> ParsedDocument:
    moede = _dict(value.get("Moede"))
    udvalg = _dict(value.get("Udvalg"))
    date, time = when(_str(moede.get("MeetingBeginUtc")) or _str(moede.get("Dato")))
    present, absent = _attendance(moede.get("Moededeltagere"))
    items = [_item(raw, filename) for raw in value["Dagsordenpunkter"] if isinstance(raw, dict)]
    concluded = moede.get("Afsluttet")
    meeting = build.SourceMeeting(
        body=_str(udvalg.get("Navn")),
        date=date,
        time=time,
        location=_str(moede.get("Sted")),
        participants=present,
        absent=absent,
        kind=MINUTES if concluded is True else AGENDA if concluded is False else None,
        items=[item for item, _ in items],
        organisation=organisation(
            [host for _, hosts in items for host in hosts],
            [html for raw in value["Dagsordenpunkter"] for html in _htmls(raw)],
        ),
    )
    return build.document(filename, NAME, [meeting])


def _item(raw: dict, filename: str) -> tuple[build.SourceItem, list[str]]:
    sections: list[build.Section] = []
    hosts = []
    for felt in raw.get("Felter") or []:
        if not isinstance(felt, dict):
            continue
        html = _str(felt.get("Html")) or _text_as_html(_str(felt.get("Tekst")))
        blocks = blocks_of_html(html, filename)
        sections.extend(build.sections_from_blocks(blocks, first_caption=_str(felt.get("Navn"))))
        hosts.append(urlsplit(_str(felt.get("Link"))).hostname or "")
    bilag = [b for b in raw.get("Bilag") or [] if isinstance(b, dict)]
    bilag.sort(key=lambda b: b.get("Order") if isinstance(b.get("Order"), int) else 0)
    number = item_number(raw.get("Number") or raw.get("Punktnummer"))
    item = build.SourceItem(
        number=number,
        title=_str(raw.get("Caption")) or _str(raw.get("Navn")),
        case_numbers=[_str(raw.get("SagsNummer")) or _str(raw.get("CaseNumber"))],
        sections=sections,
        attachments=[_str(b.get("Navn")) for b in bilag],
    )
    return item, hosts


def _attendance(members: object) -> tuple[list[str], list[str]]:
    present, absent = [], []
    for member in members if isinstance(members, list) else []:
        if not isinstance(member, dict):
            continue
        name = clean(_str(member.get("Name")))
        away = member.get("Absent") is True or member.get("ParticipationCancelled") is True
        (absent if away else present).append(name)
    return present, absent


def _htmls(raw: object) -> list[str]:
    felter = raw.get("Felter") if isinstance(raw, dict) else None
    return [_str(f.get("Html")) for f in felter or [] if isinstance(f, dict)]


def _text_as_html(text: str) -> str:
    """A field given as plain text: its lines as paragraphs, markup in it kept as text."""
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n"))


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    if isinstance(value, bool):
        return ""
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
