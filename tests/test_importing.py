"""The importer on real PostgreSQL: idempotence, replacement, rollback, concurrency, bad input."""

from __future__ import annotations

import json
import shutil
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from meetings import importing, reasons
from meetings.importing import Metadata, import_document, import_file, run_import, run_upload
from meetings.models import (
    AgendaItem,
    Attachment,
    Body,
    Case,
    ImportedFile,
    ImportRun,
    Meeting,
    SourceDocument,
)

from .conftest import SAMPLES

SST = "004_8d8a7837cce6a1ab.txt"  # one dated meeting, 5 items
MODERN = "001_0aba8dafb6435775.txt"  # undated agenda, 11 items, 2/4/5 confidential
BOARD = "002_c726c5dda8553df7.txt"  # undated minutes, 18 items
# What a file that is no meeting document (a letter, a shopping list) is refused with.
NOT_MINUTES = (
    "no agenda items found (layout generic); the document does not look like an agenda or "
    "minutes (it never says Dagsorden, Referat or Møde)"
)


def copy_sample(folder: Path, name: str, new_name: str | None = None) -> Path:
    target = folder / (new_name or name)
    shutil.copyfile(SAMPLES / name, target)
    return target


def ingest(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def snapshot() -> dict:
    """Everything the archive holds, by primary key, to compare before and after."""
    return {
        "meetings": sorted(Meeting.objects.values_list("pk", "slug", "date", "body_id")),
        "items": sorted(
            AgendaItem.objects.values_list("pk", "meeting_id", "number", "title", "decision")
        ),
        "documents": sorted(SourceDocument.objects.values_list("pk", "sha256")),
        "attachments": Attachment.objects.count(),
        "cases": sorted(Case.objects.values_list("number", flat=True)),
    }


@pytest.mark.django_db
def test_import_then_reimport_is_a_no_op(tmp_path):
    copy_sample(tmp_path, SST)
    copy_sample(tmp_path, MODERN)
    code, out, _ = ingest(str(tmp_path))
    assert code == 0
    assert "2 imported, 0 replaced, 0 unchanged, 0 failed" in out
    before = snapshot()
    assert len(before["items"]) == 5 + 11

    code, out, _ = ingest(str(tmp_path))
    assert code == 0
    assert "0 imported, 0 replaced, 2 unchanged, 0 failed" in out
    assert out.count("unchanged: ") == 2
    assert snapshot() == before


@pytest.mark.django_db
def test_dates_are_never_invented_and_sidecar_body_wins(tmp_path):
    path = copy_sample(tmp_path, MODERN)
    (tmp_path / "001_0aba8dafb6435775.meta.json").write_text(
        json.dumps({"body": "DR Sundhedsudvalg"})
    )
    result = import_file(path, Metadata())
    assert result.outcome == ImportedFile.CREATED, result.message
    meeting = Meeting.objects.get()
    assert meeting.date is None
    assert meeting.body.name == "DR Sundhedsudvalg"
    assert meeting.slug.startswith("ukendt-dato-dr-sundhedsudvalg-")


@pytest.mark.django_db
def test_command_line_date_and_toml_sidecar(tmp_path):
    copy_sample(tmp_path, MODERN)
    (tmp_path / "001_0aba8dafb6435775.meta.toml").write_text('body = "Sundhedsudvalget"\n')
    code, out, err = ingest(str(tmp_path), "--date", "2025-03-06")
    assert code == 0, err
    meeting = Meeting.objects.get()
    assert str(meeting.date) == "2025-03-06"
    assert meeting.slug == "2025-03-06-sundhedsudvalget"


@pytest.mark.django_db
def test_changed_document_replaces_exactly_its_own_meetings(tmp_path):
    sst = copy_sample(tmp_path, SST)
    copy_sample(tmp_path, MODERN)
    assert ingest(str(tmp_path))[0] == 0
    modern_items = sorted(
        AgendaItem.objects.filter(document__file_name=MODERN).values_list("pk", "title")
    )
    sst_meeting = Meeting.objects.get(documents__file_name=SST)
    permalink = AgendaItem.objects.get(meeting=sst_meeting, number=2).get_absolute_url()

    # A corrected edition: item 5's header is gone (its text joins item 4).
    text = sst.read_text(encoding="utf-8")
    assert "Punkt 5. Eventuelt." in text
    corrected = text.replace("Punkt 5. Eventuelt.", "Eventuelt blev ikke behandlet.", 1)
    sst.write_text(corrected, encoding="utf-8")
    code, out, _ = ingest(str(tmp_path))
    assert code == 0
    assert "0 imported, 1 replaced, 1 unchanged, 0 failed" in out

    assert (
        sorted(AgendaItem.objects.filter(document__file_name=MODERN).values_list("pk", "title"))
        == modern_items
    )
    meeting = Meeting.objects.get(documents__file_name=SST)
    assert meeting.pk == sst_meeting.pk and meeting.slug == sst_meeting.slug
    numbers = list(meeting.items.values_list("number", flat=True))
    assert 5 not in numbers and 2 in numbers
    assert AgendaItem.objects.get(meeting=meeting, number=2).get_absolute_url() == permalink


@pytest.mark.django_db
def test_failing_document_rolls_back_and_keeps_the_previous_version(tmp_path):
    sst = copy_sample(tmp_path, SST)
    assert ingest(str(tmp_path))[0] == 0
    before = snapshot()
    # A corrected edition, imported with a body name longer than the column allows:
    # PostgreSQL refuses it after the old items were already deleted inside the
    # transaction, so everything must roll back.
    sst.write_text(
        sst.read_text(encoding="utf-8").replace("Punkt 5. Eventuelt.", "Ny tekst.", 1),
        encoding="utf-8",
    )
    code, _, err = ingest(str(sst), "--body", "Udvalg " * 60)
    assert code == 1
    assert f"error: {sst}: could not be stored" in err
    assert snapshot() == before


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path):
    copy_sample(tmp_path, SST)
    code, out, _ = ingest(str(tmp_path), "--dry-run")
    assert code == 0
    assert "would be created: " in out and "(1 meeting, 5 items)" in out
    assert "dry run, nothing written: 1 imported" in out
    assert Meeting.objects.count() == 0 and SourceDocument.objects.count() == 0
    assert ImportRun.objects.get().dry_run is True


