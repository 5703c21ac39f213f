"""Document identity and versions: nothing lost, nothing half-replaced, nothing flip-flops.

A document is the same document only when it comes from the same source path,
or gives the same meeting's agenda or minutes again; a file name is never
evidence. Every replaced version is kept with its text, hash, time and who.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from meetings import versions
from meetings.importing import (
    Metadata,
    collect_files,
    import_file,
    run_import,
    run_upload,
)
from meetings.models import AgendaItem, DocumentVersion, ImportedFile, Meeting, SourceDocument

from .parsing.conftest import render_pdf
from .test_importing import snapshot

MONTHS = {3: "marts", 4: "april"}


def minutes_text(day: dt.date, topic: str, decision: str, *, kind: str = "Referat") -> str:
    """A small council's minutes (or agenda) as the generic layout reads it."""
    decided = f"Beslutning:\n{decision}\n" if kind == "Referat" else "Indstilling:\nGodkendes.\n"
    return (
        f"{kind}\n\nMødedato: {day.day}. {MONTHS[day.month]} {day.year}\n\n"
        "Punkt 1. Godkendelse af dagsorden\n"
        + ("Beslutning:\nGodkendt.\n" if kind == "Referat" else "")
        + f"\nPunkt 2. {topic}\nSagsnr.: EMN-{day.year}-00{day.day}{day.month}\n{decided}"
    )


