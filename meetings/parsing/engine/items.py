"""Item headers: found by the system's header forms, kept when the contents or the numbering agree.

A line that looks like a header is only a candidate: numbered lists inside
an item ("1. Aarhus Byråd træffer …", "1) Der laves …") look the same. With
a table of contents, the headers are the candidates that match its entries
in order (the number, when the contents print it, and the title's start);
without one, the longest run whose numbers follow each other (2 after 1,
1.1 after 1, 2 after 1.4 in a hierarchical agenda). A header's title goes on
over the following lines as far as the contents' title does, or, without
contents, while it plainly cannot end ("… borgere og" / "ældre").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..text import join_wrapped_lines
from .contents import Contents
from .pages import View

# How many lines a title may wrap over.
MAX_TITLE_LINES = 4
# How many leading characters of two titles must agree for them to be one.
TITLE_AGREEMENT_CHARS = 24
OPEN_ENDING_WORDS = frozenset(
    {"af", "for", "fra", "i", "med", "og", "om", "på", "til", "ved", "samt", "eller", "som"}
)
SENTENCE_END = (".", "!", "?", ":")
CLOSED_WORDS = frozenset({"fortrolig", "lukket", "lukket punkt"})


@dataclass
class Header:
    position: int  # in view.kept
    number: str
    title_start: str
    title: str = ""
    title_stop: int = 0  # first position after the title's lines
    # The header's own access word says closed ("4 (Fortrolig)", "5 (Lukket)").
    closed: bool = False


def number_value(number: str) -> int | str:
    return int(number) if number.isdigit() else number


def candidates(view: View, patterns, start: int, is_structure) -> list[Header]:
    found = []
    for p in range(start, len(view.kept)):
        line = view.at(p)
        if not line or not line[0].isdigit() and line[:5].lower() != "punkt":
            continue
        for pattern in patterns:
            m = pattern.match(line)
            if m:
                title = (m.groupdict().get("title") or "").strip()
                access = (m.groupdict().get("access") or "").casefold()
                found.append(Header(p, m.group("number"), title, closed=access in CLOSED_WORDS))
                break
    return found


def fold_title(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").casefold()
    return re.sub(r"[^\w]+", "", text)


def titles_agree(a: str, b: str) -> bool:
    fa, fb = fold_title(a), fold_title(b)
    n = min(len(fa), len(fb), TITLE_AGREEMENT_CHARS)
    return n > 0 and fa[:n] == fb[:n]


def select(view: View, found: list[Header], contents: Contents | None, is_structure,
           hierarchical: bool) -> tuple[list[Header], list[str]]:  # fmt: skip
    """The real headers among the candidates, titles complete; and what did not agree."""
    notes: list[str] = []
    for header in found:
        _read_title(view, header, None, is_structure, [h.position for h in found])
    if contents and contents.entries:
        chosen = _along_contents(view, found, contents, is_structure, notes)
        if len(chosen) * 2 < len(contents.entries):
            # The contents and the headers do not agree at all (other wording, or
            # not the contents of these items): the numbering decides, and the
            # disagreement stays a warning for the plausibility check.
            notes.append(f"only {len(chosen)} of {len(contents.entries)} entries head an item")
            chosen = _longest_run(found, hierarchical)
        else:
            run = _longest_run(found, hierarchical)
            if len(run) > len(chosen) and {id(h) for h in chosen} <= {id(h) for h in run}:
                # Headers the contents missed (a reworded entry) whose numbers
                # continue the ones the contents agree with.
                notes.append(f"{len(run) - len(chosen)} headers are not in the contents")
                chosen = run
    else:
        chosen = _longest_run(found, hierarchical)
    positions = [h.position for h in chosen]
    for position, header in enumerate(chosen):
        entry_title = header_contents_title(header, contents, chosen, position)
        _read_title(view, header, entry_title, is_structure, positions)
        if entry_title and fold_title(entry_title) == fold_title(header.title):
            # The contents print the title on one line: no wrap an extractor mended
            # (poppler's raw mode prints "2030-" / "fremskrivning" as "2030fremskrivning").
            header.title = entry_title
    return chosen, notes


def header_contents_title(header, contents, chosen, position) -> str | None:
    if not contents or not contents.entries:
        return None
    entries = contents.entries
    if contents.numbered:
        for entry in entries:
            if entry.number == header.number and titles_agree(entry.title, header.title):
                return entry.title
        return None
    if len(entries) == len(chosen):
        return entries[position].title
    return next((e.title for e in entries if titles_agree(e.title, header.title)), None)


def _along_contents(view, found, contents, is_structure, notes) -> list[Header]:
    chosen: list[Header] = []
    pointer = 0
    for entry in contents.entries:
        pick = None
        for k in range(pointer, len(found)):
            candidate = found[k]
            if entry.number is not None and candidate.number != entry.number:
                continue
            if titles_agree(entry.title, candidate.title):
                pick = k
                break
        if pick is None and entry.number is not None:
            pick = next((k for k in range(pointer, len(found)) if found[k].number == entry.number),
                        None)  # fmt: skip
            if pick is not None:
                notes.append(f"item {entry.number}: its title differs from the contents'")
        if pick is None:
            label = entry.number or repr(entry.title)
            notes.append(f"the contents list item {label}, which the text does not head")
            continue
        chosen.append(found[pick])
        pointer = pick + 1
    return chosen


def _successor(before: str, after: str, hierarchical: bool) -> bool:
    a = [int(x) for x in before.split(".")]
    b = [int(x) for x in after.split(".")]
    if not hierarchical:
        return len(a) == len(b) == 1 and b[0] == a[0] + 1
    if b == [*a, 1]:
        return True  # one level down: 1 -> 1.1
    for depth in range(len(a), 0, -1):  # the next at this level or one above: 1.3 -> 1.4, 2
        if len(b) == depth and b[:-1] == a[: depth - 1] and b[-1] == a[depth - 1] + 1:
            return True
    return False


def _longest_run(found: list[Header], hierarchical: bool) -> list[Header]:
    best: list[list[Header]] = []
    longest: list[Header] = []
    for k, header in enumerate(found):
        chain = [header]
        for j in range(k):
            if _successor(found[j].number, header.number, hierarchical) and \
                    len(best[j]) + 1 > len(chain):  # fmt: skip
                chain = [*best[j], header]
        best.append(chain)
        if len(chain) > len(longest):
            longest = chain
    return longest


def _read_title(view: View, header: Header, target: str | None, is_structure,
                stops: list[int]) -> None:  # fmt: skip
    """The title from the header line on, and where the lines after it begin."""
    pieces = [header.title_start] if header.title_start else []
    p = header.position + 1
    if not pieces:  # "1." alone: the title is the next text
        while p < len(view.kept) and not view.at(p):
            p += 1
        if p < len(view.kept) and not is_structure(view.at(p)) and p not in stops:
            pieces.append(view.at(p))
            p += 1
    while p < len(view.kept) and len(pieces) < MAX_TITLE_LINES and pieces:
        line = view.at(p)
        if not line or p in stops or is_structure(line) or view.kept[p] in view.page_starts:
            break
        if not _goes_on(join_wrapped_lines(pieces), line, target):
            break
        pieces.append(line)
        p += 1
    header.title = join_wrapped_lines(pieces)
    header.title_stop = p


def _goes_on(title: str, line: str, target: str | None) -> bool:
    if target:
        have, want = fold_title(title), fold_title(target)
        if have == want or not (want.startswith(have) or have.startswith(want)):
            return False
        if want.startswith(have):
            return True
        # The contents cut the title short ("… med ti"): go on as without them.
    # Without contents, only a title that cannot end where it does goes on: the
    # text under a header may well begin in lower case.
    last = title.split()[-1].lower() if title.split() else ""
    if title.endswith(SENTENCE_END):
        return False
    return title.endswith(("-", ",")) or last in OPEN_ENDING_WORDS
