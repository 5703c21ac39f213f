"""A doubtful parse is imported but held: on no public surface until staff publish it.

The parses here are doubtful by the plausibility check (meetings/parsing/
plausibility.py): a body named nowhere, a table of contents read as the
agenda. Before that check such documents were published, under "ukendt
organ" and as empty items, with only an "unknown layout" warning. The
corpus and the agenda systems' exports are not held.
"""

from __future__ import annotations

import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings import importing, versions
from meetings.importing import Metadata, import_file, run_import, run_upload
from meetings.models import AgendaItem, DocumentVersion, ImportedFile, Meeting, SourceDocument
from meetings.parsing.plausibility import NO_BODY_REASON, NOT_MINUTES_REASON

from .conftest import SAMPLE_FILES, SAMPLES
from .test_admin import make_staff
from .test_document_identity import DECIDED, MARCH, SEARCH, _hits, _surfaces, minutes_text

SYSTEMS = Path(__file__).resolve().parents[1].parent / "shared" / "systems"
EXPORTS = [
    "greve_byraad_2024-10-02.json",
    "aarhus_teknisk_udvalg_referat_2025-10-01.html",
    "sbsys_Publication553_regionh.xml",
]
STATUS_TABLE = "aarhus_sundhed_omsorg_sager_paa_vej_2025-08-29.pdf"
needs_systems = pytest.mark.skipif(
    not (SYSTEMS / "docs").is_dir(), reason=f"the systems documents are not at {SYSTEMS}"
)
# Minutes that say what was decided but not which body met.
NO_BODY = minutes_text(MARCH, "Sporvognsordningen", f"{DECIDED}.")
NO_BODY_IN_DANISH = "dokumentet nævner ikke, hvilket organ (udvalg eller råd) mødet hører til"
# A table of contents read as the agenda: the numbered lines are its entries, the
# text under them has no item headers at all.
CONTENTS_AS_AGENDA = (
    "Referat\n\nMødet den 3. marts 2025\n\nIndhold\n"
    "1. Godkendelse af dagsorden\n2. Sporvognen\n3. Cykelstien\n4. Eventuelt\n\n"
    "Dagsordenen blev godkendt.\n"
    + f"{DECIDED} efter en lang drøftelse af linjeføringen og økonomien.\n"
    * 30
)


def url(name: str, *args) -> str:
    return reverse(f"admin:meetings_sourcedocument_{name}", args=args)


def public_surfaces(client, document: SourceDocument) -> str:
    """Every public page, search, feed and export that could show the document."""
    feeds = "\n".join(client.get(u).content.decode() for u in ("/feed.atom", "/moeder/"))
    return _surfaces(client, document) + feeds


@pytest.fixture(autouse=True)
def _fresh_search(settings):
    # Each test rolls the archive's version back: a search cached by an earlier test
    # at the same version would answer for this one.
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def editor(client):
    client.force_login(make_staff("redaktoer", "view_sourcedocument", "change_sourcedocument"))
    return client


