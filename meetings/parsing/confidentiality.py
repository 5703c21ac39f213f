"""The archive's one confidentiality rule, applied to every parse whatever its source.

A closed item (``Fortrolig``, ``Lukket`` in any of the sources' forms) keeps
its number, its access level and its title as printed; nothing else of it
survives this stage: not on the item, and not in ``ParsedDocument.lines``,
the text the archive stores (its span, and every other line naming it, such
as a table of contents entry, are blanked; the line count is kept so
``Item.line`` still points at the right line).

Layouts and structured readers only say what their source says: a title as
printed, the item's header line, and ``access`` where the source has a flag
or column this module cannot see. The forms below are recognised here, once:

- a title opening with a closed word: ``Lukket: Personalesag``,
  ``(Fortrolig) Aftale``, ``(Lukket)``, ``Lukket punkt``, ``Fortroligt punkt``;
- a closed section: the items after a ``Lukket referat`` / ``Lukket
  dagsorden`` / ``Lukket møde`` heading, up to an open heading (``Åbent
  referat`` …) or the end of that meeting.

A line that marks something closed but belongs to no closed item (a
``Lukket punkt`` line inside an item the layout took as public, a closed
heading with no item under it) cannot be resolved safely: it is blanked and
the document gets a review reason, so it is held for staff, never published.

This module must never import Django and never keep a closed item's content.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from .model import CONFIDENTIAL, Item, Meeting, ParsedDocument

_CLOSED_WORD = r"(?:lukket|lukkede|fortrolig|fortroligt|fortrolige)"
# A title that is closed by how it opens: "Lukket: …", "(Fortrolig) …", "Lukket punkt".
CLOSED_TITLE_RE = re.compile(
    rf"^\s*(?:\(\s*{_CLOSED_WORD}(?:\s+punkt)?\s*\)|{_CLOSED_WORD}(?:\s+(?:punkt|sag))?\s*(?:[:.\-–—]|$))",
    re.IGNORECASE,
)
# A heading that opens a closed part of a document, and one that opens a public part again.
CLOSED_SECTION_RE = re.compile(
    r"^\s*Lukket\s+(?:referat|dagsorden|møde|mødedel|del)\b", re.IGNORECASE
)
OPEN_SECTION_RE = re.compile(
    r"^\s*(?:Åbent|Åben|Offentligt?)\s+(?:referat|dagsorden|møde|mødedel|del)\b", re.IGNORECASE
)
# A line that marks an item closed: an item header with a closed word right after its
# number ("2 (Fortrolig)", "Punkt 3: (Lukket) …", "4. Lukket: …") or a line opening
# with one. Prose that merely mentions the word ("holdes lukket") does not open a line so.
CLOSED_MARKER_RE = re.compile(
    rf"^\s*(?:(?:Punkt\s+)?\d{{1,4}}(?:\.\d{{1,3}})*\s*[.:]?\s*)?"
    rf"(?:\(\s*{_CLOSED_WORD}(?:\s+punkt)?\s*\)|{_CLOSED_WORD}(?:\s+punkt)?\s*[:.]|{_CLOSED_WORD}\s+punkt\b)",
    re.IGNORECASE,
)
# A header line wraps: a closed item's marker may stand this many lines below its header.
HEADER_LINES = 3
# A title shorter than this (after its closed prefix) is too common a phrase to blank
# every line that holds it.
MIN_TITLE_TO_TRACE = 6
# A title this long is specific enough to trace inside any line that holds it as
# words; a shorter one names a closed item only as a whole line (a contents entry,
# "2. Orientering .... 4"). Greve's closed "Lukket: Orientering" otherwise blanked
# every public "Orienteringen blev taget til efterretning." of the meeting.
MIN_TITLE_TO_TRACE_IN_TEXT = 40
# What a contents line adds to a title: its number before, leader dots and a page after.
ENTRY_NUMBER_RE = re.compile(r"^\s*(?:Punkt\s+)?\d{1,4}(?:\.\d{1,3})*\s*[.:)]?\s+", re.IGNORECASE)
ENTRY_PAGE_RE = re.compile(r"(?:\s?[.…_·]{2,})?(?:\s?(?<=[\s.…_·])\d{1,4})?$")


def is_closed_title(title: str | None) -> bool:
    return bool(title and CLOSED_TITLE_RE.match(title))


def apply(parsed: ParsedDocument) -> None:
    """Recognise every closed item of the parse and keep nothing of it but what may stay."""
    for meeting in parsed.meetings:
        for item in meeting.items:
            if is_closed_title(item.title):
                item.access = CONFIDENTIAL
    _close_sections(parsed)
    _withhold(parsed)


def close_items(parsed: ParsedDocument, meeting: Meeting, numbers: Iterable[int | str]) -> bool:
    """Close these items of one meeting of the parse (another document closed them).

    Returns whether any item changed. The caller's parse is then as if the
    document had marked them closed itself.
    """
    wanted = {str(number) for number in numbers}
    changed = False
    for item in meeting.items:
        if str(item.number) in wanted and not item.is_confidential:
            item.access = CONFIDENTIAL
            changed = True
    if changed:
        _withhold(parsed)
    return changed


def has_closed_items(parsed: ParsedDocument) -> bool:
    return any(item.is_confidential for meeting in parsed.meetings for item in meeting.items)


# ------------------------------------------------------------------ sections


def _close_sections(parsed: ParsedDocument) -> None:
    """Items under a closed heading are closed.

    In the body, a closed heading reaches to the next heading (open or closed),
    within the meeting of the first item after it: it must not reach into the
    next meeting of a packet. Before the first item (a table of contents), the
    numbered entries under a closed heading name closed items; an empty closed
    section there (eDoc prints one in every contents) closes nothing.
    """
    headings = [
        (number, CLOSED_SECTION_RE.match(line) is not None)
        for number, line in enumerate(parsed.lines, start=1)
        if CLOSED_SECTION_RE.match(line) or OPEN_SECTION_RE.match(line)
    ]
    placed = sorted(
        ((item.line, meeting, item) for meeting in parsed.meetings for item in meeting.items
         if item.line),
        key=lambda entry: entry[0],
    )  # fmt: skip
    if not headings or not placed:
        return
    first_item_line = placed[0][0]
    for position, (heading_line, closed) in enumerate(headings):
        if not closed:
            continue
        end = headings[position + 1][0] if position + 1 < len(headings) else len(parsed.lines) + 1
        if heading_line < first_item_line:
            _close_listed(parsed, heading_line + 1, min(end, first_item_line))
            continue
        in_scope = [(meeting, item) for line, meeting, item in placed if heading_line < line < end]
        if in_scope:
            meeting = in_scope[0][0]
            for other, item in in_scope:
                if other is meeting:
                    item.access = CONFIDENTIAL
            continue
        holder = _item_holding(placed, heading_line)
        if holder is None or not holder.is_confidential:
            excerpt = _excerpt(CLOSED_SECTION_RE, parsed.lines[heading_line - 1])
            parsed.review_reasons.append(
                f"line {heading_line} opens a closed section ({excerpt})"
                " inside an item the parser read as public"
            )


def _close_listed(parsed: ParsedDocument, start: int, stop: int) -> None:
    """Contents entries ("9. Personalesag  14") between start and stop name closed items."""
    numbers = {
        number
        for line in parsed.lines[start - 1 : stop - 1]
        if (number := _leading_number(line)) is not None
    }
    if not numbers:
        return
    for meeting in parsed.meetings:
        for item in meeting.items:
            if str(item.number) in numbers:
                item.access = CONFIDENTIAL


def _item_holding(placed: list[tuple[int, Meeting, Item]], line: int) -> Item | None:
    """The item whose span (its header to the next header) holds the line."""
    starts = [entry[0] for entry in placed]
    index = bisect.bisect_right(starts, line) - 1
    return placed[index][2] if index >= 0 else None


# ------------------------------------------------------------------ withhold


def _withhold(parsed: ParsedDocument) -> None:
    """Strip closed items to what may stay, and blank every line of theirs in the text."""
    lines = parsed.lines
    items = [item for meeting in parsed.meetings for item in meeting.items]
    closed = [item for item in items if item.is_confidential]
    for item in closed:
        _strip(item)
    if not lines:
        return
    if any(not item.line for item in closed):
        # A closed item the parser could not place: its span is unknown, so nothing stays.
        parsed.lines = [""] * len(lines)
        return
    starts = sorted({item.line for item in items if item.line})
    blank: set[int] = set()
    for item in closed:
        following = bisect.bisect_right(starts, item.line)
        end = starts[following] if following < len(starts) else len(lines) + 1
        blank.update(range(item.line, end))
    blank.update(_lines_naming(lines, closed, blank))
    parsed.lines = ["" if number in blank else line for number, line in enumerate(lines, 1)]
    _check_markers(parsed, items, blank)


def _strip(item: Item) -> None:
    """Number, access and the title as printed: nothing else of a closed item is kept."""
    item.case_numbers = []
    item.handler = None
    item.recommendation = None
    item.recommended_by = None
    item.decision = None
    item.sections = {}
    item.attachments = []
    item.links = []
    item.other_case_numbers = []


def _lines_naming(lines: list[str], closed: list[Item], spans: set[int]) -> set[int]:
    """Lines outside the closed spans that name a closed item (a table of contents entry).

    A line names it when it holds its title (long enough not to be a common
    phrase), or when it is a closed marker carrying the item's number.
    """
    titles = {_folded(_title_proper(item.title)) for item in closed}
    titles = {title for title in titles if len(title) >= MIN_TITLE_TO_TRACE}
    long_titles = [
        re.compile(rf"(?<!\w){re.escape(title)}(?!\w)")
        for title in titles
        if len(title) >= MIN_TITLE_TO_TRACE_IN_TEXT
    ]
    numbers = {str(item.number) for item in closed}
    naming = set()
    for number, line in enumerate(lines, start=1):
        if number in spans or not line.strip():
            continue
        folded = _folded(line)
        # An entry's title is a piece of its folded line: most lines hold no title at all.
        names_title = any(title in folded for title in titles) and (
            _entry_title(line) in titles or any(t.search(folded) for t in long_titles)
        )
        if names_title or (CLOSED_MARKER_RE.match(line) and _leading_number(line) in numbers):
            naming.add(number)
    return naming


def _entry_title(line: str) -> str:
    """A line as a contents entry's title: without number, closed prefix, leader dots, page."""
    # Whitespace runs collapsed first: a -layout line holds runs of 60 spaces, over
    # which a trailing-page pattern backtracks quadratically (120 ms for 15 pages).
    entry = " ".join(ENTRY_NUMBER_RE.sub("", line, count=1).split())
    entry = ENTRY_PAGE_RE.sub("", entry, count=1)
    return _folded(_title_proper(entry))


