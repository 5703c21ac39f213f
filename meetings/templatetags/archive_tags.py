"""Small presentation helpers for the archive's templates.

Everything here returns plain text for the template to escape; nothing is
ever marked safe.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django import template
from django.core.exceptions import DisallowedHost
from django.template.defaultfilters import date as format_date
from django.utils.translation import gettext as _

from meetings import selectors
from meetings.models import AgendaItem, Meeting

register = template.Library()


@register.simple_tag(takes_context=True)
def page_address(context) -> str:
    """The page's full address, to cite; its path alone when the Host header is not ours
    (the 400 page for a foreign host renders this template too)."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        return request.build_absolute_uri()
    except DisallowedHost:
        return request.get_full_path()


@register.filter
def meeting_date(value: dt.date | None) -> str:
    """A meeting's date in words ("23. juni 2011"), or that it is unknown."""
    return format_date(value, "j. F Y") if value else _("Dato ukendt")


@register.filter
def meeting_label(meeting: Meeting) -> str:
    """What a meeting is called on its page: its body and its date."""
    body = meeting.body.name if meeting.body else _("Ukendt organ")
    date = format_date(meeting.date, "j. F Y") if meeting.date else _("dato ukendt")
    return f"{body}, {date}"


@register.filter
def source_url(item: AgendaItem) -> str:
    return selectors.source_url(item)


@register.filter
def web_link(url: str) -> str:
    """The URL when it is a web address, else "": a document must not smuggle in javascript:."""
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else ""
