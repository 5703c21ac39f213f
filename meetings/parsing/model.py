"""What a parse yields: plain dataclasses, and their gold-schema JSON form.

This module must never import Django: the parser is usable and testable alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PUBLIC = "public"
CONFIDENTIAL = "confidential"
AGENDA = "agenda"
MINUTES = "minutes"


@dataclass
class Attachment:
    title: str
    document_id: str | None = None
    case_number: str | None = None

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "document_id": self.document_id,
            "case_number": self.case_number,
        }


@dataclass
class Item:
    # The number as printed: an int for a plain number (2, or a running 715), the
    # label as a string for a sub-item ("1.1"), which no integer can say.
    number: int | str
    access: str = PUBLIC
    title: str | None = None
    case_numbers: list[str] = field(default_factory=list)
    handler: str | None = None
    recommendation: str | None = None
    # Who recommends when the lead-in names it ("Sundhedsudvalget indstiller,").
    recommended_by: str | None = None
    decision: str | None = None
    # Section heading -> cleaned text, in document order (Resumé, Sagsfremstilling, ...).
    sections: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    # Case numbers mentioned in the text that are not the item's own.
    other_case_numbers: list[str] = field(default_factory=list)
    # Where the item starts in the source: 1-based page (None when unknown) and line.
    page: int | None = None
    line: int | None = None

    @property
    def is_confidential(self) -> bool:
        return self.access == CONFIDENTIAL

    @classmethod
    def from_dict(cls, data: dict) -> Item:
        """The inverse of to_dict (a stored parse read back)."""
        return cls(
            number=data["number"],
            access=data.get("access", PUBLIC),
            title=data.get("title"),
            case_numbers=list(data.get("case_numbers") or []),
            handler=data.get("handler"),
            recommendation=data.get("recommendation"),
            recommended_by=data.get("recommended_by"),
            decision=data.get("decision"),
            sections=dict(data.get("sections") or {}),
            attachments=[Attachment(**a) for a in data.get("attachments") or []],
            links=list(data.get("links") or []),
            other_case_numbers=list(data.get("other_case_numbers") or []),
            page=data.get("page"),
            line=data.get("line"),
        )

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "access": self.access,
            "title": self.title,
            "case_numbers": list(self.case_numbers),
            "handler": self.handler,
            "recommendation": self.recommendation,
            "recommended_by": self.recommended_by,
            "decision": self.decision,
            "attachments": [a.to_dict() for a in self.attachments],
            "sections": dict(self.sections),
            "links": list(self.links),
            "other_case_numbers": list(self.other_case_numbers),
            "page": self.page,
            "line": self.line,
        }


@dataclass
class Meeting:
    body: str | None = None
    # The authority the body belongs to, when the document names it (Aarhus Kommune).
    organisation: str | None = None
    date: dt.date | None = None
    kind: str = AGENDA
    location: str | None = None
    time: str | None = None
    participants: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> Meeting:
        date = data.get("date")
        return cls(
            body=data.get("body"),
            organisation=data.get("organisation"),
            date=dt.date.fromisoformat(date) if date else None,
            kind=data.get("kind", AGENDA),
            location=data.get("location"),
            time=data.get("time"),
            participants=list(data.get("participants") or []),
            absent=list(data.get("absent") or []),
            items=[Item.from_dict(item) for item in data.get("items") or []],
        )

    def to_dict(self) -> dict:
        return {
            "body": self.body,
            "organisation": self.organisation,
            "date": self.date.isoformat() if self.date else None,
            "kind": self.kind,
            "location": self.location,
            "time": self.time,
            "participants": list(self.participants),
            "absent": list(self.absent),
            "items": [i.to_dict() for i in self.items],
        }


@dataclass
class ParsedDocument:
    source: str
    layout: str
    meetings: list[Meeting] = field(default_factory=list)
    appendices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Why the parse looks wrong (plausibility checks, closed markers tied to no item):
    # a document with any is imported for staff to review, never published.
    review_reasons: list[str] = field(default_factory=list)
    page_count: int | None = None
    # The document's own table of contents as printed, (number, title) in order,
    # when the layout found one: the plausibility check compares it with the items.
    # The number is None when the contents print none (FirstAgenda lists titles only).
    # Not part of the gold schema.
    contents: list[tuple[int | str | None, str]] = field(default_factory=list, repr=False)
    # The normalised text the layouts read, one string per line; Item.line counts in it.
    # Not part of the gold schema: the importer stores it (confidential spans blanked).
    lines: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def from_dict(cls, data: dict, lines: list[str]) -> ParsedDocument:
        """A stored parse read back, with the text its item lines count in."""
        return cls(
            source=data["source"],
            layout=data["layout"],
            meetings=[Meeting.from_dict(m) for m in data.get("meetings") or []],
            appendices=list(data.get("appendices") or []),
            warnings=list(data.get("warnings") or []),
            review_reasons=list(data.get("review_reasons") or []),
            lines=list(lines),
        )

    def to_dict(self) -> dict:
        """The gold schema of the corpus README (plus warnings)."""
        return {
            "source": self.source,
            "layout": self.layout,
            "meetings": [m.to_dict() for m in self.meetings],
            "appendices": list(self.appendices),
            "warnings": list(self.warnings),
            "review_reasons": list(self.review_reasons),
        }


class ParseError(Exception):
    """The one error the parser raises: names the file and says why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
