"""Filters for the archive's lists (django-filter): the URL holds the whole state.

Filters only narrow a queryset a selector built; they never widen it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, Exists, F, Func, OuterRef, QuerySet, TextField, Value
from django.utils.translation import gettext_lazy as _

from . import page_cache
from .models import AGENDA, MINUTES, AgendaItem, Body, Meeting
from .widgets import QuickSelect

# The year filter's value for meetings whose date is unknown: listed, never hidden.
UNDATED = "ukendt"


def meeting_years() -> list[tuple[str, str]]:
    """The years that have meetings, newest first, as choices (kept until the archive changes)."""

    def years() -> list[tuple[str, str]]:
        days = Meeting.objects.filter(date__isnull=False).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in days]

    return page_cache.until_archive_changes("meeting-years", years)


def year_choices() -> list[tuple[str, str]]:
    return [*meeting_years(), (UNDATED, str(_("Dato ukendt")))]


def _year(date_field: str):
    """Filter on the year of `date_field`, or on its absence for UNDATED."""

    def narrow(queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == UNDATED:
            return queryset.filter(**{f"{date_field}__isnull": True})
        return queryset.filter(**{f"{date_field}__year": int(value)})

    return narrow


# Every body and every year of the archive is a choice: their <select>s grow with it.
def body_filter(field_name: str = "body", method=None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=Body.objects.order_by("name"),
        label=_("Organ"),
        empty_label=_("Alle organer"),
        method=method,
        widget=QuickSelect,
    )


def year_filter(method) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=_("År"), empty_label=_("Alle år"), method=method, widget=QuickSelect
    )


class YearChoicesMixin:
    """Reads the years once per request, whether the form is validated, rendered or both
    (and once for the filter sets that count its choices: they are handed the years)."""

    def __init__(self, *args, years: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years if years is not None else year_choices()
        self.filters["year"].extra["choices"] = self.years


class MeetingFilter(YearChoicesMixin, django_filters.FilterSet):
    body = body_filter("body")
    year = year_filter(_year("date"))
    kind = django_filters.ChoiceFilter(
        label=_("Dokumenter"),
        empty_label=_("Alle møder"),
        choices=[(MINUTES, _("Med referat")), (AGENDA, _("Kun dagsorden"))],
        method="filter_kind",
    )

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        minutes = AgendaItem.objects.filter(meeting=OuterRef("pk"), kind=MINUTES)
        return (
            queryset.filter(Exists(minutes))
            if value == MINUTES
            else queryset.exclude(Exists(minutes))
        )


class CaseFilter(YearChoicesMixin, django_filters.FilterSet):
    """Cases by the bodies and years of the (public, shown) items that carried them."""

    body = body_filter(method="filter_body")
    year = year_filter("filter_year")

    def _with_item(self, queryset: QuerySet, **where) -> QuerySet:
        items = AgendaItem.objects.filter(
            cases=OuterRef("pk"), is_current=True, access="public", **where
        )
        return queryset.filter(Exists(items))

    def filter_body(self, queryset: QuerySet, name: str, value: Body) -> QuerySet:
        return self._with_item(queryset, meeting_body=value)

    def filter_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == UNDATED:
            return self._with_item(queryset, meeting_date__isnull=True)
        return self._with_item(queryset, meeting_date__year=int(value))


def matching_words(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """Items whose text has the words, as search reads them (Danish stems, folded)."""
    folded = Func(Value(value), function="meetings_fold", output_field=TextField())
    return queryset.filter(
        search_vector=SearchQuery(folded, config="danish", search_type="websearch")
    )


class DateInput(forms.DateInput):
    input_type = "date"


class DecisionFilter(YearChoicesMixin, django_filters.FilterSet):
    words = django_filters.CharFilter(label=_("Ord"), method=matching_words)
    body = body_filter("meeting__body")
    year = year_filter(_year("meeting__date"))
    date_from = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="gte", label=_("Fra dato"), widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="lte", label=_("Til dato"), widget=DateInput
    )

    # The facets counted beside the form: how many decisions each choice would give.
    COUNTED = {"body": F("meeting__body__slug"), "year": F("meeting__date__year")}


def count_choices(filterset: django_filters.FilterSet, base: QuerySet) -> None:
    """Label each counted choice of the form with how many rows it would give.

    A facet is counted with every other filter applied but its own, so each
    number says what choosing that value gives (as search's facets do).
    """
    form = filterset.form
    chosen = {k: filterset.data.get(k) for k in form.fields if filterset.data.get(k)}

    def count() -> dict[str, dict[str, int]]:
        counted = {}
        for name, expression in filterset.COUNTED.items():
            others = {k: v for k, v in chosen.items() if k != name}
            rows = (
                type(filterset)(others or None, queryset=base, years=filterset.years)
                .qs.order_by()
                .values(key=expression)
                .annotate(n=Count("pk"))
            )
            counted[name] = {UNDATED if r["key"] is None else str(r["key"]): r["n"] for r in rows}
        return counted

    # One kept value for all facets: one read of the cache table when it is kept.
    key = f"counts:{type(filterset).__name__}:{sorted(chosen.items())!r}"
    for name, counts in page_cache.until_archive_changes(key, count).items():
        field = form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            field.label_from_instance = lambda obj, c=counts: f"{obj} ({c.get(obj.slug, 0)})"
        else:
            # Read, the choices start with the empty one ("Alle år"), which the field
            # puts first again when they are set: given twice, it was offered twice.
            field.choices = [
                (value, f"{label} ({counts.get(str(value), 0)})")
                for value, label in field.choices
                if value != ""
            ]
