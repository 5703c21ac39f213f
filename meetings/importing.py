"""Turn documents into archive rows: one transaction per document, idempotently.

A document is identified by its file name and versioned by its SHA-256 (plus
the parser version and the metadata applied to it). The same version again is
"unchanged" and writes nothing; a new version replaces exactly that document's
items in one transaction; a document that fails writes nothing at all.

This module must never invent a meeting date, and never store any content of
a confidential item: not on the item, and not in the stored document either
(its text is kept with confidential spans blanked, its bytes only when it has
no confidential item).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import threading
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from . import page_cache, parsing, persons, search, words
from .models import (
    CONFIDENTIAL,
    MINUTES,
    PUBLIC,
    AgendaItem,
    Attachment,
    Body,
    Case,
    DocumentVersion,
    ImportedFile,
    ImportRun,
    ItemCase,
    Meeting,
    QueuedUpload,
    SourceDocument,
    item_key,
    item_label,
)
from .parsing import confidentiality, plausibility

# Texts, PDFs and the agenda systems' own exports (read by meetings.parsing.structured).
SUFFIXES = {".txt", ".pdf", ".json", ".xml", ".html", ".htm", ".zip"}
# A document whose transaction lost a race with another import process (a deadlock,
# or a body or case number both created) is tried again from the start, this often.
ATTEMPTS = 3
# PostgreSQL's SQLSTATEs for a lost race: unique violation, serialization failure, deadlock.
RACE_SQLSTATES = {"23505", "40001", "40P01"}
SIDECAR_SUFFIXES = (".meta.json", ".meta.toml")
EARLIEST_YEAR = 1900
# Documents are at most a few MB; anything bigger is not minutes.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

logger = logging.getLogger(__name__)


class ImportError_(Exception):
    """A document the importer refuses, with the reason (the file is named by the caller)."""


def too_large(limit: int) -> str:
    """The reason for a file over `limit` bytes, in MB when that is exact (never "0 MB")."""
    if limit >= 2**20 and limit % 2**20 == 0:
        return f"larger than {limit // 2**20} MB"
    return f"larger than {limit} bytes"


@dataclass(frozen=True)
class Metadata:
    """What an admin states about a document that its text may not: wins over the parse."""

    body: str | None = None
    date: dt.date | None = None
    kind: str | None = None

    def merged_over(self, other: Metadata) -> Metadata:
        """self's values where set, else other's."""
        return Metadata(
            body=self.body or other.body,
            date=self.date or other.date,
            kind=self.kind or other.kind,
        )

    def as_json(self) -> dict:
        return {
            "body": self.body,
            "date": self.date.isoformat() if self.date else None,
            "kind": self.kind,
        }


@dataclass
class FileResult:
    path: str
    outcome: str
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    meetings: int = 0
    items: int = 0
    items_revised: int = 0  # by a new version: the same number, other content
    items_removed: int = 0  # numbers the new version no longer has
    meetings_removed: int = 0
    document_id: int | None = None


# ---------------------------------------------------------------- arguments


def collect_files(arguments: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files, folders (recursively) and globs -> document paths, and arguments matching none."""
    found: dict[Path, None] = {}
    unmatched: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            candidates = [path]
        else:
            candidates = (
                sorted(p for p in Path().glob(argument) if p.is_file())
                if any(ch in argument for ch in "*?[")
                else []
            )
        documents = [p for p in candidates if is_document(p) or p == path]
        if not documents:
            unmatched.append(argument)
        for document in documents:
            found.setdefault(document, None)
    return list(found), unmatched


def is_document(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in SUFFIXES and not name.endswith(SIDECAR_SUFFIXES)


def parse_date(value: object, what: str) -> dt.date | None:
    """An ISO date that makes sense for a meeting, or ImportError_ saying why not."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ImportError_(f"{what}: {value!r} is not a date (use YYYY-MM-DD)") from exc
    check_date(date, what)
    return date


def check_date(date: dt.date, what: str) -> None:
    latest = timezone.localdate().year + 2  # agendas are published ahead, not years ahead
    if not EARLIEST_YEAR <= date.year <= latest:
        raise ImportError_(f"{what}: {date.isoformat()} makes no sense as a meeting date")


def read_sidecar(document: Path) -> Metadata:
    """`<name>.meta.json` / `.meta.toml` (or `<stem>.meta.*`) next to the document."""
    for base in (document.name, document.stem):
        for suffix in SIDECAR_SUFFIXES:
            sidecar = document.with_name(base + suffix)
            if sidecar.is_file():
                return _load_sidecar(sidecar)
    return Metadata()


def _load_sidecar(sidecar: Path) -> Metadata:
    try:
        raw = sidecar.read_text(encoding="utf-8")
        data = json.loads(raw) if sidecar.suffix == ".json" else tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportError_(f"sidecar {sidecar.name} is unreadable: {exc}") from exc
    if not isinstance(data, dict):
        raise ImportError_(f"sidecar {sidecar.name} must hold a table of body/date/kind")
    kind = data.get("kind")
    if kind not in (None, parsing.AGENDA, parsing.MINUTES):
        raise ImportError_(f"sidecar {sidecar.name}: kind must be 'agenda' or 'minutes'")
    body = data.get("body")
    return Metadata(
        body=str(body).strip() if body else None,
        date=parse_date(data.get("date"), f"sidecar {sidecar.name}"),
        kind=kind,
    )


# ------------------------------------------------------------------- import


@dataclass(frozen=True)
class Source:
    """Where a document's bytes came from: part of its identity, never its file name."""

    # The resolved path `ingest` read (the same path is the same document); "" for uploads.
    key: str = ""
    # The file's modification time: of two versions of one document the later file is shown.
    modified: dt.datetime | None = None
    # Who imported it, as the history records it.
    by: str = ""


def import_file(
    path: Path, options: Metadata, *, dry_run: bool = False, started_by: str = ""
) -> FileResult:
    """Import one file; never raises for a bad document (the result says failed and why)."""
    try:
        stat = path.stat()
        if stat.st_size > MAX_DOCUMENT_BYTES:
            raise ImportError_(too_large(MAX_DOCUMENT_BYTES))
        metadata = options.merged_over(read_sidecar(path))
        data = path.read_bytes()
    except (OSError, ImportError_) as exc:
        return FileResult(str(path), ImportedFile.FAILED, _reason(exc))
    source = Source(
        key=str(path.resolve()),
        modified=dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC),
        by=started_by,
    )
    return import_document(data, path.name, metadata, dry_run=dry_run, display=str(path),
                           source=source)  # fmt: skip


