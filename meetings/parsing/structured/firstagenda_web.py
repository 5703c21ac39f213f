"""A saved FirstAgenda publication page (publication.firstagenda.com; Aarhus Kommune).

The header: <h1 class="dato"> "Referat 1. oktober 2025 kl. 15.45" (the
kind and the time), table.dagsordeninfo with span.udvalg (the body),
span.dato (the date) and span.sted (the place), td.deltagere (the members,
empty in the Aarhus page). The items are the rows tr.punktrow of
table#dagsordenDetaljer: the number in the first cell's span.label, the
title in h2.overskrift, the case number in span.sagsnummer, the text in
div.punkt (the same "sagsfremstillingContainer" HTML the API gives) and the
attachments as a.bilag-link.

What the page shows besides, and is no item: the row's attachment count
badge, "Hent som PDF" / "Kopier link" menus, the dialogs at the end. A
row labelled "Lukket punkt" (the page's own word for a closed item) is
closed; a "Lukket:" title is the confidentiality rule's to see.
"""

from __future__ import annotations

import re

from lxml import etree

from ..model import AGENDA, MINUTES, ParsedDocument
from . import build
from .html_text import blocks_of_element
from .organisation import organisation
from .values import clean, item_number, when

NAME = "firstagenda-web"
ROWS = "//table[@id='dagsordenDetaljer']//tr[contains(concat(' ', @class, ' '), ' punktrow ')]"
INFO = "//table[contains(@class, 'dagsordeninfo')]"
KIND_WORDS = {"referat": MINUTES, "beslutningsprotokol": MINUTES, "dagsorden": AGENDA}
CLOSED_LABEL = "lukket punkt"
# "Jens Hansen (Afbud)", "Jens Hansen - fraværende": a member who was not there.
AWAY_RE = re.compile(r"\s*(?:\(|-|–)\s*(?:afbud|fraværende|fravær|forfald)\s*\)?\s*$", re.I)


def matches(page: etree._Element) -> bool:
    return bool(page.xpath(ROWS))


def read(page: etree._Element, filename: str) -> ParsedDocument:
    heading = _text(_first(page, "//h1[contains(@class, 'dato')]")) or _text(_first(page, "//h1"))
    stated = _text(_first(page, INFO + "//span[contains(@class, 'dato')]"))
    date, time = when(stated or heading)
    present, absent = _members(_first(page, "//td[contains(@class, 'deltagere')]"))
    meeting = build.SourceMeeting(
        body=_text(_first(page, "//span[contains(@class, 'udvalg')]")),
        date=date,
        time=time,
        location=_text(_first(page, "//span[contains(concat(' ', @class, ' '), ' sted ')]")),
        participants=present,
        absent=absent,
        kind=KIND_WORDS.get(heading.split(" ", 1)[0].casefold()) if heading else None,
        items=[_item(row) for row in page.xpath(ROWS)],
        organisation=organisation(_site_words(page), [page.text_content()]),
    )
    return build.document(filename, NAME, [meeting])


def _item(row: etree._Element) -> build.SourceItem:
    label = _text(_first(row, "./td[1]//span[contains(@class, 'label')]"))
    label = label or _text(_first(row, "./td[1]"))
    text = _first(row, ".//div[contains(concat(' ', @class, ' '), ' punkt ')]")
    closed = any(
        clean(element.text_content()).casefold() == CLOSED_LABEL
        for element in row.iter("span", "div", "p", "strong", "em")
    )
    return build.SourceItem(
        number=item_number(label),
        title=_text(_first(row, ".//*[contains(concat(' ', @class, ' '), ' overskrift ')]")),
        case_numbers=[_text(e) for e in row.xpath(".//*[contains(@class, 'sagsnummer')]")],
        closed=closed,
        sections=build.sections_from_blocks(blocks_of_element(text)) if text is not None else [],
        attachments=[_text(a) for a in row.xpath(".//a[contains(@class, 'bilag-link')]")],
    )


def _members(cell: etree._Element | None) -> tuple[list[str], list[str]]:
    if cell is None:
        return [], []
    entries = [clean(e.text_content()) for e in cell.iter("li", "div", "p", "span")
               if not len(e)]  # fmt: skip
    if not entries:
        entries = [clean(part) for part in re.split(r"[,\n;]", cell.text_content())]
    present, absent = [], []
    for entry in filter(None, entries):
        away = AWAY_RE.search(entry)
        (absent if away else present).append(entry[: away.start()] if away else entry)
    return present, absent


def _site_words(page: etree._Element) -> list[str]:
    """The site's own names: its logo's and stylesheets' file names, its address."""
    words = page.xpath("//img/@src | //link[@rel='stylesheet']/@href | //link[@rel='canonical']"
                       "/@href | //meta[@property='og:url']/@content | //base/@href")  # fmt: skip
    return [str(word) for word in words]


def _first(root: etree._Element, path: str) -> etree._Element | None:
    found = root.xpath(path)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str:
    return clean(element.text_content()) if element is not None else ""
