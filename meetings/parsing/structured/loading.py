"""Bytes -> trees for the agenda systems' exports, hardened against hostile files.

XML is read by lxml with entity resolution, network access, DTD loading and
huge trees off, and a document that declares a DTD at all is refused (no
agenda export has one; entity declarations are how parsers are attacked).
JSON is read by the standard library. HTML, a saved web page or an item's
text, by lxml.html, which never fetches anything. Every input is capped in
size and in nesting depth before anything reads it as meeting data, and a
ZIP archive is opened only to read its one publication XML, within a cap
on what it unpacks to.

Every refusal is a ParseError naming the file with one English sentence.
Nothing here knows any agenda system's vocabulary.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from collections.abc import Callable

import lxml.html
from lxml import etree

from ..model import ParseError

# Real exports are small: the Greve JSON is 167 kB, the SBSYS XML 151 kB, the
# Aarhus page 76 kB. An export that embeds its attachments (SBSYS can) grows,
# but an agenda's text never comes near this.
MAX_STRUCTURED_BYTES = 25 * 2**20
# Deepest nesting seen: 9 levels in the SBSYS XML, 6 in the Greve JSON, 23 in
# the Aarhus page. libxml2 stops at 256 on its own; this refuses far earlier.
MAX_DEPTH = 64
MAX_HTML_DEPTH = 128
# A publication ZIP holds the XML and its attachments' PDFs, never many files.
MAX_ZIP_MEMBERS = 2000
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def check_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_STRUCTURED_BYTES:
        raise ParseError(
            filename,
            f"the export is larger than {MAX_STRUCTURED_BYTES // 2**20} MB,"
            " far larger than any agenda export",
        )


def decode_markup_text(data: bytes, filename: str) -> str:
    """The text of a JSON or HTML file: a byte-order mark, else UTF-8, else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    filename, f"the export's byte {exc.start} is not valid {encoding.upper()}"
                ) from exc
    if b"\x00" in data:
        raise ParseError(filename, "the export contains NUL bytes: it is binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ParseError(
            filename, f"the export is neither UTF-8 nor Windows-1252 (byte {exc.start})"
        ) from exc


# ---------------------------------------------------------------------- XML


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def load_xml(data: bytes, filename: str) -> etree._Element:
    """The root element of an XML export, or ParseError saying why it is refused."""
    check_size(data, filename)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or _declares_in_utf16(data):
        raise ParseError(
            filename,
            "the XML declares a document type or entities, which no agenda export does"
            " (a way to attack XML readers)",
        )
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(filename, f"the XML is not well-formed ({_first_line(exc)})") from exc
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise ParseError(
            filename,
            "the XML declares a document type or entities, which no agenda export does"
            " (a way to attack XML readers)",
        )
    if _deeper_than(root, MAX_DEPTH):
        raise ParseError(filename, f"the XML is nested more than {MAX_DEPTH} levels deep")
    return root


def _declares_in_utf16(data: bytes) -> bool:
    """A DTD spelled in UTF-16, which the byte search above cannot see."""
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    text = data.decode("utf-16", errors="replace")
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def element_text(element: etree._Element | None) -> str:
    """All the text of an element (CDATA included), stripped; "" for a missing one."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: "{http://…}Root" -> "Root"."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def find_all(element: etree._Element | None, path: str) -> list[etree._Element]:
    """The descendants along a path of local names ("Committee/Meeting"), namespaces ignored."""
    found = [element] if element is not None else []
    for step in path.split("/"):
        found = [child for parent in found for child in parent if local_name(child) == step]
    return found


def find(element: etree._Element | None, path: str) -> etree._Element | None:
    found = find_all(element, path)
    return found[0] if found else None


def text_at(element: etree._Element | None, path: str) -> str:
    """The text at a path of local names; "" when there is none."""
    return element_text(find(element, path))


# --------------------------------------------------------------------- JSON


def load_json(data: bytes, filename: str) -> object:
    check_size(data, filename)
    text = decode_markup_text(data, filename)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ParseError(filename, "the JSON is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, and integers of thousands of digits
        raise ParseError(filename, f"the JSON is not valid ({_first_line(exc)})") from exc
    _check_json_depth(value, filename)
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _check_json_depth(value: object, filename: str) -> None:
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(filename, f"the JSON is nested more than {MAX_DEPTH} levels deep")
        if isinstance(current, dict):
            stack.extend((child, depth + 1) for child in current.values())
        elif isinstance(current, list):
            stack.extend((child, depth + 1) for child in current)


# --------------------------------------------------------------------- HTML


def load_html_page(data: bytes, filename: str) -> lxml.html.HtmlElement:
    """A whole saved web page."""
    check_size(data, filename)
    # An XHTML page's XML declaration names an encoding the decoded text no longer has.
    text = XML_DECLARATION_RE.sub("", decode_markup_text(data, filename), count=1)
    try:
        root = lxml.html.document_fromstring(text, parser=_html_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(filename, f"the web page cannot be read ({_first_line(exc)})") from exc
    if _deeper_than(root, MAX_HTML_DEPTH):
        raise ParseError(filename, f"the web page is nested more than {MAX_HTML_DEPTH} levels deep")
    return root


def load_html_fragment(html: str, filename: str) -> lxml.html.HtmlElement | None:
    """An item's HTML text (a field of an export) as one element; None when it is empty."""
    if not html or not html.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div", parser=_html_parser())
    except (etree.ParserError, ValueError):
        return None  # markup with no element at all: nothing to read
    if _deeper_than(root, MAX_HTML_DEPTH):
        raise ParseError(
            filename, f"an item's HTML text is nested more than {MAX_HTML_DEPTH} levels deep"
        )
    return root


def _html_parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )


# ---------------------------------------------------------------------- ZIP


def read_zip_member(
    data: bytes, filename: str, wanted: Callable[[str, bytes], bool]
) -> tuple[str, bytes] | None:
    """The one member of a ZIP archive that `wanted(name, head)` accepts, read within the cap.

    None when no member is wanted; more than one is refused, as is an archive
    that is broken, encrypted or holds too many files. The sizes an archive
    states are not trusted: a member is read only up to the cap.
    """
    check_size(data, filename)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ParseError(filename, f"the ZIP archive is broken ({_first_line(exc)})") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ParseError(filename, f"the ZIP archive holds more than {MAX_ZIP_MEMBERS} files")
    found = []
    for info in members:
        if not info.filename.lower().endswith(".xml"):
            continue
        head = _read_member(archive, info, filename, limit=4096, whole=False)
        if wanted(info.filename, head):
            found.append(info)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(info.filename for info in found[:3])
        raise ParseError(filename, f"the ZIP archive holds more than one publication ({names})")
    info = found[0]
    return info.filename, _read_member(archive, info, filename, limit=MAX_STRUCTURED_BYTES)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, *, limit: int,
    whole: bool = True,
) -> bytes:  # fmt: skip
    if info.flag_bits & 0x1:
        raise ParseError(filename, f"the ZIP archive's {info.filename} is encrypted")
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise ParseError(
            filename, f"the ZIP archive's {info.filename} cannot be read ({_first_line(exc)})"
        ) from exc
    if whole and len(content) > limit:
        raise ParseError(
            filename,
            f"the ZIP archive's {info.filename} unpacks to more than {limit // 2**20} MB",
        )
    return content[:limit]


# ------------------------------------------------------------------- shared


def _deeper_than(root: etree._Element, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return text or type(exc).__name__
