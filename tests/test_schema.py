"""What the schema promises beyond single pages: no confidential text stored anywhere,
sections kept in document order, and one current row per meeting and item number."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection

from meetings import importing
from meetings.importing import Metadata, import_document
from meetings.models import AgendaItem, Meeting, SourceDocument
from meetings.parsing import parse_document

from .conftest import SAMPLES
from .parsing.conftest import render_pdf

MODERN = "001_0aba8dafb6435775.txt"  # undated agenda, items 1-11, 2/4/5 confidential
SST = "004_8d8a7837cce6a1ab.txt"  # 2024-08-28 minutes, 5 items, none confidential
SECRET = "Xylofonsen"

pytestmark = pytest.mark.django_db


def members_edition() -> str:
    """The 001 agenda as members receive it: the confidential items carry their text."""
    text = (SAMPLES / MODERN).read_text(encoding="utf-8")
    for number in (2, 4, 5):
        text = text.replace(
            f"{number} (Fortrolig)",
            f"{number} (Fortrolig) Forhandling med direktør {SECRET} nr. {number}\n\n"
            f"Resumé\nLønnen til {SECRET} drøftes.\n\nIndstilling\n"
            f"Det indstilles, at {SECRET} får tillæg.\n",
            1,
        )
    return text


def rows_holding(word: str) -> dict[str, int]:
    """Rows of every meetings_* table whose text, JSON, arrays, vectors or bytes hold `word`."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, array_agg(column_name::text) FILTER (WHERE data_type = 'bytea')"
            " FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name LIKE 'meetings\\_%%'"
            " GROUP BY table_name"
        )
        for table, binary_columns in cursor.fetchall():
            # row_to_json writes bytea as hex: the bytes are decoded apart.
            conditions = ["lower(row_to_json(t)::text) LIKE %s"] + [
                f"lower(encode(t.{column}, 'escape')) LIKE %s" for column in binary_columns or []
            ]
            pattern = f"%{word.lower()}%"
            cursor.execute(
                f"SELECT count(*) FROM {table} AS t WHERE {' OR '.join(conditions)}",
                [pattern] * len(conditions),
            )
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def urls_of(document: SourceDocument) -> list[str]:
    meeting = document.meetings.get()
    return [
        "/",
        f"/dokumenter/{document.pk}/",
        f"/dokumenter/{document.pk}/?side=2",
        f"/moeder/{meeting.slug}/",
        *(f"/moeder/{meeting.slug}/punkt/{n}/" for n in range(1, 12)),
        "/beslutninger/",
    ]


# ------------------------------------------------------- confidential documents


def test_the_scan_finds_a_word_wherever_it_is_stored():
    data = members_edition().replace("(Fortrolig)", "(Offentlig)").encode()
    assert import_document(data, "aaben.txt", Metadata(body="Udvalg")).outcome == "created"
    found = rows_holding(SECRET)
    assert {"meetings_agendaitem", "meetings_sourcedocument"} <= set(found)
    assert SourceDocument.objects.get().has_original


def test_a_members_edition_keeps_no_confidential_text_anywhere(client):
    result = import_document(members_edition().encode(), "medlemmer.txt", Metadata(body="Udvalg"))
    assert result.outcome == "created", result.message
    assert rows_holding(SECRET) == {}
    assert rows_holding("tillæg") == {}
    document = SourceDocument.objects.get()
    assert document.content is None and not document.has_original and not document.offers_file
    # The public items' text is kept, line for line where the parser numbered it.
    lines = document.text.split("\n")
    item = document.items.get(number=3)
    assert lines[item.line - 1].strip().startswith("3 (Offentlig)")
    for number in (2, 4, 5):
        confidential = document.items.get(number=number)
        assert lines[confidential.line - 1] == ""
    for url in urls_of(document):
        for response in (client.get(url), client.get(url, {"format": "json"})):
            assert response.status_code in (200, 404), url
            assert SECRET not in response.content.decode(), url
    for query in (SECRET, "tillæg"):
        assert client.get("/soeg/", {"q": query, "format": "json"}).json()["hits"] == []
    page = client.get(f"/dokumenter/{document.pk}/").content.decode()
    assert page.count("[udeladt: fortroligt punkt]") == 3
    assert "Gemmes ikke: dokumentet har fortrolige punkter" in page
    assert client.get(f"/dokumenter/{document.pk}/fil").status_code == 404


