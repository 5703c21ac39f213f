"""Is a parse plausible enough to publish? The reasons why not, for staff to review.

Every parse passes through check() (pipeline.py, after the confidentiality
rule), whatever its layout or source: a PDF, a text, an agenda system's
export. Each doubt becomes an English one-line reason in
``ParsedDocument.review_reasons``; the importer holds a document with any
reason for staff (not public until they publish it), and meetings/reasons.py
words each reason in Danish for the admin.

The checks look at the shape of the result, never at a layout's internals:

- item numbers in order within each meeting (2, a running 715, or "1.1");
- the printed table of contents (``ParsedDocument.contents``, when a layout
  found one) agreeing with the items: how many, which numbers, which titles;
- no item holding most of the items' text, and not most items empty: the
  marks of a table of contents taken for the agenda (items 1…N-1 empty, the
  last one swallowing the document) or of item headers missed;
- a body named (an importer's stated body answers this one: NO_BODY_REASON);
- the document calling itself an agenda or minutes at all (a stated kind
  answers this one: NOT_MINUTES_REASON).

A check must hold a wrong parse, not a right one: every corpus document and
the agenda systems' gold files pass with no reason (tests/parsing/
test_plausibility.py). This module must never import Django, never change
the parse itself (only add reasons), and never quote a closed item's content
(its text is blanked before this runs; titles of closed items may be named,
as they are public).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .model import Item, Meeting, ParsedDocument

# Checks on how the text is spread over the items need a few items to mean
# anything: a meeting on one or two cases is normally one long item.
MIN_ITEMS_TO_COMPARE = 3
# An item with fewer characters of its own than this (its title not counted) is
# empty. Real short items say "Godkendt." or "Intet." (6-9 characters) and are
# few: the corpus's shortest public items hold 2 and 9 (the DR 2011 packet's last
# agenda and minutes items), the next 30; a table of contents taken for the
# agenda gives items of 0.
EMPTY_ITEM_CHARS = 20
# More than this share of a meeting's public items empty: a contents list, not an
# agenda (Ballerup's eDoc minutes read the generic way: 7 of 8 items empty). The
# corpus has at most 1 empty item in a meeting of 15.
EMPTY_SHARE = 0.5
# One item holding more than this share of all items' text has swallowed others
# (Ballerup read the generic way: 1.00). The corpus's most lopsided document is
# Sundhedsstyrelsen's minutes, whose item 3 (a long discussion) holds 0.87.
DOMINANT_SHARE = 0.9
# Contents titles and item titles are compared with their case, spacing,
# punctuation and hyphenation folded away; past that they must be this similar
# (a difflib ratio), so one misread letter is not a doubt but another title is.
TITLE_SIMILARITY = 0.9
# A contents entry ending so was cut short by its printer: its start must match.
ELLIPSIS_RE = re.compile(r"(?:\.{3}|…)\s*$")
# How many item numbers a reason lists before it says "…".
NUMBERS_SHOWN = 5
# What an agenda or minutes calls itself somewhere: its title (Dagsorden, Referat,
# Beslutningsprotokol) or its meeting (mødet, mødedato, mødested). A status table
# of cases ("Sager på vej") says none of these as a word.
MINUTES_WORDS_RE = re.compile(
    r"\b(?:dagsorden|dagsordenen|referat|referatet|beslutningsprotokol|protokol|"
    r"møde|mødet|mødets|mødedato|mødested|mødetid|mødetidspunkt|mødelokale|mødedeltagere)\b",
    re.IGNORECASE,
)

# Named, because the importer drops each when staff state what it doubts: the body,
# or the kind (an agenda, minutes) of a document that does not say it of itself.
NO_BODY_REASON = "no meeting of the document names its body (committee or council)"
NOT_MINUTES_REASON = (
    "the document does not look like an agenda or minutes (it never says Dagsorden, Referat "
    "or Møde)"
)


def check(parsed: ParsedDocument) -> None:
    """Append a review reason for each doubt about the parse (none when it is plausible)."""
    if not _calls_itself_minutes(parsed):
        parsed.review_reasons.append(NOT_MINUTES_REASON)
    meetings = [meeting for meeting in parsed.meetings if meeting.items]
    if not meetings:
        return  # no items at all: the importer refuses the document
    if any(not meeting.body for meeting in meetings):
        parsed.review_reasons.append(NO_BODY_REASON)
    # Reasons name items by number: the rare document of two meetings (an agenda
    # with the last minutes) is told apart by staff reading it.
    for meeting in meetings:
        _check_order(parsed, meeting)
    sizes = _item_sizes(parsed)
    for meeting in meetings:
        _check_spread(parsed, meeting, sizes)
    if parsed.contents:
        if all(number is not None for number, _ in parsed.contents):
            _check_contents(
                parsed, parsed.contents, _meeting_of_contents(parsed.contents, meetings)
            )
        else:
            _check_unnumbered_contents(parsed, meetings)


# --- the document ----------------------------------------------------------------


def _calls_itself_minutes(parsed: ParsedDocument) -> bool:
    return any(MINUTES_WORDS_RE.search(line) for line in parsed.lines)


# --- numbers ---------------------------------------------------------------------


def number_key(number: int | str) -> tuple:
    """An item number as a sortable key: 2 -> (2,), "1.1" -> (1, 1), "3a" -> (3, "a")."""
    parts = re.findall(r"\d+|[^\W\d_]+", str(number).casefold())
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def _check_order(parsed: ParsedDocument, meeting: Meeting) -> None:
    for before, after in zip(meeting.items, meeting.items[1:], strict=False):
        if number_key(after.number) <= number_key(before.number):
            parsed.review_reasons.append(
                f"item numbers are not in order ({before.number} is followed by {after.number})"
            )
            return  # one reason says it: the rest of the order follows from the first slip


# --- how the text is spread over the items ---------------------------------------


@dataclass(frozen=True)
class _Size:
    chars: int
    public: bool


def _item_sizes(parsed: ParsedDocument) -> dict[int, _Size]:
    """Per item (by id): how many characters of its own it has, not counting its title.

    An item a layout split into sections has what they (and its recommendation
    and decision) hold. Otherwise its lines up to the next item's header count,
    without those that only repeat its wrapped title; but the last item's lines
    run on into the appended documents when the layout found any
    (``appendices``), so for it only its fields count then.
    """
    placed = sorted(
        ((item.line, item) for meeting in parsed.meetings for item in meeting.items if item.line),
        key=lambda pair: pair[0],
    )
    sizes: dict[int, _Size] = {}
    for position, (line, item) in enumerate(placed):
        stop = placed[position + 1][0] - 1 if position + 1 < len(placed) else len(parsed.lines)
        last = position + 1 == len(placed)
        chars = (
            _field_chars(item)
            if last and parsed.appendices
            else _own_chars(item, parsed.lines[line:stop])
        )
        sizes[id(item)] = _Size(chars, not item.is_confidential)
    for meeting in parsed.meetings:
        for item in meeting.items:
            if id(item) not in sizes:  # no line known: only its fields say what it holds
                sizes[id(item)] = _Size(_field_chars(item), not item.is_confidential)
    return sizes


def _own_chars(item: Item, span: list[str]) -> int:
    if item.sections:
        return _field_chars(item)
    title = _folded(item.title or "")
    texts = [text for line in span if (text := line.strip())]
    wrapped = 0  # the header's wrapped title goes on under it (when the layout joined it)
    while wrapped < len(texts) and title and _folded(texts[wrapped]) in title:
        wrapped += 1
    return sum(len(text) for text in texts[wrapped:])


def _field_chars(item: Item) -> int:
    texts = [*item.sections.values(), item.recommendation or "", item.decision or ""]
    return sum(len(text.strip()) for text in texts)


def _check_spread(parsed: ParsedDocument, meeting: Meeting, sizes: dict[int, _Size]) -> None:
    public = [(item, sizes[id(item)].chars) for item in meeting.items if sizes[id(item)].public]
    if len(public) < MIN_ITEMS_TO_COMPARE:
        return
    empty = [item for item, chars in public if chars < EMPTY_ITEM_CHARS]
    if len(empty) > EMPTY_SHARE * len(public):
        parsed.review_reasons.append(
            f"{len(empty)} of {len(public)} items have no text of their own (items "
            f"{_numbers(empty)}): a table of contents read as the agenda?"
        )
    total = sum(chars for _, chars in public)
    largest, chars = max(public, key=lambda pair: pair[1])
    if total and chars > DOMINANT_SHARE * total:
        parsed.review_reasons.append(
            f"item {largest.number} holds {round(100 * chars / total)}% of the items' "
            "text: item headers missed?"
        )


# --- the table of contents -------------------------------------------------------


def _meeting_of_contents(contents: list[tuple[int | str, str]], meetings: list[Meeting]) -> Meeting:
    """The meeting the contents list: the one sharing most numbers with it (the first on a tie)."""
    listed = {number_key(number) for number, _ in contents}
    return max(
        meetings,
        key=lambda m: (len(listed & {number_key(i.number) for i in m.items}), -meetings.index(m)),
    )


def _check_unnumbered_contents(parsed: ParsedDocument, meetings: list[Meeting]) -> None:
    """Contents that print no numbers (FirstAgenda lists titles and pages only) are read in
    order: the n-th entry is the n-th item of the meeting whose item count is closest."""
    meeting = min(
        meetings, key=lambda m: (abs(len(m.items) - len(parsed.contents)), meetings.index(m))
    )
    paired = [
        (item.number, title)
        for item, (_, title) in zip(meeting.items, parsed.contents, strict=False)
    ]
    _check_contents(parsed, paired, meeting, listed_count=len(parsed.contents))


def _check_contents(
    parsed: ParsedDocument,
    contents: list[tuple[int | str, str]],
    meeting: Meeting,
    *,
    listed_count: int | None = None,
) -> None:
    listed = {number_key(number): (number, title) for number, title in contents}
    found = {number_key(item.number): item for item in meeting.items}
    listed_count = len(contents) if listed_count is None else listed_count
    if listed_count != len(meeting.items):
        parsed.review_reasons.append(
            f"the table of contents lists {listed_count} items but {len(meeting.items)} were found"
        )
    missing = [listed[key][0] for key in listed if key not in found]
    if missing:
        parsed.review_reasons.append(
            f"items {_numbers(missing)} are in the table of contents but were not found"
        )
    extra = [found[key].number for key in found if key not in listed]
    if extra:
        parsed.review_reasons.append(
            f"items {_numbers(extra)} were found but are not in the table of contents"
        )
    differing = [
        found[key].number
        for key, (_, title) in listed.items()
        if key in found and not same_title(title, found[key].title or "")
    ]
    if differing:
        parsed.review_reasons.append(
            f"the titles of items {_numbers(differing)} differ from the table of contents"
        )


def same_title(listed: str, found: str) -> bool:
    """A contents entry's title and an item's title say the same, as far as print allows."""
    cut_short = bool(ELLIPSIS_RE.search(listed))
    a, b = _letters(ELLIPSIS_RE.sub("", listed)), _letters(found)
    if a == b or (cut_short and a and b.startswith(a)):
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= TITLE_SIMILARITY


# --- wording ---------------------------------------------------------------------


def _numbers(items_or_numbers: list) -> str:
    numbers = [getattr(x, "number", x) for x in items_or_numbers]
    shown = ", ".join(str(n) for n in numbers[:NUMBERS_SHOWN])
    return shown + (", …" if len(numbers) > NUMBERS_SHOWN else "")


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _letters(text: str) -> str:
    """Letters and digits only, case folded: spacing, hyphens and punctuation vary in print."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())