@pytest.mark.django_db
def test_a_parse_that_names_no_body_is_held_not_published_as_unknown_body(client):
    run = run_upload(NO_BODY.encode(), "referat.txt", Metadata(), started_by="x")

    [result] = run.files.all()
    assert (result.outcome, run.held, run.created) == (ImportedFile.HELD, 1, 0)
    assert result.message == f"held for review: {NO_BODY_REASON}"
    document = SourceDocument.objects.get()
    assert document.status == SourceDocument.HELD
    assert document.versions.get().review_reasons == [NO_BODY_REASON]
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()
    assert DECIDED not in public_surfaces(client, document) and _hits(client) == 0
    assert client.get(f"/dokumenter/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_stated_body_answers_the_doubt():
    run = run_upload(NO_BODY.encode(), "referat.txt", Metadata(body="Byrådet"), started_by="x")
    assert run.files.get().outcome == ImportedFile.CREATED
    assert Meeting.objects.get().body.name == "Byrådet"


@pytest.mark.django_db
def test_a_document_that_does_not_say_what_it_is_is_held_unless_staff_say_it():
    """Numbered lines and a body stated, but never a Dagsorden, Referat or Møde."""
    rows = (
        "1 (Offentlig) Budget\n\nResumé\nTal for året.\n\n2 (Offentlig) Regnskab\n\nResumé\nTal.\n"
    )
    held = run_upload(rows.encode(), "tabel.txt", Metadata(body="U"), started_by="x")
    assert held.files.get().message == f"held for review: {NOT_MINUTES_REASON}"

    stated = Metadata(body="U", kind="agenda")
    assert run_upload(rows.encode(), "dagsorden.txt", stated, started_by="x").created == 1


@pytest.mark.django_db
def test_a_table_of_contents_read_as_the_agenda_is_never_published(client):
    run = run_upload(CONTENTS_AS_AGENDA.encode(), "referat.txt", Metadata(body="U"), started_by="x")

    [result] = run.files.all()
    # Held with the reason, or refused by a layout that knows the contents for what they are.
    assert result.outcome in (ImportedFile.HELD, ImportedFile.FAILED), result.message
    assert not AgendaItem.objects.exists()
    assert DECIDED not in "\n".join(client.get(u).content.decode() for u in ("/feed.atom", SEARCH))


@pytest.mark.django_db
def test_staff_see_a_held_document_s_reasons_in_danish_and_publish_it(editor, client):
    run_upload(NO_BODY.encode(), "referat.txt", Metadata(), started_by="x")
    document = SourceDocument.objects.get()
    version = document.versions.get()

    waiting = editor.get(url("changelist") + "?gennemsyn=venter").content.decode()
    assert "referat.txt" in waiting
    page = editor.get(url("change", document.pk)).content.decode()
    assert NO_BODY_IN_DANISH in page and NO_BODY_REASON not in page
    assert url("publish", document.pk, version.pk) in page
    assert url("drop", document.pk, version.pk) in page

    editor.post(url("publish", document.pk, version.pk), {"reason": ""})

    document.refresh_from_db()
    assert document.status == SourceDocument.PUBLISHED
    assert document.versions.get().state == DocumentVersion.CURRENT
    assert DECIDED in public_surfaces(client, document) and _hits(client) == 1


@pytest.mark.django_db
def test_staff_drop_a_held_document_and_it_never_shows(editor, client):
    run_upload(NO_BODY.encode(), "referat.txt", Metadata(), started_by="x")
    document = SourceDocument.objects.get()
    version = document.versions.get()

    editor.post(url("drop", document.pk, version.pk), {"reason": "organ ukendt"})

    document.refresh_from_db()
    version.refresh_from_db()
    assert (version.state, version.decision_reason) == (DocumentVersion.DROPPED, "organ ukendt")
    assert document.status == SourceDocument.WITHDRAWN and document.text == ""
    assert DECIDED not in public_surfaces(client, document) and _hits(client) == 0
    again = run_upload(NO_BODY.encode(), "referat.txt", Metadata(), started_by="x")
    assert again.unchanged == 1 and not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_a_held_document_corrected_and_imported_again_is_published(tmp_path, client):
    """Staff state what the parse lacked (a sidecar naming the body) and ingest it again."""
    path = tmp_path / "referat.txt"
    path.write_text(NO_BODY)
    assert import_file(path, Metadata()).outcome == ImportedFile.HELD
    (tmp_path / "referat.txt.meta.json").write_text('{"body": "Byrådet"}')

    result = import_file(path, Metadata())

    assert result.outcome == ImportedFile.CREATED
    document = SourceDocument.objects.get()
    assert document.status == SourceDocument.PUBLISHED
    assert dict(document.versions.values_list("number", "state")) == {
        1: DocumentVersion.SUPERSEDED,
        2: DocumentVersion.CURRENT,
    }
    assert Meeting.objects.get().body.name == "Byrådet"
    assert DECIDED in public_surfaces(client, document) and _hits(client) == 1


@pytest.mark.django_db
def test_a_withdrawn_document_imported_again_still_waits_for_staff(tmp_path):
    path = tmp_path / "referat.txt"
    path.write_text(NO_BODY)
    import_file(path, Metadata(body="Byrådet"))
    versions.withdraw_document(SourceDocument.objects.get(), by="redaktoer", reason="fejl")
    path.write_text(NO_BODY + "Tilføjet.\n")

    assert import_file(path, Metadata(body="Byrådet")).outcome == ImportedFile.HELD
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_no_corpus_document_is_held():
    results = {name: import_file(SAMPLES / name, Metadata()) for name in SAMPLE_FILES}
    assert {name: r.outcome for name, r in results.items()} == dict.fromkeys(
        SAMPLE_FILES, ImportedFile.CREATED
    )
    assert not DocumentVersion.objects.exclude(review_reasons=[]).exists()


@needs_systems
@pytest.mark.django_db
@pytest.mark.parametrize("name", EXPORTS)
def test_no_agenda_system_export_is_held(name):
    result = import_file(SYSTEMS / "docs" / name, Metadata())
    assert result.outcome == ImportedFile.CREATED, result.message
    assert AgendaItem.objects.filter(document_id=result.document_id).exists()


@needs_systems
@pytest.mark.django_db
def test_the_status_table_is_refused_or_held_never_published():
    result = import_file(SYSTEMS / "docs" / STATUS_TABLE, Metadata())
    assert result.outcome in (ImportedFile.FAILED, ImportedFile.HELD), result.message
    assert "does not look like an agenda or minutes" in result.message
    assert not AgendaItem.objects.exists() and not Meeting.objects.exists()


@pytest.mark.django_db
def test_an_importer_bug_gives_its_reason_logs_its_traceback_and_the_run_goes_on(
    tmp_path, monkeypatch, caplog
):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(minutes_text(MARCH, "Havnen", "Godkendt."))
    second.write_text(minutes_text(MARCH, "Skolen", "Godkendt."))
    store = importing._store

    def buggy_store(incoming):
        if incoming.file_name == "a.txt":
            raise AttributeError("'NoneType' object has no attribute 'pk'")  # the bug
        return store(incoming)

    monkeypatch.setattr(importing, "_store", buggy_store)
    with caplog.at_level(logging.ERROR, logger="meetings.importing"):
        run = run_import([first, second], Metadata(body="Byrådet"), started_by="test")

    failed, imported = run.files.order_by("path")
    assert failed.outcome == ImportedFile.FAILED
    assert failed.message == (
        "the importer failed unexpectedly (AttributeError: 'NoneType' object has no attribute 'pk')"
    )
    assert imported.outcome == ImportedFile.CREATED
    [record] = caplog.records
    assert str(first) in record.getMessage() and record.exc_info[0] is AttributeError
    assert "buggy_store" in caplog.text  # the traceback, down to the frame that failed


def test_parse_shows_what_a_document_would_be_held_for(tmp_path):
    path = tmp_path / "referat.txt"
    path.write_text(NO_BODY)
    out = StringIO()
    call_command("parse", str(path), stdout=out)
    assert f"  held for review: {NO_BODY_REASON}\n" in out.getvalue()
