"""The people pages: /personer/ and /personer/<slug>/, each with its JSON twin.

Rendered like every other page (views.page: HTML, or JSON for ?format=json)
from what meetings/persons.py reads. A person page lists only links to
meetings that exist and items that are shown and public: never a closed
item, whose handler the archive does not keep.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from . import persons
from .models import Person, PersonLink
from .views import Context, Crumb, home_crumb, listing, page, to_data


def people_crumb() -> Crumb:
    return Crumb(_("Personer"), reverse("person_list"))


@page("meetings/person_list.html")
def person_list(request: HttpRequest) -> Context:
    return {
        **listing(request, "people", persons.people_list()),
        "breadcrumbs": [home_crumb(), Crumb(_("Personer"))],
    }


@page("meetings/person_detail.html")
def person_detail(request: HttpRequest, slug: str) -> Context:
    person = persons.person(slug)
    if person is None:
        raise Http404(_("Personen “%(slug)s” findes ikke i arkivet.") % {"slug": slug})
    return {
        "person": person,
        "bodies": persons.person_bodies(person),
        **listing(request, "links", persons.person_timeline(person)),
        "breadcrumbs": [home_crumb(), people_crumb(), Crumb(person.name)],
    }


@to_data.register
def _person(value: Person) -> dict:
    data = {"name": value.name, "slug": value.slug, "url": value.get_absolute_url()}
    if value.email:
        data["email"] = value.email
    for name in ("attended", "absent", "handled"):
        if hasattr(value, name):
            data[name] = getattr(value, name)
    return data


@to_data.register
def _link(value: PersonLink) -> dict:
    meeting = value.meeting
    data = {"role": value.role, "printed": value.printed, "meeting": to_data(meeting)}
    if value.item_id is not None:
        item = value.item
        data["item"] = {
            "number": item.printed_number,
            "title": item.title,
            "kind": item.kind,
            "url": reverse("item_detail", args=[meeting.slug, item.label]),
        }
    return data
