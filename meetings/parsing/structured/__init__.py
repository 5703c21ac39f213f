"""The agenda systems' own exports: JSON, XML, web pages and ZIPs, read into the parse model.

A format is a module with NAME, matches(tree) and read(tree, filename); the
loaders (loading.py) turn bytes into a tree, hardened against hostile
files, and build.py turns what a reader found into the same ParsedDocument
a PDF gives. The pipeline applies the confidentiality rule afterwards, as it
does to every parse.

| media type | formats (tried in order)                                          |
| ---------- | ----------------------------------------------------------------- |
| JSON       | FirstAgenda publication API                                        |
| HTML       | FirstAgenda publication web page (saved)                           |
| XML        | SBSYS publication, KMD eDoc agenda publishing, Acadre agenda XML   |
| ZIP        | SBSYS publication with its attachments (the XML is read)          |

Plain Python, no Django. The only exception leaving parse() is ParseError.
"""

from __future__ import annotations

from ..model import ParsedDocument, ParseError
from . import acadre_xml, edoc_xml, firstagenda_json, firstagenda_web, loading, sbsys_xml
from .loading import local_name
from .sniffing import HTML, JSON, STRUCTURED, XML, ZIP, check_name, media_type

XML_FORMATS = (sbsys_xml, edoc_xml, acadre_xml)

__all__ = ["STRUCTURED", "check_name", "media_type", "parse"]


def parse(data: bytes, filename: str, media: str) -> ParsedDocument:
    """Read an export of the given media type (see sniffing.media_type)."""
    if media == JSON:
        value = loading.load_json(data, filename)
        if firstagenda_json.matches(value):
            return firstagenda_json.read(value, filename)
        raise ParseError(
            filename, "the JSON is not a FirstAgenda publication (it has no Dagsordenpunkter)"
        )
    if media == HTML:
        page = loading.load_html_page(data, filename)
        if firstagenda_web.matches(page):
            return firstagenda_web.read(page, filename)
        raise ParseError(
            filename, "the web page is not a FirstAgenda publication page (it lists no items)"
        )
    if media == XML:
        return _read_xml(loading.load_xml(data, filename), filename)
    if media == ZIP:
        found = loading.read_zip_member(data, filename, sbsys_xml.looks_like_publication)
        if found is None:
            raise ParseError(
                filename,
                "the ZIP archive holds no SBSYS publication XML"
                " (an Office document such as .docx is not supported)",
            )
        return _read_xml(loading.load_xml(found[1], filename), filename)
    raise ParseError(filename, f"the file's content ({media}) is no agenda export")


def _read_xml(root, filename: str) -> ParsedDocument:
    for format_ in XML_FORMATS:
        if format_.matches(root):
            return format_.read(root, filename)
    raise ParseError(
        filename,
        f"the XML is no agenda export this archive reads (its root element is"
        f" <{local_name(root)[:40]}>)",
    )
