"""The browse pages on the imported sample documents: content, JSON twins, 404s, queries."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import selectors, views
from meetings.importing import Metadata, import_document
from meetings.models import AgendaItem, Meeting, SourceDocument
from meetings.parsing import parse_document
from meetings.templatetags.archive_tags import web_link

from .conftest import GOLD, SAMPLES

MODERN = "001_0aba8dafb6435775.txt"  # undated agenda, items 1-11, 2/4/5 confidential
BOARD = "002_c726c5dda8553df7.txt"  # undated minutes, items 7-24
PACKET = "003_1ebfba288d399e41.txt"  # 2011-06-23 agenda and 2011-05-26 minutes
SST = "004_8d8a7837cce6a1ab.txt"  # 2024-08-28 minutes, 5 items
BOARD_2011 = "2011-05-26-danske-regioners-bestyrelse"
SST_SLUG = "2024-08-28-foelgegruppen-for-fagligt-oplaeg-til-kraeftplan-v"

pytestmark = pytest.mark.django_db


def gold(name: str) -> dict:
    return json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))


def slug_of(name: str, index: int = 0) -> str:
    """The slug of the index-th meeting (in gold order) the document holds."""
    meeting = gold(name)["meetings"][index]
    document = SourceDocument.objects.get(file_name=name)
    if meeting["date"]:
        return document.meetings.get(date=meeting["date"]).slug
    return document.meetings.get(date__isnull=True).slug


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def twin(client, url: str, status: int = 200) -> dict:
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}format=json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()


def text_of(markup: str) -> str:
    """Visible text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def main_of(markup: str) -> str:
    return markup[markup.index('<main id="main"') : markup.index("</main>")]


# --------------------------------------------------------------------- home


def test_home_shows_figures_recent_meetings_and_bodies(client, sample_archive):
    markup = page(client, "/")
    figures = twin(client, "/")["figures"]
    # 6 meetings; items counted once per meeting and number: 6 + 11 + 18 + 15 + 16 + 5.
    assert figures == {"meetings": 6, "items": 71, "cases": 47, "decisions": 36}
    main = text_of(main_of(markup))
    assert "Møder 6" in main and "Punkter 71" in main and "Beslutninger 36" in main
    recent = twin(client, "/")["meetings"]
    # Undated meetings are placed by the day they came into the archive (today): first.
    assert [m["date"] for m in recent] == [
        None,
        None,
        None,
        "2024-08-28",
        "2011-06-23",
        "2011-05-26",
    ]
    assert "Dato ukendt" in main or "dato ukendt" in main
    for name in ("Sundhedsudvalget", "Danske Regioners bestyrelse", "Kræftplan V"):
        assert name in main
    assert 'action="/soeg/"' in markup and "<title>Forside · Mødearkiv</title>" in markup
    # Under the latest meetings, the way to all of them.
    recent_section = re.search(
        r'<section aria-labelledby="recent-heading">.*?</section>', markup, re.S
    )
    assert '<a href="/moeder/">Alle møder</a>' in recent_section.group(0)


# ------------------------------------------------------------------- bodies


def test_body_list_counts_meetings(client, sample_archive):
    data = twin(client, "/organer/")
    counts = {b["name"]: b["meeting_count"] for b in data["bodies"]}
    assert counts == {
        "Danske Regioners bestyrelse": 3,
        "Følgegruppen for fagligt oplæg til Kræftplan V": 1,
        "Sundhedsudvalget": 2,
    }
    assert "Danske Regioners bestyrelse" in text_of(main_of(page(client, "/organer/")))


def test_body_page_groups_meetings_by_year_with_undated_last(client, sample_archive):
    url = "/organer/danske-regioners-bestyrelse/"
    markup = main_of(page(client, url))
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", markup)
    assert headings == ["2011", "Dato ukendt"]
    assert markup.index("23. juni 2011") < markup.index("26. maj 2011")
    years = twin(client, url)["years"]
    assert [(g["year"], [m["date"] for m in g["meetings"]]) for g in years] == [
        (2011, ["2011-06-23", "2011-05-26"]),
        (None, [None]),
    ]
    assert [g["meetings"][0]["item_count"] for g in years] == [15, 18]


# ------------------------------------------------------------------ meetings


