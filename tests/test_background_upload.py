"""An admin upload is imported in a background thread: the web worker answers at once.

These tests let the real thread run on its own connection, so they commit
(transactional database) and gate the import on an event to see the run
while it is still going.
"""

from __future__ import annotations

import threading

import pytest

from meetings import importing
from meetings.models import ImportRun, Meeting, QueuedUpload, SourceDocument

from .test_admin import UPLOAD_URL, make_staff, sample_file

IN_PROGRESS = "Importen kører i baggrunden"


@pytest.fixture
def gated_import(monkeypatch):
    """Hold every background import until the test opens the gate."""
    gate, started = threading.Event(), threading.Event()
    real = importing._import_upload

    def held(*args, **kwargs):
        started.set()
        assert gate.wait(30), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "_import_upload", held)
    yield gate, started
    gate.set()
    importing.wait_for_uploads(30)


@pytest.mark.django_db(transaction=True)
def test_an_upload_answers_at_once_and_its_run_page_shows_progress_then_result(
    client, gated_import
):
    gate, started = gated_import
    client.force_login(make_staff("redaktoer", "add_sourcedocument", "view_importrun"))

    response = client.post(UPLOAD_URL, {"file": sample_file()})

    assert response.status_code == 302
    assert started.wait(30), "the background import did not start"
    run = ImportRun.objects.get()
    assert run.status == ImportRun.RUNNING and not SourceDocument.objects.exists()
    page = client.get(response.url)
    assert IN_PROGRESS in page.content.decode()
    assert '<meta http-equiv="refresh"' in page.content.decode()

    gate.set()
    importing.wait_for_uploads(30)

    run.refresh_from_db()
    assert run.status == ImportRun.FINISHED and run.created == 1
    assert Meeting.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert IN_PROGRESS not in page and "refresh" not in page
    assert "er importeret" in page


@pytest.mark.django_db(transaction=True)
def test_an_upload_left_queued_by_an_ended_process_is_imported_by_the_command(monkeypatch):
    monkeypatch.setattr(importing, "_start_in_background", lambda run_id: None)  # process died
    run = importing.queue_upload(
        sample_file().read(), "referat.txt", importing.Metadata(), started_by="redaktoer"
    )
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.QUEUED

    from django.core.management import call_command

    call_command("import_uploads")

    run.refresh_from_db()
    assert run.status == ImportRun.FINISHED and run.created == 1
    assert not QueuedUpload.objects.exists()
