"""People pages on the imported samples: who attended, was absent, handled; reached from
meetings and items; found by search. Keeping them in step: tests/test_people_refresh.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import AgendaItem, Person, PersonLink

from .test_browse import BOARD_2011, main_of, page, text_of, twin

pytestmark = pytest.mark.django_db


def links_of(slug: str) -> list[tuple[str, str]]:
    return sorted(PersonLink.objects.filter(person__slug=slug).values_list("role", "printed"))


# ----------------------------------------------------------- from the samples


def test_participants_absentees_and_handlers_become_people(client, sample_archive):
    carl = Person.objects.get(slug="carl-holst")
    assert (carl.name, carl.key) == ("Carl Holst", "carl holst")
    assert links_of("carl-holst") == [("attended", "Carl Holst")]
    assert links_of("poul-erik-svendsen") == [("absent", "Poul Erik Svendsen")]
    # Every shown public item that names a handler, and nothing else.
    handled = AgendaItem.objects.filter(is_current=True, access="public").exclude(handler="")
    assert PersonLink.objects.filter(role="handled").count() == handled.count() > 20
    assert (
        sorted(
            PersonLink.objects.filter(role="handled", person__slug="ulla-riel").values_list(
                "item__handler", flat=True
            )
        )
        == ["Ulla Riel"] * 5
    )
    mbk = Person.objects.get(slug="mbk-regioner-dk")
    assert (mbk.name, mbk.email, mbk.key) == (
        "mbk@regioner.dk",
        "mbk@regioner.dk",
        "@mbk@regioner.dk",
    )


def test_a_person_page_lists_bodies_meetings_and_items_newest_first(client, sample_archive):
    text = text_of(main_of(page(client, "/personer/carl-holst/")))
    assert "Carl Holst" in text
    assert "Danske Regioners bestyrelse 1 møde 0 møder 0 punkter" in text
    assert "26. maj 2011 · Danske Regioners bestyrelse" in text and "Deltog i mødet" in text

    absent = text_of(main_of(page(client, "/personer/poul-erik-svendsen/")))
    assert "Fraværende fra mødet" in absent

    data = twin(client, "/personer/ulla-riel/")
    assert data["person"] == {
        "name": "Ulla Riel",
        "slug": "ulla-riel",
        "url": "/personer/ulla-riel/",
    }
    assert [link["role"] for link in data["links"]] == ["handled"] * 5
    assert data["pagination"]["count"] == 5
    items = [link["item"] for link in data["links"]]
    for item in items:
        assert client.get(item["url"]).status_code == 200
    dates = [link["meeting"]["date"] for link in data["links"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[: len(dated)] == dated  # undated last
    assert data["bodies"] == [
        {
            "name": body,
            "url": f"/organer/{slug}/",
            "attended": 0,
            "absent": 0,
            "handled": sum(1 for link in data["links"] if link["meeting"]["body"]["name"] == body),
        }
        for body, slug in sorted(
            {
                (link["meeting"]["body"]["name"], link["meeting"]["body"]["slug"])
                for link in data["links"]
            }
        )
    ]


def test_the_people_list_is_paginated_with_counts(client, sample_archive, monkeypatch):
    from meetings import views

    data = twin(client, "/personer/")
    assert data["pagination"]["count"] == Person.objects.count()
    by_slug = {person["slug"]: person for person in data["people"]}
    assert by_slug["carl-holst"]["attended"] == 1
    assert by_slug["ulla-riel"]["handled"] == 5
    monkeypatch.setattr(views, "PER_PAGE", 10)
    second = twin(client, "/personer/?side=2")
    assert len(second["people"]) == 10 and second["pagination"]["number"] == 2
    assert not {p["slug"] for p in second["people"]} & {p["slug"] for p in data["people"][:10]}
    assert "Carl Holst" in text_of(main_of(page(client, "/personer/")))


def test_a_person_page_that_does_not_exist_says_so(client, sample_archive):
    assert "Personen “ingen” findes ikke i arkivet." in page(client, "/personer/ingen/", status=404)
    assert twin(client, "/personer/ingen/", status=404)["error"]


def test_meeting_and_item_pages_link_their_people(client, sample_archive):
    meeting = main_of(page(client, f"/moeder/{BOARD_2011}/"))
    assert '<a href="/personer/carl-holst/">Carl Holst</a>' in meeting
    assert '<a href="/personer/knud-andersen/">Knud Andersen</a>' in meeting
    people = twin(client, f"/moeder/{BOARD_2011}/")["meeting"]["people"]
    assert {"printed": "Carl Holst", "role": "attended", "url": "/personer/carl-holst/"} in people
    assert {
        "printed": "Knud Andersen",
        "role": "absent",
        "url": "/personer/knud-andersen/",
    } in people

    item = AgendaItem.objects.filter(is_current=True, handler="Ulla Riel").select_related(
        "meeting"
    )[0]
    markup = main_of(page(client, item.get_absolute_url()))
    assert '<a href="/personer/ulla-riel/">Ulla Riel</a>' in markup
    assert twin(client, item.get_absolute_url())["item"]["handler_url"] == "/personer/ulla-riel/"


def test_people_cost_the_meeting_and_person_pages_no_query_per_row(client, sample_archive):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/personer/carl-holst/") == queries("/personer/ulla-riel/") <= 4
    assert queries("/personer/") <= 2


# --------------------------------------------------------------------- search


def test_a_name_search_shows_the_person_above_the_hits(client, sample_archive):
    markup = page(client, "/soeg/?q=Carl+Holst")
    block = markup[markup.index('class="search-people"') :]
    assert '<a href="/personer/carl-holst/">Carl Holst</a>' in block[: block.index("</section>")]
    assert twin(client, "/soeg/?q=Carl+Holst")["people"] == [
        {"name": "Carl Holst", "slug": "carl-holst", "url": "/personer/carl-holst/"}
    ]


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("holst", ["carl-holst"]),
        ("Ulla", ["ulla-astman", "ulla-riel"]),
        ("mbk@regioner.dk", ["mbk-regioner-dk"]),
        ("MBK@Regioner.dk", ["mbk-regioner-dk"]),
        ("Formand Carl Holst (V)", ["carl-holst"]),  # as names are printed
        ("formand", []),
        ("regioner", []),  # an address's domain is no name
        ("olst", []),  # words match from their start
        ("budtz-jørgensen", ["annette-budtz-joergensen"]),
        ("budtz-joergensen", ["annette-budtz-joergensen"]),  # oe for ø (#23)
    ],
)
def test_people_are_found_by_the_words_of_their_names(client, sample_archive, query, slugs):
    found = twin(client, f"/soeg/?q={query}")["people"]
    assert sorted(person["slug"] for person in found) == slugs


def test_a_word_with_a_digit_names_no_one_and_costs_no_statement(sample_archive):
    """A case number or a date among the words: no name word holds a digit (the parser
    keeps none as a name), so the look-up is not made."""
    from meetings import persons
    from meetings.people import read_name

    assert read_name("Carl 2Holst") is None
    assert read_name("Carl Holst, 2345 6789").key == "carl holst"  # the number set aside
    assert persons.matching("Carl Holst")  # found without the digit
    with CaptureQueriesContext(connection) as captured:
        assert persons.matching("Carl Holst 2019-07938") == []
        assert persons.matching("sagsnr. 10/2562") == []
    assert captured.captured_queries == []


def test_a_name_search_finds_exactly_the_people_with_a_live_link(client, sample_archive):
    """Search's hand-written look-up (persons.matching) keeps the rule of live_links: a
    handler of an item that is closed or no longer shown, or a link whose meeting is gone,
    is no reason to name a person."""
    from meetings import persons

    shown = AgendaItem.objects.filter(is_current=True, access="public").exclude(
        person_links__role=PersonLink.HANDLED
    )[0]
    closed = AgendaItem.objects.filter(access="confidential").exclude(
        person_links__role=PersonLink.HANDLED
    )[0]
    links = {
        "Zeta Shown": dict(meeting=shown.meeting, item=shown, role=PersonLink.HANDLED),
        "Zeta Closed": dict(meeting=closed.meeting, item=closed, role=PersonLink.HANDLED),
        "Zeta Gone": dict(meeting=None, item=None, role=PersonLink.ATTENDED),
    }
    for name, link in links.items():
        slug = name.lower().replace(" ", "-")
        person = Person.objects.create(name=name, key=name.lower(), slug=slug)
        PersonLink.objects.create(person=person, printed=name, **link)

    reference = {
        p.slug
        for p in Person.objects.filter(key__startswith="zeta")
        if persons.live_links().filter(person=p).exists()
    }
    assert reference == {"zeta-shown"}
    assert {p.slug for p in persons.matching("zeta")} == reference
    # And for every sample person found by their full name: live links decide.
    for person in Person.objects.exclude(key__startswith="@"):
        found = {p.slug for p in persons.matching(person.name)}
        assert (person.slug in found) == persons.live_links().filter(person=person).exists()
