"""Browsing without a search word: the lists of meetings and cases, the header's
navigation, the decisions' filters and counts, CSV as Danish spreadsheets read it,
and the address a printed page carries."""

from __future__ import annotations

import csv
import io

import pytest

from meetings.models import AgendaItem, Case, Meeting

from .test_browse import main_of, page, text_of, twin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_archive")]

BOARD = "danske-regioners-bestyrelse"


def test_every_page_has_the_archive_navigation(client):
    markup = page(client, "/organer/")
    nav = markup[markup.index('<nav class="site-nav') : markup.index("</nav>")]
    for href, label in (("/moeder/", "Møder"), ("/sager/", "Sager"),
                        ("/beslutninger/", "Beslutninger"), ("/organer/", "Organer")):  # fmt: skip
        assert f'href="{href}"' in nav and label in nav
    assert 'href="/organer/" aria-current="page"' in nav


def test_meeting_list_shows_every_meeting_undated_included(client):
    data = twin(client, "/moeder/")
    assert data["pagination"]["count"] == Meeting.objects.count() == 6
    listed = [m["slug"] for group in data["years"] for m in group["meetings"]]
    assert sorted(listed) == sorted(Meeting.objects.values_list("slug", flat=True))
    assert [group["year"] for group in data["years"]] == [2024, 2011, None]
    assert "Dato ukendt" in text_of(main_of(page(client, "/moeder/")))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"body={BOARD}", 3),
        ("body=sundhedsudvalget", 2),
        ("year=2011", 2),
        ("year=ukendt", 3),
        (f"body={BOARD}&year=ukendt", 1),
        ("kind=minutes", 3),
        ("kind=agenda", 3),
    ],
)
def test_meeting_list_filters(client, query, expected):
    data = twin(client, f"/moeder/?{query}")
    assert data["pagination"]["count"] == expected
    wanted = Meeting.objects.all()
    for part in query.split("&"):
        name, value = part.split("=")
        if name == "body":
            wanted = wanted.filter(body__slug=value)
        elif name == "year":
            wanted = (
                wanted.filter(date=None) if value == "ukendt" else wanted.filter(date__year=value)
            )
        else:
            has_minutes = AgendaItem.objects.filter(kind="minutes").values("meeting")
            wanted = (
                wanted.filter(pk__in=has_minutes)
                if value == "minutes"
                else wanted.exclude(pk__in=has_minutes)
            )
    listed = {m["slug"] for group in data["years"] for m in group["meetings"]}
    assert listed == set(wanted.values_list("slug", flat=True))


def test_case_list_counts_items_and_filters_by_body_and_year(client):
    data = twin(client, "/sager/")
    public_cases = Case.objects.filter(items__is_current=True, items__access="public").distinct()
    assert data["pagination"]["count"] == public_cases.count()
    first = data["cases"][0]
    assert first["url"] == f"/sager/{first['number']}/"
    markup = page(client, "/sager/?year=2011")
    assert "11/872" in markup
    assert "EMN-2024-00917" not in twin(client, "/sager/?year=2011")["cases"].__repr__()
    board_2011 = twin(client, f"/sager/?body={BOARD}&year=2011")
    numbers = {case["number"] for case in board_2011["cases"]}
    assert "11/872" in numbers and not any(n.startswith("EMN-2024") for n in numbers)
    text = text_of(main_of(page(client, "/sager/")))
    assert "punkter" in text or "punkt" in text


def test_decisions_filter_by_words_and_dates(client):
    everything = twin(client, "/beslutninger/")["pagination"]["count"]
    dated = twin(client, "/beslutninger/?date_from=2011-01-01&date_to=2011-12-31")
    assert dated["pagination"]["count"] == 15
    assert {i["meeting"]["date"] for i in dated["items"]} == {"2011-05-26"}
    worded = twin(client, "/beslutninger/?words=efterretning")
    assert 0 < worded["pagination"]["count"] < everything
    expected = AgendaItem.objects.filter(is_current=True, access="public").exclude(decision="")
    expected = expected.filter(decision__icontains="efterretning").count()
    assert worded["pagination"]["count"] >= expected > 0


def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel's mark for UTF-8
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_decisions_csv_opens_column_by_column(client):
    response = client.get(f"/beslutninger/?body={BOARD}&year=2011&format=csv")
    rows = _csv_rows(response)
    assert rows[0] == ["titel", "dato", "organ", "art", "punkt", "sagsnumre", "beslutning", "url"]
    assert len(rows) == 1 + 15
    by_number = {row[4]: row for row in rows[1:]}
    item = AgendaItem.objects.get(
        is_current=True, meeting__date="2011-05-26", number=int(rows[1][4])
    )
    row = by_number[str(item.number)]
    assert row[0] == item.title and row[1] == "2011-05-26"
    assert row[2] == "Danske Regioners bestyrelse" and row[3] == "Referat"
    assert row[5] == ", ".join(sorted(item.cases.values_list("number", flat=True)))
    assert row[6] == item.decision
    assert row[7] == f"http://testserver{item.get_absolute_url()}"
    assert any(row[5] for row in rows[1:])
    assert "Hent som CSV" in page(client, "/beslutninger/")


def test_search_csv_has_case_numbers_and_absolute_links(client):
    rows = _csv_rows(client.get("/soeg/", {"q": "EMN-2024-00932", "format": "csv"}))
    hits = rows[1:]
    assert hits and all("EMN-2024-00932" in row[5] for row in hits)
    assert all(row[7].startswith("http://testserver/moeder/") for row in hits)


def test_a_printed_page_carries_its_address(client):
    markup = page(client, "/moeder/")
    assert '<p class="citation">Mødearkiv, http://testserver/moeder/ (hentet ' in markup


def test_search_with_filters_and_no_words_lists_the_items_newest_first(client):
    data = client.get("/soeg/", {"organ": BOARD, "aar": "2011", "format": "json"}).json()
    expected = AgendaItem.objects.filter(
        is_current=True, access="public", meeting__body__slug=BOARD, meeting__date__year=2011
    )
    assert data["total"] == expected.count() == 31
    second = client.get("/soeg/", {"organ": BOARD, "aar": "2011", "side": "2", "format": "json"})
    hits = data["hits"] + second.json()["hits"]
    assert len(data["hits"]) == 20 and len(hits) == 31
    assert {hit["url"] for hit in hits} == {item.get_absolute_url() for item in expected}
    dates = [hit["date"] for hit in hits]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2011-06-23"
    page = client.get("/soeg/", {"organ": BOARD, "aar": "2011"}).content.decode()
    assert "31 punkter matcher." in page and 'class="search-hits"' in page
    assert "Organ: Danske Regioners bestyrelse" in page
    # No filter and no words: the search's tips, as before.
    assert 'class="search-hits"' not in client.get("/soeg/").content.decode()


def test_search_counts_undated_meetings_in_the_year_facet_and_filters_by_them(client):
    data = client.get("/soeg/", {"q": "regioner", "format": "json"}).json()
    years = {facet["value"]: facet["count"] for facet in data["facets"]["aar"]}
    undated = client.get("/soeg/", {"q": "regioner", "aar": "ukendt", "format": "json"}).json()
    assert years["ukendt"] == undated["total"] > 0
    assert {hit["date"] for hit in undated["hits"]} == {None}
    assert sum(years.values()) == data["total"]
    bad = client.get("/soeg/", {"q": "regioner", "aar": "abc", "format": "json"})
    assert bad.status_code == 200 and bad.json()["total"] == data["total"]  # ignored, said
