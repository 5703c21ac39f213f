"""An item's lines as fields: case numbers, captioned sections, attachments.

The lines between the title and the first caption are the item's head: a
case number stands there as a line of its own (FirstAgenda "EMN-2025-003383")
or after a label ("Sagsnr.: 2011-29298", "Sagsnr.: 12/27845"); a document
number ("Dok.nr.: …") is not a case number. From the first caption on, each
caption opens a section of paragraphs; what a section means (recommendation,
this meeting's decision, who decides, history) is the role table's, and the
fields are made from them by structured/build.py exactly as for an export.
"""

from __future__ import annotations

import re

from ..model import Attachment
from ..structured import roles
from ..structured.build import Section, SourceItem
from ..text import (
    MODERN_CASE_RE,
    find_modern_case_numbers,
    join_wrapped_lines,
    normalise_case_number,
)
from .captions import Caption
from .pages import View
from .system import System

CASE_LABEL_RE = re.compile(
    r"^(?:sagsnr|sagsnummer|sags\s*nr|j\.\s*nr)\.?\s*:?\s*(?P<value>\S.*)$", re.I
)
CASE_VALUE_RE = re.compile(r"^[A-ZÆØÅ]{0,5}[-\s]?\d{2,4}\s*[-/–]\s*\d{1,6}(?:\s*[-/]\s*\d{1,6})?$")
CASE_LINE_RE = re.compile(rf"^(?:{MODERN_CASE_RE.pattern}[\s,;]*)+$")
EMAIL_LINE_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
# Clause and list starts that open a paragraph of their own.
PARAGRAPH_START_RE = re.compile(
    r"^(?:at\s*\d{0,2}\)|[A-ZÆØÅ]\)\s|[a-zæøå][.)]\s|\d{1,2}[.)]\s|[-•–▪●*]\s)", re.I
)
NO_ATTACHMENTS = {"ingen", "ingen.", "-", "–"}
# A paragraph's last line is shorter than the text width by at least this share.
SHORT_LINE_SHARE = 0.75


def is_case_line(line: str) -> bool:
    """A head line that is a field, not title: a case number, or the handler's e-mail."""
    return bool(CASE_LINE_RE.match(line) or CASE_LABEL_RE.match(line) or EMAIL_LINE_RE.match(line))


def item_fields(system: System, view: View, number, title: str, start: int, stop: int,
                caption_at) -> SourceItem:  # fmt: skip
    """The item whose lines after its title are view positions [start, stop)."""
    item = SourceItem(number=number, title=title)
    p = start
    untitled: list[str] = []  # text under the head before any caption
    while p < stop and caption_at(p) is None:
        line = view.at(p)
        label = CASE_LABEL_RE.match(line)
        if label and CASE_VALUE_RE.match(label.group("value").strip()):
            item.case_numbers.append(normalise_case_number(label.group("value")))
        elif CASE_LINE_RE.match(line):
            item.case_numbers.extend(find_modern_case_numbers(line))
        elif EMAIL_LINE_RE.match(line) and item.handler is None:
            item.handler = line
        elif line:
            untitled.append(line)
        p += 1
    if untitled:
        item.sections.append(Section("", paragraphs(untitled)))
    current: tuple[Caption, list[int]] | None = None
    blocks: list[tuple[Caption, list[int]]] = []
    for q in range(p, stop):
        in_attachments = current is not None and current[0].role == roles.ATTACHMENTS
        caption = None if in_attachments and system.attachments_close_item else caption_at(q)
        if caption is not None:
            current = (caption, [])
            blocks.append(current)
        elif current is not None:
            current[1].append(q)
    for caption, positions in blocks:
        lines = [view.at(q) for q in positions]
        if caption.role == roles.ATTACHMENTS:
            item.attachments.extend(attachments(system, view, positions))
        texts = ([caption.inline] if caption.inline else []) + paragraphs(lines, view, positions)
        item.sections.append(Section(caption.caption, texts, caption.role))
    return item


def paragraphs(lines: list[str], view: View | None = None, positions: list[int] | None = None
               ) -> list[str]:  # fmt: skip
    """Lines as paragraphs: split at blank lines, clause and list starts, and short last lines.

    Some extractors keep no blank lines at all (PDFium, poppler's raw mode):
    there a line that ends a sentence well short of the text width ends its
    paragraph.
    """
    texts = [line for line in lines if line]
    width = max((len(t) for t in texts), default=0)
    has_blanks = len(texts) < len(lines)
    result: list[list[str]] = []
    current: list[str] = []
    previous = ""
    for k, line in enumerate(lines):
        page_start = bool(view and positions and view.kept[positions[k]] in view.page_starts)
        if not line:
            if current:
                result.append(current)
                current = []
            previous = ""
            continue
        breaks = current and (
            PARAGRAPH_START_RE.match(line)
            or (not has_blanks and previous.endswith((".", ":", "!", "?"))
                and len(previous) < SHORT_LINE_SHARE * width)
            or (page_start and previous.endswith((".", ":", "!", "?")))
        )  # fmt: skip
        if breaks:
            result.append(current)
            current = []
        current.append(line)
        previous = line
    if current:
        result.append(current)
    return [join_wrapped_lines(block) for block in result]


def attachments(system: System, view: View, positions: list[int]) -> list[Attachment]:
    """Entries under a "Bilag" caption, in the system's form, wrapped lines joined."""
    entries: list[list[str]] = []
    docs: list[str] = []
    continues = False  # the line before belongs to the last entry
    for q in positions:
        line = view.at(q)
        if not line:
            continues = False
            continue
        if system.attachment_doc_column and system.attachment_doc_column.match(line):
            docs.append(line)
            continue
        new_page = view.kept[q] in view.page_starts
        starts = system.attachment.match(line) and not line[:1].islower()
        if starts:
            entries.append([line])
        elif entries and continues and not new_page and not PARAGRAPH_START_RE.match(line):
            entries[-1].append(line)
        else:
            continues = False  # a sub-item or other text between the entries
            continue
        continues = True
    found: list[Attachment] = []
    for entry in entries:
        joined = join_wrapped_lines(entry)
        if joined.casefold() in NO_ATTACHMENTS:
            continue
        m = system.attachment.match(joined)
        title = (m.group("title") if m else joined).strip()
        doc = (m.groupdict().get("doc") if m else None) or None
        found.append(Attachment(title=title, document_id=doc))
    for attachment, doc in zip((a for a in found if not a.document_id), docs, strict=False):
        attachment.document_id = doc
    return found