def import_document(
    data: bytes,
    file_name: str,
    metadata: Metadata,
    *,
    dry_run: bool = False,
    display: str | None = None,
    source: Source = Source(),
) -> FileResult:
    """Import one document's bytes; never raises for a bad document."""
    display = display or file_name
    try:
        sha256 = hashlib.sha256(data).hexdigest()
        known = _known_version(sha256, metadata)
        if known is not None:
            return _unchanged(display, known)
        parsed = _parse(data, file_name, metadata)
        return _save(parsed, data, file_name, sha256, metadata, dry_run, display, source)
    except DatabaseError:
        raise  # the database failing is no fault of the document: the run cannot go on
    except Exception as exc:
        # A bug, not a bad document: the user gets one line, whoever fixes it the traceback.
        logger.exception("importing %s failed unexpectedly", display)
        return FileResult(display, ImportedFile.FAILED, _describe_bug(exc))


def _known_version(sha256: str, metadata: Metadata) -> DocumentVersion | None:
    """A version already imported from these bytes, parsed as today, with this metadata.

    Bytes staff withdrew or dropped count whatever parser or metadata read them:
    importing them again must never publish them again.
    """
    refused = DocumentVersion.objects.filter(
        sha256=sha256, state__in=[DocumentVersion.WITHDRAWN, DocumentVersion.DROPPED]
    )
    same = DocumentVersion.objects.filter(
        sha256=sha256, parser_version=parsing.PARSER_VERSION, metadata=metadata.as_json()
    )
    return (
        (refused if refused.exists() else same)
        .select_related("document")
        .only("state", "document__file_name", "document__id")
        .order_by("-id")
        .first()
    )


UNCHANGED_MESSAGES = {
    DocumentVersion.CURRENT: "",
    DocumentVersion.SUPERSEDED: "an earlier version of {document}: the newer one stays",
    DocumentVersion.OLDER: "older than the version of {document} shown: kept in its history",
    DocumentVersion.HELD: "held for review in {document}",
    DocumentVersion.WITHDRAWN: "withdrawn from {document} by staff: not published again",
    DocumentVersion.DROPPED: "dropped from {document} by staff: not published again",
}


def _unchanged(display: str, version: DocumentVersion) -> FileResult:
    message = UNCHANGED_MESSAGES[version.state].format(document=version.document.file_name)
    return FileResult(display, ImportedFile.UNCHANGED, message, document_id=version.document_id)


def _parse(data: bytes, file_name: str, metadata: Metadata) -> parsing.ParsedDocument | str:
    """The parse with the stated metadata applied, or why the document cannot be imported."""
    try:
        parsed = parsing.parse_document(data, file_name)
    except parsing.ParseError as exc:
        return exc.reason
    try:
        _apply_metadata(parsed, metadata)
        _check_parse(parsed)
    except ImportError_ as exc:
        # What else the parse doubted says more (a status table is no agenda at all).
        return "; ".join([str(exc), *parsed.review_reasons])
    return parsed


def _save(
    parsed: parsing.ParsedDocument | str,
    data: bytes,
    file_name: str,
    sha256: str,
    metadata: Metadata,
    dry_run: bool,
    display: str,
    source: Source,
) -> FileResult:
    if isinstance(parsed, str):
        return FileResult(display, ImportedFile.FAILED, parsed)
    incoming = Incoming(parsed, data, file_name, sha256, metadata, source)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                for key in _identity_locks(incoming):
                    _lock(key)
                # Re-checked under the locks: a concurrent import of the same bytes may have won.
                known = _known_version(sha256, metadata)
                if known is not None:
                    return _unchanged(display, known)
                # The parse is changed by storing (items another document closed): each
                # attempt starts from a fresh copy.
                result = _store(replace(incoming, parsed=copy.deepcopy(parsed)))
                if dry_run:
                    transaction.set_rollback(True)
                    result.document_id = None  # rolled back with the rest
                else:
                    page_cache.archive_changed()
            break
        except DatabaseError as exc:
            # The whole document rolled back: the archive keeps its previous version.
            if attempt < ATTEMPTS and _lost_a_race(exc):
                continue
            logger.exception("storing %s failed", display)
            return FileResult(
                display, ImportedFile.FAILED, f"could not be stored: {_first_line(exc)}"
            )
    result.path = display
    result.warnings = list(parsed.warnings)
    return result


