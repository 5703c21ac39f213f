"""Following the archive: Atom feeds, iCalendar of coming meetings, OpenSearch.

- Atom (Django's feed generator, as the search's own `format=atom`, which
  builds its entries with `item_entry` here): what is new in the whole archive
  (/feed.atom) and in one body (/organer/<slug>/feed.atom), a meeting per entry
  dated by its newest published document; the items of one case
  (/sager/<number>/feed.atom), an item per entry.
- iCalendar (the `icalendar` library): meetings whose agendas give a date from
  today on, overall (/kalender.ics) and per body (/organer/<slug>/kalender.ics).
- OpenSearch (/opensearch.xml): lets a browser search the archive from its
  address bar; the base template links it.

Every feed shows what the public pages show and nothing else: a closed item
is its number and printed title, and held or withdrawn documents date nothing.
Responses are public GETs like any page, so the page cache keeps them.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import icalendar
from django.conf import settings
from django.db.models import F, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import selectors
from .models import PUBLIC, AgendaItem, Body, Meeting, SourceDocument
from .templatetags.archive_tags import meeting_label

# Entries per feed: a reader polls often; older entries are on the pages.
FEED_SIZE = 50
# Calendar: at most this many coming meetings (a body meets a few times a month).
CALENDAR_SIZE = 500
ATOM = "application/atom+xml; charset=utf-8"
ICALENDAR = "text/calendar; charset=utf-8"


# ------------------------------------------------------------------ Atom


def atom_feed(request: HttpRequest, title: str, page_url: str) -> Atom1Feed:
    """An empty Atom feed about the page at `page_url`, served at the request's address."""
    return Atom1Feed(
        title=title,
        link=request.build_absolute_uri(page_url),
        description=title,
        language=get_language() or settings.LANGUAGE_CODE,
        feed_url=request.build_absolute_uri(),
    )


def atom_response(feed: Atom1Feed) -> HttpResponse:
    response = HttpResponse(content_type=ATOM)
    feed.write(response, "utf-8")
    return response


def item_entry(request: HttpRequest, item: AgendaItem, description: str) -> dict[str, Any]:
    """The Atom entry of an item (search hits, a case's items): dated by its meeting.

    Undated meetings (never guessed) are dated by when the archive got them.
    """
    meeting = item.meeting
    link = request.build_absolute_uri(reverse("item_detail", args=[meeting.slug, item.label]))
    date = (
        timezone.make_aware(dt.datetime.combine(meeting.date, dt.time())) if meeting.date else None
    )
    return {
        "title": f"{item.title} ({meeting})",
        "link": link,
        "unique_id": link,
        "description": description,
        "updateddate": date or meeting.created_at,
        "pubdate": date,
    }


def everything_new(request: HttpRequest) -> HttpResponse:
    feed = atom_feed(request, _("Mødearkiv: nye dagsordener og referater"), reverse("home"))
    return _meeting_feed(request, feed, Meeting.objects.all())


def body_feed(request: HttpRequest, slug: str) -> HttpResponse:
    body = _body(slug)
    title = _("Mødearkiv: %(body)s") % {"body": body.name}
    feed = atom_feed(request, title, body.get_absolute_url())
    return _meeting_feed(request, feed, body.meetings.all())