@pytest.mark.django_db
def test_agenda_and_minutes_of_one_meeting_are_one_meeting(tmp_path):
    agenda = copy_sample(tmp_path, MODERN, "sundhed-dagsorden.txt")
    minutes = copy_sample(tmp_path, MODERN, "sundhed-referat.txt")
    # The minutes edition: same meeting, decisions recorded.
    minutes.write_text(
        minutes.read_text(encoding="utf-8").replace(
            "Bilag", "Beslutninger:\nTaget til efterretning.\n\nBilag"
        ),
        encoding="utf-8",
    )
    stated = Metadata(body="Sundhedsudvalget", date=__import__("datetime").date(2025, 3, 6))
    assert import_file(agenda, stated).outcome == ImportedFile.CREATED
    assert import_file(minutes, stated).outcome == ImportedFile.CREATED
    meeting = Meeting.objects.get()
    assert meeting.documents.count() == 2
    kinds = set(meeting.items.filter(number=1).values_list("kind", flat=True))
    assert kinds == {"agenda", "minutes"}
    minutes_item = meeting.items.get(number=1, kind="minutes")
    assert minutes_item.decision.startswith("Taget til efterretning")
    assert meeting.items.get(number=1, kind="agenda").decision == ""


@pytest.mark.django_db
def test_confidential_item_keeps_nothing_even_when_the_document_carries_text(tmp_path):
    path = copy_sample(tmp_path, MODERN)
    secret = "Hemmelig forhandling om løn til direktør Xylofonsen"
    text = path.read_text(encoding="utf-8").replace(
        "2 (Fortrolig)", f"2 (Fortrolig) {secret}\n\nResumé\n{secret} indhold.\n", 1
    )
    path.write_text(text, encoding="utf-8")
    assert import_file(path, Metadata(body="Sundhedsudvalget")).outcome == ImportedFile.CREATED
    item = AgendaItem.objects.get(number=2)
    assert item.access == "confidential"
    assert (item.title, item.recommendation, item.decision, item.sections) == ("", "", "", [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM meetings_agendaitem AS i WHERE row_to_json(i)::text LIKE %s",
            ["%Xylofonsen%"],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM meetings_attachment WHERE title LIKE %s", ["%Xylofonsen%"]
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_the_database_refuses_content_on_a_confidential_item(tmp_path):
    from django.db import IntegrityError, transaction

    path = copy_sample(tmp_path, MODERN)
    import_file(path, Metadata())
    item = AgendaItem.objects.get(number=2)
    item.decision = "leaked"
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_yield_one_copy(tmp_path):
    data = (SAMPLES / SST).read_bytes()
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(import_document(data, SST, Metadata()).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "unchanged", "unchanged"]
    assert SourceDocument.objects.count() == 1
    assert Meeting.objects.count() == 1
    assert AgendaItem.objects.count() == 5


def _blank_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100)  # a drawing, no text: what a scan looks like to a text extractor
    return bytes(pdf.output())


@pytest.mark.django_db
def test_bad_inputs_fail_one_by_one_and_the_rest_is_imported(tmp_path):
    copy_sample(tmp_path, SST)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "scanned.pdf").write_bytes(_blank_pdf())
    (tmp_path / "truncated.pdf").write_bytes(_blank_pdf()[:200])
    (tmp_path / "no-items.txt").write_text("Kære alle,\n\nHer er en indkøbsliste.\nMælk\nBrød\n")
    odd = copy_sample(tmp_path, MODERN, "odd-date.txt")
    odd.with_name("odd-date.meta.json").write_text(json.dumps({"date": "1066-10-14"}))

    code, out, err = ingest(str(tmp_path))
    assert code == 1
    assert "1 imported, 0 replaced, 0 unchanged, 6 failed" in out
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 6
    by_file = {Path(line.split(": ")[1]).name: line for line in errors}
    assert set(by_file) == {
        "empty.txt",
        "garbage.txt",
        "scanned.pdf",
        "truncated.pdf",
        "no-items.txt",
        "odd-date.txt",
    }
    assert "empty" in by_file["empty.txt"].lower()
    assert "text layer" in by_file["scanned.pdf"]
    assert "1066-10-14" in by_file["odd-date.txt"]
    assert "no agenda items" in by_file["no-items.txt"]
    assert Meeting.objects.count() == 1
    assert SourceDocument.objects.get().file_name == SST
    run = ImportRun.objects.get()
    assert (run.created, run.failed) == (1, 6)
    assert run.files.filter(outcome="failed").count() == 6