def _lost_a_race(exc: DatabaseError) -> bool:
    if not isinstance(exc, IntegrityError | OperationalError):
        return False
    return getattr(exc.__cause__, "sqlstate", None) in RACE_SQLSTATES


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _lock(key: str) -> None:
    """Serialise imports touching `key` (a file, a body, a meeting) until the transaction ends.

    What one holder created is committed when the next gets the lock, so
    "look it up, else create it" is safe between import processes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"moedearkiv:{key}"]
        )


def _apply_metadata(parsed: parsing.ParsedDocument, metadata: Metadata) -> None:
    """Stated metadata wins over the parser's reading of the text."""
    for meeting in parsed.meetings:
        if metadata.body:
            meeting.body = metadata.body
    # What staff state answers the doubt that the text does not say it.
    answered = {
        plausibility.NO_BODY_REASON: bool(metadata.body),
        plausibility.NOT_MINUTES_REASON: bool(metadata.kind),
    }
    parsed.review_reasons = [r for r in parsed.review_reasons if not answered.get(r, False)]
    if len(parsed.meetings) == 1:
        meeting = parsed.meetings[0]
        if metadata.date:
            meeting.date = metadata.date
        if metadata.kind:
            meeting.kind = metadata.kind


def _check_parse(parsed: parsing.ParsedDocument) -> None:
    if not any(meeting.items for meeting in parsed.meetings):
        raise ImportError_(f"no agenda items found (layout {parsed.layout})")
    for meeting in parsed.meetings:
        if meeting.date:
            check_date(meeting.date, "meeting date")
    for meeting in parsed.meetings:
        for item in meeting.items:
            if item_key(item.number) is None:
                # The archive stores an item as (number, sub): 2 and 1.1. A deeper or
                # lettered number waits for staff rather than being stored as another.
                parsed.review_reasons.append(
                    f"item {item.number}: only numbers like 2 and 1.1 can be published yet"
                )
                return


# ----------------------------------------------------------------- identity


@dataclass(frozen=True)
class Incoming:
    """One parsed file on its way into the archive."""

    parsed: parsing.ParsedDocument
    data: bytes
    file_name: str
    sha256: str
    metadata: Metadata
    source: Source

    def meeting_keys(self) -> list[tuple[str, dt.date, str]]:
        """(body, date, kind) of each meeting the file gives that can be told apart."""
        return sorted(
            {
                (m.body.casefold(), m.date, m.kind)
                for m in self.parsed.meetings
                if m.items and m.body and m.date
            }
        )


def _identity_locks(incoming: Incoming) -> list[str]:
    """What two imports must not settle at once: the same source, bytes, or meeting's file."""
    keys = [f"sha:{incoming.sha256}"]
    if incoming.source.key:
        keys.append(f"source:{incoming.source.key}")
    keys += [f"meeting-document:{body}:{date}:{kind}" for body, date, kind in
             incoming.meeting_keys()]  # fmt: skip
    return sorted(keys)


def find_document(incoming: Incoming) -> tuple[SourceDocument | None, str]:
    """The stored document this file is a version of, or None, and a note when unsure.

    The same source path is the same document; so is a file giving exactly
    the meetings and kind (agenda or minutes) that one published document
    gives. A file name is never evidence. When more than one document could
    be meant, none is: the file becomes a document of its own, and the note
    says so.
    """
    if incoming.source.key:
        by_source = SourceDocument.objects.filter(source_key=incoming.source.key).first()
        if by_source:
            return by_source, ""
    keys = incoming.meeting_keys()
    if not keys:
        return None, ""
    candidates = _documents_giving(keys[0])
    for key in keys[1:]:
        candidates &= _documents_giving(key)
    exact = [doc for doc in candidates if _meeting_keys_of(doc) == set(keys)]
    if len(exact) == 1:
        return SourceDocument.objects.get(pk=exact[0]), ""
    others = set().union(*(_documents_giving(key) for key in keys))
    if others:
        names = ", ".join(
            SourceDocument.objects.filter(pk__in=others).order_by("pk")
            .values_list("file_name", flat=True)[:3]
        )  # fmt: skip
        return None, f"gives meetings that {names} also gives: both kept"
    return None, ""


def _documents_giving(key: tuple[str, dt.date, str]) -> set[int]:
    body, date, kind = key
    return set(
        AgendaItem.objects.filter(
            meeting__body__name__iexact=body, meeting__date=date, kind=kind
        ).values_list("document_id", flat=True)
    )


def _meeting_keys_of(document_id: int) -> set[tuple[str, dt.date, str]]:
    rows = (
        AgendaItem.objects.filter(document_id=document_id, meeting__date__isnull=False)
        .exclude(meeting__body=None)
        .values_list("meeting__body__name", "meeting__date", "kind")
        .distinct()
    )
    return {(body.casefold(), date, kind) for body, date, kind in rows}


# ----------------------------------------------------------------- versions