def case_feed(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.case(number)
    if case is None:
        raise Http404(_("Sagen %(number)s findes ikke i arkivet.") % {"number": number})
    title = _("Mødearkiv: sag %(number)s") % {"number": case.number}
    feed = atom_feed(request, title, case.get_absolute_url())
    # The case page's items, newest meeting first (undated last, as on every list).
    items = selectors.case_items(case).order_by(
        F("meeting__date").desc(nulls_last=True), "-meeting_id", "number", "sub"
    )[:FEED_SIZE]
    for item in items:
        feed.add_item(**item_entry(request, item, _item_summary(item)))
    return atom_response(feed)


def _body(slug: str) -> Body:
    body = selectors.body(slug)
    if body is None:
        raise Http404(_("Organet “%(slug)s” findes ikke i arkivet.") % {"slug": slug})
    return body


def _item_summary(item: AgendaItem) -> str:
    if item.decision:
        decision = mark_safe(linebreaks(item.decision, autoescape=True))  # escaped by it
        return format_html("<p>{}</p>{}", _("Beslutning:"), decision)
    return ""


def _meeting_feed(request: HttpRequest, feed: Atom1Feed, meetings: QuerySet) -> HttpResponse:
    """A meeting per entry, the newest published document first: what arrived lately."""
    rows = list(
        # The annotation reads the documents the filter joined: the published ones.
        meetings.filter(documents__status=SourceDocument.PUBLISHED)
        .annotate(updated=Max("documents__imported_at"))
        .select_related("body")
        .defer("participants", "absent")
        .order_by("-updated", "-id")[:FEED_SIZE]
    )
    items: dict[int, list[AgendaItem]] = {}
    for item in (
        AgendaItem.objects.filter(meeting__in=rows, is_current=True)
        .only("meeting_id", "number", "sub", "title", "access", "kind")
        .order_by("meeting_id", "number", "sub")
    ):
        items.setdefault(item.meeting_id, []).append(item)
    for meeting in rows:
        link = request.build_absolute_uri(meeting.get_absolute_url())
        shown = items.get(meeting.pk, [])
        kinds = {item.kind for item in shown}
        kind = _("Referat") if "minutes" in kinds else _("Dagsorden")
        feed.add_item(
            title=f"{kind}: {meeting_label(meeting)}",
            link=link,
            unique_id=link,
            description=_meeting_summary(shown),
            updateddate=meeting.updated,
            pubdate=meeting.created_at,
        )
    return atom_response(feed)


def _meeting_summary(items: list[AgendaItem]) -> str:
    """The meeting's items as its page lists them: number and title (closed ones too)."""
    if not items:
        return ""
    rows = format_html_join(
        "",
        "<li>{}</li>",
        (
            (
                _("Punkt %(number)s: %(title)s")
                % {
                    "number": item.label,
                    "title": item.title
                    or (_("Fortroligt punkt") if item.access != PUBLIC else _("Uden titel")),
                },
            )
            for item in items
        ),
    )
    return format_html("<ul>{}</ul>", rows)


# ------------------------------------------------------------- iCalendar

TIME_RE = re.compile(r"(?<!\d)([01]?\d|2[0-3])[.:]([0-5]\d)(?!\d)")


def meeting_times(text: str) -> tuple[dt.time | None, dt.time | None]:
    """The start and end a meeting's printed time gives ("10.30-14.30", "kl. 13:00")."""
    times = [dt.time(int(h), int(m)) for h, m in TIME_RE.findall(text or "")]
    start = times[0] if times else None
    end = times[1] if len(times) > 1 and times[1] > times[0] else None
    return start, end


def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar(request, _("Mødearkiv: kommende møder"), Meeting.objects.all())


def body_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    body = _body(slug)
    title = _("Mødearkiv: kommende møder i %(body)s") % {"body": body.name}
    return _calendar(request, title, body.meetings.all())


def _calendar(request: HttpRequest, title: str, meetings: QuerySet) -> HttpResponse:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    coming = list(
        meetings.filter(date__gte=today, documents__status=SourceDocument.PUBLISHED)
        .distinct()
        .select_related("body")
        .defer("participants", "absent")
        .order_by("date", "id")[:CALENDAR_SIZE]
    )
    items: dict[int, list[AgendaItem]] = {}
    for item in (
        AgendaItem.objects.filter(meeting__in=coming, is_current=True)
        .only("meeting_id", "number", "sub", "title", "access")
        .order_by("meeting_id", "number", "sub")
    ):
        items.setdefault(item.meeting_id, []).append(item)

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Mødearkiv//moedearkiv//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in coming:
        cal.add_component(_event(request, meeting, items.get(meeting.pk, []), zone))
    return HttpResponse(cal.to_ical(), content_type=ICALENDAR)


def _event(
    request: HttpRequest, meeting: Meeting, items: list[AgendaItem], zone: zoneinfo.ZoneInfo
) -> icalendar.Event:
    event = icalendar.Event()
    url = request.build_absolute_uri(meeting.get_absolute_url())
    event.add("uid", f"{meeting.slug}@{request.get_host().split(':')[0]}")
    # When the archive got the meeting: the same calendar for the same archive.
    event.add("dtstamp", meeting.created_at.astimezone(dt.UTC))
    start, end = meeting_times(meeting.time)
    if start:
        # In UTC: every calendar reads it, and the file needs no time zone definition.
        event.add(
            "dtstart", dt.datetime.combine(meeting.date, start, tzinfo=zone).astimezone(dt.UTC)
        )
        if end:
            event.add(
                "dtend", dt.datetime.combine(meeting.date, end, tzinfo=zone).astimezone(dt.UTC)
            )
    else:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + dt.timedelta(days=1))
    body = meeting.body.name if meeting.body else _("Ukendt organ")
    event.add("summary", _("Møde: %(body)s") % {"body": body})
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", url)
    lines = [
        _("Punkt %(number)s: %(title)s")
        % {
            "number": item.label,
            "title": item.title
            or (_("Fortroligt punkt") if item.access != PUBLIC else _("Uden titel")),
        }
        for item in items
    ]
    event.add("description", "\n".join([*lines, "", url]).strip())
    return event


# ------------------------------------------------------------- OpenSearch


def opensearch(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opensearch.xml",
        {
            "base": request.build_absolute_uri("/").rstrip("/"),
            "language": get_language(),
            # Here, not in the template: makemessages reads no .xml template.
            "short_name": _("Mødearkiv"),
            "description": _("Søg i dagsordener og referater fra danske offentlige organer"),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )
