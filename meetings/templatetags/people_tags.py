"""Names on meeting pages as links to their people's pages, where the archive has one.

Reads what selectors.meeting read with the meeting (its `people_`): no query.
A name the archive is unsure of (persons.py links it to no one) stays text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse

from meetings.models import PersonLink

register = template.Library()


@dataclass(frozen=True)
class PrintedName:
    printed: str
    url: str | None


@register.filter
def people_of(meeting, role: str) -> list[PrintedName]:
    """The meeting's participants ("attended") or absentees ("absent") as printed."""
    names = meeting.absent if role == PersonLink.ABSENT else meeting.participants
    return [PrintedName(printed, url) for printed, url in linked_names(meeting, role, names)]


def linked_names(meeting, role: str, names: list[str]) -> list[tuple[str, str | None]]:
    urls = {
        (link["role"], link["printed"]): reverse("person_detail", args=[link["slug"]])
        for link in getattr(meeting, "people_", None) or []
    }
    return [(printed, urls.get((role, printed[:300]))) for printed in names]


def people_links(meeting) -> list[dict]:
    """The meeting's names as its JSON twin gives them: printed, role, person's page or None."""
    return [
        {"printed": printed, "role": role, "url": url}
        for role, names in ((PersonLink.ATTENDED, meeting.participants),
                            (PersonLink.ABSENT, meeting.absent))
        for printed, url in linked_names(meeting, role, names)
    ]  # fmt: skip
