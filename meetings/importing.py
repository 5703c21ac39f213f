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

import bisect
import datetime as dt
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from django.utils import timezone
from django.utils.text import slugify

from . import page_cache, parsing, search
from .models import (
    CONFIDENTIAL,
    MINUTES,
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
# A document whose transaction lost a race with another import process (a deadlock,
# or a body or case number both created) is tried again from the start, this often.
ATTEMPTS = 3
# PostgreSQL's SQLSTATEs for a lost race: unique violation, serialization failure, deadlock.
RACE_SQLSTATES = {"23505", "40001", "40P01"}
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
    """Import one document's bytes under its file name; never raises for a bad document."""
    display = display or file_name
    sha256 = hashlib.sha256(data).hexdigest()
    if _is_unchanged(file_name, sha256, metadata):
        return FileResult(display, ImportedFile.UNCHANGED)
    parsed = _parse(data, file_name, metadata)
    return _save(parsed, data, file_name, sha256, metadata, dry_run, display)


def _parse(data: bytes, file_name: str, metadata: Metadata) -> parsing.ParsedDocument | str:
    """The parse with the stated metadata applied, or why the document cannot be imported."""
    try:
        parsed = parsing.parse_document(data, file_name)
        _apply_metadata(parsed, metadata)
        _check_parse(parsed)
    except parsing.ParseError as exc:
        return exc.reason
    except ImportError_ as exc:
        return str(exc)
    return parsed


def _save(
    parsed: parsing.ParsedDocument | str,
    data: bytes,
    file_name: str,
    sha256: str,
    metadata: Metadata,
    dry_run: bool,
    display: str,
) -> FileResult:
    if isinstance(parsed, str):
        return FileResult(display, ImportedFile.FAILED, parsed)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                _lock(f"file:{file_name}")
                current = _current_version(file_name)
                # Re-checked under the lock: a concurrent import of the same file may have won.
                if current and _is_same_version(current, sha256, metadata):
                    return FileResult(display, ImportedFile.UNCHANGED)
                result = _store(parsed, data, file_name, sha256, metadata, current)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    page_cache.archive_changed()
            break
        except DatabaseError as exc:
            # The whole document rolled back: the archive keeps its previous version.
            if attempt < ATTEMPTS and _lost_a_race(exc):
                continue
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


def _is_unchanged(file_name: str, sha256: str, metadata: Metadata) -> bool:
    return SourceDocument.objects.filter(
        file_name=file_name,
        sha256=sha256,
        parser_version=parsing.PARSER_VERSION,
        metadata=metadata.as_json(),
    ).exists()


def _current_version(file_name: str) -> SourceDocument | None:
    """The stored document of that name, locked, without its (possibly large) content."""
    return (
        SourceDocument.objects.select_for_update()
        .only("sha256", "parser_version", "metadata")
        .filter(file_name=file_name)
        .first()
    )


def _is_same_version(document: SourceDocument, sha256: str, metadata: Metadata) -> bool:
    return (document.sha256, document.parser_version, document.metadata) == (
        sha256,
        parsing.PARSER_VERSION,
        metadata.as_json(),
    )


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
    parsed: parsing.ParsedDocument,
    data: bytes,
    file_name: str,
    sha256: str,
    metadata: Metadata,
    document: SourceDocument | None,
) -> FileResult:
    replaced = document is not None
    previous_meetings: list[Meeting] = []
    items_removed = 0
    if document is None:
        document = SourceDocument(file_name=file_name)
    else:
        previous_meetings = list(document.meetings.order_by("id"))
        _, deleted = AgendaItem.objects.filter(document=document).delete()
        items_removed = deleted.get(AgendaItem._meta.label, 0)  # not its attachments and links
    document.sha256 = sha256
    document.size = len(data)
    # The original would carry a confidential item's text: then only the blanked text stays.
    document.content = None if _has_confidential_item(parsed) else data
    document.text = withheld_text(parsed)
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
    _link_meetings(document, meetings, replaced=replaced)
    meetings_removed = _remove_orphans(previous_meetings)
    refresh_current([m.pk for m in meetings] + [m.pk for m in previous_meetings if m.pk])
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


def _has_confidential_item(parsed: parsing.ParsedDocument) -> bool:
    return any(item.is_confidential for meeting in parsed.meetings for item in meeting.items)


