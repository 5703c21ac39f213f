"""The parse pipeline: sniff -> decode -> normalise -> pick a layout -> parse.

What a file is comes from its content (media_type): an agenda system's own
export (JSON, XML, a web page, a ZIP) is read by its reader in structured/
into the same model; a PDF or a text goes through decode, normalise and the
layouts. Either way the confidentiality rule is applied to the result.

Every result, whatever its source, then passes the plausibility check,
which adds the reasons a parse looks wrong (the importer holds such a
document for staff to review).

Each stage is a function of its own module so it can be tested alone. The
contract of parse_document() is that ParseError is the only exception that
leaves it: a parser bug on one odd document must name the file and let the
importer go on with the next, never crash the import. A bug is not a bad
document, though: its traceback is logged for whoever fixes the parser,
while the user gets the one-line reason. KeyboardInterrupt and SystemExit
are not Exceptions, so they still stop the process.
"""

from __future__ import annotations

import logging

from . import confidentiality, plausibility, structured
from .decode import decode_document
from .layouts import Layout, choose_layout
from .model import ParsedDocument, ParseError
from .normalise import NormalisedText, normalise

# Bumped whenever a change to the parser can change its output, so the
# importer knows a document must be re-parsed even if its bytes did not change.
PARSER_VERSION = "4"

NO_ITEMS_WARNING = "no agenda items found"

logger = logging.getLogger(__name__)


def parse_document(data: bytes, filename: str) -> ParsedDocument:
    """Parse one document. Raises only ParseError (naming the file and the reason)."""
    try:
        return _parse(data, filename)
    except ParseError:
        raise
    except RecursionError as exc:  # deeply nested PDF objects, pathological regex input
        logger.warning("parsing %s recursed too deeply", filename)
        raise ParseError(filename, "the document is too deeply nested to parse") from exc
    except MemoryError as exc:
        logger.warning("parsing %s ran out of memory", filename)
        raise ParseError(filename, "the document is too large to parse in memory") from exc
    except Exception as exc:  # a bug in a stage outside the layouts: still name the file
        logger.exception("parsing %s failed unexpectedly", filename)
        raise ParseError(filename, f"the parser failed unexpectedly ({_describe(exc)})") from exc


def media_type(data: bytes, filename: str = "") -> str:
    """What the file is, by its content: application/pdf, text/plain, application/json, …"""
    return structured.media_type(data, filename)


def _parse(data: bytes, filename: str) -> ParsedDocument:
    if not data:
        raise ParseError(filename, "the file is empty")
    media = media_type(data, filename)
    structured.check_name(filename, media)
    if media in structured.STRUCTURED:
        parsed = _read_export(data, filename, media)
    else:
        parsed = _read_text(data, filename)
    # One rule for every layout's result: nothing of a closed item leaves the parser.
    confidentiality.apply(parsed)
    _warn_when_empty(parsed)
    # And one check: a parse that looks wrong says why, to be held, not published.
    plausibility.check(parsed)
    return parsed


def _read_text(data: bytes, filename: str) -> ParsedDocument:
    decoded = decode_document(data, filename)
    text = normalise(decoded.text)
    if not any(line.strip() for line in text.lines):
        raise ParseError(filename, "the document contains no text")
    layout = choose_layout(text)
    parsed = _run_layout(layout, text, filename)
    parsed.page_count = decoded.page_count
    parsed.lines = list(text.lines)
    return parsed


def _read_export(data: bytes, filename: str, media: str) -> ParsedDocument:
    try:
        return structured.parse(data, filename, media)
    except ParseError:
        raise
    except RecursionError as exc:
        logger.warning("reading the %s export %s recursed too deeply", media, filename)
        raise ParseError(filename, f"the {media} export is too deeply nested to read") from exc
    except Exception as exc:  # a reader's bug must still name the file, never crash the caller
        logger.exception("the %s export reader failed on %s", media, filename)
        raise ParseError(filename, f"the {media} export reader failed ({_describe(exc)})") from exc


def _run_layout(layout: Layout, text: NormalisedText, filename: str) -> ParsedDocument:
    try:
        return layout.parse(text, filename)
    except ParseError:
        raise
    except RecursionError as exc:
        logger.warning("the %s parser recursed too deeply on %s", layout.NAME, filename)
        raise ParseError(filename, f"the {layout.NAME} parser recursed too deeply") from exc
    except Exception as exc:  # a parser bug must still name the file, never crash the caller
        logger.exception("the %s parser failed on %s", layout.NAME, filename)
        raise ParseError(filename, f"the {layout.NAME} parser failed ({_describe(exc)})") from exc


def _warn_when_empty(parsed: ParsedDocument) -> None:
    """A document with no items is suspicious: say so (the importer decides what to do)."""
    if any(meeting.items for meeting in parsed.meetings):
        return
    if not any(NO_ITEMS_WARNING in warning for warning in parsed.warnings):
        parsed.warnings.append(f"{NO_ITEMS_WARNING} (layout {parsed.layout})")


def _describe(exc: BaseException) -> str:
    """An exception as one short line for an error message."""
    detail = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
