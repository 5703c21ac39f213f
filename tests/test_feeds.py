"""Following the archive: Atom feeds read back with feedparser, calendars with icalendar,
the sitemap and the OpenSearch description with an XML parser, every address fetched."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zoneinfo
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
from django.utils import timezone

from meetings import versions
from meetings.importing import Metadata, import_document
from meetings.models import AgendaItem, Body, Meeting, SourceDocument

from .test_browse import BOARD_2011, page

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OPENSEARCH_NS = {"o": "http://a9.com/-/spec/opensearch/1.1/"}


def atom(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ------------------------------------------------------------------- Atom


def test_everything_new_is_a_meeting_per_entry_newest_document_first(client, sample_archive):
    feed = atom(client, "/feed.atom")
    assert feed.feed.title == "Mødearkiv: nye dagsordener og referater"
    assert path_of(feed.feed.link) == "/"
    meetings = Meeting.objects.filter(documents__status="published").distinct()
    assert len(feed.entries) == meetings.count() == 6
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    board = next(e for e in feed.entries if path_of(e.link) == f"/moeder/{BOARD_2011}/")
    assert board.title == "Referat: Danske Regioners bestyrelse, 26. maj 2011"
    assert "Punkt 1: Formandens meddelelser" in board.summary
    assert board.id == board.link
    for entry in feed.entries:
        assert client.get(path_of(entry.link)).status_code == 200


def test_a_feed_shows_a_closed_item_as_its_page_does(client, sample_archive):
    modern = SourceDocument.objects.get(file_name="001_0aba8dafb6435775.txt").meetings.get()
    entry = next(e for e in atom(client, "/feed.atom").entries if modern.slug in e.link)
    closed = AgendaItem.objects.filter(meeting=modern, access="confidential", is_current=True)
    assert closed.count() == 3
    for item in closed:
        assert f"Punkt {item.number}: {item.title or 'Fortroligt punkt'}" in entry.summary


def test_a_body_feed_holds_that_bodys_meetings_only(client, sample_archive):
    body = Body.objects.get(slug="danske-regioners-bestyrelse")
    feed = atom(client, "/organer/danske-regioners-bestyrelse/feed.atom")
    assert feed.feed.title == "Mødearkiv: Danske Regioners bestyrelse"
    assert sorted(path_of(e.link) for e in feed.entries) == sorted(
        m.get_absolute_url() for m in body.meetings.all()
    )
    assert client.get("/organer/findes-ikke/feed.atom").status_code == 404


def test_a_case_feed_holds_the_cases_items_newest_meeting_first(client, sample_archive):
    feed = atom(client, "/sager/11/872/feed.atom")
    assert feed.feed.title == "Mødearkiv: sag 11/872"
    assert path_of(feed.feed.link) == "/sager/11/872/"
    items = AgendaItem.objects.filter(cases__number="11/872", is_current=True, access="public")
    assert sorted(path_of(e.link) for e in feed.entries) == sorted(
        item.get_absolute_url() for item in items
    )
    dated = [e.published_parsed for e in feed.entries if "published_parsed" in e]
    assert dated == sorted(dated, reverse=True)
    decided = next(e for e in feed.entries if "Formandens meddelelser" in e.title)
    assert "<p>Bestyrelsen tog meddelelserne til efterretning.</p>" in decided.summary
    assert client.get("/sager/EMN-1999-00000/feed.atom").status_code == 404


def test_a_withdrawn_document_leaves_the_feeds(client, sample_archive):
    document = SourceDocument.objects.get(file_name="004_8d8a7837cce6a1ab.txt")
    slug = document.meetings.get().slug
    assert any(slug in e.link for e in atom(client, "/feed.atom").entries)
    versions.withdraw_document(document, by="staff", reason="fejl")
    assert not any(slug in e.link for e in atom(client, "/feed.atom").entries)


def test_pages_name_their_feeds(client, sample_archive):
    case = page(client, "/sager/11/872/")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Sag 11/872 (Atom)" '
        'href="/sager/11/872/feed.atom">' in case
    )
    body = page(client, "/organer/danske-regioners-bestyrelse/")
    assert 'href="/organer/danske-regioners-bestyrelse/feed.atom"' in body
    assert (
        'type="text/calendar"' in body
        and "/organer/danske-regioners-bestyrelse/kalender.ics" in body
    )
    home = page(client, "/")
    assert 'href="/feed.atom"' in home and 'href="/kalender.ics"' in home


def test_the_search_feed_is_still_atom(client, sample_archive):
    feed = atom(client, "/soeg/?q=meddelelser&format=atom")
    assert feed.entries and all("/punkt/" in entry.link for entry in feed.entries)


# -------------------------------------------------------------- iCalendar


def coming(days: int, body: str, time: str = "", location: str = "") -> Meeting:
    date = timezone.localdate() + dt.timedelta(days=days)
    text = (
        f"1 (Offentlig) Budget {date.year}\n\n  ses@regioner.dk\nEMN-2025-00100\n\nResumé\nTal.\n"
    )
    result = import_document(
        text.encode(), f"{body}-{days}.txt", Metadata(body=body, date=date, kind="agenda")
    )
    assert result.outcome == "created", result.message
    meeting = SourceDocument.objects.get(pk=result.document_id).meetings.get()
    # As a parse gives them: the printed time and place.
    Meeting.objects.filter(pk=meeting.pk).update(time=time, location=location)
    return meeting


def calendar(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return cal


def test_the_calendar_holds_coming_meetings_with_their_times(client):
    copenhagen = zoneinfo.ZoneInfo("Europe/Copenhagen")
    timed = coming(10, "Sundhedsudvalget", "10.30-14.30", "Dampfærgevej 22")
    allday = coming(3, "Sundhedsudvalget")
    coming(-2, "Sundhedsudvalget", "10:00")  # passed: not coming
    other = coming(5, "Regionsrådet", "kl. 17:00")

    cal = calendar(client, "/kalender.ics")
    events = {str(event["UID"]): event for event in cal.walk("VEVENT")}
    assert sorted(events) == sorted(f"{m.slug}@testserver" for m in (timed, allday, other))
    event = events[f"{timed.slug}@testserver"]
    start = dt.datetime.combine(timed.date, dt.time(10, 30), tzinfo=copenhagen)
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start.replace(hour=14)
    assert str(event["SUMMARY"]) == "Møde: Sundhedsudvalget"
    assert str(event["LOCATION"]) == "Dampfærgevej 22"
    assert path_of(str(event["URL"])) == timed.get_absolute_url()
    assert f"Punkt 1: Budget {timed.date.year}" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP").tzinfo is not None
    whole_day = events[f"{allday.slug}@testserver"]
    assert whole_day.decoded("DTSTART") == allday.date
    assert whole_day.decoded("DTEND") == allday.date + dt.timedelta(days=1)
    assert events[f"{other.slug}@testserver"].decoded("DTSTART").astimezone(copenhagen).hour == 17
    assert cal.walk("VTIMEZONE") == []  # times in UTC: 08:30Z in summer, 09:30Z in winter
    assert event["DTSTART"].to_ical().decode() == start.astimezone(dt.UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )

    body = calendar(client, f"/organer/{other.body.slug}/kalender.ics")
    assert [str(e["UID"]) for e in body.walk("VEVENT")] == [f"{other.slug}@testserver"]
    assert str(body["X-WR-CALNAME"]) == "Mødearkiv: kommende møder i Regionsrådet"
    assert client.get("/organer/findes-ikke/kalender.ics").status_code == 404


def test_an_empty_calendar_is_still_a_calendar(client, sample_archive):
    assert calendar(client, "/kalender.ics").walk("VEVENT") == []  # the samples are past


# ------------------------------------------------- sitemap and OpenSearch


def sitemap_locations(client) -> list[str]:
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = []
    for section in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        response = client.get(path_of(section.text))
        assert response.status_code == 200, section.text
        tree = ET.fromstring(response.content)
        locations += [loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]
    return locations


def test_the_sitemap_lists_every_public_page_and_no_closed_item(client, sample_archive):
    paths = [path_of(url) for url in sitemap_locations(client)]
    assert len(paths) == len(set(paths))
    public = AgendaItem.objects.filter(is_current=True, access="public").select_related("meeting")
    closed = AgendaItem.objects.filter(is_current=True, access="confidential")
    expected = {
        "/",
        "/organer/",
        "/beslutninger/",
        "/personer/",
        "/sager/11/872/",
        "/personer/carl-holst/",
        f"/moeder/{BOARD_2011}/",
        *(item.get_absolute_url() for item in public),
    }
    assert expected <= set(paths)
    assert not {item.get_absolute_url() for item in closed.select_related("meeting")} & set(paths)
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_the_sitemap_is_paged(client, sample_archive, monkeypatch):
    from meetings import sitemaps

    monkeypatch.setattr(sitemaps._ArchiveSitemap, "limit", 10)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [path_of(loc.text) for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    items = AgendaItem.objects.filter(is_current=True, access="public").count()
    assert sum(1 for p in pages if p.startswith("/sitemap-punkter.xml")) == -(-items // 10)


def test_browsers_find_the_archives_search(client, sample_archive):
    home = page(client, "/")
    assert (
        '<link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml" '
        'title="Mødearkiv">' in home
    )
    response = client.get("/opensearch.xml")
    assert response["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    description = ET.fromstring(response.content)
    assert description.find("o:ShortName", OPENSEARCH_NS).text == "Mødearkiv"
    templates = {
        url.get("type"): url.get("template") for url in description.findall("o:Url", OPENSEARCH_NS)
    }
    html = templates["text/html"].replace("{searchTerms}", "meddelelser")
    assert path_of(html) == "/soeg/?q=meddelelser"
    assert "Formandens meddelelser" in client.get(path_of(html)).content.decode()
    found = client.get(
        path_of(templates["application/json"].replace("{searchTerms}", "meddelelser"))
    )
    assert found.json()["hits"]
    feed = templates["application/atom+xml"].replace("{searchTerms}", "meddelelser")
    assert atom(client, path_of(feed)).entries


def test_feeds_and_calendars_speak_the_readers_language(client, sample_archive, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    feed = atom(client, "/feed.atom")
    assert feed.feed.title == "Mødearkiv: new agendas and minutes"
    assert feed.feed.language == "en"
    assert any(entry.title.startswith("Minutes: ") for entry in feed.entries)
    assert str(calendar(client, "/kalender.ics")["X-WR-CALNAME"]) == "Mødearkiv: coming meetings"
    description = ET.fromstring(client.get("/opensearch.xml").content)
    assert description.find("o:Language", OPENSEARCH_NS).text == "en"
    assert description.find("o:Description", OPENSEARCH_NS).text.startswith("Search agendas")