def withheld_text(parsed: parsing.ParsedDocument) -> str:
    """The document's normalised lines with every confidential item's span blanked.

    A span runs from the item's header line up to the next item's header of
    any meeting in the document, or to the end. Blanked lines stay (empty), so
    line numbers still match Item.line. A confidential item the parser could
    not place blanks the whole text: its span is unknown.
    """
    lines = list(parsed.lines)
    items = [item for meeting in parsed.meetings for item in meeting.items]
    starts = sorted({item.line for item in items if item.line})
    for item in items:
        if not item.is_confidential:
            continue
        if not item.line:
            return "\n" * max(len(lines) - 1, 0)
        following = bisect.bisect_right(starts, item.line)
        end = starts[following] if following < len(starts) else len(lines) + 1
        span = slice(item.line - 1, end - 1)
        lines[span] = [""] * len(lines[span])
    return "\n".join(lines)


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
    parsed: parsing.Meeting, file_name: str, position: int, undated_to_reuse: list[Meeting]
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
    for row, pk in zip(rows, _reserve_ids(AgendaItem, len(rows)), strict=True):
        row.pk = pk
    _mark_current(meeting, rows)
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
    cases = _cases(numbers)
    links = {(row.pk, cases[number].pk) for row, number in item_cases}
    # Links before their items (the foreign keys are checked at commit): the
    # database computes an item's search vector, cases included, when the item
    # is inserted; a link inserted after its item would make it compute it again.
    ItemCase.objects.bulk_create([ItemCase(item_id=i, case_id=c) for i, c in links])
    AgendaItem.objects.bulk_create(rows)
    Attachment.objects.bulk_create(attachments)
    return len(rows)


def _mark_current(meeting: Meeting, rows: list[AgendaItem]) -> None:
    """Set is_current on new rows, so they need no update after their insert.

    A new row is newer than any stored one, so it is current unless it is an
    agenda's and minutes of the meeting hold its number. The rows it outranks
    stop being current first: at most one current row per number, always.
    refresh_current() after the whole document settles whatever remains.
    """
    minuted = set(
        AgendaItem.objects.filter(meeting=meeting, kind=MINUTES).values_list("number", flat=True)
    )
    for row in rows:
        row.is_current = row.kind == MINUTES or row.number not in minuted
    outranked = [row.number for row in rows if row.is_current]
    AgendaItem.objects.filter(meeting=meeting, number__in=outranked, is_current=True).update(
        is_current=False
    )


# Per meeting and number the row the pages show: minutes over agenda ("minutes" sorts
# after "agenda"), then the newest. Only rows whose flag changes are written.
_REFRESH_CURRENT = """
WITH shown AS (
  SELECT DISTINCT ON (meeting_id, number) id FROM meetings_agendaitem
  WHERE meeting_id = ANY(%(meetings)s)
  ORDER BY meeting_id, number, kind DESC, id DESC
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
    row.sections = [{"heading": h, "text": t} for h, t in item.sections.items()]
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
    # Sorted: two imports inserting overlapping numbers in one statement wait for each
    # other instead of deadlocking (across statements, _save retries the loser).
    Case.objects.bulk_create([Case(number=n) for n in sorted(numbers)], ignore_conflicts=True)
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
    for result in _import_files(paths, options, dry_run=dry_run, jobs=jobs):
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
    paths: Sequence[Path], options: Metadata, *, dry_run: bool, jobs: int
) -> Iterator[FileResult]:
    import_one = partial(import_file, options=options, dry_run=dry_run)
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
    if len(data) > MAX_DOCUMENT_BYTES:
        result = FileResult(
            file_name, ImportedFile.FAILED, f"larger than {MAX_DOCUMENT_BYTES // 2**20} MB"
        )
    else:
        result = import_document(data, file_name, metadata, dry_run=dry_run)
    run_options = {**metadata.as_json(), "upload": file_name}
    return _record_run([result], run_options, started_at, started_by=started_by, dry_run=dry_run)


def _record_run(
    results: Sequence[FileResult],
    options: dict,
    started_at: dt.datetime,
    *,
    started_by: str,
    dry_run: bool,
) -> ImportRun:
    """The run's history: who, when, with what options, and each file's outcome."""
    counts = Counter(result.outcome for result in results)
    run = ImportRun.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        started_by=started_by,
        dry_run=dry_run,
        options=options,
        created=counts[ImportedFile.CREATED],
        replaced=counts[ImportedFile.REPLACED],
        unchanged=counts[ImportedFile.UNCHANGED],
        failed=counts[ImportedFile.FAILED],
    )
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
