"""The document as the engine reads it: stripped lines, page furniture taken out.

Three rules, each for what extractors and templates do to every system:

* Page counters ("Side 3", "Side 3 af 15", "3 of 5") are furniture wherever
  they stand alone on a line.
* A line that recurs near the top or bottom of most pages (digits aside) is
  the page's header or footer: eDoc repeats a five-line block "Sundheds- og
  Forebyggelsesudvalget / Referat / Åbent referat / Dato: 04.12.2012 / Side N"
  on all 15 pages, Acadre "Referat For Udvalget … Side N" on four of five.
  It is removed once per page, so the front page's own title lines that
  repeat it further down stay. A line the document's structure needs (an
  item header, a caption, a case number) is never furniture: FirstAgenda
  prints "Beslutninger" near the top of most pages.
* A key/value table that an extractor splits into a column of keys and one
  of values ("Dato:" / "Tid:" / "Sted:" then "6. oktober 2016" / "13:00 -
  15:00" / …) is paired again, key by key.

Where furniture interrupted a sentence, the blank lines around it go too, so
the paragraph reads on.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..normalise import NormalisedText

PAGE_COUNTER_RE = re.compile(
    r"^(?:side\s+\d{1,4}(?:\s*(?:af|of|/)\s*\d{1,4})?|\d{1,4}\s+(?:af|of)\s+\d{1,4})$", re.I
)
# How far from a page's top or bottom its furniture stands, in non-blank lines.
FURNITURE_REACH = 7
# On how many pages a line must recur to be furniture (share, and at least).
FURNITURE_SHARE = 0.6
FURNITURE_MIN_PAGES = 3
# Key labels of the tables an extractor may split into two columns.
KEY_LABEL_RE = re.compile(
    r"^(?:dato|mødedato|tid|tidspunkt|sted|mødested|deltagere|afbud|fraværende|bemærk|"
    r"sagsnr\.?|sagsnummer|dok\.\s?nr\.?|sagen afgøres (?:i|af)|j\.\s?nr\.?|referent)\s*:$",
    re.I,
)
SENTENCE_END = (".", ":", "!", "?", ";")


@dataclass
class View:
    """The lines the engine reads, by index into the normalised text's lines."""

    lines: list[str]  # stripped, key/value columns paired (blanks where a value was lifted)
    raw: list[str]  # as normalised: inner spacing kept (two-column lists split on it)
    kept: list[int]  # indexes of the lines that are not furniture, in order
    page_starts: set[int] = field(default_factory=set)  # first kept index of each page
    text: NormalisedText | None = None

    def at(self, position: int) -> str:
        return self.lines[self.kept[position]]


def build_view(
    text: NormalisedText,
    furniture_patterns: tuple[re.Pattern[str], ...],
    is_structure: Callable[[str], bool],
) -> View:
    lines = [line.strip() for line in text.lines]
    _pair_split_columns(lines, is_structure)
    furniture = _furniture(lines, text.page_starts, furniture_patterns, is_structure)
    kept = _mend(lines, furniture)
    starts = sorted(text.page_starts)
    page_starts: set[int] = set()
    for start in starts:
        first = next((i for i in kept if i >= start and lines[i]), None)
        if first is not None:
            page_starts.add(first)
    return View(lines=lines, raw=list(text.lines), kept=kept, page_starts=page_starts, text=text)


def fold_furniture(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _furniture(
    lines: list[str],
    page_starts: list[int],
    patterns: tuple[re.Pattern[str], ...],
    is_structure: Callable[[str], bool],
) -> set[int]:
    found = {
        i
        for i, line in enumerate(lines)
        if line and (PAGE_COUNTER_RE.match(line) or any(p.match(line) for p in patterns))
    }
    # Without form feeds (a text saved without them), the page counters mark the
    # pages: a page's header block then stands just before the next counter, so
    # each page's edge is read from its end.
    from_counters = not page_starts
    starts = page_starts or [
        i + 1 for i, line in enumerate(lines) if line and PAGE_COUNTER_RE.match(line)
    ]
    bounds = [0, *sorted(starts), len(lines)]
    pages = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    if len(pages) < FURNITURE_MIN_PAGES:
        return found
    edges: list[list[int]] = []
    counts: Counter[str] = Counter()
    for start, stop in pages:
        text_lines = [i for i in range(start, stop) if lines[i] and i not in found]
        edge = text_lines[:FURNITURE_REACH] + text_lines[-FURNITURE_REACH:]
        if from_counters:
            edge = text_lines[-FURNITURE_REACH:][::-1] + text_lines[:FURNITURE_REACH]
        edge = list(dict.fromkeys(edge))
        edges.append(edge)
        counts.update({fold_furniture(lines[i]) for i in edge})
    needed = max(FURNITURE_MIN_PAGES, math.ceil(FURNITURE_SHARE * len(pages)))
    repeated = {key for key, count in counts.items() if count >= needed}
    if not repeated:
        return found
    for edge in edges:
        used: set[str] = set()
        for i in edge:
            key = fold_furniture(lines[i])
            if key in repeated and key not in used and not is_structure(lines[i]):
                used.add(key)
                found.add(i)
    return found


def _mend(lines: list[str], furniture: set[int]) -> list[int]:
    """Indexes of the kept lines; blanks around furniture go when a sentence runs through it."""
    kept: list[int] = []
    i = 0
    while i < len(lines):
        if i not in furniture:
            kept.append(i)
            i += 1
            continue
        j = i
        while j < len(lines) and (j in furniture or not lines[j]):
            j += 1
        before = next((lines[k] for k in reversed(kept) if lines[k]), "")
        after = lines[j] if j < len(lines) else ""
        if before and after and not before.endswith(SENTENCE_END) and after[:1].islower():
            while kept and not lines[kept[-1]]:
                kept.pop()
        else:
            kept.extend(k for k in range(i, j) if k not in furniture and not lines[k])
        i = j
    return kept


def _pair_split_columns(lines: list[str], is_structure: Callable[[str], bool]) -> None:
    """ "Dato:" / "Tid:" / "" / "6. oktober 2016" / "13:00" -> "Dato: 6. oktober 2016" / …

    Only a run of two or more bare key labels followed by as many value lines
    is a split table; the value lines become blank, so line numbers hold.
    """
    i = 0
    while i < len(lines):
        if not KEY_LABEL_RE.match(lines[i]):
            i += 1
            continue
        keys = [i]
        while keys[-1] + 1 < len(lines) and KEY_LABEL_RE.match(lines[keys[-1] + 1]):
            keys.append(keys[-1] + 1)
        j = keys[-1] + 1
        while j < len(lines) and not lines[j]:
            j += 1
        values = list(range(j, min(j + len(keys), len(lines))))
        if (
            len(keys) >= 2
            and len(values) == len(keys)
            and all(
                lines[v] and not KEY_LABEL_RE.match(lines[v]) and not is_structure(lines[v])
                for v in values
            )
        ):
            for key, value in zip(keys, values, strict=True):
                lines[key] = f"{lines[key]} {lines[value]}"
                lines[value] = ""
            i = values[-1] + 1
        else:
            i = keys[-1] + 1