def test_a_pdf_with_a_confidential_item_is_read_as_text_not_served(client):
    data = render_pdf(members_edition())
    result = import_document(data, "medlemmer.pdf", Metadata(body="Udvalg"))
    assert result.outcome == "created", result.message
    assert rows_holding(SECRET) == {}
    document = SourceDocument.objects.get()
    assert document.is_pdf and document.content is None and document.sha256
    assert client.get(f"/dokumenter/{document.pk}/fil").status_code == 404
    page = client.get(f"/dokumenter/{document.pk}/").content.decode()
    assert "Hent PDF" not in page and 'class="document-text"' in page and SECRET not in page
    meeting = document.meetings.get()
    item = document.items.get(number=3)
    item_page = client.get(f"/moeder/{meeting.slug}/punkt/3/").content.decode()
    assert f"/dokumenter/{document.pk}/#linje-{item.line}" in item_page
    assert "/fil" not in item_page
    twin = client.get(f"/dokumenter/{document.pk}/", {"format": "json"}).json()
    assert twin["document"]["original_kept"] is False and "file_url" not in twin["document"]


def test_a_document_without_confidential_items_keeps_its_original():
    data = (SAMPLES / SST).read_bytes()
    assert import_document(data, SST, Metadata()).outcome == "created"
    document = SourceDocument.objects.get()
    assert bytes(document.content) == data and document.has_original
    assert document.text.split("\n")[0] == data.decode().split("\n")[0].rstrip()


def test_the_data_migration_blanks_existing_documents():
    """0005 on rows stored before it: bytes of a members' edition dropped, text filled."""
    for name, text in (("medlemmer.txt", members_edition()), (SST, None)):
        data = text.encode() if text else (SAMPLES / name).read_bytes()
        assert import_document(data, name, Metadata(body="Udvalg")).outcome == "created"
        # As 0004 left it: the original bytes, no text yet.
        SourceDocument.objects.filter(file_name=name).update(content=data, text="")
    migration = importlib.import_module("meetings.migrations.0005_document_text_data")
    migration.fill_text(apps, connection.schema_editor())
    assert rows_holding(SECRET) == {}
    members = SourceDocument.objects.get(file_name="medlemmer.txt")
    assert members.content is None and "3 (Offentlig)" in members.text
    public = SourceDocument.objects.get(file_name=SST)
    assert public.has_original and public.text.startswith(
        (SAMPLES / SST).read_text(encoding="utf-8").split("\n")[0].rstrip()
    )


# ------------------------------------------------------------ ordered sections

BOARD_000 = "000_a5bf867b36756b8a.txt"


def test_sections_are_stored_in_document_order_not_alphabetically():
    data = (SAMPLES / BOARD_000).read_bytes()
    parsed = parse_document(data, BOARD_000)
    expected = list(next(i for i in parsed.meetings[0].items if i.number == 4).sections.items())
    headings = [heading for heading, _ in expected]
    assert headings.index("Kommunikation") < headings.index("Økonomi")
    assert headings != sorted(headings)
    assert import_document(data, BOARD_000, Metadata()).outcome == "created"
    item = AgendaItem.objects.get(number=4)
    assert item.sections == [{"heading": h, "text": t} for h, t in expected]
    with connection.cursor() as cursor:  # and the database agrees, not only the driver
        cursor.execute(
            "SELECT array_agg(s ->> 'heading' ORDER BY n) FROM meetings_agendaitem,"
            " jsonb_array_elements(sections) WITH ORDINALITY AS x(s, n) WHERE id = %s",
            [item.pk],
        )
        assert cursor.fetchone()[0] == headings


