"""Agenda systems' exports through `ingest` and the admin upload, into the real database.

An export and a text (or PDF) of the same meeting end as one meeting, as an
agenda and its minutes do; a hostile export fails with its reason and
changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.models import CONFIDENTIAL, AgendaItem, Meeting, SourceDocument

from .test_admin import messages_of, upload, uploader  # noqa: F401  (the fixture)
from .test_importing import ingest, snapshot

SYSTEMS = Path(__file__).resolve().parents[1].parent / "shared" / "systems" / "docs"
GREVE = SYSTEMS / "greve_byraad_2024-10-02.json"

pytestmark = pytest.mark.django_db


def _sbsys(kind: str = "Draft") -> bytes:
    item = (
        "<Item><Caption>Plan for sundhedshuse</Caption><IsPublic>True</IsPublic>"
        "<Number>{n}</Number><Enclosures><Enclosure><Name>Bilag A</Name></Enclosure>"
        "</Enclosures><Fields><ItemField><Caption>ADMINISTRATIONENS INDSTILLING</Caption>"
        "<Content><![CDATA[<p><strong>at</strong> planen godkendes.</p>]]></Content>"
        "</ItemField></Fields></Item>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Publication>'
        f"<PublicationTypeAsEnum>{kind}</PublicationTypeAsEnum><Agendas><Agenda><Meeting>"
        "<When>05-03-2024 15:30:00</When><Where>H2</Where></Meeting>"
        "<Committee><Name>SUNDHEDSUDVALGET</Name></Committee>"
        f"<Items>{item.format(n=1)}{item.format(n=2)}</Items></Agenda></Agendas></Publication>"
    ).encode()


MINUTES_TEXT = """Referat

Punkt 1. Plan for sundhedshuse
Beslutning:
Godkendt.

Punkt 2. Plan for sundhedshuse
Beslutning:
Udsat.
"""


def test_an_export_and_a_text_of_the_same_meeting_are_one_meeting(tmp_path):
    (tmp_path / "Publication1.xml").write_bytes(_sbsys())
    (tmp_path / "referat.txt").write_text(MINUTES_TEXT, encoding="utf-8")
    (tmp_path / "referat.txt.meta.json").write_text(
        json.dumps({"body": "Sundhedsudvalget", "date": "2024-03-05", "kind": "minutes"}),
        encoding="utf-8",
    )

    code, out, err = ingest(str(tmp_path))

    assert code == 0, err
    [meeting] = Meeting.objects.all()
    assert (meeting.body.name, meeting.date.isoformat(), meeting.location) == (
        "Sundhedsudvalget", "2024-03-05", "H2"
    )  # fmt: skip
    kinds = sorted(meeting.items.values_list("kind", "number"))
    assert kinds == [("agenda", 1), ("agenda", 2), ("minutes", 1), ("minutes", 2)]
    export = SourceDocument.objects.get(file_name="Publication1.xml")
    assert export.content_type == "application/xml"
    assert export.layout == "sbsys-publication-xml"
    agenda_item = AgendaItem.objects.get(document=export, number=1)
    assert agenda_item.recommendation == "at planen godkendes."
    assert list(agenda_item.attachments.values_list("title", flat=True)) == ["Bilag A"]
    # The minutes' item is the one shown for the meeting's number.
    shown = AgendaItem.objects.get(meeting=meeting, number=1, is_current=True)
    assert shown.kind == "minutes" and "Godkendt." in shown.decision


def test_the_same_export_again_is_unchanged(tmp_path):
    path = tmp_path / "Publication1.xml"
    path.write_bytes(_sbsys())
    assert ingest(str(path))[0] == 0
    before = snapshot()

    code, out, _ = ingest(str(path))

    assert code == 0 and "unchanged: " in out
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bombe.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>',
         "declares a document type or entities"),
        ("forkert.json", _sbsys("Final"),
         "the file is named .json but its content is application/xml"),
        ("dyb.json", b'{"Dagsordenpunkter": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
         "nested"),
    ],
    ids=["entities", "wrong-extension", "nesting"],
)  # fmt: skip
def test_a_hostile_export_fails_with_its_reason_and_changes_nothing(tmp_path, name, data, reason):
    ok = tmp_path / "ok" / "Publication1.xml"
    ok.parent.mkdir()
    ok.write_bytes(_sbsys())
    assert ingest(str(ok))[0] == 0
    before = snapshot()
    (tmp_path / name).write_bytes(data)

    code, out, err = ingest(str(tmp_path / name))

    assert code == 1
    assert f"error: {tmp_path / name}: " in err and reason in err
    assert snapshot() == before


@pytest.mark.skipif(not GREVE.is_file(), reason=f"the systems documents are not at {SYSTEMS}")
def test_the_greve_export_imports_with_its_closed_items_kept_to_number_and_title(tmp_path):
    code, out, err = ingest(str(GREVE))

    assert code == 0, err
    [meeting] = Meeting.objects.all()
    assert (meeting.body.name, meeting.date.isoformat()) == ("Byråd 2022-2025", "2024-10-02")
    assert meeting.absent == ["Kenneth Jerkel"]
    closed = AgendaItem.objects.filter(meeting=meeting, access=CONFIDENTIAL).order_by("number")
    assert [(i.number, i.title, i.decision) for i in closed] == [
        (2, "Lukket: Orientering", ""),
        (3, "Lukket: Orientering fra administrationen", ""),
    ]
    document = SourceDocument.objects.get()
    # The export itself carries the closed items' text: it is not kept, only the blanked text.
    assert document.content is None
    assert "21-013720" not in document.text and "Sjællandske Medier" not in document.text
    assert "Orienteringen blev taget til efterretning." in document.text


def test_the_upload_takes_an_export(uploader):  # noqa: F811
    file = SimpleUploadedFile("Publication1.xml", _sbsys(), content_type="application/xml")

    response = upload(uploader, file)

    [message] = messages_of(response)
    assert message.startswith("Dokumentet Publication1.xml er importeret")
    assert Meeting.objects.get().body.name == "Sundhedsudvalget"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("moede.json", _sbsys(), "Filen hedder .json, men er ikke JSON."),
        ("moede.xml", b'{"Dagsordenpunkter": []}', "Filen hedder .xml, men er ikke XML."),
        ("moede.zip", b"Punkt 1. Velkomst", "Filen hedder .zip, men er ikke et ZIP-arkiv."),
        ("moede.html", b"%PDF-1.7", "Filen hedder .html, men er ikke en webside (HTML)."),
    ],
)
def test_the_upload_refuses_an_export_that_is_not_what_its_name_says(
    uploader,  # noqa: F811
    name,
    data,
    expected,
):
    response = upload(uploader, SimpleUploadedFile(name, data))

    assert expected in str(response.context["form"].errors["file"])
    assert not SourceDocument.objects.exists()