@pytest.mark.parametrize(
    ("name", "index"), [(MODERN, 0), (BOARD, 0), (PACKET, 0), (PACKET, 1), (SST, 0)]
)
def test_meeting_page_lists_every_item_as_the_document_gives_it(
    client, sample_archive, name, index
):
    expected = gold(name)["meetings"][index]
    url = f"/moeder/{slug_of(name, index)}/"
    main = main_of(page(client, url))
    visible = text_of(main)
    data = twin(client, url)
    assert [i["number"] for i in data["items"]] == [i["number"] for i in expected["items"]]
    for item, shown in zip(expected["items"], data["items"], strict=True):
        if item["access"] == "confidential":
            assert shown == {"number": item["number"], "access": "confidential"}
            assert f"Punkt {item['number']} Fortroligt punkt" in visible
            continue
        assert shown["title"] == item["title"]
        assert f"Punkt {item['number']} {item['title']}" in visible
        assert shown["case_numbers"] == sorted(item["case_numbers"])
        for number in item["case_numbers"]:
            assert f'href="/sager/{number}/"' in main
    if expected["date"]:
        day = dt.date.fromisoformat(expected["date"])
        assert f"{day.day}. " in visible and str(day.year) in visible
    else:
        assert "Dato ukendt" in visible
    for person in expected["participants"] + expected["absent"]:
        assert person in visible
    document = SourceDocument.objects.get(file_name=name)
    assert f'href="/dokumenter/{document.pk}/"' in main


def test_meeting_page_shows_place_and_time(client, sample_archive):
    visible = text_of(main_of(page(client, f"/moeder/{SST_SLUG}/")))
    assert "Tidspunkt 10.30-14.30" in visible
    assert "Sted Sundhedsstyrelsen, Islands Brygge 57, Mødelokale Auditorium" in visible
    assert "<title>Følgegruppen for fagligt oplæg til Kræftplan V, 28. august 2024" in page(
        client, f"/moeder/{SST_SLUG}/"
    )


# -------------------------------------------------------------- confidential


@pytest.mark.parametrize("number", [2, 4, 5])
def test_a_confidential_item_shows_only_its_number_and_access(client, sample_archive, number):
    url = f"/moeder/{slug_of(MODERN)}/punkt/{number}/"
    main = main_of(page(client, url))
    assert f"Punkt {number} Fortroligt punkt" in text_of(main)
    assert "Beslutning" not in main and "Sagsnumre" not in main and "Kilde" not in main
    data = twin(client, url)
    assert data["item"] == {"number": number, "access": "confidential"}
    assert data["sections"] == [] and data["agenda"] is None and data["mentioned_cases"] == []


def test_confidential_text_in_a_source_is_withheld_everywhere(client, sample_archive):
    secret = "Hemmelig forhandling om løn til direktør Xylofonsen"
    text = (SAMPLES / MODERN).read_text(encoding="utf-8")
    text = text.replace("2 (Fortrolig)", f"2 (Fortrolig) {secret}\n\nResumé\n{secret} mere.\n", 1)
    result = import_document(text.encode(), "leak.txt", Metadata(body="Lækageudvalget"))
    assert result.outcome == "created", result.message
    document = SourceDocument.objects.get(file_name="leak.txt")
    meeting = document.meetings.get()
    for url in (
        f"/dokumenter/{document.pk}/",
        f"/moeder/{meeting.slug}/",
        f"/moeder/{meeting.slug}/punkt/2/",
        "/beslutninger/",
    ):
        assert "Xylofonsen" not in page(client, url)
        assert "Xylofonsen" not in client.get(url, {"format": "json"}).content.decode()
    assert "[udeladt: fortroligt punkt]" in page(client, f"/dokumenter/{document.pk}/")


# ---------------------------------------------------------------------- items


