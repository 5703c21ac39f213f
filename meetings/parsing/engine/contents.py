"""The document's table of contents: found, read, and kept as the check of the items.

It is not the agenda: the items are found in the text, and the contents say
how many there are and what each is called (FirstAgenda prints only titles,
eDoc "N. Title   page", Acadre "715. Title ....2"). Extractors scatter it:
poppler's raw mode prints the page numbers as a column after the titles
(Aarhus, Ballerup) and an entry's number apart from its title (Syddjurs
"715." / "Side" / "Kulturkommune 2017 …"). A long title wraps onto a line
with no number (eDoc "… hverdagsrehabilitering for" / "ældre   10"); an
unnumbered contents cannot show a wrap, so each of its lines is an entry
(FirstAgenda cuts long titles instead: "… med ti").

The contents end at the first item header that repeats its first entry, or
at a page that holds nothing of a contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pages import View

HEADING_RE = re.compile(r"^(?:indholdsfortegnelse|indhold|punktoversigt)$", re.I)
# Dot leaders (and an optional page number) closing an entry.
LEADER_RE = re.compile(r"\s*(?:\.{3,}|…{2,}|(?:\.\s){3,}\.?)\s*(?P<page>\d{1,4})?\s*$")
TRAILING_PAGE_RE = re.compile(r"^(?P<text>.*\S)\s+(?P<page>\d{1,3})$")
PAGE_ONLY_RE = re.compile(r"^\d{1,4}$")
NUMBER_ONLY_RE = re.compile(r"^(?:Punkt\s+)?(?P<number>\d{1,4}(?:\.\d{1,3})*)\.?$", re.I)
NUMBERED_RE = re.compile(
    r"^(?:Punkt\s+)?(?P<number>\d{1,4}(?:\.\d{1,3})*)[.:]?\s+(?P<text>\S.*)$", re.I
)
# Column heads and part labels of a contents page, no entries.
LABEL_RE = re.compile(
    r"^(?:punkt(?:\s*nr\.?)?(?:\s+side)?|side|nr\.?|sag|titel|(?:åbent?|lukket|åbne|lukkede)\s+"
    r"(?:referat|dagsorden|punkter|møde))$",
    re.I,
)
CLOSED_PART_RE = re.compile(r"^lukket|^lukkede", re.I)
# Share of entry lines that must end in a number for those numbers to be pages.
INLINE_PAGE_SHARE = 0.8


@dataclass
class Entry:
    number: str | None
    title: str
    page: int | None = None
    closed: bool = False
    wrapped: bool = False
    has_leader: bool = False


@dataclass
class Contents:
    start: int  # position (in view.kept) of the heading
    stop: int  # first position after the contents
    entries: list[Entry] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return bool(self.entries) and all(e.number is not None for e in self.entries)


def find_contents(view: View, is_header, front_limit: int) -> Contents | None:
    """The contents whose heading stands in the first `front_limit` positions, read."""
    start = next(
        (p for p in range(min(front_limit, len(view.kept))) if HEADING_RE.match(view.at(p))), None
    )
    if start is None:
        return None
    contents = Contents(start=start, stop=start + 1)
    lines: list[tuple[int, str]] = []  # (position, line) of the contents' own lines
    pages: list[int] = []
    pending: str | None = None
    p = start + 1
    while p < len(view.kept):
        line = view.at(p)
        index = view.kept[p]
        if not line or LABEL_RE.match(line):
            if CLOSED_PART_RE.match(line):
                lines.append((p, "\0closed"))
            p += 1
            continue
        if PAGE_ONLY_RE.match(line):
            pages.append(int(line))
            p += 1
            continue
        number_only = NUMBER_ONLY_RE.match(line)
        first = _first_number(lines, pending)
        if number_only and not LEADER_RE.search(line):
            if first is not None and number_only.group("number") == first:
                break  # the first item's header: the agenda begins
            pending = number_only.group("number")
            lines.append((p, "\0number " + pending))
            p += 1
            continue
        toc_like = bool(LEADER_RE.search(line) or TRAILING_PAGE_RE.match(line))
        numbered = NUMBERED_RE.match(line)
        if lines and not toc_like:
            if numbered and numbered.group("number") == first:
                break
            if is_header(line) and (first is None or not numbered):
                break
        new_page = lines and index in view.page_starts and not toc_like and not numbered
        if new_page and not _continues_entry(lines):
            break  # a page that goes on with something else than a contents
        lines.append((p, line))
        p += 1
    contents.stop = p
    contents.entries = _entries([line for _, line in lines], pages)
    return contents


def _first_number(lines: list[tuple[int, str]], pending: str | None) -> str | None:
    for _, line in lines:
        if line.startswith("\0number "):
            return line.split(" ", 1)[1]
        if line.startswith("\0"):
            continue
        m = NUMBERED_RE.match(line)
        if m:
            return m.group("number")
        return None
    return None


def _continues_entry(lines: list[tuple[int, str]]) -> bool:
    last = next((line for _, line in reversed(lines) if not line.startswith("\0")), "")
    return bool(last) and not LEADER_RE.search(last) and not TRAILING_PAGE_RE.match(last)


def _entries(lines: list[str], page_column: list[int]) -> list[Entry]:
    texts = [line for line in lines if not line.startswith("\0")]
    numbered_style = any(NUMBERED_RE.match(t) for t in texts) or any(
        line.startswith("\0number ") for line in lines
    )
    # A wrapped entry has one line with its page: count entries, not lines.
    entry_count = sum(1 for t in texts if NUMBERED_RE.match(t)) if numbered_style else len(texts)
    ending_in_pages = sum(1 for t in texts if LEADER_RE.search(t) or TRAILING_PAGE_RE.match(t))
    inline_pages = (
        bool(texts) and not page_column and (ending_in_pages >= INLINE_PAGE_SHARE * entry_count)
    )
    entries: list[Entry] = []
    pending: str | None = None
    closed = False
    for line in lines:
        if line == "\0closed":
            closed = True
            continue
        if line.startswith("\0number "):
            pending = line.split(" ", 1)[1]
            continue
        text, page, leader = _strip_page(line, bool(inline_pages))
        m = NUMBERED_RE.match(text)
        number = m.group("number") if m else pending
        if m:
            text = m.group("text")
        if (
            number is None
            and numbered_style
            and entries
            and not entries[-1].has_leader
            and (entries[-1].page is None or not inline_pages)
            and not pending
        ):
            last = entries[-1]
            last.title = f"{last.title} {text}".strip()
            last.wrapped = True
            last.page = page if page is not None else last.page
            last.has_leader = leader
            continue
        entries.append(Entry(number, text, page, closed, has_leader=leader))
        pending = None
    for entry, page in zip((e for e in entries if e.page is None), page_column, strict=False):
        entry.page = page
    return [e for e in entries if e.title]


def _strip_page(line: str, inline_pages: bool) -> tuple[str, int | None, bool]:
    leader = LEADER_RE.search(line)
    if leader:
        page = leader.group("page")
        return line[: leader.start()].strip(), int(page) if page else None, True
    if inline_pages:
        m = TRAILING_PAGE_RE.match(line)
        if m:
            return m.group("text").strip(), int(m.group("page")), False
    return line.strip(), None, False