@pytest.mark.django_db
def test_missing_path_and_bad_option_are_errors(tmp_path):
    code, out, err = ingest(str(tmp_path / "nowhere"))
    assert code == 1
    assert "nowhere: no such file" in err

    with pytest.raises(CommandError, match="not a date"):
        call_command("ingest", str(tmp_path), "--date", "2024-02-30")


@pytest.mark.django_db
def test_bodies_and_cases_are_shared_across_documents(tmp_path):
    copy_sample(tmp_path, MODERN)
    copy_sample(tmp_path, "000_a5bf867b36756b8a.txt")
    copy_sample(tmp_path, BOARD)
    assert ingest(str(tmp_path), "--body", "Sundhedsudvalget")[0] == 0
    assert list(Body.objects.values_list("name", flat=True)) == ["Sundhedsudvalget"]
    # Items 9-11 of 001 share the meeting case MOD-2025-00121.
    case = Case.objects.get(number="MOD-2025-00121")
    assert sorted(case.items.values_list("number", flat=True)) == [9, 10, 11]


# ------------------------------------------------- progress, runs, search


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def _ingest_with_stderr(stderr: StringIO, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=stderr)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.mark.django_db
def test_without_a_terminal_progress_is_one_plain_line_per_file(tmp_path):
    copy_sample(tmp_path, SST)
    copy_sample(tmp_path, MODERN)
    (tmp_path / "brev.txt").write_text("Kære alle,\n\nHer er en indkøbsliste.\n")
    err = StringIO()

    code, out = _ingest_with_stderr(err, str(tmp_path))

    assert code == 1
    assert out.splitlines() == [
        f"created: {tmp_path / MODERN} (1 meeting, 11 items)",
        f"created: {tmp_path / SST} (1 meeting, 5 items)",
        f"2 imported, 0 replaced, 0 unchanged, 1 failed (import run {ImportRun.objects.get().pk})",
    ]
    assert err.getvalue() == f"error: {tmp_path / 'brev.txt'}: {NOT_MINUTES}\n"
    assert "\r" not in out + err.getvalue()


