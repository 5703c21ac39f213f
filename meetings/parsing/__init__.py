"""Turn a meeting document (bytes + file name) into structured meetings and items.

Plain Python: never import Django here. The only exception that leaves
``parse_document`` is ``ParseError``.
"""

from .model import (
    AGENDA,
    CONFIDENTIAL,
    MINUTES,
    PUBLIC,
    Attachment,
    Item,
    Meeting,
    ParsedDocument,
    ParseError,
)
from .pipeline import PARSER_VERSION, media_type, parse_document

__all__ = [
    "AGENDA",
    "CONFIDENTIAL",
    "MINUTES",
    "PARSER_VERSION",
    "PUBLIC",
    "Attachment",
    "Item",
    "Meeting",
    "ParseError",
    "ParsedDocument",
    "media_type",
    "parse_document",
]
