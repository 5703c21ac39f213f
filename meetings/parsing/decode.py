"""Bytes -> text: the first stage of the parse pipeline.

Text files are read as UTF-8 (with or without a byte-order mark) or, only when
strict UTF-8 fails, as Windows-1252 - the two encodings Danish public bodies'
exports use. Nothing is ever guessed: bytes that fit neither encoding, and
binary files, are refused with a ParseError that says why. PDFs (recognised by
extension or by their ``%PDF-`` header) are checked with pypdf (encryption,
page count, how far the page content inflates: cheap, some 25 ms for 28
pages) and their text is read with PDFium (pypdfium2), one form feed between
pages, so normalise() can record where each page starts. PDFium was chosen by
measurement (bench/pdf_extract_bench.py): on the agenda systems' PDFs it is
five to ten times faster than pypdf's text extraction and keeps a contents
line's page number and a key/value row on one line, as pdfplumber does at
ten times pypdf's time.

Every ParseError message is one English sentence naming the reason; the error
itself carries the file name.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from dataclasses import dataclass
from pathlib import PurePath

from .model import ParseError

# A text file with more than this share of control characters is binary data
# that happens to decode, not a document.
MAX_CONTROL_SHARE = 0.05
# C0 and C1 control characters other than the ones a real text file carries
# (tab, line feed, vertical tab, form feed, carriage return).
BINARY_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Where a PDF header may sit: some producers put a few junk bytes before it.
PDF_HEADER_WINDOW = 1024
# A PDF ends with %%EOF; look for it in this many trailing bytes (producers
# append a little whitespace or junk after it).
PDF_EOF_WINDOW = 2048
# Padding some producers write after %%EOF (an SBSYS export ends with 15 kB of
# NUL bytes): not part of the document, so not counted in the window.
PDF_TRAILING_PADDING = b"\x00\t\n\f\r "
# pypdf reads page content in pure Python, a few hundred kB a second: a file of
# a few kB whose streams inflate to tens of MB would hold an import for minutes.
# Real minutes use a few kB of content and text per page, far below these.
MAX_PDF_PAGES = 3000
MAX_PDF_CONTENT_BYTES = 8 * 2**20
MAX_PDF_TEXT_CHARS = 10_000_000

# Magic numbers of formats people upload by mistake, to name them in the error.
KNOWN_BINARY_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or an Office document (.docx/.xlsx), which is not supported"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls), which is not supported"),
    (b"\x89PNG", "a PNG image, not a text or PDF document"),
    (b"\xff\xd8\xff", "a JPEG image, not a text or PDF document"),
    (b"GIF8", "a GIF image, not a text or PDF document"),
    (b"II*\x00", "a TIFF image, not a text or PDF document"),
    (b"MM\x00*", "a TIFF image, not a text or PDF document"),
)


@dataclass
class DecodedDocument:
    text: str
    # Pages in the source when it has pages (PDF), else None.
    page_count: int | None = None


def decode_document(data: bytes, filename: str) -> DecodedDocument:
    """Turn a file's bytes into text. Raises ParseError naming the reason."""
    data = bytes(data)
    if not data:
        raise ParseError(filename, "the file is empty")
    if _looks_like_pdf(data, filename):
        return _decode_pdf(data, filename)
    return DecodedDocument(_decode_text(data, filename))


def _extension(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def _looks_like_pdf(data: bytes, filename: str) -> bool:
    # Without the extension, only a header at the very start counts: a text
    # file may well mention "%PDF-" in its first kilobyte.
    return _extension(filename) == ".pdf" or data.lstrip()[:5] == b"%PDF-"


# --- text -------------------------------------------------------------------


def _decode_text(data: bytes, filename: str) -> str:
    # A byte-order mark is an explicit statement of the encoding: trust it.
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data, "utf-8-sig", filename, "starts with a UTF-8 byte-order mark")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", filename, "starts with a UTF-16 byte-order mark")
    else:
        _refuse_binary(data, filename)
        text = _decode_utf8_or_cp1252(data, filename)
    _refuse_control_heavy(text, filename)
    return text