def test_item_page_sets_decision_and_recommendation_apart(client, sample_archive):
    expected = next(i for i in gold(BOARD)["meetings"][0]["items"] if i["number"] == 7)
    url = f"/moeder/{slug_of(BOARD)}/punkt/7/"
    main = main_of(page(client, url))
    decision = re.search(r'<section class="box decision".*?</section>', main, re.S).group(0)
    recommendation = re.search(r'<section class="box recommendation".*?</section>', main, re.S)
    assert expected["decision_start"] in text_of(decision)
    assert expected["recommendation_start"] in text_of(recommendation.group(0))
    assert f"Punkt 7 {expected['title']}" in text_of(main)
    for number in expected["case_numbers"]:
        assert f'<a href="/sager/{number}/">{number}</a>' in main
    for title in expected["attachments"]:
        assert html.escape(title, quote=False) in main
    data = twin(client, url)
    assert data["item"]["decision"].startswith(expected["decision_start"])
    assert data["item"]["recommendation"].startswith(expected["recommendation_start"])
    assert [a["title"] for a in data["item"]["attachments"]] == expected["attachments"]


def test_item_sections_follow_the_document_order(client, sample_archive):
    """Stored as a list, in the source's order (000 item 4: Kommunikation before Økonomi)."""
    parsed = parse_document((SAMPLES / "000_a5bf867b36756b8a.txt").read_bytes(), "000.txt")
    item = next(i for i in parsed.meetings[0].items if i.number == 4)
    expected = [h for h in item.sections if h not in ("Indstilling", "Beslutning")]
    assert expected.index("Kommunikation") < expected.index("Økonomi")
    slug = slug_of("000_a5bf867b36756b8a.txt")
    data = twin(client, f"/moeder/{slug}/punkt/4/")
    assert [s["heading"] for s in data["sections"]] == expected
    main = main_of(page(client, f"/moeder/{slug}/punkt/4/"))
    headings = re.findall(r"<h3>([^<]+)</h3>", main)
    assert headings == expected


def test_item_page_links_to_its_line_in_the_source(client, sample_archive):
    document = SourceDocument.objects.get(file_name=PACKET)
    item = AgendaItem.objects.get(meeting__slug=BOARD_2011, number=1)
    page_number = (item.line - 1) // selectors.LINES_PER_PAGE + 1
    link = f"/dokumenter/{document.pk}/?side={page_number}#linje-{item.line}"
    assert f'href="{link}"' in page(client, f"/moeder/{BOARD_2011}/punkt/1/")
    target = page(client, link.split("#")[0])
    line = re.search(rf'<li id="linje-{item.line}">([^<]*)</li>', target).group(1)
    assert html.unescape(line).strip() == "Bestyrelsen tog meddelelserne til efterretning."


def test_agenda_and_minutes_show_one_item_with_both_texts(client, sample_archive, tmp_path):
    agenda = (SAMPLES / MODERN).read_text(encoding="utf-8")
    minutes = agenda.replace("Bilag", "Beslutninger:\nTaget til efterretning.\n\nBilag")
    stated = Metadata(body="Sundhedsudvalget", date=dt.date(2025, 3, 6))
    for name, text in (("dagsorden.txt", agenda), ("referat.txt", minutes)):
        assert import_document(text.encode(), name, stated).outcome == "created"
    slug = Meeting.objects.get(date="2025-03-06").slug
    data = twin(client, f"/moeder/{slug}/")
    assert [i["number"] for i in data["items"]] == list(range(1, 12))
    assert {i.get("kind") for i in data["items"] if i["access"] == "public"} == {"minutes"}
    assert len(data["documents"]) == 2
    item = twin(client, f"/moeder/{slug}/punkt/1/")
    assert item["item"]["kind"] == "minutes"
    assert item["item"]["decision"].startswith("Taget til efterretning")
    assert item["agenda"]["kind"] == "agenda" and item["agenda"]["decision"] == ""
    assert item["agenda"]["recommendation"].startswith("at sundhedsudvalget drøfter")
    main = main_of(page(client, f"/moeder/{slug}/punkt/1/"))
    assert "Dagsordenens tekst" in main and "<details>" in main
    assert "Referatet: referat.txt" in text_of(main) and "Dagsordenen: dagsorden.txt" in text_of(
        main
    )


