"""An item's HTML (an export's field, a web page's item) -> headings and paragraphs.

The markup is read with lxml.html, never with regular expressions. What it
yields is a flat list of blocks in document order: headings (h1-h6),
paragraphs (a p, a div, a list item, a table row) and, within a paragraph,
its lines (a <br> breaks a line, two or more break the paragraph). A
paragraph whose every word is bold is marked so, because exports write many
captions as <p><strong>Indstilling</strong></p>; whether such a paragraph
opens a section is the caller's decision (see roles.is_caption).

Text is cleaned as the text layouts' text is (normalise_inline): entities
resolved, NBSP and soft hyphens and control characters (a stray &#xC; form
feed) gone, runs of whitespace one space. No list markers or numbering are
invented: "- " bullets are rendering, not text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..normalise import normalise_inline
from .loading import load_html_fragment

HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "blockquote", "section", "article", "header", "footer", "aside", "nav",
    "address", "figure", "figcaption", "pre", "form", "fieldset", "center", "main", "body",
    "html", "caption",
}  # fmt: skip
CELL_TAGS = {"td", "th"}
# Never text: code, styling, the page's head, form controls and media.
SKIP_TAGS = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "object",
    "embed", "iframe", "svg", "math", "img", "input", "select", "textarea", "button", "video",
    "audio", "canvas", "map",
}  # fmt: skip
BOLD_TAGS = {"strong", "b"}
# Between a table row's cells.
CELL_SEPARATOR = " | "


@dataclass
class Block:
    kind: str  # "heading" or "paragraph"
    lines: list[str] = field(default_factory=list)
    level: int = 0
    # Every word of the paragraph is bold: it may be a caption written as a paragraph.
    bold: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def one_line(self) -> str:
        return " ".join(self.lines)


def blocks_of_html(html: str, filename: str) -> list[Block]:
    """The blocks of an HTML text (a fragment or a field); [] when it holds none."""
    root = load_html_fragment(html, filename)
    return blocks_of_element(root) if root is not None else []


def blocks_of_element(root: etree._Element) -> list[Block]:
    collector = _Collector()
    collector.walk(root)
    collector.close_block()
    return collector.blocks


class _Collector:
    """Walks the tree once, gathering text pieces into lines, lines into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        # The open block: its lines, each a list of (text, bold) pieces.
        self.lines: list[list[tuple[str, bool]]] = [[]]
        self.breaks = 0  # <br>s in a row since the last text
        self.bold = 0
        self.cell_open = False

    def walk(self, element: etree._Element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if not tag or tag in SKIP_TAGS or element.get("hidden") is not None:
            self._text(element.tail)
            return
        if tag == "br":
            self._line_break()
            self._text(element.tail)
            return
        if tag in HEADING_LEVELS:
            self.close_block()
            self._children(element)
            self.close_block(kind="heading", level=HEADING_LEVELS[tag], keep_empty=True)
        elif tag in BLOCK_TAGS:
            self.close_block()
            self._children(element)
            self.close_block()
        elif tag in CELL_TAGS:
            if self.cell_open and any(text.strip() for text, _ in self.lines[-1]):
                self.lines[-1].append((CELL_SEPARATOR, True))
            self.cell_open = True
            self._children(element)
        else:  # inline: span, a, em, strong, font, …
            bold = tag in BOLD_TAGS
            self.bold += bold
            self._children(element)
            self.bold -= bold
        self._text(element.tail)

    def _children(self, element: etree._Element) -> None:
        self._text(element.text)
        for child in element:
            self.walk(child)

    def _text(self, text: str | None) -> None:
        if not text:
            return
        if text.strip():
            if self.breaks >= 2:
                self.close_block()
            elif self.breaks == 1 and self._has_text():
                self.lines.append([])
            self.breaks = 0
        self.lines[-1].append((text, self.bold > 0))

    def _line_break(self) -> None:
        if self._has_text():
            self.breaks += 1

    def _has_text(self) -> bool:
        return any(text.strip() for line in self.lines for text, _ in line)

    def close_block(self, *, kind: str = "paragraph", level: int = 0, keep_empty=False) -> None:
        lines = [normalise_inline("".join(text for text, _ in line)) for line in self.lines]
        lines = [line for line in lines if line]
        bold = bool(lines) and all(
            is_bold or not text.strip() for line in self.lines for text, is_bold in line
        )
        if lines or keep_empty:
            self.blocks.append(Block(kind=kind, lines=lines, level=level, bold=bold))
        self.lines = [[]]
        self.breaks = 0
        self.cell_open = False