def _store(incoming: Incoming) -> FileResult:
    """Store the file as a version of its document, and publish it when it may be."""
    document, note = find_document(incoming)
    current = document.versions.filter(state=DocumentVersion.CURRENT).first() if document else None
    version = _new_version(document, incoming)
    notes = [note] if note else []
    # A document held only for its parse's doubts is published by a version without
    # any (the body stated at last, a parser that reads it right); one staff withdrew
    # waits for staff whatever its new version says.
    awaiting_review = bool(document and document.status == SourceDocument.HELD)
    if incoming.parsed.review_reasons or (
        document and not document.is_published and not awaiting_review
    ):
        version.state = DocumentVersion.HELD
        if document and document.status == SourceDocument.WITHDRAWN:
            notes.append("the document was withdrawn by staff")
    elif current and _is_older(incoming.source, current):
        version.state = DocumentVersion.OLDER
        notes.append(f"older than the version of {document.file_name} shown")
    else:
        version.state = DocumentVersion.CURRENT

    if version.state == DocumentVersion.CURRENT:
        if current:
            current.state = DocumentVersion.SUPERSEDED
            current.save(update_fields=["state"])
        if awaiting_review:
            # The doubtful versions are answered by this one: nothing is left to review.
            document.versions.filter(state=DocumentVersion.HELD).update(
                state=DocumentVersion.SUPERSEDED
            )
        document = document or SourceDocument(status=SourceDocument.PUBLISHED)
        result = publish(document, version, incoming.parsed, incoming.data)
        result.outcome = ImportedFile.REPLACED if current else ImportedFile.CREATED
        result.message = "; ".join([result.outcome, *notes])
        return result

    if document is None:
        # A new document that waits for review: on no public page, its text kept for staff.
        document = SourceDocument(status=SourceDocument.HELD)
        _describe_document(document, incoming.parsed, version, content=None)
        document.save()
    version.document = document
    version.text = "\n".join(incoming.parsed.lines)
    version.parsed = incoming.parsed.to_dict()
    version.save()
    if version.state == DocumentVersion.HELD:
        reasons = incoming.parsed.review_reasons or notes
        message = "held for review: " + "; ".join(reasons)
        return FileResult(incoming.file_name, ImportedFile.HELD, message, document_id=document.pk)
    return FileResult(
        incoming.file_name, ImportedFile.UNCHANGED, "; ".join(notes), document_id=document.pk
    )


def _is_older(source: Source, current: DocumentVersion) -> bool:
    return bool(source.modified and current.source_modified
                and source.modified < current.source_modified)  # fmt: skip


def _new_version(document: SourceDocument | None, incoming: Incoming) -> DocumentVersion:
    latest = document.versions.order_by("-number").first() if document else None
    parsed = incoming.parsed
    return DocumentVersion(
        document=document,
        number=(latest.number + 1) if latest else 1,
        file_name=incoming.file_name,
        source_path=incoming.source.key,
        source_modified=incoming.source.modified,
        sha256=incoming.sha256,
        size=len(incoming.data),
        content_type=_content_type(incoming.data),
        page_count=parsed.page_count,
        layout=parsed.layout,
        parser_version=parsing.PARSER_VERSION,
        metadata=incoming.metadata.as_json(),
        warnings=list(parsed.warnings),
        review_reasons=list(parsed.review_reasons),
        imported_at=timezone.now(),
        imported_by=incoming.source.by,
    )


def _content_type(data: bytes) -> str:
    return parsing.media_type(data)


def _describe_document(
    document: SourceDocument,
    parsed: parsing.ParsedDocument,
    version: DocumentVersion,
    content: bytes | None,
) -> None:
    """The document's fields as the version it shows (or holds) has them."""
    document.file_name = version.file_name
    if version.source_path and not document.source_key:
        document.source_key = version.source_path
    document.sha256 = version.sha256
    document.size = version.size
    document.content = content
    document.text = "\n".join(parsed.lines)
    document.content_type = version.content_type
    document.page_count = version.page_count
    document.layout = version.layout
    document.parser_version = version.parser_version
    document.metadata = version.metadata
    document.warnings = list(version.warnings)
    document.imported_at = version.imported_at


def publish(
    document: SourceDocument,
    version: DocumentVersion,
    parsed: parsing.ParsedDocument,
    data: bytes | None,
) -> FileResult:
    """Make `version` the one the pages show: its items replace the document's.

    Items another document of the same meeting closed are closed here too, and
    items this version closes are closed in every other document (their text
    blanked, their original bytes dropped): a closed item is closed everywhere.
    """
    replaced = document.pk is not None
    previous_meetings: list[Meeting] = []
    previous: Fingerprints = {}
    if replaced:
        previous_meetings = list(document.meetings.order_by("id"))
        previous = _fingerprints(document)
        AgendaItem.objects.filter(document=document).delete()
    else:
        _describe_document(document, parsed, version, None)
        document.save()

    undated_to_reuse = [m for m in previous_meetings if m.date is None]
    placed: list[tuple[Meeting, parsing.Meeting]] = []
    for parsed_meeting in parsed.meetings:
        if not parsed_meeting.items:
            continue
        meeting = _meeting_for(parsed_meeting, document.pk, len(placed), undated_to_reuse)
        placed.append((meeting, parsed_meeting))
        closed_elsewhere = _closed_numbers(meeting, exclude=document)
        confidentiality.close_items(parsed, parsed_meeting, closed_elsewhere)

    has_closed = confidentiality.has_closed_items(parsed)
    content = None if has_closed or data is None else data
    _describe_document(document, parsed, version, content)
    document.status = SourceDocument.PUBLISHED
    document.save()
    version.document = document
    version.state = DocumentVersion.CURRENT
    version.text = document.text
    version.parsed = parsed.to_dict()
    version.save()

    item_count = 0
    for meeting, parsed_meeting in placed:
        item_count += _store_items(meeting, document, parsed_meeting, previous)
    for meeting, parsed_meeting in placed:
        closed_here = {_key(item) for item in parsed_meeting.items if item.is_confidential}
        titles = {_key(item): item.title or "" for item in parsed_meeting.items}
        purge_closed_elsewhere(meeting, closed_here, titles, keep=document)
    meetings = [meeting for meeting, _ in placed]
    _link_meetings(document, meetings, replaced=replaced)
    meetings_removed = remove_orphan_meetings(previous_meetings)
    refresh_current([m.pk for m in meetings] + [m.pk for m in previous_meetings if m.pk])
    persons.refresh_people([m.pk for m in meetings] + [m.pk for m in previous_meetings if m.pk])
    outcome = ImportedFile.REPLACED if replaced else ImportedFile.CREATED
    now = _fingerprints(document) if replaced else {}
    return FileResult(
        document.file_name,
        outcome,
        outcome,
        meetings=len(meetings),
        items=item_count,
        items_revised=sum(
            1 for key, (fp, _) in now.items() if key in previous and previous[key][0] != fp
        ),
        items_removed=len(previous.keys() - now.keys()),
        meetings_removed=meetings_removed,
        document_id=document.pk,
    )