def test_minutes_imported_before_their_agenda_stay_the_shown_item(client, sample_archive):
    """is_current ranks kind as text in the database (importer, migration 0007): the
    agenda, though newer, must not replace the minutes."""
    agenda = (SAMPLES / MODERN).read_text(encoding="utf-8")
    minutes = agenda.replace("Bilag", "Beslutninger:\nTaget til efterretning.\n\nBilag")
    stated = Metadata(body="Sundhedsudvalget", date=dt.date(2025, 3, 6))
    for name, text in (("referat.txt", minutes), ("dagsorden.txt", agenda)):
        assert import_document(text.encode(), name, stated).outcome == "created"
    slug = Meeting.objects.get(date="2025-03-06").slug
    item = twin(client, f"/moeder/{slug}/punkt/1/")
    assert item["item"]["kind"] == "minutes"
    assert item["item"]["decision"].startswith("Taget til efterretning")
    assert item["agenda"]["kind"] == "agenda"


def test_item_navigation_and_title(client, sample_archive):
    markup = page(client, f"/moeder/{SST_SLUG}/punkt/3/")
    assert "<title>Punkt 3: Drøftelse af udkast til anbefalinger – Følgegruppen" in markup
    assert f'href="/moeder/{SST_SLUG}/punkt/2/" rel="prev"' in markup
    assert f'href="/moeder/{SST_SLUG}/punkt/4/" rel="next"' in markup


# ---------------------------------------------------------------------- cases


def test_case_page_is_a_timeline_oldest_first_undated_last(client, sample_archive):
    text = (SAMPLES / MODERN).read_bytes()
    for name, day in (("senere.txt", dt.date(2025, 3, 6)), ("tidligere.txt", dt.date(2024, 3, 1))):
        result = import_document(text, name, Metadata(body="Sundhedsudvalget", date=day))
        assert result.outcome == "created"
    data = twin(client, "/sager/EMN-2024-00932/")
    assert [i["meeting"]["date"] for i in data["items"]] == ["2024-03-01", "2025-03-06", None]
    assert {i["title"] for i in data["items"]} == {
        "Temadrøftelse om differentierede patientrettigheder"
    }
    main = main_of(page(client, "/sager/EMN-2024-00932/"))
    assert main.index("1. marts 2024") < main.index("6. marts 2025") < main.index("Dato ukendt")


def test_case_with_a_slash_and_its_decisions(client, sample_archive):
    expected = [i for i in gold(PACKET)["meetings"][1]["items"] if "11/872" in i["case_numbers"]]
    data = twin(client, "/sager/11/872/")
    assert [i["number"] for i in data["items"]] == [i["number"] for i in expected]
    for item, shown in zip(expected, data["items"], strict=True):
        if item["decision_start"]:
            assert shown["decision"].startswith(item["decision_start"])
    visible = text_of(main_of(page(client, "/sager/11/872/")))
    assert "Sag 11/872" in visible and "Bestyrelsen tog meddelelserne til efterretning." in visible
    # The way back: the cases list between the front page and the case.
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page(client, "/sager/11/872/"), re.S)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs.group(0)) == [
        ("/", "Forside"),
        ("/sager/", "Sager"),
    ]
    assert '<span aria-current="page">Sag 11/872</span>' in crumbs.group(0)


# ------------------------------------------------------------------ decisions


def test_decisions_newest_first_filtered_by_body_and_year(client, sample_archive):
    data = twin(client, "/beslutninger/")
    assert data["pagination"]["count"] == 36
    dates = [i["meeting"]["date"] for i in data["items"]]
    assert dates[:5] == ["2024-08-28"] * 5 and dates[5:20] == ["2011-05-26"] * 15
    assert dates[20:] == [None] * 16
    assert all(i["decision"] for i in data["items"])

    only_2011 = twin(client, "/beslutninger/?year=2011")
    assert only_2011["pagination"]["count"] == 15
    assert only_2011["filter"]["year"]["value"] == "2011"
    board = twin(client, "/beslutninger/?body=danske-regioners-bestyrelse")
    assert board["pagination"]["count"] == 31
    both = twin(client, "/beslutninger/?body=danske-regioners-bestyrelse&year=2024")
    assert both["pagination"]["count"] == 0
    markup = page(client, "/beslutninger/?year=2011")
    # Each choice says how many decisions it gives, the other filters applied.
    assert '<option value="2011" selected>2011 (15)</option>' in markup
    assert '<option value="2024">2024 (5)</option>' in markup
    assert '<option value="ukendt">Dato ukendt (16)</option>' in markup
    assert ">Danske Regioners bestyrelse (15)</option>" in markup
    assert '<label for="id_body">Organ</label>' in markup


