"""Staff correct an item in the admin, and the public pages follow at once; closing an
item there removes its content from the archive; the upload picks a known body."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from meetings.importing import Metadata, run_upload
from meetings.models import AgendaItem, Body, Meeting, QueuedUpload, SourceDocument

from .test_admin import UPLOAD_URL, make_staff, messages_of, sample_file, upload
from .test_document_identity import MARCH, minutes_text

STATED = Metadata(body="Teknisk udvalg")


@pytest.fixture
def editor(client):
    client.force_login(make_staff("redaktoer", "view_agendaitem", "change_agendaitem"))
    return client


def _item(number: int = 2) -> AgendaItem:
    return AgendaItem.objects.get(number=number, is_current=True)


def _correct(client, item: AgendaItem, **changes):
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in ("title", "access", "decision")}
    data["case_numbers"] = form["case_numbers"].value() or ""
    return client.post(url, {**data, **changes})


@pytest.mark.django_db
def test_a_correction_in_the_admin_is_seen_on_the_public_page(editor, client):
    run_upload(
        minutes_text(MARCH, "Vejplan", "Godkendt.").encode(), "r.txt", STATED, started_by="x"
    )
    item = _item()
    page_url = item.get_absolute_url()
    assert "Vejplan" in client.get(page_url).content.decode()  # (now cached)

    response = _correct(
        editor, item, title="Vejplan for Nordbyen", decision="Godkendt med ændringer.",
        case_numbers="emn- 2025-00999; 12 / 27845",
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.title == "Vejplan for Nordbyen" and item.corrected_by == "redaktoer"
    assert sorted(item.cases.values_list("number", flat=True)) == ["12/27845", "EMN-2025-00999"]
    page = client.get(page_url).content.decode()
    assert "Vejplan for Nordbyen" in page and "Godkendt med ændringer." in page
    assert "Arkivets redaktion har rettet punktet" in page
    hits = client.get("/soeg/", {"q": "Nordbyen", "format": "json"}).json()["hits"]
    assert [hit["url"] for hit in hits] == [page_url]
    assert client.get("/sager/12/27845/").status_code == 200
    entry = LogEntry.objects.get(object_id=str(item.pk))
    assert entry.user.username == "redaktoer"
    assert entry.get_change_message() == "Ændrede Titel, Sagsnumre og Beslutning."


@pytest.mark.django_db
def test_closing_an_item_in_the_admin_removes_its_content_everywhere(editor, client):
    text = minutes_text(MARCH, "Personalesag", "Hemmeligordsen afskediges.")
    data = text.encode()
    run_upload(data, "r.txt", STATED, started_by="x")
    item = _item()
    document = SourceDocument.objects.get()
    assert document.content is not None and "Hemmeligordsen" in document.text

    response = _correct(editor, item, access="confidential", title="Lukket: Personalesag")

    assert response.status_code == 302
    item.refresh_from_db()
    document.refresh_from_db()
    assert (item.access, item.title, item.decision) == ("confidential", "Lukket: Personalesag", "")
    assert not item.cases.exists()
    assert "Hemmeligordsen" not in document.text and document.content is None
    assert all("Hemmeligordsen" not in v.text for v in document.versions.all())
    assert client.get("/soeg/", {"q": "Hemmeligordsen", "format": "json"}).json()["hits"] == []
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Hemmeligordsen" not in page and "Lukket: Personalesag" in page
    # Re-importing the same bytes changes nothing: the closed item stays closed.
    assert run_upload(data, "r.txt", STATED, started_by="x").unchanged == 1


@pytest.mark.django_db
def test_staff_who_may_only_view_items_cannot_correct_them(client):
    client.force_login(make_staff("laeser", "view_agendaitem"))
    run_upload(
        minutes_text(MARCH, "Vejplan", "Godkendt.").encode(), "r.txt", STATED, started_by="x"
    )
    item = _item()
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    client.post(url, {"title": "Ændret", "access": "public", "decision": "", "case_numbers": ""})
    item.refresh_from_db()
    assert item.title == "Vejplan"


# ------------------------------------------------------------------- upload body


@pytest.fixture
def uploader(client):
    client.force_login(make_staff("redaktoer", "add_sourcedocument", "view_importrun"))
    return client


@pytest.mark.django_db
def test_the_upload_picks_a_known_body(uploader):
    body = Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    response = upload(uploader, sample_file("000_a5bf867b36756b8a.txt"), body=body.pk)
    assert messages_of(response)[0].startswith("Dokumentet")
    assert Meeting.objects.get().body == body and Body.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [("sundhedsudvalget", "findes allerede"), ("Sundhedsudvalgt", "Mente du Sundhedsudvalget?")],
)
def test_a_new_body_like_a_known_one_is_not_created_silently(uploader, typed, error):
    Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    response = uploader.post(UPLOAD_URL, {"file": sample_file(), "new_body": typed})
    assert response.status_code == 200 and error in response.content.decode()
    assert Body.objects.count() == 1 and not QueuedUpload.objects.exists()


@pytest.mark.django_db
def test_a_new_body_is_created_when_asked(uploader):
    Body.objects.create(name="Sundhedsudvalget", slug="sundhedsudvalget")
    upload(uploader, sample_file(), new_body="Sundhedsudvalgt", create_similar="on")
    assert set(Body.objects.values_list("name", flat=True)) >= {"Sundhedsudvalgt"}