# An item as the archive keys it: (number, sub), 1.1 -> (1, 1), 2 -> (2, 0).
Key = tuple[int, int]

# Per (meeting id, number, sub): what an item said, and when it was last revised.
Fingerprints = dict[tuple[int, int, int], tuple[str, dt.datetime | None]]


def _key(item: parsing.Item) -> Key:
    """The parsed item's (number, sub); _check_parse held any document it has none for."""
    key = item_key(item.number)
    assert key is not None, item.number
    return key


def _row_key(row: AgendaItem) -> Key:
    return row.number, row.sub


def _keyed(keys: Iterable[Key]) -> Q:
    """Rows with any of these (number, sub), as one condition."""
    condition = Q(pk__in=[])
    for number, sub in keys:
        condition |= Q(number=number, sub=sub)
    return condition


def _fingerprints(document: SourceDocument) -> Fingerprints:
    """Per (meeting, number, sub): what the item said, and when it was last revised."""
    rows = AgendaItem.objects.filter(document=document).values(
        "meeting_id", "number", "sub", "access", "title", "recommendation", "decision",
        "sections", "revised_at",
    )  # fmt: skip
    return {
        (row["meeting_id"], row["number"], row["sub"]): (_fingerprint(row), row["revised_at"])
        for row in rows
    }


def _fingerprint(row: dict) -> str:
    keys = ("access", "title", "recommendation", "decision", "sections")
    return hashlib.sha256(
        json.dumps([row[key] for key in keys], sort_keys=True, default=str).encode()
    ).hexdigest()


def _closed_numbers(meeting: Meeting, *, exclude: SourceDocument) -> set[str]:
    """The printed numbers ("2", "1.1") of the items other documents of the meeting close."""
    if meeting.pk is None:
        return set()
    return {
        item_label(number, sub)
        for number, sub in AgendaItem.objects.filter(meeting=meeting, access=CONFIDENTIAL)
        .exclude(document=exclude)
        .values_list("number", "sub")
    }


def purge_closed_elsewhere(
    meeting: Meeting, numbers: set[Key], titles: dict[Key, str], *, keep: SourceDocument | None
) -> None:
    """Close these items of the meeting in every other document that still shows them.

    The other row keeps its number and takes the closing document's printed
    title; its span is blanked in its document's text and in every stored
    version of that document, whose original bytes are dropped.
    """
    if not numbers:
        return
    rows = AgendaItem.objects.filter(_keyed(numbers), meeting=meeting, access=PUBLIC)
    if keep is not None:
        rows = rows.exclude(document=keep)
    rows = list(rows.select_related("document"))
    for row in rows:
        _blank_in_document(row.document, meeting, row.label)
        ItemCase.objects.filter(item=row).delete()
        Attachment.objects.filter(item=row).delete()
        AgendaItem.objects.filter(pk=row.pk).update(
            access=CONFIDENTIAL, title=titles.get(_row_key(row), ""), handler="",
            recommendation="", recommended_by="", decision="", sections=[], links=[],
            other_case_numbers=[],
        )  # fmt: skip
    words.forget(item_text(row) for row in rows)


def _blank_in_document(document: SourceDocument, meeting: Meeting, number: str) -> None:
    """Blank the item's lines in the document's text and in each of its versions' parse."""
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    for version in document.versions.exclude(parsed=None):
        parsed = parsing.ParsedDocument.from_dict(version.parsed, version.text.split("\n"))
        for parsed_meeting in parsed.meetings:
            if _same_meeting(parsed_meeting, meeting):
                confidentiality.close_items(parsed, parsed_meeting, [number])
        version.parsed = parsed.to_dict()
        version.text = "\n".join(parsed.lines)
        version.save(update_fields=["parsed", "text"])
        if version.state == DocumentVersion.CURRENT:
            document.text = version.text
    document.content = None
    document.save(update_fields=["text", "content"])


def _same_meeting(parsed: parsing.Meeting, meeting: Meeting) -> bool:
    if meeting.date is None:
        return parsed.date is None
    body = meeting.body.name.casefold() if meeting.body else None
    return parsed.date == meeting.date and (parsed.body or "").casefold() == (body or "")


def _link_meetings(document: SourceDocument, meetings: list[Meeting], *, replaced: bool) -> None:
    """The document's meetings are exactly these (one or two queries, where .set() takes four)."""
    links = SourceDocument.meetings.through
    if replaced:
        links.objects.filter(sourcedocument=document).delete()
    links.objects.bulk_create(
        [links(sourcedocument=document, meeting=meeting) for meeting in dict.fromkeys(meetings)]
    )


DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def danish_slug(text: str) -> str:
    """slugify drops æ, ø, å; Danes write them ae, oe, aa in URLs."""
    return slugify(text.translate(DANISH_LETTERS))


