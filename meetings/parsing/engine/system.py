"""What one agenda system's documents look like: the only part of a layout that is data.

A `System` is a table, in the spirit of a Pygments lexer: the engine
(engine/__init__.py) finds pages, page furniture, the table of contents,
item headers, sections and fields the same way for every system, and reads
from the description only what differs - how an item header, a caption, an
attachment line and a page's repeated furniture look, and which captions
play which role beyond the shared table in structured/roles.py. A council's
variant is a `dataclasses.replace()` of its system's description.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..normalise import NormalisedText

# An item number as printed: a plain or running number (2, 715) or a
# sub-item label (1.1). A header regex names it `number`, the title `title`.
NUMBER = r"(?P<number>\d{1,4}(?:\.\d{1,3})*)"


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@dataclass(frozen=True)
class System:
    name: str
    # Each must match some line (stripped) for the system to claim a document.
    signatures: tuple[re.Pattern[str], ...]
    # Item header lines; `title` may be absent or empty (the title then follows).
    headers: tuple[re.Pattern[str], ...]
    # Looser header forms, used only when no line has one of `headers` (the
    # generic layout's "N. Title", which numbered lists inside items share).
    fallback_headers: tuple[re.Pattern[str], ...] = ()
    # Sub-item numbers (1, 1.1, 1.2, 2): a header may go one level down or up.
    hierarchical: bool = False
    # (pattern on the folded caption, role), tried before the shared table.
    captions: tuple[tuple[re.Pattern[str], str], ...] = ()
    # Upper-case lines are captions (FirstAgenda's "BESLUTNINGSFORSLAG FRA DD").
    upper_case_captions: bool = False
    # Where an attachment entry starts under "Bilag"; groups `title`, maybe `doc`.
    attachment: re.Pattern[str] = field(default_factory=lambda: rx(r"^(?P<title>[^a-zæøå\s].*)$"))
    # "Bilag" is the item's last section: every line after it lists an attachment,
    # even one that reads like a caption (FirstAgenda's first entry is "Indstilling").
    attachments_close_item: bool = False
    # Document numbers an extractor prints as a column after the entries.
    attachment_doc_column: re.Pattern[str] | None = None
    # Furniture lines this system prints besides the shared page counters.
    furniture: tuple[re.Pattern[str], ...] = ()
    # A recommendation's lead-in line ("Det indstilles," / "X indstiller, at …")
    # opens the recommendation where no caption does.
    lead_in_captions: bool = False
    # Whether the front page states the meeting (body, kind, date, place); when
    # not, only a date before the first item and the word "referat" are read.
    reads_header: bool = True
    # Said of every parse (the generic layout's "unknown layout").
    warning: str | None = None

    # The layout interface (NAME, matches, parse) that choose_layout() and the
    # pipeline use for every layout, module or description.
    @property
    def NAME(self) -> str:  # noqa: N802 - the layout interface's name
        return self.name

    def matches(self, text: NormalisedText) -> bool:
        lines = [line.strip() for line in text.lines]
        return all(any(p.search(line) for line in lines if line) for p in self.signatures)

    def parse(self, text: NormalisedText, source: str):
        from . import parse

        return parse(self, text, source)
