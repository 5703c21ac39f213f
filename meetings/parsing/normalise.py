"""Undo what PDF extractors vary, so layouts see one canonical text.

Rules, in the order they apply:

1. Line breaks: CRLF, CR, vertical tab, NEL and the Unicode line/paragraph
   separators all become LF.
2. A soft hyphen (U+00AD) at a line end means the word goes on at the start of
   the next line (possibly after one blank line, in double-spaced text): the
   fragment is moved up so the word is whole, and the line count is kept.
3. NBSP and the other Unicode spaces, and tabs, become plain spaces.
4. Ligatures (ﬁ, ﬂ, ﬀ, ...) are expanded.
5. Invisible format characters (soft hyphens inside words, zero-width
   characters, byte-order marks, bidi marks) are removed.
6. Other control characters are removed (form feeds are kept for rule 8).
7. NFD (decomposed) text is composed to NFC: "a" + ring -> "å".
8. Form feeds become page starts: a form feed at the start of a line marks
   that line as the first of a page; one inside a line splits it there.
   A line holding only form feeds stays as a blank line, so the line
   numbering matches the source's.

Trailing whitespace is stripped from every line. Leading whitespace is kept,
but layouts must not rely on it: some extractors strip it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
# Every Unicode space separator except the plain space, and the tab.
SPACES = {
    "\t": " ",
    "\u00a0": " ",
    "\u1680": " ",
    **{chr(cp): " " for cp in range(0x2000, 0x200B)},
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
}
# Format characters (category Cf) that can occur in extracted text; none is visible.
INVISIBLE = {
    "\u00ad": "",  # soft hyphen (inside a word; line-end ones are handled first)
    "\u061c": "",
    "\u180e": "",
    **{chr(cp): "" for cp in range(0x200B, 0x2010)},  # zero-width space/joiners, LRM, RLM
    **{chr(cp): "" for cp in range(0x202A, 0x202F)},  # bidi embeddings and overrides
    **{chr(cp): "" for cp in range(0x2060, 0x2070)},  # word joiner, invisible operators, bidi
    "\ufeff": "",  # byte-order mark / zero-width no-break space
    "\ufff9": "",
    "\ufffa": "",
    "\ufffb": "",
}
# C0 and C1 controls other than LF and form feed (tab became a space above;
# the line breaks among them were turned into LF before this table applies).
CONTROLS = {
    chr(cp): "" for cp in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(cp) not in "\n\f\t"
}
LINE_BREAKS_RE = re.compile(r"\r\n|[\r\x0b\x85\u2028\u2029]")
# "forsik\u00ad\nringsselskabet og": the word's head, the soft hyphen, the line
# break (and one blank line in double-spaced text), then the word's tail.
LINE_END_SOFT_HYPHEN_RE = re.compile(r"\u00ad[ \t]*\n((?:[ \t]*\n)?)[ \t]*([^\s\u00ad]+)[ \t]*")


@dataclass
class NormalisedText:
    lines: list[str]
    # 0-based indexes of lines that begin a new page (from form feeds), sorted.
    page_starts: list[int] = field(default_factory=list)

    def page_of(self, line_index: int) -> int | None:
        """1-based page of a line when the input marked its pages, else None."""
        if not self.page_starts:
            return None
        return 1 + sum(1 for start in self.page_starts if start <= line_index)


_REPLACEMENTS = {**LIGATURES, **SPACES, **INVISIBLE, **CONTROLS}
# One character class of everything to replace: most texts contain few such
# characters, and a regex finds them far faster than str.translate walks a
# dict for every character of a 400 KB packet.
_REPLACE_RE = re.compile("[" + "".join(re.escape(c) for c in _REPLACEMENTS) + "]")


def normalise(text: str) -> NormalisedText:
    """Apply the module's rules; see the module docstring."""
    text = LINE_BREAKS_RE.sub("\n", text)
    text = _mend_line_end_soft_hyphens(text)
    text = _REPLACE_RE.sub(lambda m: _REPLACEMENTS[m.group(0)], text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _split_pages(text)


def normalise_inline(text: str) -> str:
    """Rules 3-7 on a piece of running text, every line break and form feed a space.

    For text that comes as data rather than as lines of a page (an export's
    fields): its breaks say nothing about pages, and whitespace runs are one space.
    """
    text = _REPLACE_RE.sub(lambda m: _REPLACEMENTS[m.group(0)], text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _mend_line_end_soft_hyphens(text: str) -> str:
    """Move the tail of a soft-hyphenated word up onto the line of its head.

    The tail's line keeps its place (it may become blank), so line numbers
    still point where they did in the source.
    """
    if "\u00ad" not in text:
        return text
    return LINE_END_SOFT_HYPHEN_RE.sub(lambda m: f"{m.group(2)}\n{m.group(1)}", text)


def _split_pages(text: str) -> NormalisedText:
    lines: list[str] = []
    page_starts: list[int] = []
    for raw in text.split("\n"):
        if "\f" not in raw:
            lines.append(raw.rstrip())
            continue
        head, *tails = raw.split("\f")
        if head.strip():
            lines.append(head.rstrip())
        for tail in tails:
            page_starts.append(len(lines))
            if tail.strip():
                lines.append(tail.rstrip())
        if not head.strip() and not any(tail.strip() for tail in tails):
            lines.append("")  # a line of only form feeds keeps its line number
    # A form feed before the first line or after the last starts no real page.
    starts = sorted({start for start in page_starts if 0 < start < len(lines)})
    return NormalisedText(lines=lines, page_starts=starts)