def _body(name: str | None) -> Body | None:
    if not name:
        return None
    _lock(f"body:{name.casefold()}")
    body = Body.objects.filter(name__iexact=name).first()
    if body:
        return body
    slug = base = danish_slug(name)[:100] or "organ"
    n = 2
    while Body.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Body.objects.create(name=name, slug=slug)


def _meeting_for(
    parsed: parsing.Meeting, document_id: int, position: int, undated_to_reuse: list[Meeting]
) -> Meeting:
    body = _body(parsed.body)
    meeting = None
    if parsed.date and body:
        _lock(f"meeting:{body.pk}:{parsed.date.isoformat()}")
        meeting = Meeting.objects.filter(body=body, date=parsed.date).first()
    elif parsed.date is None and undated_to_reuse:
        # The same document's undated meeting keeps its row, so its permalink survives.
        meeting = undated_to_reuse.pop(0)
    if meeting is None:
        meeting = Meeting(
            body=body, date=parsed.date, slug=_new_slug(parsed, body, document_id, position)
        )
    meeting.body = meeting.body or body
    meeting.location = parsed.location or meeting.location
    meeting.time = parsed.time or meeting.time
    meeting.participants = parsed.participants or meeting.participants
    meeting.absent = parsed.absent or meeting.absent
    meeting.save()
    return meeting


def _new_slug(parsed: parsing.Meeting, body: Body | None, document_id: int, position: int) -> str:
    body_part = body.slug if body else "ukendt-organ"
    if parsed.date:
        base = f"{parsed.date.isoformat()}-{body_part}"
    else:
        # Stable across versions: derived from the document, not from its content.
        digest = hashlib.sha256(f"document:{document_id}#{position}".encode()).hexdigest()[:8]
        base = f"ukendt-dato-{body_part}-{digest}"
    slug, n = base[:190], 2
    while Meeting.objects.filter(slug=slug).exists():
        slug, n = f"{base[:185]}-{n}", n + 1
    return slug


def _store_items(
    meeting: Meeting,
    document: SourceDocument,
    parsed: parsing.Meeting,
    previous: Fingerprints,
) -> int:
    rows = [_item_row(meeting, document, parsed.kind, item) for item in parsed.items]
    rows = _drop_repeated_numbers(rows)
    _mark_revised(meeting, rows, previous)
    for row, pk in zip(rows, _reserve_ids(AgendaItem, len(rows)), strict=True):
        row.pk = pk
    _mark_current(meeting, rows)
    by_number = {_row_key(row): row for row in rows}
    attachments, item_cases, numbers = [], [], set()
    for item in parsed.items:
        row = by_number[_key(item)]
        if row.is_confidential:
            continue
        for position, attachment in enumerate(item.attachments, start=1):
            attachments.append(
                Attachment(
                    item=row,
                    position=position,
                    title=attachment.title,
                    document_id=attachment.document_id or "",
                    case_number=attachment.case_number or "",
                )
            )
        numbers.update(item.case_numbers)
        item_cases.extend((row, number) for number in item.case_numbers)
    cases = _cases(numbers)
    links = {(row.pk, cases[number].pk) for row, number in item_cases}
    # Links before their items (the foreign keys are checked at commit): the
    # database computes an item's search vector, cases included, when the item
    # is inserted; a link inserted after its item would make it compute it again.
    ItemCase.objects.bulk_create([ItemCase(item_id=i, case_id=c) for i, c in links])
    # Before the items: their trigger reads the compound parts of their words.
    words.register(item_text(row) for row in rows if not row.is_confidential)
    AgendaItem.objects.bulk_create(rows)
    Attachment.objects.bulk_create(attachments)
    return len(rows)


def item_text(row: AgendaItem) -> str:
    """All an item's words, as its search vector reads them (for meetings.words)."""
    sections = row.sections if isinstance(row.sections, list) else []
    texts = [str(section.get("text", "")) for section in sections if isinstance(section, dict)]
    return "\n".join([row.title, row.recommendation, row.decision, *texts])


def _mark_revised(
    meeting: Meeting,
    rows: list[AgendaItem],
    previous: Fingerprints,
) -> None:
    """An item a new version changed is revised now; an unchanged one keeps its date."""
    now = timezone.now()
    for row in rows:
        before = previous.get((meeting.pk, row.number, row.sub))
        if before is None:
            continue
        fingerprint, revised_at = before
        row.revised_at = revised_at if fingerprint == _fingerprint(_row_values(row)) else now


def _row_values(row: AgendaItem) -> dict:
    return {key: getattr(row, key) for key in ("access", "title", "recommendation", "decision",
                                                "sections")}  # fmt: skip


def _mark_current(meeting: Meeting, rows: list[AgendaItem]) -> None:
    """Set is_current on new rows, so they need no update after their insert.

    A new row is newer than any stored one, so it is current unless it is an
    agenda's and minutes of the meeting hold its number. The rows it outranks
    stop being current first: at most one current row per number, always.
    refresh_current() after the whole document settles whatever remains.
    """
    minuted = set(
        AgendaItem.objects.filter(meeting=meeting, kind=MINUTES).values_list("number", "sub")
    )
    for row in rows:
        row.is_current = row.kind == MINUTES or _row_key(row) not in minuted
    outranked = [_row_key(row) for row in rows if row.is_current]
    if outranked:
        AgendaItem.objects.filter(_keyed(outranked), meeting=meeting, is_current=True).update(
            is_current=False
        )


