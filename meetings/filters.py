"""Filters for the archive's lists (django-filter): the URL holds the whole state.

Filters only narrow a queryset a selector built; they never widen it.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from . import page_cache
from .models import Body, Meeting


def meeting_years() -> list[tuple[str, str]]:
    """The years that have meetings, newest first, as choices (kept until the archive changes)."""

    def years() -> list[tuple[str, str]]:
        days = Meeting.objects.filter(date__isnull=False).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in days]

    return page_cache.until_archive_changes("meeting-years", years)


class DecisionFilter(django_filters.FilterSet):
    body = django_filters.ModelChoiceFilter(
        field_name="meeting__body",
        to_field_name="slug",
        queryset=Body.objects.order_by("name"),
        label=_("Organ"),
        empty_label=_("Alle organer"),
    )
    year = django_filters.ChoiceFilter(
        field_name="meeting__date__year", label=_("År"), empty_label=_("Alle år")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once per request, whether the form is validated, rendered or both.
        self.filters["year"].extra["choices"] = meeting_years()
