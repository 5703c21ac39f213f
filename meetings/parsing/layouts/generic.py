"""Fallback for documents no specific layout claims.

Finds numbered items generically - "Punkt N. Title", "N (Offentlig) Title",
"N. Title" - and fills what it can recognise without layout knowledge: case
numbers and a handler's e-mail near the header, a recommendation after
"Det indstilles," and a decision after a "Beslutning" heading. It always adds
the warning UNKNOWN_LAYOUT_WARNING, never raises on odd input, and returns no
meetings (with a warning) when it finds no items at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import AGENDA, CONFIDENTIAL, MINUTES, PUBLIC, Item, Meeting, ParsedDocument
from ..normalise import NormalisedText
from ..text import clean_block, find_modern_case_numbers, parse_danish_date

NAME = "generic"
UNKNOWN_LAYOUT_WARNING = "unknown layout: parsed with the generic strategy"
NO_ITEMS_WARNING = "no agenda items found"

# Strong header forms first: when a document has any of them, the loose
# "N. Title" form (which numbered lists in the body also match) is ignored.
PUNKT_RE = re.compile(r"^Punkt\s+(\d{1,3})\s*[.:]?\s*(.*)$", re.IGNORECASE)
ACCESS_RE = re.compile(
    r"^(\d{1,3})\s*\((Offentlig|Åben|Åbent|Fortrolig|Lukket|Lukket punkt)\)\s*(.*)$",
    re.IGNORECASE,
)
NUMBERED_RE = re.compile(r"^(\d{1,3})\.\s+([A-ZÆØÅ].*)$")
CONFIDENTIAL_WORDS = ("fortrolig", "lukket")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
RECOMMENDATION_RE = re.compile(r"^(?:(.+?)\s+indstiller|Det indstilles)\s*,?\s*(.*)$")
DECISION_RE = re.compile(r"^(?:Beslutning(?:er)?|Afgørelse)\s*:?\s*(.*)$", re.IGNORECASE)
# Headings that end a recommendation or a decision.
HEADING_RE = re.compile(
    r"^(?:Bilag|Resumé|Sagsfremstilling|Baggrund|Økonomi|Kommunikation|Indstilling|"
    r"Beslutning(?:er)?|Sagsnr|Sagsbehandler)\b",
    re.IGNORECASE,
)
# How many lines under a header may hold its case number and handler.
HEADER_ZONE = 8
MAX_ITEM_NUMBER = 200


@dataclass
class _Header:
    index: int
    number: int
    access: str
    title: str


def matches(text: NormalisedText) -> bool:
    """The fallback claims nothing: choose_layout uses it when no layout matched."""
    return False


def parse(text: NormalisedText, source: str) -> ParsedDocument:
    lines = [line.strip() for line in text.lines]
    parsed = ParsedDocument(source=source, layout=NAME, warnings=[UNKNOWN_LAYOUT_WARNING])
    headers = _longest_run(_candidate_headers(lines))
    if not headers:
        parsed.warnings.append(f"{NO_ITEMS_WARNING}: no numbered item headers recognised")
        return parsed
    items = [_item(lines, header, _stop(headers, position, len(lines)), text)
             for position, header in enumerate(headers)]  # fmt: skip
    kind = MINUTES if any(item.decision for item in items) or _says_minutes(lines) else AGENDA
    parsed.meetings.append(
        Meeting(
            date=parse_danish_date("\n".join(lines[: headers[0].index])), kind=kind, items=items
        )  # fmt: skip
    )
    return parsed


def _stop(headers: list[_Header], position: int, end: int) -> int:
    return headers[position + 1].index if position + 1 < len(headers) else end


def _says_minutes(lines: list[str]) -> bool:
    return any("referat" in line.lower() for line in lines[:30])


# --- headers ---------------------------------------------------------------------


def _candidate_headers(lines: list[str]) -> list[_Header]:
    strong = [h for i, line in enumerate(lines) if (h := _strong_header(i, line))]
    if strong:
        return strong
    return [
        _Header(i, int(m.group(1)), PUBLIC, m.group(2).strip())
        for i, line in enumerate(lines)
        if (m := NUMBERED_RE.match(line))
    ]


def _strong_header(index: int, line: str) -> _Header | None:
    m = PUNKT_RE.match(line)
    if m:
        return _Header(index, int(m.group(1)), PUBLIC, m.group(2).strip())
    m = ACCESS_RE.match(line)
    if m:
        access = CONFIDENTIAL if m.group(2).lower().startswith(CONFIDENTIAL_WORDS) else PUBLIC
        return _Header(index, int(m.group(1)), access, m.group(3).strip())
    return None


def _longest_run(candidates: list[_Header]) -> list[_Header]:
    """The longest chain of headers, in text order, whose numbers go up by one.

    Numbered lists inside item texts restart at 1, so they rarely form the
    longest chain; the real items do.
    """
    best_chain_ending: dict[int, list[_Header]] = {}
    longest: list[_Header] = []
    for header in candidates:
        if not 0 < header.number <= MAX_ITEM_NUMBER:
            continue
        chain = [*best_chain_ending.get(header.number - 1, []), header]
        if len(chain) > len(best_chain_ending.get(header.number, [])):
            best_chain_ending[header.number] = chain
        if len(chain) > len(longest):
            longest = chain
    return longest


# --- items -----------------------------------------------------------------------


def _item(lines: list[str], header: _Header, stop: int, text: NormalisedText) -> Item:
    body = lines[header.index + 1 : stop]
    zone = "\n".join(body[:HEADER_ZONE])
    email = EMAIL_RE.search(zone)
    recommendation, recommended_by = _recommendation(body)
    return Item(
        number=header.number,
        access=header.access,
        title=header.title,
        case_numbers=find_modern_case_numbers(zone),
        handler=email.group(0) if email else None,
        recommendation=recommendation,
        recommended_by=recommended_by,
        decision=_decision(body),
        page=text.page_of(header.index),
        line=header.index + 1,
    )


def _recommendation(body: list[str]) -> tuple[str | None, str | None]:
    for index, line in enumerate(body):
        m = RECOMMENDATION_RE.match(line)
        if m:
            lines = [m.group(2), *_until_heading(body[index + 1 :])]
            text = clean_block(lines)
            # An empty template ("Det indstilles,\nat ") recommends nothing.
            return (text if text not in ("", "at") else None), m.group(1)
    return None, None


def _decision(body: list[str]) -> str | None:
    for index, line in enumerate(body):
        m = DECISION_RE.match(line)
        if m:
            return clean_block([m.group(1), *_until_heading(body[index + 1 :])]) or None
    return None


def _until_heading(lines: list[str]) -> list[str]:
    taken = []
    for line in lines:
        if HEADING_RE.match(line):
            break
        taken.append(line)
    return taken
