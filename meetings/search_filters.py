"""The search page's filters (django-filter): body, year, date range, kind, decision, meeting.

Every filter is a URL parameter, in Danish like the page's path, so a filtered
search can be linked and bookmarked. Invalid values are reported and ignored,
never an error. This module only narrows a queryset; meetings/search.py
decides what matches. Body and dates are the meeting's, through the join: the
meeting table's indexes narrow a filtered search to a few meetings' items. The
items' own copies of them (migration 0011) have no index, and filtering on them
made a search of a body and a year 80 ms -> 1.2-2.3 s at 1,000,000 items.
"""

from __future__ import annotations

import datetime as dt
import functools

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .filters import UNDATED
from .models import KIND_CHOICES, AgendaItem

YES, NO = "ja", "nej"
# The parameters that narrow a search (and that the page's facet links keep or replace).
FILTER_PARAMS = ("organ", "aar", "fra", "til", "art", "beslutning", "moede")


class SearchFilter(django_filters.FilterSet):
    organ = django_filters.CharFilter(
        field_name="meeting__body__slug", label=_("Organ"), max_length=120
    )
    aar = django_filters.CharFilter(
        method="filter_year",
        label=_("År"),
        max_length=6,
        # A year, or the meetings whose date is unknown (listed, never left out).
        validators=[RegexValidator(rf"^(?:{UNDATED}|19\d\d|20\d\d|2100)$")],
    )
    fra = django_filters.DateFilter(
        field_name="meeting__date",
        lookup_expr="gte",
        label=_("Fra dato"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    til = django_filters.DateFilter(
        field_name="meeting__date",
        lookup_expr="lte",
        label=_("Til dato"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    art = django_filters.ChoiceFilter(field_name="kind", choices=KIND_CHOICES, label=_("Art"))
    beslutning = django_filters.ChoiceFilter(
        method="filter_decision",
        choices=[(YES, _("Med beslutning")), (NO, _("Uden beslutning"))],
        label=_("Beslutning"),
    )
    moede = django_filters.CharFilter(field_name="meeting__slug", label=_("Møde"), max_length=200)

    class Meta:
        model = AgendaItem
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value == UNDATED:
            return queryset.filter(meeting__date__isnull=True)
        # A date range, not EXTRACT(year): the meeting date index can serve it.
        year = int(value)
        return queryset.filter(
            meeting__date__gte=dt.date(year, 1, 1), meeting__date__lte=dt.date(year, 12, 31)
        )

    def filter_decision(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == YES:
            return queryset.exclude(decision="")
        return queryset.filter(decision="")


def clean_filters(params) -> SearchFilter:
    """A bound filter set: `.form.errors` says what was ignored; `.active` what applies."""
    if not any(params.get(name) for name in FILTER_PARAMS):
        return _without_filters()
    return _bound(params)


@functools.cache
def _without_filters() -> SearchFilter:
    """The filter set of a search that names no filter, made once per process and only read
    after: it is the same for every such search (most of them), and making one (its form,
    its fields copied from the class's) cost 1.2 ms of each search on a slow machine."""
    return _bound({})


def _bound(params) -> SearchFilter:
    filters = SearchFilter(data=params)
    filters.is_valid()
    filters.active = {
        name: value
        for name, value in filters.form.cleaned_data.items()
        if value not in (None, "") and name not in filters.form.errors
    }
    return filters