# Per meeting and (number, sub) the row the pages show: minutes over agenda ("minutes"
# sorts after "agenda"), then the newest. Only rows whose flag changes are written.
_REFRESH_CURRENT = """
WITH shown AS (
  SELECT DISTINCT ON (meeting_id, number, sub) id FROM meetings_agendaitem
  WHERE meeting_id = ANY(%(meetings)s)
  ORDER BY meeting_id, number, sub, kind DESC, id DESC
)
UPDATE meetings_agendaitem SET is_current = {value}
WHERE meeting_id = ANY(%(meetings)s) AND is_current = {was}
  AND id {membership} (SELECT id FROM shown)
"""


def refresh_current(meeting_ids: Iterable[int]) -> None:
    """Make is_current right for every item of these meetings (call inside a transaction).

    The meetings are locked first, so two documents of one meeting imported at
    the same time settle it one after the other, each seeing the other's rows.
    Rows that lose the flag lose it before others gain it: at most one current
    row per number at every moment, as the unique index requires.
    """
    ids = sorted(set(meeting_ids))
    if not ids:
        return
    list(Meeting.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    with connection.cursor() as cursor:
        for value, was, membership in (("false", "true", "NOT IN"), ("true", "false", "IN")):
            sql = _REFRESH_CURRENT.format(value=value, was=was, membership=membership)
            cursor.execute(sql, {"meetings": ids})


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's own sequence, for rows not yet inserted."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _item_row(
    meeting: Meeting, document: SourceDocument, kind: str, item: parsing.Item
) -> AgendaItem:
    number, sub = _key(item)
    row = AgendaItem(
        meeting=meeting,
        document=document,
        kind=kind,
        number=number,
        sub=sub,
        access=item.access,
        page=item.page,
        line=item.line,
    )
    row.title = item.title or ""
    if item.access == CONFIDENTIAL:
        return row  # number, access level and printed title only, whatever else it carried
    row.handler = item.handler or ""
    row.recommendation = item.recommendation or ""
    row.recommended_by = item.recommended_by or ""
    row.decision = item.decision or ""
    row.sections = [{"heading": h, "text": t} for h, t in item.sections.items()]
    row.links = list(item.links)
    row.other_case_numbers = list(item.other_case_numbers)
    return row


def _drop_repeated_numbers(rows: list[AgendaItem]) -> list[AgendaItem]:
    """A number twice in one meeting of one document: keep the first (the parser warns)."""
    seen: dict[Key, AgendaItem] = {}
    for row in rows:
        seen.setdefault(_row_key(row), row)
    return list(seen.values())


def _cases(numbers: set[str]) -> dict[str, Case]:
    if not numbers:
        return {}
    # Sorted: two imports inserting overlapping numbers in one statement wait for each
    # other instead of deadlocking (across statements, _save retries the loser).
    Case.objects.bulk_create([Case(number=n) for n in sorted(numbers)], ignore_conflicts=True)
    return {case.number: case for case in Case.objects.filter(number__in=numbers)}


def remove_orphan_meetings(previous: Sequence[Meeting]) -> int:
    """Meetings that no document holds any more go; a meeting shared with another stays."""
    removed = 0
    for meeting in previous:
        if not meeting.documents.exists():
            meeting.delete()
            removed += 1
    return removed


# ---------------------------------------------------------------------- runs


_WRITTEN = {ImportedFile.CREATED, ImportedFile.REPLACED}


def run_import(
    paths: Sequence[Path],
    options: Metadata,
    *,
    started_by: str,
    dry_run: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    extra_failures: Sequence[FileResult] = (),
    jobs: int = 1,
) -> ImportRun:
    """Import every path, record the run and each file's outcome, and return the run.

    With jobs > 1, that many processes import documents side by side, each
    document still in one transaction of its own; results come in path order.
    """
    started_at = timezone.now()
    results = list(extra_failures)
    files = _import_files(paths, options, dry_run=dry_run, jobs=jobs, started_by=started_by)
    for result in files:
        results.append(result)
        if on_file:
            on_file(result)
    if not dry_run and any(r.outcome in _WRITTEN for r in results):
        # Searches would otherwise scan every new item's pending index entries.
        search.clean_search_index()
    run_options = {**options.as_json(), "paths": [str(p) for p in paths]}
    return _record_run(results, run_options, started_at, started_by=started_by, dry_run=dry_run)


def default_jobs() -> int:
    """One import process per CPU this process may use: parsing and the database overlap."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _import_files(
    paths: Sequence[Path], options: Metadata, *, dry_run: bool, jobs: int, started_by: str
) -> Iterator[FileResult]:
    import_one = partial(import_file, options=options, dry_run=dry_run, started_by=started_by)
    # Inside a caller's transaction the run stays in it: other processes could
    # neither see its uncommitted rows nor be rolled back with it.
    serial = jobs <= 1 or len(paths) < 2 or connection.in_atomic_block
    if serial or "fork" not in multiprocessing.get_all_start_methods():
        with _commits_flushed_by_the_run():
            yield from map(import_one, paths)
        return
    # A forked worker must open a connection of its own, never share the parent's socket.
    connections.close_all()
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(paths)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_import_worker,
    ) as pool:
        # Small chunks: memory stays flat, and a slow document holds up few others.
        yield from pool.map(import_one, paths, chunksize=4)


def _start_import_worker() -> None:
    # Say goodbye to the server when the worker ends, rather than drop the socket.
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # see _commits_flushed_by_the_run


@contextmanager
def _commits_flushed_by_the_run() -> Iterator[None]:
    """Each document's commit need not wait for the disk (a few ms each): the run's does.

    Every document is still whole or absent. A crash can lose only the last
    documents' commits, and no run record names them yet; the record's own
    commit, synchronous as always, flushes them all first. Re-running the
    import brings back whatever was lost.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def run_upload(
    data: bytes,
    file_name: str,
    metadata: Metadata,
    *,
    started_by: str,
    dry_run: bool = False,
) -> ImportRun:
    """Import one uploaded document (no sidecar: the uploader states the metadata) as a run."""
    started_at = timezone.now()
    result = _import_upload(data, file_name, metadata, started_by=started_by, dry_run=dry_run)
    run_options = {**metadata.as_json(), "upload": file_name}
    return _record_run([result], run_options, started_at, started_by=started_by, dry_run=dry_run)