def _check_markers(parsed: ParsedDocument, items: list[Item], blank: set[int]) -> None:
    """A closed marker outside every closed item's lines: blank it and hold the document."""
    headers = {item.line for item in items if item.line}
    for number, line in enumerate(parsed.lines, start=1):
        if number in blank or not CLOSED_MARKER_RE.match(line):
            continue
        if any(0 <= number - header < HEADER_LINES for header in headers if header in blank):
            continue
        parsed.review_reasons.append(
            f"line {number} marks something closed ({_excerpt(CLOSED_MARKER_RE, line)})"
            " that is no closed item"
        )
        parsed.lines[number - 1] = ""


def _title_proper(title: str | None) -> str:
    """The title without its closed prefix ("Lukket: Køb af jord" -> "Køb af jord")."""
    if not title:
        return ""
    match = CLOSED_TITLE_RE.match(title)
    return title[match.end() :].strip() if match else title.strip()


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _leading_number(line: str) -> str | None:
    """An entry's number: "9. Personalesag  14", "9." alone, "Punkt 9 …".

    A bare number ("14") is not one: poppler's raw mode prints a contents'
    page numbers as a column of their own after the titles.
    """
    match = ENTRY_START_RE.match(line)
    return match.group(1) if match else None


ENTRY_START_RE = re.compile(
    r"^\s*(?:Punkt\s+)?(\d{1,4}(?:\.\d{1,3})*)(?:\s*[.:)]|\s+\S)", re.IGNORECASE
)


def _excerpt(marker: re.Pattern, line: str) -> str:
    """A marker line as a review reason names it: the marker alone, never what follows."""
    match = marker.match(line)
    return " ".join((match.group(0) if match else "").split())