@pytest.mark.parametrize("path", ["/moeder/", "/sager/", "/beslutninger/"])
def test_each_filter_offers_each_choice_once(client, sample_archive, path):
    markup = page(client, path)
    for name in ("body", "year"):
        select = re.search(rf'<select name="{name}".*?</select>', markup, re.S).group(0)
        values = re.findall(r'<option value="([^"]*)"', select)
        assert values[0] == "" and len(values) == len(set(values)) > 2, (name, values)


def test_lists_are_paginated_and_pages_keep_the_filters(client, sample_archive, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 10)
    first = twin(client, "/beslutninger/?body=danske-regioners-bestyrelse")
    assert first["pagination"]["pages"] == 4 and len(first["items"]) == 10
    next_url = first["pagination"]["next_url"]
    assert "body=danske-regioners-bestyrelse" in next_url and "side=2" in next_url
    second = client.get(next_url).json()
    assert second["pagination"]["number"] == 2
    seen = {(i["meeting"]["slug"], i["number"]) for i in first["items"]}
    assert not seen & {(i["meeting"]["slug"], i["number"]) for i in second["items"]}
    markup = page(client, "/beslutninger/?body=danske-regioners-bestyrelse&side=4")
    assert "Side 4 af 4" in markup and 'rel="prev"' in markup and 'rel="next"' not in markup
    assert twin(client, "/beslutninger/?side=999")["pagination"]["number"] == 4


# ------------------------------------------------------------------ documents


def test_text_document_page_has_a_line_anchor_per_line(client, sample_archive):
    document = SourceDocument.objects.get(file_name=PACKET)
    lines = (SAMPLES / PACKET).read_text(encoding="utf-8").split("\n")
    data = twin(client, f"/dokumenter/{document.pk}/?side=2")
    assert data["pagination"]["pages"] == -(-len(lines) // selectors.LINES_PER_PAGE)
    assert data["lines"][0]["number"] == selectors.LINES_PER_PAGE + 1
    assert data["lines"][0]["text"] == lines[selectors.LINES_PER_PAGE].rstrip()
    assert "content" not in data["document"]
    markup = page(client, f"/dokumenter/{document.pk}/?side=2")
    assert f'<ol class="document-text" start="{selectors.LINES_PER_PAGE + 1}">' in markup
    assert markup.count('<li id="linje-') == selectors.LINES_PER_PAGE


def test_pdf_document_offers_the_original_with_page_links(client, sample_archive):
    from .parsing.conftest import render_pdf

    data = render_pdf((SAMPLES / SST).read_text(encoding="utf-8"))
    result = import_document(data, "referat.pdf", Metadata(body="PDF-udvalget"))
    assert result.outcome == "created", result.message
    document = SourceDocument.objects.get(file_name="referat.pdf")
    item = document.items.get(number=3)
    assert item.page
    markup = page(client, f"/dokumenter/{document.pk}/")
    assert f'href="/dokumenter/{document.pk}/fil#page={item.page}"' in markup
    assert "Hent PDF-filen" in markup and "document-text" not in markup
    response = client.get(f"/dokumenter/{document.pk}/fil")
    assert response["Content-Type"] == "application/pdf" and response.content == data
    text_document = SourceDocument.objects.get(file_name=SST)
    assert client.get(f"/dokumenter/{text_document.pk}/fil").status_code == 404


# ------------------------------------------------------------------- escaping


def test_document_text_is_escaped_everywhere(client, sample_archive):
    text = (SAMPLES / SST).read_text(encoding="utf-8")
    assert "Punkt 2. Orientering om status" in text
    text = text.replace(
        "Punkt 2. Orientering om status", "Punkt 2. <script>alert(1)</script> Orientering om status"
    )
    text = text.replace("Dagsordenen blev godkendt", '<img src=x onerror="alert(2)"> Dagsordenen')
    result = import_document(text.encode(), "xss.txt", Metadata(body="<b>Udvalg</b>"))
    assert result.outcome == "created", result.message
    meeting = SourceDocument.objects.get(file_name="xss.txt").meetings.get()
    document = SourceDocument.objects.get(file_name="xss.txt")
    urls = [
        "/",
        "/organer/",
        f"/organer/{meeting.body.slug}/",
        f"/moeder/{meeting.slug}/",
        f"/moeder/{meeting.slug}/punkt/1/",
        f"/moeder/{meeting.slug}/punkt/2/",
        f"/dokumenter/{document.pk}/",
        "/beslutninger/",
    ]
    for url in urls:
        markup = page(client, url)
        assert "<script>alert" not in markup and "<img src=x" not in markup, url
        assert "<b>Udvalg" not in markup, url
    item_page = page(client, f"/moeder/{meeting.slug}/punkt/2/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in item_page
    assert "&lt;img src=x onerror=" in page(client, f"/moeder/{meeting.slug}/punkt/1/")
    assert "&lt;b&gt;Udvalg&lt;/b&gt;" in page(client, "/organer/")
    assert (
        "<script>alert(1)</script>"
        in twin(client, f"/moeder/{meeting.slug}/punkt/2/")["item"]["title"]
    )


def test_only_web_links_become_links():
    assert web_link("https://www.em.dk/x.pdf") == "https://www.em.dk/x.pdf"
    assert web_link("javascript:alert(1)") == ""
    assert web_link(" JaVaScRiPt:alert(1)") == ""
    assert web_link("data:text/html,x") == ""


# ------------------------------------------------------------------------ 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/moeder/findes-ikke/", "Mødet “findes-ikke” findes ikke i arkivet."),
        (f"/moeder/{SST_SLUG}/punkt/99/", "har intet punkt 99"),
        ("/organer/findes-ikke/", "Organet “findes-ikke” findes ikke i arkivet."),
        ("/sager/EMN-1999-00000/", "Sagen EMN-1999-00000 findes ikke i arkivet."),
        ("/dokumenter/999999/", "Dokument nummer 999999 findes ikke i arkivet."),
        ("/ingen/side/her/", "Arkivet har ingen side på adressen /ingen/side/her/"),
    ],
)
def test_not_found_pages_say_what_is_missing(client, sample_archive, url, message):
    markup = page(client, url, status=404)
    assert message in html.unescape(markup)
    assert '<a href="/">Gå til forsiden</a>' in markup and 'href="/organer/"' in markup
    assert "<title>Siden findes ikke · Mødearkiv</title>" in markup
    if not url.startswith("/ingen"):
        assert message in twin(client, url, status=404)["error"]


