"""Sundhedsstyrelsen minutes ("R E F E R A T" with "Punkt N. Title" items).

What this layout knows (see the notes of gold file 004):

* The title is letter-spaced (" R E F E R A T"); items are "Punkt N. Title",
  and a title may wrap onto the next line ("... oplæg til" / "Kræftplan V").
* The text is double-spaced: every line is followed by a blank line, so a
  single blank line is a line wrap (hyphen wraps look like "fo-", "", "retaget")
  and a paragraph break is a longer run of blank lines.
* The metadata block (Emne, Mødedato, Sted, Deltagere) may be displaced into
  the middle of an item by the extractor; it is lifted out of the item text.
* "Side N" page footers are furniture.
* There is no decision heading: in minutes an item's recorded text is its
  decision.

Nothing here depends on leading whitespace: some extractors strip it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import AGENDA, MINUTES, Item, Meeting, ParsedDocument
from ..normalise import NormalisedText
from ..text import join_wrapped_lines, parse_danish_date

NAME = "sst-referat"

ITEM_RE = re.compile(r"^Punkt\s+(\d{1,3})\s*[.:]?\s+(.*)$|^Punkt\s+(\d{1,3})\s*[.:]?$")
FOOTER_RE = re.compile(r"^Side\s+\d+(?:\s+(?:af|/)\s+\d+)?$", re.IGNORECASE)
LABELS = ("Emne", "Mødedato", "Dato", "Tidspunkt", "Tid", "Sted", "Mødested", "Deltagere",
          "Afbud", "Fraværende", "Referent", "Mødeleder")  # fmt: skip
LABEL_RE = re.compile(r"^(" + "|".join(LABELS) + r")\b\s*:?\s*(.*)$")
TIME_RANGE_RE = re.compile(r"\b(\d{1,2}[.:]\d{2})\s*[-–]\s*(\d{1,2}[.:]\d{2})\b")
SINGLE_TIME_RE = re.compile(r"\bkl\.?\s*(\d{1,2}[.:]\d{2})\b")
MEETING_LABEL_RE = re.compile(r"^\d+\.\s*møde\s+i\s+(?:den\s+|det\s+)?(.+)$", re.IGNORECASE)
# "Anna Hansen", "Jens Peter la Cour": two to six words, names capitalised.
PERSON_RE = re.compile(r"^[A-ZÆØÅ][\w.'-]+(?:\s+(?:[A-ZÆØÅ][\w.'-]+|von|van|de|la|af)){1,5}$")
# A title's last word that cannot end a Danish title: the title wraps on.
OPEN_ENDING_WORDS = frozenset(
    {"af", "for", "fra", "i", "med", "og", "om", "på", "til", "ved", "den", "det", "de", "en",
     "et", "samt", "eller", "som", "efter", "under"}
)  # fmt: skip
SENTENCE_END = (".", ":", "!", "?")
# How far from the top the document title ("R E F E R A T") may sit.
TITLE_SEARCH_LINES = 60
# A body line longer than this fills the text width: a title this long wraps.
FULL_WIDTH = 60


def matches(text: NormalisedText) -> bool:
    lines = [line.strip() for line in text.lines]
    if not any(ITEM_RE.match(line) for line in lines):
        return False
    labels = {m.group(1) for line in lines if (m := LABEL_RE.match(line))}
    return _find_kind(lines) is not None or {"Emne", "Mødedato"} <= labels


def parse(text: NormalisedText, source: str) -> ParsedDocument:
    lines = [line.strip() for line in text.lines]
    furniture = {i for i, line in enumerate(lines) if FOOTER_RE.match(line)}
    title_index = _title_line(lines)
    if title_index is not None:
        furniture.add(title_index)
    block = _metadata_block(lines, furniture)
    furniture |= block.line_indexes
    kind = _find_kind(lines) or MINUTES
    meeting = _meeting_from_metadata(block, kind)
    body = _Body(lines, furniture, _is_double_spaced(lines))
    meeting.items = _items(body, kind, text)
    parsed = ParsedDocument(source=source, layout=NAME, meetings=[meeting])
    if not block.values:
        parsed.warnings.append("no metadata block (Emne/Mødedato/Sted) found")
    return parsed


# --- document title and kind --------------------------------------------------


def _collapsed(line: str) -> str:
    """Letter-spacing removed: ' R E F E R A T ' -> 'REFERAT'."""
    return re.sub(r"\s+", "", line).upper()


def _title_line(lines: list[str]) -> int | None:
    for index, line in enumerate(lines[:TITLE_SEARCH_LINES]):
        if _collapsed(line) in ("REFERAT", "DAGSORDEN", "BESLUTNINGSREFERAT"):
            return index
    return None


def _find_kind(lines: list[str]) -> str | None:
    index = _title_line(lines)
    if index is None:
        return None
    return AGENDA if _collapsed(lines[index]) == "DAGSORDEN" else MINUTES


# --- metadata block -------------------------------------------------------------


@dataclass
class _MetadataBlock:
    values: dict[str, str] = field(default_factory=dict)
    line_indexes: set[int] = field(default_factory=set)


def _metadata_block(lines: list[str], furniture: set[int]) -> _MetadataBlock:
    """Find the Emne/Mødedato/Sted/Deltagere block wherever the extractor put it.

    It starts at an "Emne" (or "Mødedato") label line; a label's value is the
    rest of its line or, when that is empty, the next non-blank line (plus its
    wrapped continuations). The block ends at the first line that is neither
    a label nor a value, or at a page footer.
    """
    start = _block_start(lines)
    block = _MetadataBlock()
    if start is None:
        return block
    index = start
    while index < len(lines):
        if index in furniture:
            break
        m = LABEL_RE.match(lines[index])
        if not lines[index]:
            index += 1
            continue
        if not m:
            break
        label, value = m.group(1), m.group(2).strip()
        block.line_indexes.add(index)
        index += 1
        if not value:
            value_lines, index = _label_value(lines, index, furniture, label)
            block.line_indexes.update(value_lines)
            value = join_wrapped_lines([lines[i] for i in value_lines])
        block.values.setdefault(label, value)
    return block


def _block_start(lines: list[str]) -> int | None:
    for wanted in ("Emne", "Mødedato"):
        for index, line in enumerate(lines):
            m = LABEL_RE.match(line)
            if m and m.group(1) == wanted and (m.group(2) or wanted == "Emne"):
                return index
    return None


def _label_value(
    lines: list[str], index: int, furniture: set[int], label: str
) -> tuple[list[int], int]:
    """Line indexes of a label's value that starts on a later line, and where it ends.

    The value may itself begin with the label's word ("Deltagere" / "Deltagere
    fra SST og Følgegruppen"); any other label ends the value.
    """
    while index < len(lines) and not lines[index] and index not in furniture:
        index += 1
    if index >= len(lines) or index in furniture or _other_label(lines[index], label):
        return [], index
    taken = [index]
    index += 1
    # Wrapped continuation: at most one blank line between (double spacing).
    while True:
        nxt = index + 1 if index < len(lines) and not lines[index] else index
        if nxt >= len(lines) or nxt in furniture or not lines[nxt]:
            break
        if _other_label(lines[nxt], label) or ITEM_RE.match(lines[nxt]):
            break
        if lines[taken[-1]].endswith(SENTENCE_END) or lines[nxt].startswith("- "):
            break
        taken.append(nxt)
        index = nxt + 1
    return taken, index


def _other_label(line: str, label: str) -> bool:
    m = LABEL_RE.match(line)
    return bool(m) and m.group(1) != label


def _meeting_from_metadata(block: _MetadataBlock, kind: str) -> Meeting:
    values = block.values
    subject = values.get("Emne")
    when = " ".join(values.get(key, "") for key in ("Mødedato", "Dato", "Tidspunkt", "Tid"))
    return Meeting(
        body=_body_name(subject),
        date=parse_danish_date(when),
        kind=kind,
        location=values.get("Sted") or values.get("Mødested") or None,
        time=_meeting_time(when),
        participants=_names(values.get("Deltagere")),
        absent=_names(values.get("Afbud") or values.get("Fraværende")),
    )


def _body_name(subject: str | None) -> str | None:
    """The body named by the subject: '4. møde i følgegruppen for X' -> 'Følgegruppen for X'."""
    if not subject:
        return None
    m = MEETING_LABEL_RE.match(subject)
    name = m.group(1) if m else subject
    return name[:1].upper() + name[1:]


def _meeting_time(when: str) -> str | None:
    m = TIME_RANGE_RE.search(when)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = SINGLE_TIME_RE.search(when)
    return m.group(1) if m else None


def _names(value: str | None) -> list[str]:
    """Names listed in a participants field; a description ("Deltagere fra SST") is none."""
    if not value:
        return []
    parts = [part.strip(" .") for part in re.split(r",|;|\s+og\s+", value)]
    if parts and all(PERSON_RE.match(part) for part in parts if part):
        return [part for part in parts if part]
    return []


# --- body text ------------------------------------------------------------------


def _is_double_spaced(lines: list[str]) -> bool:
    """Is (nearly) every text line followed by a blank line?"""
    text_lines = [i for i, line in enumerate(lines[:-1]) if line]
    if len(text_lines) < 4:
        return False
    followed_by_blank = sum(1 for i in text_lines if not lines[i + 1])
    return followed_by_blank / len(text_lines) > 0.8


@dataclass
class _Body:
    lines: list[str]
    furniture: set[int]
    double_spaced: bool

    def is_text(self, index: int) -> bool:
        return bool(self.lines[index]) and index not in self.furniture

    def next_text(self, index: int, stop: int) -> int | None:
        """The first text line at or after index (before stop), skipping blanks and furniture."""
        while index < stop:
            if self.is_text(index):
                return index
            index += 1
        return None

    def paragraphs(self, start: int, stop: int) -> list[list[str]]:
        """The text lines of [start, stop) grouped into paragraphs.

        A gap of blank lines is a paragraph break when it is longer than the
        line spacing; a gap that holds a page footer is mended when the
        sentence plainly goes on (no full stop before, lower case after).
        """
        result: list[list[str]] = []
        current: list[str] = []
        gap_blanks, gap_has_furniture = 0, False
        for index in range(start, stop):
            line = self.lines[index]
            if index in self.furniture:
                gap_has_furniture = True
                continue
            if not line:
                gap_blanks += 1
                continue
            if current and self._is_break(current[-1], line, gap_blanks, gap_has_furniture):
                result.append(current)
                current = []
            current.append(line)
            gap_blanks, gap_has_furniture = 0, False
        if current:
            result.append(current)
        return result

    def _is_break(self, before: str, after: str, blanks: int, across_page: bool) -> bool:
        if after.startswith(("- ", "• ", "– ")):
            return True  # a bullet starts its own paragraph
        if across_page:
            return before.endswith(SENTENCE_END) or not after[:1].islower()
        return blanks > (1 if self.double_spaced else 0)


# --- items ------------------------------------------------------------------------


def _item_headers(body: _Body) -> list[tuple[int, re.Match[str]]]:
    headers = []
    for index, line in enumerate(body.lines):
        if index in body.furniture:
            continue
        m = ITEM_RE.match(line)
        if m:
            headers.append((index, m))
    return headers


def _items(body: _Body, kind: str, text: NormalisedText) -> list[Item]:
    headers = _item_headers(body)
    items = []
    for position, (index, m) in enumerate(headers):
        stop = headers[position + 1][0] if position + 1 < len(headers) else len(body.lines)
        items.append(_item(body, index, m, stop, kind, text))
    return items


def _item(body: _Body, index: int, m: re.Match[str], stop: int, kind: str,
          text: NormalisedText) -> Item:  # fmt: skip
    number = int(m.group(1) or m.group(3))
    title_lines, text_start = _title_lines(body, index, m.group(2) or "", stop)
    recorded = "\n\n".join(
        join_wrapped_lines(paragraph) for paragraph in body.paragraphs(text_start, stop)
    )
    item = Item(
        number=number,
        title=join_wrapped_lines(title_lines),
        page=text.page_of(index),
        line=index + 1,
    )
    if recorded:
        if kind == MINUTES:
            item.decision = recorded  # no decision heading: the recorded text is the decision
        else:
            item.sections["Beskrivelse"] = recorded
    return item


def _title_lines(body: _Body, index: int, first: str, stop: int) -> tuple[list[str], int]:
    """The title's lines (the header's rest plus a wrapped line) and where the text starts."""
    title = [first] if first else []
    nxt = body.next_text(index + 1, stop)
    if nxt is None:
        return title, stop
    if _title_goes_on(first, body.lines[nxt], nxt - index - 1, body.double_spaced):
        title.append(body.lines[nxt])
        return title, nxt + 1
    return title, index + 1


def _title_goes_on(first: str, following: str, gap: int, double_spaced: bool) -> bool:
    """Does the title on the header line continue on the following line?

    Yes when the title cannot end where it does (a hyphen, a comma, a word
    like "til"), or when a full-width title line is followed by a short line
    that is not a sentence - always within the normal line spacing.
    """
    if not first or gap > (1 if double_spaced else 0):
        return False
    last_word = first.split()[-1].lower()
    if first.endswith(("-", ",")) or last_word in OPEN_ENDING_WORDS:
        return True
    short_fragment = len(following) < 40 and not following.endswith(SENTENCE_END)
    return len(first) >= FULL_WIDTH and short_fragment