@pytest.mark.django_db
def test_on_a_terminal_a_bar_shows_progress_and_failures_are_still_printed(tmp_path):
    copy_sample(tmp_path, SST)
    copy_sample(tmp_path, MODERN)
    (tmp_path / "brev.txt").write_text("Kære alle,\n\nHer er en indkøbsliste.\n")
    terminal = _Terminal()

    code, out = _ingest_with_stderr(terminal, str(tmp_path))

    assert code == 1
    drawn = terminal.getvalue()
    assert "\r" in drawn and "3/3" in drawn and "dok" in drawn
    assert f"error: {tmp_path / 'brev.txt'}: no agenda items found" in drawn
    assert "created: " not in out  # the bar shows those
    assert out.startswith("2 imported, 0 replaced, 0 unchanged, 1 failed")


@pytest.mark.django_db
def test_a_replacement_reports_the_items_it_revised_and_removed(tmp_path):
    sst = copy_sample(tmp_path, SST)
    assert ingest(str(sst))[0] == 0
    sst.write_text(
        sst.read_text(encoding="utf-8").replace("Punkt 5. Eventuelt.", "Ny tekst.", 1),
        encoding="utf-8",
    )

    code, out, _ = ingest(str(sst))

    assert code == 0
    # Item 5's header became text of item 4: item 4 is revised, item 5 is gone.
    detail = "(1 meeting, 4 items; 1 item revised, 1 item and 0 meetings no longer in it)"
    assert f"replaced: {sst} {detail}" in out


@pytest.mark.django_db
def test_one_file_name_twice_in_a_run_is_stored_once(tmp_path):
    # Identical bytes under one name: the second is "unchanged" (in a parallel
    # run it may be checked before the first is stored; the lock re-checks).
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = copy_sample(tmp_path / "a", SST), copy_sample(tmp_path / "b", SST)

    run = run_import([first, second], Metadata(), started_by="test")

    assert list(run.files.values_list("path", "outcome")) == [
        (str(first), "created"),
        (str(second), "unchanged"),
    ]
    assert SourceDocument.objects.count() == 1 and AgendaItem.objects.count() == 5


@pytest.mark.django_db
def test_a_run_leaves_the_connection_committing_synchronously(tmp_path):
    copy_sample(tmp_path, SST)
    run_import([tmp_path / SST], Metadata(), started_by="test")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db
def test_an_upload_is_a_run_of_one_document():
    data = (SAMPLES / SST).read_bytes()

    run = run_upload(data, SST, Metadata(body="Følgegruppen"), started_by="redaktoer (admin)")

    assert (run.created, run.started_by, run.options["upload"]) == (1, "redaktoer (admin)", SST)
    assert run.options["body"] == "Følgegruppen"
    assert list(run.files.values_list("path", "outcome", "items")) == [(SST, "created", 5)]
    again = run_upload(data, SST, Metadata(body="Følgegruppen"), started_by="x")
    assert again.unchanged == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "reason", "danish"),
    [
        (1000, "larger than 1000 bytes", "større end 1000 byte"),
        (2**20, "larger than 1 MB", "større end 1 MB"),
    ],
)
def test_an_oversized_upload_fails_without_parsing(monkeypatch, limit, reason, danish):
    """The limit is stated as it is: a limit under a megabyte was once "larger than 0 MB"."""
    monkeypatch.setattr(importing, "MAX_DOCUMENT_BYTES", limit)
    data = (SAMPLES / SST).read_bytes()
    data += b" " * (limit + 1 - len(data))
    run = run_upload(data, SST, Metadata(), started_by="x")
    assert run.failed == 1
    assert run.files.get().message == reason
    with translation.override("da"):
        assert reasons.in_reader_language(reason) == danish
    assert not SourceDocument.objects.exists()
    # At the limit the file is read (a 1000-byte cut of the minutes is then held as doubtful).
    within = run_upload(data[:limit], SST, Metadata(), started_by="x")
    assert (within.failed, within.created + within.held) == (0, 1)


@pytest.mark.django_db
def test_an_oversized_file_fails_without_being_read(monkeypatch, tmp_path):
    monkeypatch.setattr(importing, "MAX_DOCUMENT_BYTES", 2**20)
    path = tmp_path / SST
    path.write_bytes((SAMPLES / SST).read_bytes().ljust(2**20 + 1, b" "))
    result = import_file(path, Metadata(body="Følgegruppen"))
    assert (result.outcome, result.message) == ("failed", "larger than 1 MB")


