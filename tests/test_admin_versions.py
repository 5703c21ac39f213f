"""Staff review in the admin: a held document's reasons, publish, changes, withdraw."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.importing import Metadata, run_upload
from meetings.models import DocumentVersion, SourceDocument

from .test_admin import make_staff
from .test_document_identity import DOUBTFUL, MARCH, minutes_text

STATED = Metadata(body="Udvalget")


def url(name: str, *args) -> str:
    return reverse(f"admin:meetings_sourcedocument_{name}", args=args)


@pytest.fixture
def editor(client):
    client.force_login(make_staff("redaktoer", "view_sourcedocument", "change_sourcedocument"))
    return client


@pytest.mark.django_db
def test_a_held_document_shows_its_reason_and_is_published_by_staff(editor, client):
    run_upload(DOUBTFUL.encode(), "referat.txt", STATED, started_by="x")
    document = SourceDocument.objects.get()
    version = document.versions.get()

    listed = editor.get(url("changelist") + "?gennemsyn=held").content.decode()
    assert "referat.txt" in listed
    page = editor.get(url("change", document.pk)).content.decode()
    assert "venter på gennemsyn" in page and "markerer noget som lukket" in page
    assert url("publish", document.pk, version.pk) in page

    confirm = editor.get(url("publish", document.pk, version.pk))
    assert confirm.status_code == 200 and "Offentliggør version 1" in confirm.content.decode()
    done = editor.post(url("publish", document.pk, version.pk), {"reason": ""}, follow=True)

    document.refresh_from_db()
    version.refresh_from_db()
    assert document.status == SourceDocument.PUBLISHED
    assert (version.state, version.decided_by) == ("current", "redaktoer (admin)")
    assert "Udført: Offentliggør version 1." in done.content.decode()


@pytest.mark.django_db
def test_staff_see_what_changed_between_two_versions(editor):
    run_upload(minutes_text(MARCH, "Havnen", "Udsat.").encode(), "r.txt", STATED, started_by="x")
    run_upload(minutes_text(MARCH, "Havnen", "Vedtaget.").encode(), "r.txt", STATED, started_by="y")
    document = SourceDocument.objects.get()
    newer = document.versions.get(number=2)

    page = editor.get(url("changes", document.pk, newer.pk)).content.decode()

    assert "Fra version 1 til version 2" in page
    assert "-Udsat." in page and "+Vedtaget." in page
    history = editor.get(url("change", document.pk)).content.decode()
    assert "superseded" in history or "erstattet" in history


@pytest.mark.django_db
def test_withdrawing_a_document_needs_a_reason_and_records_who(editor, client):
    run_upload(minutes_text(MARCH, "Havnen", "Ja.").encode(), "r.txt", STATED, started_by="x")
    document = SourceDocument.objects.get()

    refused = editor.post(url("withdraw_document", document.pk), {"reason": ""})
    assert refused.status_code == 200  # the form again, with its error
    document.refresh_from_db()
    assert document.status == SourceDocument.PUBLISHED

    editor.post(url("withdraw_document", document.pk), {"reason": "personoplysninger"})

    document.refresh_from_db()
    version = document.versions.get()
    assert document.status == SourceDocument.WITHDRAWN
    assert (version.state, version.decided_by, version.decision_reason) == (
        DocumentVersion.WITHDRAWN,
        "redaktoer (admin)",
        "personoplysninger",
    )


@pytest.mark.django_db
def test_staff_who_may_only_view_cannot_decide(client):
    client.force_login(make_staff("laeser", "view_sourcedocument"))
    run_upload(DOUBTFUL.encode(), "referat.txt", STATED, started_by="x")
    document = SourceDocument.objects.get()
    version = document.versions.get()

    assert client.post(url("publish", document.pk, version.pk)).status_code == 403
    assert client.post(url("withdraw_document", document.pk), {"reason": "x"}).status_code == 403
    assert SourceDocument.objects.get().status == SourceDocument.HELD
