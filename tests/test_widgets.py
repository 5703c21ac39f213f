"""The filters' quick <select> is Django's own, element for element and escaped alike."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from meetings.filters import CaseFilter, MeetingFilter
from meetings.models import Body, Case, Meeting
from meetings.widgets import QuickSelect

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"
CHOICES = [
    ("", "Alle organer"),
    ("regionsraadet", "Regionsrådet"),
    (HOSTILE, HOSTILE),
    ("Grupper", [("a", "Gruppe A"), ("b&c", "B & C")]),
    (7, "Syv"),
]


def rendered(widget: forms.Select, value, **attrs) -> str:
    return str(widget.render("organ", value, attrs={"id": "id_organ", **attrs}))


@pytest.mark.parametrize("value", ["", "regionsraadet", HOSTILE, "b&c", 7, None, ["a", 7]])
def test_a_quick_select_renders_what_django_renders(value):
    widget_class = forms.SelectMultiple if isinstance(value, list) else forms.Select

    class Quick(QuickSelect, widget_class):
        pass

    theirs = rendered(widget_class(choices=CHOICES), value, required=True)
    ours = rendered(Quick(choices=CHOICES), value, required=True)
    assert parse_html(ours) == parse_html(theirs)
    assert "<script>" not in ours and "&lt;script&gt;" in ours
    assert ours.count(" selected") == (len(value) if isinstance(value, list) else 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("filter_class", "model"), [(CaseFilter, Case), (MeetingFilter, Meeting)])
def test_the_filters_body_and_year_selects_are_djangos_html(filter_class, model):
    Body.objects.create(name='Udvalget for "<b>" & tal', slug="udvalget")
    Body.objects.create(name="Regionsrådet", slug="regionsraadet")
    queryset = model.objects.all()
    form = filter_class({"body": "udvalget"}, queryset=queryset, years=[("2024", "2024")]).form
    for name in ("body", "year"):
        field = form[name]
        assert isinstance(field.field.widget, QuickSelect)
        django_widget = forms.Select(choices=field.field.widget.choices)
        theirs = django_widget.render(
            field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id})
        )
        assert parse_html(str(field)) == parse_html(str(theirs))
    assert 'value="udvalget" selected' in str(form["body"])
    assert "&lt;b&gt;" in str(form["body"]) and "<b>" not in str(form["body"])