def weights(item: AgendaItem) -> dict[str, str]:
    """Lexeme -> its weights in the item's search vector."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, array_to_string(weights, '') FROM meetings_agendaitem,"
            " unnest(search_vector) WHERE id = %s",
            [item.pk],
        )
        return dict(cursor.fetchall())


def test_section_words_are_searchable_with_their_weights():
    text = "Referat af møde i Testudvalget\n\nPunkt 1. Et punkt\nSagsnr. EMN-2025-04242\n"
    result = import_document(text.encode(), "vaegte.txt", Metadata(body="Testudvalget"))
    assert result.outcome == "created", result.message
    item = AgendaItem.objects.get()
    # Saved through Django: the database trigger computes the vector from the list.
    item.sections = [
        {"heading": "Økonomi", "text": "Zebrabudgettet er uændret."},
        {"heading": "Resumé", "text": "Kvasarprojektet fortsætter."},
        {"heading": "Indstilling", "text": "Pelikanordningen gentaget."},
        {"heading": "Kommunikation", "text": "Giraffkampagnen starter."},
    ]
    item.save()
    found = weights(item)
    assert found[stem("Kvasarprojektet")] == "B"  # Resumé ranks with recommendation, decision
    assert found[stem("Zebrabudgettet")] == found[stem("Giraffkampagnen")] == "C"
    assert stem("Pelikanordningen") not in found  # Indstilling repeats the recommendation (B)
    for word in ("zebrabudgettet", "kvasarprojektet", "giraffkampagnen"):
        assert [hit.pk for hit in search_hits(word)] == [item.pk]


def search_hits(q: str) -> list[AgendaItem]:
    from meetings import search as searching
    from meetings.search_filters import clean_filters

    return searching.search_page(searching.parse_query(q), clean_filters({}), highlight=False).hits


def stem(word: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (tsvector_to_array(to_tsvector('danish', %s)))[1]", [word])
        return cursor.fetchone()[0]


# ------------------------------------------------------------------ current rows


def current_rows() -> dict[tuple[int, int], tuple[str, str]]:
    """(meeting, number) -> (kind, file name) of the row flagged current, checked against
    the ranking: minutes over agenda, then the newest row."""
    shown, best = {}, {}
    for row in AgendaItem.objects.select_related("document").order_by("kind", "pk"):
        key = (row.meeting_id, row.number)
        best[key] = (row.kind, row.document.file_name)  # in ranking order: the last one wins
        if row.is_current:
            assert key not in shown, key
            shown[key] = best[key]
    assert shown == best
    return shown


def test_is_current_follows_agenda_minutes_replacement_and_removal():
    agenda = (SAMPLES / MODERN).read_text(encoding="utf-8")
    minutes = agenda.replace("Bilag", "Beslutninger:\nTaget til efterretning.\n\nBilag")
    day = dt.date(2025, 3, 6)
    stated = Metadata(body="Sundhedsudvalget", date=day)
    assert _import(agenda, "dagsorden.txt", stated) == "created"
    assert set(current_rows().values()) == {("agenda", "dagsorden.txt")}

    assert _import(minutes, "referat.txt", stated) == "created"
    shown = current_rows()
    assert len(shown) == 11 and set(shown.values()) == {("minutes", "referat.txt")}
    # A newer agenda version does not outrank the minutes.
    again = agenda.replace("Bilag", "Bilag\n", 1)
    assert _import(again, "dagsorden.txt", stated) == "replaced"
    assert set(current_rows().values()) == {("minutes", "referat.txt")}

    # The minutes replaced by an edition without item 11: the agenda's item 11 is shown again.
    last = minutes.index("11 (Offentlig)")
    shorter = minutes[:last]
    assert _import(shorter, "referat.txt", stated) == "replaced"
    shown = current_rows()
    meeting = Meeting.objects.get(date=day)
    assert shown[(meeting.pk, 11)] == ("agenda", "dagsorden.txt")
    assert shown[(meeting.pk, 10)] == ("minutes", "referat.txt")

    # The minutes (the same file, from the same path) turn out to be another meeting's:
    # this one shows its agenda again.
    other = Metadata(body="Sundhedsudvalget", date=dt.date(2025, 4, 3))
    assert _import(shorter, "referat.txt", other) == "replaced"
    shown = current_rows()
    assert {v for (m, _), v in shown.items() if m == meeting.pk} == {("agenda", "dagsorden.txt")}
    moved = Meeting.objects.get(date=dt.date(2025, 4, 3))
    assert {v for (m, _), v in shown.items() if m == moved.pk} == {("minutes", "referat.txt")}
    decided = client_json(f"/moeder/{meeting.slug}/")["items"]
    assert {i.get("kind") for i in decided if i["access"] == "public"} == {"agenda"}


def _import(text: str, name: str, metadata: Metadata) -> str:
    """Import a file `ingest` read from one folder: the same path is the same document."""
    source = importing.Source(key=f"/moeder/sundhedsudvalget/{name}")
    return import_document(text.encode(), name, metadata, source=source).outcome


def client_json(url: str) -> dict:
    from django.test import Client

    return Client().get(url, {"format": "json"}).json()


def test_the_database_allows_one_current_row_per_number():
    from django.db import IntegrityError, transaction

    assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    day = SourceDocument.objects.get().meetings.get().date
    agenda = (SAMPLES / SST).read_bytes()
    stated = Metadata(date=day, kind="agenda")
    assert import_document(agenda, "dagsorden.txt", stated).outcome == "created"
    current_rows()
    stale = AgendaItem.objects.filter(is_current=False).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.filter(pk=stale.pk).update(is_current=True)


def test_flipping_is_current_leaves_search_vectors_alone():
    """The search trigger fires only when a column the vector reads is written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE tgname = 'meetings_item_search_vector'"
        )
        definition = cursor.fetchone()[0]
    assert "BEFORE INSERT OR UPDATE OF " in definition
    columns = definition.split(" OF ")[1].split(" ON ")[0].split(", ")
    assert "is_current" not in columns
    assert set(columns) == {
        "access",
        "title",
        "recommendation",
        "decision",
        "sections",
        "other_case_numbers",
        "search_vector",
    }


