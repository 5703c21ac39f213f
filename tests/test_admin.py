"""The staff admin: document upload, import history, and corrections of a meeting's date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import forms, importing
from meetings.models import AgendaItem, Body, ImportRun, Meeting, SourceDocument

from .conftest import SAMPLES
from .test_importing import MODERN, SST, snapshot

UPLOAD_URL = reverse("admin:meetings_importrun_upload")


def make_staff(username: str = "redaktoer", *permissions: str) -> User:
    user = User.objects.create_user(username, password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def uploader(client):
    client.force_login(make_staff("redaktoer", "add_sourcedocument", "view_importrun"))
    return client


def sample_file(name: str = SST, data: bytes | None = None, upload_name: str | None = None):
    content = (SAMPLES / name).read_bytes() if data is None else data
    return SimpleUploadedFile(upload_name or name, content, content_type="text/plain")


def upload(client, file, **fields):
    """Upload, import the queued run as the background thread would, and show its page.

    (The thread runs on a connection of its own, which cannot see this test's
    uncommitted rows; tests/test_background_upload.py drives the real thread.)
    """
    queued = client.post(UPLOAD_URL, {"file": file, **fields})
    if queued.status_code != 302:
        return queued
    run = ImportRun.objects.order_by("-pk").first()
    assert run.status == ImportRun.QUEUED
    assert importing.import_queued(run.pk)
    response = client.get(queued.url)
    response.redirect_chain = [(queued.url, queued.status_code)]
    return response


def messages_of(response) -> list[str]:
    """The messages the page shows: the admin's, and the upload's result on its run page."""
    shown = [str(message) for message in response.context["messages"]]
    result = response.context.get("upload_result")
    return shown + ([result[1]] if result else [])


# ------------------------------------------------------------------- upload


@pytest.mark.django_db
def test_staff_upload_imports_the_document_and_shows_its_run(uploader):
    response = upload(uploader, sample_file())

    run = ImportRun.objects.get()
    assert response.redirect_chain == [
        (reverse("admin:meetings_importrun_change", args=[run.pk]), 302)
    ]
    assert messages_of(response) == [f"Dokumentet {SST} er importeret (ny): 1 møde, 5 punkter."]
    assert (run.created, run.failed, run.dry_run) == (1, 0, False)
    assert run.started_by == "redaktoer (admin)"
    assert run.options["upload"] == SST
    document = SourceDocument.objects.get()
    assert document.file_name == SST
    assert bytes(document.content) == (SAMPLES / SST).read_bytes()
    meeting = Meeting.objects.get()
    assert meeting.date == dt.date(2024, 8, 28)
    assert meeting.items.count() == 5
    # The run's page lists its file and what became of it.
    page = response.content.decode()
    assert SST in page and "ny" in page


@pytest.mark.django_db
def test_the_same_upload_again_is_unchanged(uploader):
    upload(uploader, sample_file())
    before = snapshot()

    response = upload(uploader, sample_file())

    unchanged = f"Dokumentet {SST} er uændret: den version er allerede i arkivet."
    assert messages_of(response) == [unchanged]
    assert snapshot() == before
    latest = ImportRun.objects.order_by("-pk").first()
    assert (latest.created, latest.unchanged) == (0, 1)


@pytest.mark.django_db
def test_stated_body_and_date_win_over_the_text(uploader):
    response = upload(
        uploader, sample_file(MODERN), new_body="Sundhedsudvalget", date="2025-03-06", kind="agenda"
    )

    assert messages_of(response) == [f"Dokumentet {MODERN} er importeret (ny): 1 møde, 11 punkter."]
    meeting = Meeting.objects.get()
    assert (meeting.body.name, meeting.date) == ("Sundhedsudvalget", dt.date(2025, 3, 6))
    assert ImportRun.objects.get().options["body"] == "Sundhedsudvalget"


@pytest.mark.django_db
def test_a_failing_upload_says_why_and_keeps_the_previous_version(uploader):
    upload(uploader, sample_file())
    before = snapshot()
    shopping_list = "Kære alle,\n\nHer er en indkøbsliste.\nMælk\nBrød\n".encode()

    response = upload(uploader, sample_file(data=shopping_list, upload_name=SST))

    [message] = messages_of(response)
    # In Danish, as the admin speaks (the history keeps the reason as the parser gave it).
    nothing_found = (
        "der blev ikke fundet nogen dagsordenspunkter (layout generic); dokumentet ligner ikke "
        "en dagsorden eller et referat (ordene Dagsorden, Referat og Møde står ingen steder i det)"
    )
    assert message == f"Dokumentet {SST} blev ikke importeret: {nothing_found}"
    assert snapshot() == before
    failed = ImportRun.objects.order_by("-pk").first()
    assert failed.failed == 1
    assert failed.files.get().message.startswith("no agenda items found")
    assert nothing_found in response.content.decode()


@pytest.mark.django_db
def test_a_failing_first_upload_writes_no_archive_rows(uploader):
    letter = "Kære alle,\n\nHer er en indkøbsliste.\nMælk\nBrød\n".encode()
    response = upload(uploader, sample_file(data=letter, upload_name="brev.txt"))

    [message] = messages_of(response)
    assert message.startswith("Dokumentet brev.txt blev ikke importeret: der blev ikke fundet")
    # As shown: the admin capitalises a message's first letter, not the file's name.
    assert "Dokumentet brev.txt blev ikke importeret" in response.content.decode()
    assert not SourceDocument.objects.exists() and not Meeting.objects.exists()
    assert not Body.objects.exists()


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(uploader):
    response = upload(uploader, sample_file(), dry_run="on")

    assert messages_of(response) == [
        f"Prøvekørsel, intet er gemt: dokumentet {SST} kan importeres (ny): 1 møde, 5 punkter."
    ]
    assert not SourceDocument.objects.exists() and not AgendaItem.objects.exists()
    assert ImportRun.objects.get().dry_run is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("referat.docx", b"PK\x03\x04 an Office file", "og .zip-filer kan importeres"),
        ("referat.pdf", b"Punkt 1. Godkendelse af dagsorden\n", "er ikke en PDF"),
        ("referat.txt", b"%PDF-1.7\n%binary", "er en PDF"),
        ("referat.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "ikke en tekstfil"),
        ("referat.txt", b"Punkt\x00 1\x00", "binære data"),
        ("referat.txt", b"", "tom"),
    ],
)
def test_upload_refuses_files_that_are_not_documents(uploader, name, data, expected):
    response = upload(uploader, sample_file(data=data, upload_name=name))

    assert response.status_code == 200
    assert expected in str(response.context["form"].errors["file"])
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_upload_refuses_a_file_over_the_size_limit(uploader, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 2 * 2**20)

    response = upload(uploader, sample_file(data=b"Punkt 1. Godkendelse\n" * 100_000))

    assert "større end 2 MB" in str(response.context["form"].errors["file"])
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_upload_refuses_an_implausible_date(uploader):
    response = upload(uploader, sample_file(MODERN), date="1066-10-14")

    assert "1066-10-14 kan ikke være en mødedato" in str(response.context["form"].errors["date"])
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(client):
    for response in (client.get(UPLOAD_URL), client.post(UPLOAD_URL, {"file": sample_file()})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_users_without_staff_status_are_sent_to_the_login(client):
    user = User.objects.create_user("borger", password="x")
    for codename in ("add_sourcedocument", "view_importrun"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)

    response = client.post(UPLOAD_URL, {"file": sample_file()})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_staff_without_the_permission_are_refused(client):
    client.force_login(make_staff("laeser", "view_importrun", "view_sourcedocument"))

    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, {"file": sample_file()}).status_code == 403
    assert not ImportRun.objects.exists()
    # Nor is the button shown to them.
    page = client.get(reverse("admin:meetings_importrun_changelist")).content.decode()
    assert UPLOAD_URL not in page


@pytest.mark.django_db
def test_the_changelists_link_to_the_upload(uploader):
    uploader.force_login(
        make_staff("fuld", "add_sourcedocument", "view_importrun", "view_sourcedocument")
    )
    for name in ("importrun", "sourcedocument"):
        page = uploader.get(reverse(f"admin:meetings_{name}_changelist")).content.decode()
        assert f'href="{UPLOAD_URL}"' in page and "Importér dokument" in page


@pytest.mark.django_db
def test_the_upload_form_page_renders(uploader):
    page = uploader.get(UPLOAD_URL).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="date"' in page and 'name="dry_run"' in page


# ----------------------------------------------------------------- history


@pytest.mark.django_db
def test_import_history_lists_runs_and_their_files(admin_client, tmp_path):
    from .test_importing import copy_sample, ingest

    copy_sample(tmp_path, SST)
    (tmp_path / "tom.txt").write_bytes(b"")
    assert ingest(str(tmp_path))[0] == 1
    run = ImportRun.objects.get()

    listing = admin_client.get(reverse("admin:meetings_importrun_changelist")).content.decode()
    assert reverse("admin:meetings_importrun_change", args=[run.pk]) in listing
    page = admin_client.get(reverse("admin:meetings_importrun_change", args=[run.pk]))
    html = page.content.decode()
    assert str(tmp_path / SST) in html and str(tmp_path / "tom.txt") in html
    assert "filen er tom" in html and "the file is empty" not in html
    files = page.context["inline_admin_formsets"][0].formset.queryset
    assert sorted(files.values_list("outcome", flat=True)) == ["created", "failed"]


@pytest.mark.django_db
def test_the_import_history_cannot_be_changed_by_hand_even_by_a_superuser(admin_client):
    upload(admin_client, sample_file())
    run = ImportRun.objects.get()
    change_url = reverse("admin:meetings_importrun_change", args=[run.pk])

    page = admin_client.get(change_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html  # shown, with nothing to save
    assert reverse("admin:meetings_importrun_delete", args=[run.pk]) not in html
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_delete_permission
    # Nor by a request made by hand: no row added, edited or removed.
    refused = admin_client.post(change_url, {"started_by": "someone else"})
    assert refused.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:meetings_importrun_delete", args=[run.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    run.refresh_from_db()
    assert run.started_by.startswith("admin ") and run.files.count() == 1


@pytest.mark.django_db
def test_the_admin_carries_the_archives_name(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "<title>Arkivets data og importer | Mødearkiv</title>" in html
    assert "Mødearkiv – administration" in html and "Django administration" not in html


@pytest.mark.django_db
def test_the_import_history_speaks_danish_and_local_time(admin_client, settings):
    settings.TIME_ZONE = "Europe/Copenhagen"
    upload(admin_client, sample_file())
    run = ImportRun.objects.get()
    run.started_at = dt.datetime(2026, 11, 28, 10, 49, tzinfo=dt.UTC)
    run.save()

    html = admin_client.get(reverse("admin:meetings_importrun_change", args=[run.pk])).content
    html = html.decode()
    assert "2026-11-28 11:49 (admin (admin))" in html  # the title, at Copenhagen's 11:49
    for header in ["Møder", "Punkter", "Advarsler", "Indstillinger"]:
        assert header in html, header
    for english in ["Meetings", "Items", "Warnings", "Options", ": created"]:
        assert english not in html, english
    assert f"<td>{SST}</td><td>ny</td>" in html  # the file's row: its name and outcome


# ------------------------------------------------------ meeting correction


def make_meeting(body: Body | None, date: dt.date | None, slug: str) -> Meeting:
    return Meeting.objects.create(body=body, date=date, slug=slug)


def correction(meeting: Meeting, **changes) -> dict:
    data = {
        "body": meeting.body_id or "",
        "date": meeting.date.isoformat() if meeting.date else "",
        "time": "",
        "location": "",
        "participants": "",
        "absent": "",
        "_save": "Gem",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_undated_meetings_are_listed_for_staff_to_complete(admin_client):
    body = Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    make_meeting(body, dt.date(2025, 3, 6), "2025-03-06-sundhedsudvalget")
    undated = make_meeting(body, None, "ukendt-dato-sundhedsudvalget-1")
    url = reverse("admin:meetings_meeting_changelist")

    page = admin_client.get(url).content.decode()
    assert "1 møde mangler en dato" in page
    assert 'href="?dato=ukendt"' in page

    response = admin_client.get(url, {"dato": "ukendt"})
    assert list(response.context["cl"].queryset) == [undated]
    response = admin_client.get(url, {"dato": "kendt"})
    assert [m.slug for m in response.context["cl"].queryset] == ["2025-03-06-sundhedsudvalget"]


@pytest.mark.django_db
def test_no_notice_when_every_meeting_is_dated(admin_client):
    make_meeting(None, dt.date(2025, 3, 6), "2025-03-06-ukendt-organ")
    page = admin_client.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert "mangler en dato" not in page


@pytest.mark.django_db
def test_staff_complete_an_unknown_date(admin_client):
    body = Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    meeting = make_meeting(body, None, "ukendt-dato-sundhedsudvalget-1")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])

    response = admin_client.post(url, correction(meeting, date="2025-03-06"))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == dt.date(2025, 3, 6)
    assert meeting.slug == "ukendt-dato-sundhedsudvalget-1"  # permalinks survive corrections


@pytest.mark.django_db
@pytest.mark.parametrize("date", ["1066-10-14", "2999-01-01"])
def test_an_absurd_date_is_a_form_error(admin_client, date):
    meeting = make_meeting(None, None, "ukendt-dato-ukendt-organ-1")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])

    response = admin_client.post(url, correction(meeting, date=date))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"{date} kan ikke være en mødedato" in str(errors["date"])
    meeting.refresh_from_db()
    assert meeting.date is None


@pytest.mark.django_db
def test_a_second_meeting_of_a_body_on_one_date_is_a_form_error_not_a_crash(admin_client):
    body = Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    make_meeting(body, dt.date(2025, 3, 6), "2025-03-06-sundhedsudvalget")
    other_body = Body.objects.create(name="Bestyrelsen", slug="bestyrelsen")
    undated = make_meeting(body, None, "ukendt-dato-sundhedsudvalget-1")
    elsewhere = make_meeting(other_body, dt.date(2025, 3, 6), "2025-03-06-bestyrelsen")

    for meeting, changes in (
        (undated, {"date": "2025-03-06"}),  # completing the date
        (elsewhere, {"body": body.pk}),  # correcting the body
    ):
        url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        response = admin_client.post(url, correction(meeting, **changes))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        [field] = changes
        assert errors == {
            field: [
                "Sundhedsudvalget har allerede et møde 2025-03-06 "
                "(2025-03-06-sundhedsudvalget): ret organ eller dato."
            ]
        }
    assert Meeting.objects.filter(body=body, date=dt.date(2025, 3, 6)).count() == 1
    undated.refresh_from_db()
    assert undated.date is None


@pytest.mark.django_db
def test_source_documents_cannot_be_deleted_by_hand_in_the_admin(admin_client):
    """The importer keeps which item version is current; a raw delete would skip that."""
    from django.contrib import admin

    from meetings.admin import SourceDocumentAdmin

    model_admin = SourceDocumentAdmin(SourceDocument, admin.site)
    request = admin_client.get("/admin/").wsgi_request
    assert model_admin.has_delete_permission(request) is False