def _import_upload(
    data: bytes, file_name: str, metadata: Metadata, *, started_by: str, dry_run: bool
) -> FileResult:
    if len(data) > MAX_DOCUMENT_BYTES:
        return FileResult(file_name, ImportedFile.FAILED, too_large(MAX_DOCUMENT_BYTES))
    # An upload has no source path: it is known by the meetings it gives.
    source = Source(modified=timezone.now(), by=started_by)
    return import_document(data, file_name, metadata, dry_run=dry_run, source=source)


# ------------------------------------------------------- uploads in the background

# The uploads this process imports now (a test or a shutdown can wait for them).
_background: set[threading.Thread] = set()
_background_lock = threading.Lock()


def queue_upload(
    data: bytes, file_name: str, metadata: Metadata, *, started_by: str, dry_run: bool = False
) -> ImportRun:
    """Record an upload as a queued run and import it in the background once committed.

    A heavy PDF takes seconds to parse: the web worker answers at once, and
    the run's page shows its progress and result. A run left queued (its
    process ended first) is imported by `manage.py import_uploads`.
    """
    run = ImportRun.objects.create(
        started_at=timezone.now(),
        finished_at=None,
        started_by=started_by,
        dry_run=dry_run,
        options={**metadata.as_json(), "upload": file_name},
        status=ImportRun.QUEUED,
    )
    QueuedUpload.objects.create(
        run=run, file_name=file_name, data=data, metadata=metadata.as_json()
    )
    transaction.on_commit(lambda: _start_in_background(run.pk))
    return run


def _start_in_background(run_id: int) -> None:
    thread = threading.Thread(
        target=_background_import, args=(run_id,), daemon=True, name=f"upload-{run_id}"
    )
    with _background_lock:
        _background.add(thread)
    thread.start()


def _background_import(run_id: int) -> None:
    try:
        import_queued(run_id)
    except Exception:  # a bug must not vanish with the thread: the log keeps it
        logger.exception("the background import of run %s failed", run_id)
    finally:
        connection.close()  # the thread's own connection
        with _background_lock:
            _background.discard(threading.current_thread())


def wait_for_uploads(timeout: float | None = None) -> None:
    """Wait until this process's background imports have ended."""
    with _background_lock:
        threads = list(_background)
    for thread in threads:
        thread.join(timeout)


def import_queued(run_id: int) -> bool:
    """Import a queued upload and complete its run; False when another process has it."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.QUEUED).update(
        status=ImportRun.RUNNING
    )
    if not claimed:
        return False
    run = ImportRun.objects.get(pk=run_id)
    upload = QueuedUpload.objects.get(run=run)
    metadata = Metadata(**_metadata_args(upload.metadata))
    try:
        result = _import_upload(
            bytes(upload.data),
            upload.file_name,
            metadata,
            started_by=run.started_by,
            dry_run=run.dry_run,
        )
    except Exception as exc:  # a bug: the run still ends, saying why in one line
        logger.exception("importing %s failed unexpectedly", upload.file_name)
        result = FileResult(upload.file_name, ImportedFile.FAILED, _describe_bug(exc))
    with transaction.atomic():
        _complete_run(run, [result])
        upload.delete()
    return True


def import_left_uploads() -> int:
    """Import every upload still queued (its web process ended before it could)."""
    queued = ImportRun.objects.filter(status=ImportRun.QUEUED).order_by("pk")
    return sum(import_queued(pk) for pk in queued.values_list("pk", flat=True))


def _describe_bug(exc: Exception) -> str:
    detail = " ".join(str(exc).split())[:160]
    return f"the importer failed unexpectedly ({type(exc).__name__}: {detail})"


def _metadata_args(stored: dict) -> dict:
    date = stored.get("date")
    return {
        "body": stored.get("body"),
        "date": dt.date.fromisoformat(date) if date else None,
        "kind": stored.get("kind"),
    }


def _record_run(
    results: Sequence[FileResult],
    options: dict,
    started_at: dt.datetime,
    *,
    started_by: str,
    dry_run: bool,
) -> ImportRun:
    """The run's history: who, when, with what options, and each file's outcome."""
    run = ImportRun(started_at=started_at, started_by=started_by, dry_run=dry_run, options=options)
    _complete_run(run, results)
    return run


def _complete_run(run: ImportRun, results: Sequence[FileResult]) -> None:
    counts = Counter(result.outcome for result in results)
    run.finished_at = timezone.now()
    run.status = ImportRun.FINISHED
    run.created = counts[ImportedFile.CREATED]
    run.replaced = counts[ImportedFile.REPLACED]
    run.unchanged = counts[ImportedFile.UNCHANGED]
    run.held = counts[ImportedFile.HELD]
    run.failed = counts[ImportedFile.FAILED]
    run.save()
    ImportedFile.objects.bulk_create(
        [
            ImportedFile(
                run=run,
                path=r.path,
                outcome=r.outcome,
                message=r.message,
                warnings=r.warnings,
                meetings=r.meetings,
                items=r.items,
                document_id=r.document_id,
            )
            for r in results
        ]
    )