@pytest.mark.django_db
def test_search_vectors_are_computed_once_and_include_case_numbers(tmp_path):
    if not any(f.name == "search_vector" for f in AgendaItem._meta.get_fields()):
        pytest.skip("no search columns in this schema")
    copy_sample(tmp_path, MODERN)
    assert ingest(str(tmp_path))[0] == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_vector::text FROM meetings_agendaitem ORDER BY id")
        stored = cursor.fetchall()
        # What the database computes for each item now that everything is in place.
        cursor.execute("UPDATE meetings_agendaitem SET title = title")
        cursor.execute("SELECT id, search_vector::text FROM meetings_agendaitem ORDER BY id")
        assert cursor.fetchall() == stored
    assert "mod202500121" in dict(stored)[AgendaItem.objects.get(number=9).pk]


# ------------------------------------------------------------ parallel runs


def _archive_by_key() -> dict:
    """The archive by natural keys (primary keys differ between runs)."""
    return {
        "bodies": sorted(Body.objects.values_list("name", "slug")),
        "meetings": sorted(Meeting.objects.values_list("body__name", "date", "slug"), key=repr),
        "items": sorted(
            AgendaItem.objects.values_list(
                "document__file_name", "meeting__slug", "number", "kind", "is_current", "title"
            )
        ),
        "case_links": sorted(
            Case.objects.values_list("number", "items__document__file_name", "items__number"),
            key=repr,
        ),
        "attachments": Attachment.objects.count(),
    }


def _many_documents(folder: Path) -> list[Path]:
    """Twelve documents: three new bodies each named by several of them, shared case numbers."""
    paths = []
    for i in range(12):
        sample = [SST, MODERN, BOARD][i % 3]
        path = copy_sample(folder, sample, f"{i:02d}_{sample}")
        meta = {"body": f"Udvalg {i % 3}", "date": f"2024-0{1 + i // 3}-1{i % 3}"}
        path.with_name(path.name + ".meta.json").write_text(json.dumps(meta))
        paths.append(path)
    return paths


@pytest.mark.django_db(transaction=True)
def test_a_parallel_run_stores_what_a_serial_run_stores(tmp_path):
    paths = _many_documents(tmp_path)
    serial = run_import(paths, Metadata(), started_by="test", jobs=1)
    expected = _archive_by_key()
    call_command("flush", interactive=False, verbosity=0)

    parallel = run_import(paths, Metadata(), started_by="test", jobs=2)

    assert (serial.created, parallel.created, parallel.failed) == (12, 12, 0)
    # Results in path order, as the serial run gives them.
    assert list(parallel.files.order_by("id").values_list("path", flat=True)) == [
        str(p) for p in paths
    ]
    assert _archive_by_key() == expected
    assert Body.objects.count() == 3
    again = run_import(paths, Metadata(), started_by="test", jobs=2)
    assert (again.unchanged, again.created, again.replaced) == (12, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_documents_creating_one_new_body_at_once_share_it(tmp_path):
    data = (SAMPLES / SST).read_bytes()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            metadata = Metadata(body="Nyt udvalg", date=importing.parse_date(f"2024-05-0{n}", ""))
            outcomes.append(import_document(data, f"{n}.txt", metadata).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["created", "created"]
    assert list(Body.objects.values_list("name", flat=True)) == ["Nyt udvalg"]
    assert sorted(Meeting.objects.values_list("slug", flat=True)) == [
        "2024-05-01-nyt-udvalg",
        "2024-05-02-nyt-udvalg",
    ]


@pytest.mark.django_db(transaction=True)
def test_ingest_with_jobs_reports_every_file_in_order(tmp_path):
    paths = _many_documents(tmp_path)
    (tmp_path / "brev.txt").write_text("Kære alle,\n\nHer er en indkøbsliste.\n")

    code, out, err = ingest(str(tmp_path), "--jobs", "2")

    assert code == 1
    created = [line.split(" (")[0] for line in out.splitlines() if line.startswith("created")]
    assert created == [f"created: {p}" for p in paths]
    assert err == f"error: {tmp_path / 'brev.txt'}: {NOT_MINUTES}\n"
    assert out.splitlines()[-1].startswith("12 imported, 0 replaced, 0 unchanged, 1 failed")


@pytest.mark.django_db
def test_ingest_refuses_fewer_than_one_job(tmp_path):
    copy_sample(tmp_path, SST)
    with pytest.raises(CommandError, match="--jobs"):
        call_command("ingest", str(tmp_path), "--jobs", "0")