def test_server_error_page_stands_alone(client):
    from django.template.loader import render_to_string

    markup = render_to_string("500.html")
    assert '<html lang="da">' in markup and "Der opstod en fejl" in markup


# --------------------------------------------------------------- query counts


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_page_queries_do_not_grow_with_the_number_of_items(client, sample_archive):
    client.get("/")  # sessions, caches and the like are warm
    small, large = slug_of(SST), slug_of(BOARD)  # 5 and 18 items
    assert queries_for(client, f"/moeder/{small}/") == queries_for(client, f"/moeder/{large}/")
    assert queries_for(client, f"/moeder/{small}/?format=json") == queries_for(
        client, f"/moeder/{large}/?format=json"
    )
    assert queries_for(client, f"/moeder/{small}/punkt/1/") == queries_for(
        client, f"/moeder/{large}/punkt/7/"
    )
    board = "/organer/danske-regioners-bestyrelse/"
    assert queries_for(client, board) == queries_for(client, "/organer/sundhedsudvalget/")
    assert queries_for(client, "/sager/11/872/") == queries_for(client, "/sager/EMN-2024-00932/")
    assert queries_for(client, "/beslutninger/") == queries_for(client, "/beslutninger/?year=2011")


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/", 6),  # the latest dated meetings and the latest undated: two indexed reads
        ("/organer/", 2),
        ("/organer/danske-regioners-bestyrelse/", 3),
        (f"/moeder/{BOARD_2011}/", 3),
        (f"/moeder/{BOARD_2011}/punkt/5/", 3),
        ("/sager/11/872/", 3),
        ("/beslutninger/", 6),  # the choices' counts: one kept value
        ("/moeder/", 4),
        ("/sager/", 3),
    ],
)
def test_each_page_needs_few_queries(
    client, sample_archive, django_assert_max_num_queries, url, most
):
    client.get(url)  # the document-lines cache is warm
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200