def _strict(data: bytes, encoding: str, filename: str, claim: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(
            filename, f"the file {claim} but byte {exc.start} is not valid in that encoding"
        ) from exc


def _refuse_binary(data: bytes, filename: str) -> None:
    """Binary formats and NUL bytes never occur in UTF-8 or Windows-1252 text."""
    for magic, description in KNOWN_BINARY_FORMATS:
        if data.startswith(magic):
            raise ParseError(filename, f"the file is {description}")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ParseError(
            filename, f"the file contains NUL bytes (first at byte {nul}): it is binary, not text"
        )


def _decode_utf8_or_cp1252(data: bytes, filename: str) -> str:
    # Strict UTF-8 first: Windows-1252 decodes almost any bytes, so trying it
    # first would silently garble UTF-8 "æøå" into "Ã¦Ã¸Ã¥".
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise ParseError(
            filename,
            f"the text is neither UTF-8 nor Windows-1252 "
            f"(byte 0x{bad:02x} at offset {exc.start} is undefined in Windows-1252)",
        ) from exc


def _refuse_control_heavy(text: str, filename: str) -> None:
    controls = len(BINARY_CONTROL_RE.findall(text))
    if controls and controls / len(text) > MAX_CONTROL_SHARE:
        share = 100 * controls / len(text)
        raise ParseError(
            filename,
            f"the file looks like binary data, not text ({share:.0f}% control characters)",
        )


# --- PDF --------------------------------------------------------------------


def _decode_pdf(data: bytes, filename: str) -> DecodedDocument:
    if b"%PDF-" not in data[:PDF_HEADER_WINDOW]:
        raise ParseError(filename, "the file is named .pdf but is not a PDF (no %PDF- header)")
    if b"%%EOF" not in data.rstrip(PDF_TRAILING_PADDING)[-PDF_EOF_WINDOW:]:
        # pypdf can often rebuild a damaged file, but a missing end means pages
        # (and their text) are missing: archiving half a document is worse than refusing.
        raise ParseError(filename, "the PDF is truncated (it has no %%EOF end marker)")
    reader = _open_pdf(data, filename)
    _refuse_oversized(reader, filename)
    pages = _extract_pages(data, filename)
    if not any(page.strip() for page in pages):
        raise ParseError(
            filename,
            "the PDF has no text layer (it looks scanned): run OCR on it before importing",
        )
    return DecodedDocument("\f".join(pages), page_count=len(pages))


def _open_pdf(data: bytes, filename: str):
    # Imported here so that reading text files never pays pypdf's import time.
    from pypdf import PdfReader

    _quiet_pypdf()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many types on corrupt input
        raise ParseError(filename, f"the PDF is corrupt or unreadable ({_describe(exc)})") from exc
    if encrypted:
        _decrypt(reader, filename)
    return reader


def _decrypt(reader, filename: str) -> None:
    # Many PDFs are "encrypted" with an empty user password only to forbid
    # editing; anyone can read them, so we can too. A real password we refuse.
    try:
        opened = reader.decrypt("")
    except Exception as exc:  # e.g. AES support missing: still an encryption problem
        raise ParseError(
            filename, f"the PDF is encrypted and cannot be opened ({_describe(exc)})"
        ) from exc
    if not opened:
        raise ParseError(filename, "the PDF is encrypted with a password")


def _extract_pages(data: bytes, filename: str) -> list[str]:
    """Each page's text as PDFium reads it, in content order."""
    # Imported here so that reading text files never pays the import.
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ParseError(filename, f"the PDF is corrupt or unreadable ({_describe(exc)})") from exc
    try:
        pages, chars = [], 0
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
            text_page.close()
            page.close()
            chars += len(pages[-1])
            if chars > MAX_PDF_TEXT_CHARS:
                raise ParseError(
                    filename, f"the PDF's text is longer than {MAX_PDF_TEXT_CHARS:,} characters"
                )
        return pages
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            filename, f"the PDF is corrupt or its text cannot be read ({_describe(exc)})"
        ) from exc
    finally:
        document.close()


def _refuse_oversized(reader, filename: str) -> None:
    """Too many pages, or content that inflates too far: refused before any text is read."""
    try:
        _check_size(reader, filename)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            filename, f"the PDF is corrupt or its pages cannot be read ({_describe(exc)})"
        ) from exc


def _check_size(reader, filename: str) -> None:
    if len(reader.pages) > MAX_PDF_PAGES:
        raise ParseError(
            filename, f"the PDF has {len(reader.pages)} pages, more than {MAX_PDF_PAGES} allowed"
        )
    size = 0
    for page in reader.pages:
        content = page.get_contents()
        size += len(content.get_data()) if content is not None else 0
        if size > MAX_PDF_CONTENT_BYTES:
            raise ParseError(
                filename,
                f"the PDF's page content unpacks to more than {MAX_PDF_CONTENT_BYTES // 2**20} MB"
                " (a compression bomb, or far larger than any minutes)",
            )


def _quiet_pypdf() -> None:
    """pypdf logs every repair it makes; the ParseError (or success) says enough."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _describe(exc: BaseException) -> str:
    """An exception as a short single line for an error message."""
    detail = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