def write(folder: Path, name: str, data: bytes, body: str, *, mtime: float | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    (folder / f"{name}.meta.json").write_text(json.dumps({"body": body}))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def meeting_folder(root: Path, body: str, day: dt.date, topic: str, decision: str) -> Path:
    """A council's folder for one meeting: dagsorden.pdf and referat.pdf, as they name them."""
    folder = root / body / day.isoformat()
    agenda = render_pdf(minutes_text(day, topic, decision, kind="Dagsorden"))
    write(folder, "dagsorden.pdf", agenda, body)
    write(folder, "referat.pdf", render_pdf(minutes_text(day, topic, decision)), body)
    return folder


def run(root: Path):
    paths, unmatched = collect_files([str(root)])
    assert not unmatched
    return run_import(paths, Metadata(), started_by="test")


MARCH, APRIL = dt.date(2025, 3, 3), dt.date(2025, 4, 7)


@pytest.mark.django_db
def test_a_tree_of_meeting_folders_imports_every_meeting_and_a_revision_replaces_one(
    tmp_path, client
):
    meeting_folder(tmp_path, "Teknisk udvalg", MARCH, "Vejplan", "Vejplanen blev godkendt.")
    meeting_folder(tmp_path, "Teknisk udvalg", APRIL, "Cykelsti", "Cykelstien blev vedtaget.")
    revised = meeting_folder(tmp_path, "Kulturudvalget", MARCH, "Bibliotek", "Udsat.")

    first = run(tmp_path)
    assert (first.created, first.failed, first.held) == (6, 0, 0)
    assert Meeting.objects.count() == 3
    assert all(m.documents.count() == 2 for m in Meeting.objects.all())

    before = snapshot()
    again = run(tmp_path)
    assert (again.unchanged, again.created, again.replaced) == (6, 0, 0)
    assert snapshot() == before

    text = minutes_text(MARCH, "Bibliotek", "Biblioteket får nye åbningstider.")
    write(revised, "referat.pdf", render_pdf(text), "Kulturudvalget")
    third = run(tmp_path)
    assert (third.replaced, third.unchanged, third.created) == (1, 5, 0)
    kultur = Meeting.objects.get(body__name="Kulturudvalget")
    shown = AgendaItem.objects.get(meeting=kultur, number=2, is_current=True)
    assert "Biblioteket får nye åbningstider." in shown.decision
    # The other meetings' rows are the very rows they were.
    others = AgendaItem.objects.exclude(meeting=kultur)
    assert sorted(others.values_list("pk", "decision")) == sorted(
        (pk, decision) for pk, meeting, _, _, decision in before["items"] if meeting != kultur.pk
    )
    # The earlier version stays in the history, with its text, hash, time and who.
    document = SourceDocument.objects.get(source_key=str((revised / "referat.pdf").resolve()))
    old, new = document.versions.order_by("number")
    assert (old.state, new.state) == (DocumentVersion.SUPERSEDED, DocumentVersion.CURRENT)
    assert "Udsat." in old.text and "Udsat." not in new.text
    assert old.sha256 != new.sha256 and old.imported_by == "test"
    assert "-Udsat." in versions.changes(old, new)
    # The public page of the revised item says so.
    assert shown.revised_at is not None
    page = client.get(f"/moeder/{kultur.slug}/punkt/2/").content.decode()
    assert "Punktet er ændret i en ny version af dokumentet" in page
    unchanged_item = AgendaItem.objects.get(meeting=kultur, number=1, is_current=True)
    assert unchanged_item.revised_at is None


@pytest.mark.django_db
def test_one_file_name_in_two_folders_is_two_documents(tmp_path, client):
    a = write(tmp_path / "a", "referat.txt", minutes_text(MARCH, "Vejplan", "Ja.").encode(),
              "Sundhedsudvalget")  # fmt: skip
    write(
        tmp_path / "b",
        "referat.txt",
        minutes_text(APRIL, "Skole", "Nej.").encode(),
        "Børneudvalget",
    )

    result = run(tmp_path)

    assert (result.created, result.replaced) == (2, 0)
    assert SourceDocument.objects.filter(file_name="referat.txt").count() == 2
    for meeting in Meeting.objects.all():
        assert client.get(meeting.get_absolute_url()).status_code == 200
    # Again, either order: nothing flip-flops.
    assert run(tmp_path).unchanged == 2
    assert import_file(a, Metadata()).outcome == ImportedFile.UNCHANGED


@pytest.mark.django_db
def test_an_upload_named_like_another_document_replaces_nothing(tmp_path):
    write(tmp_path, "referat.txt", minutes_text(MARCH, "Vejplan", "Ja.").encode(), "Teknisk udvalg")
    run(tmp_path)
    before = snapshot()

    other = minutes_text(APRIL, "Skole", "Nej.").encode()
    upload = run_upload(other, "referat.txt", Metadata(body="Børneudvalget"), started_by="x")

    assert upload.created == 1 and upload.replaced == 0
    assert set(before["items"]) <= set(snapshot()["items"])
    assert Meeting.objects.count() == 2


@pytest.mark.django_db
def test_a_new_upload_of_a_meetings_minutes_is_a_new_version_of_them():
    first = minutes_text(MARCH, "Vejplan", "Ja.").encode()
    second = minutes_text(MARCH, "Vejplan", "Ja, med en bemærkning.").encode()
    stated = Metadata(body="Teknisk udvalg")
    run_upload(first, "referat.txt", stated, started_by="a")
    replaced = run_upload(second, "referat-rettet.txt", stated, started_by="b")

    assert replaced.replaced == 1
    document = SourceDocument.objects.get()
    assert [v.imported_by for v in document.versions.order_by("number")] == ["a", "b"]
    assert "Ja, med en bemærkning." in AgendaItem.objects.get(number=2).decision


@pytest.mark.django_db
def test_of_two_minutes_files_the_later_file_is_shown_whichever_came_last(tmp_path):
    body = "Teknisk udvalg"
    final_text = minutes_text(MARCH, "Vejplan", "Endelig.").encode()
    draft_text = minutes_text(MARCH, "Vejplan", "Udkast.").encode()
    final = write(tmp_path / "ny", "referat.txt", final_text, body, mtime=2_000_000_000)
    draft = write(tmp_path / "gammel", "referat.txt", draft_text, body, mtime=1_000_000_000)

    assert import_file(final, Metadata()).outcome == ImportedFile.CREATED
    older = import_file(draft, Metadata())

    assert older.outcome == ImportedFile.UNCHANGED and "older than the version" in older.message
    assert "Endelig." in AgendaItem.objects.get(number=2).decision
    states = set(DocumentVersion.objects.values_list("state", flat=True))
    assert states == {DocumentVersion.CURRENT, DocumentVersion.OLDER}
    for _ in range(2):  # over and over: the shown version never changes
        assert {import_file(p, Metadata()).outcome for p in (draft, final)} == {"unchanged"}
        assert "Endelig." in AgendaItem.objects.get(number=2).decision


# ------------------------------------------------------------- held for review

DOUBTFUL = """Referat

Mødet den 3. marts 2025

Punkt 1. Meddelelser
Intet.

Punkt 2. Budget
Budgettet blev godkendt.
Lukket punkt: Tvistighed med Hemmeligordsen
"""


@pytest.mark.django_db
def test_a_doubtful_parse_is_held_for_review_then_published_by_staff(client):
    run = run_upload(DOUBTFUL.encode(), "referat.txt", Metadata(body="Udvalget"), started_by="x")

    [result] = run.files.all()
    assert result.outcome == ImportedFile.HELD and run.held == 1
    assert "marks something closed" in result.message
    document = SourceDocument.objects.get()
    assert document.status == SourceDocument.HELD
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()
    assert client.get(f"/dokumenter/{document.pk}/").status_code == 404
    assert "Hemmeligordsen" not in document.text

    versions.publish_held(document.versions.get(), by="redaktoer")

    document.refresh_from_db()
    assert document.status == SourceDocument.PUBLISHED
    assert AgendaItem.objects.count() == 2
    assert client.get(f"/dokumenter/{document.pk}/").status_code == 200
    assert document.versions.get().decided_by == "redaktoer"


@pytest.mark.django_db
def test_a_doubtful_new_version_leaves_the_published_one_in_place(tmp_path):
    path = write(tmp_path, "referat.txt", minutes_text(MARCH, "Budget", "Godkendt.").encode(), "U")
    import_file(path, Metadata())
    before = snapshot()
    write(tmp_path, "referat.txt", DOUBTFUL.encode(), "U")

    result = import_file(path, Metadata())

    assert result.outcome == ImportedFile.HELD
    assert snapshot()["items"] == before["items"]
    held = DocumentVersion.objects.get(state=DocumentVersion.HELD)
    versions.drop_held(held, by="redaktoer", reason="forkert fil")
    held.refresh_from_db()
    assert (held.state, held.text, held.decision_reason) == ("dropped", "", "forkert fil")
    assert import_file(path, Metadata()).outcome == ImportedFile.UNCHANGED  # never again


# ------------------------------------------------------------------- withdraw

# The decision's words; a search for "sporvognsordningen" echoes only the query.
DECIDED = "Sporvognsordningen blev vedtaget"
PUBLIC_PAGES = ("/", "/beslutninger/", "/beslutninger/?format=json")
SEARCH = "/soeg/?q=sporvognsordningen"


def _surfaces(client, document: SourceDocument) -> str:
    """What the public sees: pages, the document, and the search's page and exports."""
    urls = [*PUBLIC_PAGES, f"/dokumenter/{document.pk}/", SEARCH, f"{SEARCH}&format=csv",
            f"{SEARCH}&format=atom"]  # fmt: skip
    return "\n".join(client.get(url).content.decode() for url in urls)


def _hits(client) -> int:
    return len(client.get(f"{SEARCH}&format=json").json()["hits"])


@pytest.mark.django_db
def test_a_withdrawn_document_is_gone_from_every_public_surface_at_once(client):
    text = minutes_text(MARCH, "Sporvognsordningen", "Sporvognsordningen blev vedtaget.")
    run_upload(text.encode(), "referat.txt", Metadata(body="Byrådet"), started_by="x")
    document = SourceDocument.objects.get()
    meeting = Meeting.objects.get()
    assert DECIDED in _surfaces(client, document) and _hits(client) == 1

    versions.withdraw_document(document, by="redaktoer", reason="personoplysninger")

    assert DECIDED not in _surfaces(client, document) and _hits(client) == 0
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(f"/dokumenter/{document.pk}/").status_code == 404
    version = document.versions.get()
    assert (version.state, version.decided_by, version.decision_reason) == (
        "withdrawn",
        "redaktoer",
        "personoplysninger",
    )
    assert version.text == "" and version.sha256
    again = run_upload(text.encode(), "referat.txt", Metadata(body="Byrådet"), started_by="x")
    assert again.unchanged == 1 and not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_withdrawing_the_shown_version_shows_the_previous_one_again(client):
    stated = Metadata(body="Byrådet")
    first = minutes_text(MARCH, "Havnen", "Havneplanen blev vedtaget.")
    second = minutes_text(MARCH, "Havnen", f"{DECIDED} ved en fejl.")
    run_upload(first.encode(), "referat.txt", stated, started_by="x")
    run_upload(second.encode(), "referat.txt", stated, started_by="x")
    assert DECIDED in AgendaItem.objects.get(number=2).decision

    document = SourceDocument.objects.get()
    shown = document.versions.get(state=DocumentVersion.CURRENT)
    versions.withdraw_version(shown, by="redaktoer", reason="forkert version")

    assert "Havneplanen blev vedtaget." in AgendaItem.objects.get(number=2).decision
    assert DECIDED not in _surfaces(client, document) and _hits(client) == 0
    assert document.versions.get(number=1).state == DocumentVersion.CURRENT


# ----------------------------------------------------------- the source file


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ['referat "lukket".pdf', "referat\r\nX-Injected: 1.pdf", "møde-æøå.pdf"]
)
def test_the_source_file_header_is_built_by_the_framework(client, name):
    from django.utils.http import content_disposition_header

    data = render_pdf(minutes_text(MARCH, "Vejplan", "Ja."))
    run_upload(data, name, Metadata(body="Teknisk udvalg"), started_by="x")
    document = SourceDocument.objects.get()

    response = client.get(f"/dokumenter/{document.pk}/fil")

    assert response.status_code == 200
    assert response["Content-Disposition"] == content_disposition_header(False, name)
    assert "\n" not in response["Content-Disposition"]
    assert "X-Injected" not in response.headers
