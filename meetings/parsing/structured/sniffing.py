"""What a file is, from its first bytes: the media type the pipeline dispatches on.

The content decides, not the name: a FirstAgenda export saved as .txt is
still JSON. A name that promises an export format (.json, .xml, .html,
.zip) must be kept, though: such a file holding something else is refused,
since it is not what the person importing it thinks it is. A .pdf goes to
the PDF reader whatever it holds (which refuses a non-PDF).
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

from ..model import ParseError

PDF = "application/pdf"
TEXT = "text/plain"
JSON = "application/json"
XML = "application/xml"
HTML = "text/html"
ZIP = "application/zip"
STRUCTURED = (JSON, XML, HTML, ZIP)
# The extensions that promise a format.
PROMISED = {".json": JSON, ".xml": XML, ".html": HTML, ".htm": HTML, ".zip": ZIP}
SNIFF_BYTES = 4096

# JSON opens an object or an array of values; "[Udkast] Referat …" is text.
JSON_START_RE = re.compile(r'^(?:\{\s*(?:"|\})|\[\s*(?:[\[\]{"\d-]|true|false|null))')
HTML_START_RE = re.compile(r"^(?:<!doctype\s+html\b|<html\b|<head\b|<body\b)", re.IGNORECASE)
# The first element of an XML document, after its declaration, comments and instructions.
XML_PROLOG_RE = re.compile(
    r"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.DOTALL
)
ELEMENT_RE = re.compile(r"<([A-Za-z_][\w.:-]*)")


def media_type(data: bytes, filename: str = "") -> str:
    """The media type of a file's content (its name only settles a .pdf)."""
    head = bytes(data[:SNIFF_BYTES])
    if PurePath(filename).suffix.lower() == ".pdf" or head.lstrip()[:5] == b"%PDF-":
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    text = _head_text(head).lstrip()
    if JSON_START_RE.match(text):
        return JSON
    if HTML_START_RE.match(text):
        return HTML
    if text.startswith("<"):
        element = ELEMENT_RE.match(text[XML_PROLOG_RE.match(text).end() :])
        if element:
            return HTML if element.group(1).lower() == "html" else XML
    return TEXT


def check_name(filename: str, media: str) -> None:
    """Refuse a file whose name promises an export format its content is not."""
    suffix = PurePath(filename).suffix.lower()
    promised = PROMISED.get(suffix)
    if promised and promised != media:
        raise ParseError(filename, f"the file is named {suffix} but its content is {media}")


def _head_text(head: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore")
