"""Turn documents into archive rows: one transaction per document, idempotently.

A document is identified by its file name and versioned by its SHA-256 (plus
the parser version and the metadata applied to it). The same version again is
"unchanged" and writes nothing; a new version replaces exactly that document's
items in one transaction; a document that fails writes nothing at all.

This module must never invent a meeting date, and never store any content of
a confidential item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import parsing
from .models import (
    CONFIDENTIAL,
    AgendaItem,
    Attachment,
    Body,
    Case,
    ImportedFile,
    ImportRun,
    ItemCase,
    Meeting,
    SourceDocument,
)

SUFFIXES = {".txt", ".pdf"}
SIDECAR_SUFFIXES = (".meta.json", ".meta.toml")
EARLIEST_YEAR = 1900
# Documents are at most a few MB; anything bigger is not minutes.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class ImportError_(Exception):
    """A document the importer refuses, with the reason (the file is named by the caller)."""


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
    items_removed: int = 0
    meetings_removed: int = 0


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


def import_file(path: Path, options: Metadata, *, dry_run: bool = False) -> FileResult:
    """Import one file; never raises for a bad document (the result says failed and why)."""
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ImportError_(f"larger than {MAX_DOCUMENT_BYTES // 2**20} MB")
        metadata = options.merged_over(read_sidecar(path))
        data = path.read_bytes()
    except (OSError, ImportError_) as exc:
        return FileResult(str(path), ImportedFile.FAILED, _reason(exc))
    return import_document(data, path.name, metadata, dry_run=dry_run, display=str(path))


def import_document(
    data: bytes,
    file_name: str,
    metadata: Metadata,
    *,
    dry_run: bool = False,
    display: str | None = None,
) -> FileResult:
    display = display or file_name
    sha256 = hashlib.sha256(data).hexdigest()
    if _is_unchanged(file_name, sha256, metadata):
        return FileResult(display, ImportedFile.UNCHANGED, "unchanged")
    try:
        parsed = parsing.parse_document(data, file_name)
        _apply_metadata(parsed, metadata)
        _check_parse(parsed)
    except parsing.ParseError as exc:
        return FileResult(display, ImportedFile.FAILED, exc.reason)
    except ImportError_ as exc:
        return FileResult(display, ImportedFile.FAILED, str(exc))
    try:
        with transaction.atomic():
            _lock(file_name)
            # Re-checked under the lock: a concurrent import of the same file may have won.
            if _is_unchanged(file_name, sha256, metadata):
                return FileResult(display, ImportedFile.UNCHANGED, "unchanged")
            result = _store(parsed, data, file_name, sha256, metadata)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        # The whole document rolled back: the archive keeps its previous version.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return FileResult(display, ImportedFile.FAILED, f"could not be stored: {first_line}")
    result.path = display
    result.warnings = list(parsed.warnings)
    return result


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _is_unchanged(file_name: str, sha256: str, metadata: Metadata) -> bool:
    return SourceDocument.objects.filter(
        file_name=file_name,
        sha256=sha256,
        parser_version=parsing.PARSER_VERSION,
        metadata=metadata.as_json(),
    ).exists()


def _lock(file_name: str) -> None:
    """Serialise imports of one file name across processes until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"moedearkiv:{file_name}"]
        )


def _apply_metadata(parsed: parsing.ParsedDocument, metadata: Metadata) -> None:
    """Stated metadata wins over the parser's reading of the text."""
    for meeting in parsed.meetings:
        if metadata.body:
            meeting.body = metadata.body
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


def _store(
    parsed: parsing.ParsedDocument, data: bytes, file_name: str, sha256: str, metadata: Metadata
) -> FileResult:
    document = SourceDocument.objects.select_for_update().filter(file_name=file_name).first()
    replaced = document is not None
    previous_meetings: list[Meeting] = []
    items_removed = 0
    if document is None:
        document = SourceDocument(file_name=file_name)
    else:
        previous_meetings = list(document.meetings.order_by("id"))
        items_removed, _ = AgendaItem.objects.filter(document=document).delete()
    document.sha256 = sha256
    document.size = len(data)
    document.content = data
    document.content_type = "application/pdf" if data[:5] == b"%PDF-" else "text/plain"
    document.page_count = parsed.page_count
    document.layout = parsed.layout
    document.parser_version = parsing.PARSER_VERSION
    document.metadata = metadata.as_json()
    document.warnings = list(parsed.warnings)
    document.imported_at = timezone.now()
    document.save()

    undated_to_reuse = [m for m in previous_meetings if m.date is None]
    meetings = []
    item_count = 0
    for parsed_meeting in parsed.meetings:
        if not parsed_meeting.items:
            continue
        meeting = _meeting_for(parsed_meeting, file_name, len(meetings), undated_to_reuse)
        meetings.append(meeting)
        item_count += _store_items(meeting, document, parsed_meeting)
    document.meetings.set(meetings)
    meetings_removed = _remove_orphans(previous_meetings)
    outcome = ImportedFile.REPLACED if replaced else ImportedFile.CREATED
    return FileResult(
        file_name,
        outcome,
        outcome,
        meetings=len(meetings),
        items=item_count,
        items_removed=items_removed,
        meetings_removed=meetings_removed,
    )


DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def danish_slug(text: str) -> str:
    """slugify drops æ, ø, å; Danes write them ae, oe, aa in URLs."""
    return slugify(text.translate(DANISH_LETTERS))


def _body(name: str | None) -> Body | None:
    if not name:
        return None
    body = Body.objects.filter(name__iexact=name).first()
    if body:
        return body
    slug = base = danish_slug(name)[:100] or "organ"
    n = 2
    while Body.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Body.objects.create(name=name, slug=slug)


def _meeting_for(
    parsed: parsing.Meeting, file_name: str, position: int, undated_to_reuse: list[Meeting]
) -> Meeting:
    body = _body(parsed.body)
    meeting = None
    if parsed.date and body:
        meeting = Meeting.objects.filter(body=body, date=parsed.date).first()
    elif parsed.date is None and undated_to_reuse:
        # The same document's undated meeting keeps its row, so its permalink survives.
        meeting = undated_to_reuse.pop(0)
    if meeting is None:
        meeting = Meeting(
            body=body, date=parsed.date, slug=_new_slug(parsed, body, file_name, position)
        )
    meeting.body = meeting.body or body
    meeting.location = parsed.location or meeting.location
    meeting.time = parsed.time or meeting.time
    meeting.participants = parsed.participants or meeting.participants
    meeting.absent = parsed.absent or meeting.absent
    meeting.save()
    return meeting


def _new_slug(parsed: parsing.Meeting, body: Body | None, file_name: str, position: int) -> str:
    body_part = body.slug if body else "ukendt-organ"
    if parsed.date:
        base = f"{parsed.date.isoformat()}-{body_part}"
    else:
        # Stable across re-imports: derived from the file name, not from content.
        digest = hashlib.sha256(f"{file_name}#{position}".encode()).hexdigest()[:8]
        base = f"ukendt-dato-{body_part}-{digest}"
    slug, n = base[:190], 2
    while Meeting.objects.filter(slug=slug).exists():
        slug, n = f"{base[:185]}-{n}", n + 1
    return slug


def _store_items(meeting: Meeting, document: SourceDocument, parsed: parsing.Meeting) -> int:
    rows = [_item_row(meeting, document, parsed.kind, item) for item in parsed.items]
    rows = _drop_repeated_numbers(rows)
    AgendaItem.objects.bulk_create(rows)
    by_number = {row.number: row for row in rows}
    attachments, item_cases, numbers = [], [], set()
    for item in parsed.items:
        row = by_number[item.number]
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
    Attachment.objects.bulk_create(attachments)
    cases = _cases(numbers)
    links = {(row.pk, cases[number].pk) for row, number in item_cases}
    ItemCase.objects.bulk_create([ItemCase(item_id=i, case_id=c) for i, c in links])
    return len(rows)


def _item_row(
    meeting: Meeting, document: SourceDocument, kind: str, item: parsing.Item
) -> AgendaItem:
    row = AgendaItem(
        meeting=meeting,
        document=document,
        kind=kind,
        number=item.number,
        access=item.access,
        page=item.page,
        line=item.line,
    )
    if item.access == CONFIDENTIAL:
        return row  # number and access level only, whatever the document carried
    row.title = item.title or ""
    row.handler = item.handler or ""
    row.recommendation = item.recommendation or ""
    row.recommended_by = item.recommended_by or ""
    row.decision = item.decision or ""
    row.sections = dict(item.sections)
    row.links = list(item.links)
    row.other_case_numbers = list(item.other_case_numbers)
    return row


def _drop_repeated_numbers(rows: list[AgendaItem]) -> list[AgendaItem]:
    """A number twice in one meeting of one document: keep the first (the parser warns)."""
    seen: dict[int, AgendaItem] = {}
    for row in rows:
        seen.setdefault(row.number, row)
    return list(seen.values())


def _cases(numbers: set[str]) -> dict[str, Case]:
    if not numbers:
        return {}
    Case.objects.bulk_create([Case(number=n) for n in numbers], ignore_conflicts=True)
    return {case.number: case for case in Case.objects.filter(number__in=numbers)}


def _remove_orphans(previous: Sequence[Meeting]) -> int:
    """Meetings that no document holds any more go; a meeting shared with another stays."""
    removed = 0
    for meeting in previous:
        if not meeting.documents.exists():
            meeting.delete()
            removed += 1
    return removed


# ---------------------------------------------------------------------- runs


def run_import(
    paths: Sequence[Path],
    options: Metadata,
    *,
    started_by: str,
    dry_run: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    extra_failures: Sequence[FileResult] = (),
) -> ImportRun:
    """Import every path, record the run and each file's outcome, and return the run."""
    run = ImportRun(
        started_at=timezone.now(),
        started_by=started_by,
        dry_run=dry_run,
        options={**options.as_json(), "paths": [str(p) for p in paths]},
    )
    results = list(extra_failures)
    for path in paths:
        result = import_file(path, options, dry_run=dry_run)
        results.append(result)
        if on_file:
            on_file(result)
    run.finished_at = timezone.now()
    for result in results:
        attribute = {
            ImportedFile.CREATED: "created",
            ImportedFile.REPLACED: "replaced",
            ImportedFile.UNCHANGED: "unchanged",
            ImportedFile.FAILED: "failed",
        }[result.outcome]
        setattr(run, attribute, getattr(run, attribute) + 1)
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
            )
            for r in results
        ]
    )
    return run
