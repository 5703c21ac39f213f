"""Sub-items (1, 1.1, 1.2, 2) are items of their own: stored as (number, sub), published,
linked at /punkt/1.1/, ordered, paired between agenda and minutes, searched and exported.

The fixtures are small texts in SBSYS's Word-template style
(meetings/parsing/layouts/sbsys_word.py); the real Aarhus Mødesystemgruppen minutes
are read from /work/shared/systems when they are there.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from meetings import corrections, versions
from meetings.importing import Metadata, import_file
from meetings.models import (
    CONFIDENTIAL,
    PUBLIC,
    AgendaItem,
    DocumentVersion,
    ImportedFile,
    Meeting,
    SourceDocument,
)

SYSTEMS = Path(__file__).resolve().parents[1].parent / "shared" / "systems"
MOEDESYSTEMGRUPPEN = "aarhus_moedesystemgruppen_referat_2016-10-06"

HEAD = (
    "Tværgående møder\n{kind}\n{body}\n\n"
    "Dato:\nTid:\nSted:\n\n6. oktober 2016\n13:00 - 15:00\nRådhuset lokale 2\n\n"
    "Deltagere:\n\nAnne Hansen\nBo Jensen\n\nAfbud: Bo,\nFraværende:\nBemærk:\n\n"
)
BODY = "Styregruppen for Mødesystemer"
SLUG = "2016-10-06-styregruppen-for-moedesystemer"


def sbsys(kind: str, *, body: str = BODY) -> str:
    """An SBSYS agenda ("Dagsorden": no Referat: lines yet) or minutes ("Referat")."""

    def minuted(text: str) -> str:
        return f"Referat: {text}\n" if kind == "Referat" else ""

    return HEAD.format(kind=kind, body=body) + (
        "1 Systemer\n"
        "1.1 Status på sagsportalen\nOplæg:\nSagsportalen er taget i brug af alle afdelinger.\n"
        + minuted("Portalen fortsætter uændret.")
        + "1.2 Plan for arkivering\nOplæg:\nArkiveringen af gamle referater planlægges.\n"
        + minuted("Planen blev godkendt.")
        + "\f2 Eventuelt\nOplæg:\nIntet.\n"
        + minuted("Intet nyt.")
        + "      Side 2\n"
    )


def ingest(folder: Path, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return import_file(path, Metadata())


@pytest.fixture(autouse=True)
def _fresh_search(settings):
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def minutes(tmp_path):
    return ingest(tmp_path, "referat.txt", sbsys("Referat"))


def _item_url(label: str) -> str:
    return f"/moeder/{SLUG}/punkt/{label}/"


@pytest.mark.django_db
def test_minutes_with_sub_items_are_created_not_held(minutes):
    assert minutes.outcome == ImportedFile.CREATED, minutes.message
    assert SourceDocument.objects.get().status == SourceDocument.PUBLISHED
    rows = AgendaItem.objects.order_by("number", "sub")
    assert [(r.number, r.sub, r.label) for r in rows] == [
        (1, 0, "1"), (1, 1, "1.1"), (1, 2, "1.2"), (2, 0, "2"),
    ]  # fmt: skip
    assert rows[1].get_absolute_url() == _item_url("1.1")
    assert rows[3].get_absolute_url() == _item_url("2")


@pytest.mark.django_db
def test_the_sub_items_page_shows_its_label_and_title_between_its_neighbours(client, minutes):
    response = client.get(_item_url("1.1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Punkt 1.1" in page and "Status på sagsportalen" in page
    assert "Portalen fortsætter uændret." in page
    assert response.context["previous_url"] == _item_url("1")
    assert response.context["next_url"] == _item_url("1.2")
    # The order 1, 1.1, 1.2, 2 walked from each end.
    assert client.get(_item_url("1.2")).context["next_url"] == _item_url("2")
    assert client.get(_item_url("2")).context["previous_url"] == _item_url("1.2")
    assert client.get(_item_url("1")).context["previous_url"] is None
    # A plain number's permalink is as it was; 1.0 and a missing sub-item are no items.
    assert "Punkt 2" in client.get(_item_url("2")).content.decode()
    assert client.get(_item_url("1.0")).status_code == 404
    assert client.get(_item_url("1.9")).status_code == 404
    assert client.get(_item_url("1.1.1")).status_code == 404


@pytest.mark.django_db
def test_the_meeting_page_lists_sub_items_in_order_and_its_twin_keeps_the_parsers_numbers(
    client, minutes
):
    page = client.get(f"/moeder/{SLUG}/").content.decode()
    links = [_item_url(label) for label in ("1", "1.1", "1.2", "2")]
    positions = [page.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    assert "Punkt 1.2" in page
    data = client.get(f"/moeder/{SLUG}/?format=json").json()
    assert [item["number"] for item in data["items"]] == [1, "1.1", "1.2", 2]
    item = client.get(f"{_item_url('1.1')}?format=json").json()["item"]
    assert (item["number"], item["title"]) == ("1.1", "Status på sagsportalen")
    assert client.get(f"{_item_url('2')}?format=json").json()["item"]["number"] == 2


@pytest.mark.django_db
def test_agenda_and_minutes_pair_sub_item_with_sub_item(client, tmp_path):
    agenda = ingest(tmp_path, "dagsorden.txt", sbsys("Dagsorden"))
    minutes = ingest(tmp_path, "referat.txt", sbsys("Referat"))
    assert (agenda.outcome, minutes.outcome) == (ImportedFile.CREATED, ImportedFile.CREATED)
    assert Meeting.objects.count() == 1
    assert AgendaItem.objects.count() == 8
    current = AgendaItem.objects.filter(is_current=True).order_by("number", "sub")
    assert [(r.label, r.kind) for r in current] == [
        ("1", "minutes"), ("1.1", "minutes"), ("1.2", "minutes"), ("2", "minutes"),
    ]  # fmt: skip
    response = client.get(_item_url("1.1"))
    assert response.context["item"].decision == "Portalen fortsætter uændret."
    agenda_row = response.context["agenda"]
    assert (agenda_row.kind, agenda_row.label) == ("agenda", "1.1")
    assert agenda_row.title == "Status på sagsportalen"


@pytest.mark.django_db
def test_search_finds_the_sub_item_and_links_to_it(client, minutes):
    hits = client.get("/soeg/?q=sagsportalen&format=json").json()["hits"]
    assert [(hit["url"], hit["number"]) for hit in hits] == [(_item_url("1.1"), "1.1")]
    page = client.get("/soeg/?q=sagsportalen").content.decode()
    assert f'href="{_item_url("1.1")}"' in page and "punkt 1.1" in page


def _csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_exports_and_feeds_carry_the_printed_label(client, minutes):
    [row] = _csv_rows(client.get("/soeg/?q=sagsportalen&format=csv"))
    assert row["punkt"] == "1.1" and row["url"].endswith(_item_url("1.1"))
    decisions = _csv_rows(client.get("/beslutninger/?format=csv"))
    assert sorted(row["punkt"] for row in decisions) == ["1.1", "1.2", "2"]
    assert "Punkt 1.1: Status på sagsportalen" in client.get("/feed.atom").content.decode()
    sitemap = client.get("/sitemap-punkter.xml").content.decode()
    assert f"{_item_url('1.1')}</loc>" in sitemap and f"{_item_url('2')}</loc>" in sitemap


@pytest.mark.django_db
def test_a_held_version_with_sub_items_is_published_by_staff(client, tmp_path):
    # Held for a doubt of its own (no body named); its sub-items are no doubt now.
    held = ingest(tmp_path, "referat.txt", sbsys("Referat", body=""))
    assert held.outcome == ImportedFile.HELD, held.message
    version = DocumentVersion.objects.get()
    assert version.state == DocumentVersion.HELD
    assert not any("1.1" in reason for reason in version.review_reasons)
    assert not AgendaItem.objects.exists()

    versions.publish_held(version, by="redaktoer")

    rows = AgendaItem.objects.filter(is_current=True).order_by("number", "sub")
    assert [r.label for r in rows] == ["1", "1.1", "1.2", "2"]
    item = rows[1]
    assert item.title == "Status på sagsportalen"
    assert client.get(item.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_deeper_number_stays_held_with_its_reason(tmp_path):
    text = sbsys("Referat").replace("1.2 Plan for arkivering", "1.1.1 Plan for arkivering")
    result = ingest(tmp_path, "referat.txt", text)
    assert result.outcome == ImportedFile.HELD
    version = DocumentVersion.objects.get()
    assert "item 1.1.1: only numbers like 2 and 1.1 can be published yet" in (
        version.review_reasons
    )
    with pytest.raises(versions.VersionError):
        versions.publish_held(version, by="redaktoer")
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
@pytest.mark.skipif(
    not (SYSTEMS / "docs" / f"{MOEDESYSTEMGRUPPEN}.pdf").is_file(),
    reason=f"the systems documents are not at {SYSTEMS}",
)
def test_the_real_moedesystemgruppen_minutes_are_created_with_their_sub_items(client):
    result = import_file(SYSTEMS / "docs" / f"{MOEDESYSTEMGRUPPEN}.pdf", Metadata())
    assert result.outcome == ImportedFile.CREATED, result.message
    gold = json.loads((SYSTEMS / "gold" / f"{MOEDESYSTEMGRUPPEN}.json").read_text("utf-8"))
    [meeting] = gold["meetings"]
    rows = list(AgendaItem.objects.filter(is_current=True).order_by("number", "sub"))
    assert len(rows) == 10
    assert [row.label for row in rows] == [str(item["number"]) for item in meeting["items"]]
    assert [row.title for row in rows] == [item["title"] for item in meeting["items"]]
    assert client.get(rows[1].get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_closing_a_sub_item_closes_that_sub_item_in_the_other_document_only(client, tmp_path):
    ingest(tmp_path, "dagsorden.txt", sbsys("Dagsorden"))
    ingest(tmp_path, "referat.txt", sbsys("Referat"))
    minuted = AgendaItem.objects.get(kind="minutes", number=1, sub=1)

    corrections.correct_item(
        minuted, title="Lukket punkt", decision="", access=CONFIDENTIAL, case_numbers=[], by="r"
    )

    agenda = {row.label: row for row in AgendaItem.objects.filter(kind="agenda")}
    assert agenda["1.1"].access == CONFIDENTIAL and agenda["1.1"].title == "Lukket punkt"
    assert [agenda[label].access for label in ("1", "1.2", "2")] == [PUBLIC] * 3
    text = SourceDocument.objects.get(file_name="dagsorden.txt").text
    assert "Sagsportalen er taget i brug" not in text
    assert "Arkiveringen af gamle referater planlægges." in text
