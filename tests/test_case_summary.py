"""Each case's summary (shown items, first and last date) kept by the database.

The list of cases reads the case rows; the triggers of migration 0019 keep them what
an aggregate over the items says, whichever code wrote the items. Each test changes
the archive through one writer and compares every case with the aggregate.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Max, Min, Q

from meetings import corrections, versions
from meetings.importing import Metadata, import_document
from meetings.models import CONFIDENTIAL, AgendaItem, Case, SourceDocument

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_archive")]

COMMITTEE = Metadata(body="Udvalget for Sager", date=dt.date(2026, 5, 4), kind="minutes")


def aggregated() -> dict[int, tuple]:
    shown = Q(items__is_current=True, items__access="public")
    return {
        case.pk: (case.n, case.first, case.last)
        for case in Case.objects.annotate(
            n=Count("items", filter=shown),
            first=Min("items__meeting_date", filter=shown),
            last=Max("items__meeting_date", filter=shown),
        )
    }


def summaries() -> dict[int, tuple]:
    return {
        case.pk: (case.shown_items, case.first_date, case.last_date) for case in Case.objects.all()
    }


def minutes(number: str, *, title: str = "Ny sag") -> bytes:
    return (
        f"Referat\n\n1 (Offentlig) {title}\n\n  asn@regioner.dk\n{number}\n\n"
        "Resumé\nTekst om sagen.\n\nBeslutning\nGodkendt.\n"
    ).encode()


def test_the_samples_summaries_agree_with_their_items():
    assert summaries() == aggregated()
    assert sum(n for n, _, _ in summaries().values()) > 0


def test_an_import_adds_a_case_and_moves_an_old_one_to_the_top(client):
    old = (
        Case.objects.filter(shown_items__gt=0, number__startswith="EMN-")
        .order_by("last_date")
        .first()
    )
    result = import_document(minutes(old.number), "ny.txt", COMMITTEE)
    assert result.outcome == "created", result.message
    assert summaries() == aggregated()
    old.refresh_from_db()
    assert old.last_date == COMMITTEE.date
    listed = client.get("/sager/?format=json").json()
    assert listed["cases"][0]["number"] == old.number


def test_closing_an_item_takes_it_out_of_its_cases_counts():
    item = AgendaItem.objects.filter(is_current=True, access="public", cases__isnull=False).first()
    case = item.cases.first()
    before = case.shown_items
    corrections.correct_item(
        item, title=item.title, decision="", access=CONFIDENTIAL, case_numbers=[], by="staff"
    )
    assert summaries() == aggregated()
    case.refresh_from_db()
    assert case.shown_items == before - 1


def test_a_withdrawn_document_leaves_its_cases():
    result = import_document(minutes("EMN-2026-00042"), "tilbage.txt", COMMITTEE)
    case = Case.objects.get(number="EMN-2026-00042")
    assert case.shown_items == 1
    versions.withdraw_document(
        SourceDocument.objects.get(pk=result.document_id), by="staff", reason="fejl"
    )
    assert summaries() == aggregated()
    case.refresh_from_db()
    assert (case.shown_items, case.last_date) == (0, None)
    assert "EMN-2026-00042" not in str(Case.objects.filter(shown_items__gt=0).values("number"))


def test_a_revised_document_moves_its_item_to_another_case():
    import_document(minutes("EMN-2026-00050"), "flyt.txt", COMMITTEE)
    import_document(minutes("EMN-2026-00051", title="Ny sag, rettet"), "flyt.txt", COMMITTEE)
    assert summaries() == aggregated()
    counts = dict(
        Case.objects.filter(number__in=["EMN-2026-00050", "EMN-2026-00051"]).values_list(
            "number", "shown_items"
        )
    )
    assert counts == {"EMN-2026-00050": 0, "EMN-2026-00051": 1}
