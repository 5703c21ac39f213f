"""People kept in step with the rows: one page per person whatever the printed form,
unsure names on no page, re-imports, closed items, withdrawals and staff corrections.

Each test imports exactly the small documents it needs (no samples)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps as django_apps

from meetings import persons, versions
from meetings.importing import Metadata, import_document
from meetings.models import AgendaItem, Meeting, Person, PersonLink, SourceDocument

from .test_browse import main_of, page, twin

pytestmark = pytest.mark.django_db

AGENDA = Metadata(body="Udvalget for Navne", date=dt.date(2025, 3, 3), kind="agenda")


def modern(*items: tuple[int, str, str, str]) -> bytes:
    """A Danish Regions agenda of the 2020s: (number, access, title, handler) per item."""
    blocks = [
        f"{number} ({access}) {title}\n\n  {handler}\nEMN-2025-0010{number}\n\n"
        f"Resumé\nTekst om {title}.\n"
        for number, access, title, handler in items
    ]
    return ("Dagsorden\n\n" + "\n".join(blocks)).encode()


def links_of(slug: str) -> list[tuple[str, str]]:
    return sorted(PersonLink.objects.filter(person__slug=slug).values_list("role", "printed"))


# ------------------------------------------------------- one person, one page


def meeting_with(participants: list[str], absent: list[str] = ()) -> Meeting:
    """A meeting of its own (April 2025, one day per meeting) whose lists name these people,
    as a parse would give them."""
    count = Meeting.objects.count()
    stated = Metadata(body="Udvalget for Navne", date=dt.date(2025, 4, 1 + count), kind="agenda")
    item = modern((1, "Offentlig", "Godkendelse af dagsorden", "asn@regioner.dk"))
    result = import_document(item, f"navne-{count}.txt", stated)
    assert result.outcome == "created", result.message
    meeting = SourceDocument.objects.get(pk=result.document_id).meetings.get()
    meeting.participants, meeting.absent = participants, list(absent)
    Meeting.objects.filter(pk=meeting.pk).update(participants=participants, absent=list(absent))
    persons.refresh_people([meeting.pk])
    return meeting


def test_printed_variants_of_a_name_are_one_person_and_unsure_names_none():
    first = meeting_with(["Carl Holst (V)", "Tilde Ølholm", "Anne Holst"], ["Tilde"])
    second = meeting_with(["Formand Carl Holst", "Carl Holst, formand", "Holst"])
    carl = Person.objects.get(key="carl holst")
    assert carl.name == "Carl Holst"
    assert sorted(carl.links.values_list("meeting_id", "printed")) == sorted(
        [(first.pk, "Carl Holst (V)"), (second.pk, "Formand Carl Holst")]
    )
    assert Person.objects.filter(key="anne holst").exists()
    assert not Person.objects.filter(key__in=["tilde", "holst"]).exists()
    assert Person.objects.get(key="tilde ølholm").links.count() == 1


def test_the_meeting_page_links_sure_names_and_leaves_unsure_ones_as_text(client):
    meeting = meeting_with(["Carl Holst (V)", "Holst"], ["Tilde"])
    markup = main_of(page(client, f"/moeder/{meeting.slug}/"))
    assert '<a href="/personer/carl-holst/">Carl Holst (V)</a>, Holst' in markup
    assert "<dd>Tilde\n</dd>" in markup or "<dd>Tilde</dd>" in markup


def test_two_spellings_of_one_slug_get_two_pages():
    meeting_with(["Hans-Jørgen Kirstein", "Hans Jørgen Kirstein"])
    assert sorted(
        Person.objects.filter(name__endswith="Kirstein").values_list("slug", flat=True)
    ) == [
        "hans-joergen-kirstein",
        "hans-joergen-kirstein-2",
    ]


def test_a_handler_named_with_an_address_takes_over_the_address_alone():
    only_address = import_document(
        modern((1, "Offentlig", "Orientering", "ulr@regioner.dk")), "a.txt", AGENDA
    )
    assert Person.objects.filter(key="@ulr@regioner.dk").exists()
    item = AgendaItem.objects.get(document_id=only_address.document_id)
    meeting_with(["Ulla Riel <ulr@regioner.dk>"])
    ulla = Person.objects.get(key="ulla riel")
    assert ulla.email == "ulr@regioner.dk"
    assert not Person.objects.filter(key="@ulr@regioner.dk").exists()
    assert ulla.links.filter(item=item).exists()


# ------------------------------------------------ kept in step with the rows


def test_reimporting_with_another_handler_moves_the_item_and_drops_the_person():
    import_document(modern((1, "Offentlig", "Orientering", "Signe Vind")), "v1.txt", AGENDA)
    assert links_of("signe-vind") == [("handled", "Signe Vind")]
    result = import_document(
        modern((1, "Offentlig", "Orientering", "Kristoffer Lange")), "v2.txt", AGENDA
    )
    assert result.outcome == "replaced", result.message
    assert not Person.objects.filter(slug="signe-vind").exists()
    assert links_of("kristoffer-lange") == [("handled", "Kristoffer Lange")]


def test_a_closed_items_handler_is_on_no_page(client):
    import_document(
        modern(
            (1, "Offentlig", "Orientering", "Signe Vind"), (2, "Offentlig", "Sag", "Sine Mainz")
        ),
        "v1.txt",
        AGENDA,
    )
    assert links_of("sine-mainz") == [("handled", "Sine Mainz")]
    result = import_document(
        modern((1, "Offentlig", "Orientering", "Signe Vind"), (2, "Lukket", "Sag", "Sine Mainz")),
        "v2.txt",
        AGENDA,
    )
    assert result.outcome == "replaced", result.message
    assert AgendaItem.objects.get(number=2, is_current=True).is_confidential
    assert not Person.objects.filter(name="Sine Mainz").exists()
    assert client.get("/personer/sine-mainz/").status_code == 404
    assert "search-people" not in page(client, "/soeg/?q=Sine+Mainz")
    assert twin(client, "/soeg/?q=Sine+Mainz")["people"] == []
    assert "Sine Mainz" not in str(twin(client, "/personer/"))


def test_withdrawing_a_document_takes_its_people_off(client):
    result = import_document(
        modern((1, "Offentlig", "Orientering", "Signe Vind")), "v1.txt", AGENDA
    )
    document = SourceDocument.objects.get(pk=result.document_id)
    assert Person.objects.filter(slug="signe-vind").exists()
    versions.withdraw_document(document, by="staff", reason="fejl")
    assert not Person.objects.filter(slug="signe-vind").exists()
    assert not PersonLink.objects.exists()
    assert client.get("/personer/signe-vind/").status_code == 404


def test_a_staff_correction_of_the_lists_reaches_the_people_once_committed(
    django_capture_on_commit_callbacks,
):
    meeting = meeting_with(["Carl Holst"])
    meeting.participants = ["Bent Hansen"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting.save()
    assert not Person.objects.filter(key="carl holst").exists()
    assert links_of("bent-hansen") == [("attended", "Bent Hansen")]


def test_the_migration_backfills_the_people_of_an_archive():
    from importlib import import_module

    meeting_with(["Carl Holst (V)", "Tilde"], ["Bent Hansen"])
    import_document(modern((1, "Offentlig", "Orientering", "Signe Vind")), "v1.txt", AGENDA)
    expected = sorted(
        PersonLink.objects.values_list("person__key", "meeting_id", "role", "item_id")
    )
    assert len(expected) == 4
    Person.objects.all().delete()
    import_module("meetings.migrations.0015_people").people_of_the_archive(django_apps, None)
    assert (
        sorted(PersonLink.objects.values_list("person__key", "meeting_id", "role", "item_id"))
        == expected
    )


def test_person_pages_are_cached_until_the_people_change(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    from meetings import page_cache

    settings.PAGE_CACHE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_with(["Carl Holst"])
    assert client.get("/personer/carl-holst/")[page_cache.HEADER] == "miss"
    assert client.get("/personer/carl-holst/")[page_cache.HEADER] == "hit"
    meeting.refresh_from_db()
    meeting.absent = ["Bent Hansen"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting.save()  # a staff correction in the admin
    assert client.get("/personer/carl-holst/")[page_cache.HEADER] == "miss"
    assert "Fraværende fra mødet" in page(client, "/personer/bent-hansen/")


def test_an_import_refreshes_its_meetings_people_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[list[int]] = []
    real = persons.refresh_people

    def counted(meeting_ids, tables=None):
        calls.append(sorted(meeting_ids))
        return real(meeting_ids, tables)

    monkeypatch.setattr(persons, "refresh_people", counted)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_document(
            modern((1, "Offentlig", "Orientering", "Signe Vind")), "a.txt", AGENDA
        )
    meeting = SourceDocument.objects.get(pk=result.document_id).meetings.get()
    # In publish(), after the meeting was saved: the save's own refresh is not needed.
    assert calls == [[meeting.pk]]
    assert links_of("signe-vind") == [("handled", "Signe Vind")]