def test_search_vectors_are_kept_in_the_row():
    """STORAGE MAIN (migration 0009): a row's long text goes to TOAST before its vector, so
    testing a row against a search reads no TOAST chunks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'meetings_agendaitem'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "m"
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'meetings_agendaitem'::regclass AND attname = 'sections'"
        )
        assert cursor.fetchone()[0] == "x"  # the long text may still leave the row


def meeting_copies() -> set[tuple]:
    """Each item's copies of its meeting's date and body next to the meeting's own."""
    return set(
        AgendaItem.objects.values_list(
            "meeting_date", "meeting_body_id", "meeting__date", "meeting__body_id"
        )
    )


def test_items_carry_their_meetings_date_and_body_whatever_writes_them():
    """The copies search ranks and filters by (migration 0011) follow the meeting: on
    import, when staff correct the meeting's date or body, when an item is saved with
    stale values or moved to another meeting, and through hand-written SQL."""
    from meetings.models import Body

    assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    meeting = Meeting.objects.get()
    assert meeting.date is not None and meeting.body_id is not None
    assert meeting_copies() == {(meeting.date, meeting.body_id, meeting.date, meeting.body_id)}

    other_body = Body.objects.create(name="Et andet udvalg", slug="et-andet-udvalg")
    meeting.date, meeting.body = dt.date(2020, 2, 3), other_body
    meeting.save()  # the admin's way
    assert meeting_copies() == {(dt.date(2020, 2, 3), other_body.pk) * 2}

    item = AgendaItem.objects.first()
    item.meeting_date, item.meeting_body_id = dt.date(1999, 1, 1), None
    item.save()  # Django sends every column, the stale copies too
    assert meeting_copies() == {(dt.date(2020, 2, 3), other_body.pk) * 2}

    undated = Meeting.objects.create(body=None, date=None, slug="ukendt-dato-test")
    AgendaItem.objects.filter(pk=item.pk).update(meeting=undated)
    assert AgendaItem.objects.filter(pk=item.pk).values_list(
        "meeting_date", "meeting_body_id"
    ).get() == (None, None)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_meeting SET date = '2021-06-07' WHERE id = %s", [meeting.pk]
        )
    assert set(
        AgendaItem.objects.filter(meeting=meeting).values_list("meeting_date", flat=True)
    ) == {dt.date(2021, 6, 7)}
