"""A closed item's page says that its body closed it and how to ask it for access
(aktindsigt), with the contact staff entered for the body in the admin."""

from __future__ import annotations

import pytest

from meetings.models import AgendaItem, Body

from .test_browse import main_of, page, text_of, twin

pytestmark = pytest.mark.django_db

MODERN = "001_0aba8dafb6435775.txt"  # undated agenda of Sundhedsudvalget, 2/4/5 closed


def closed_item() -> AgendaItem:
    return (
        AgendaItem.objects.filter(document__file_name=MODERN, access="confidential", number=2)
        .select_related("meeting__body")
        .get()
    )


def test_a_closed_item_says_who_closed_it_and_how_to_ask_for_access(client, sample_archive):
    item = closed_item()
    text = text_of(main_of(page(client, item.get_absolute_url())))
    assert "Sådan beder du om aktindsigt" in text
    assert "Sundhedsudvalget har lukket punktet for offentligheden." in text
    assert "Du kan bede Sundhedsudvalget om aktindsigt i sagen efter offentlighedsloven." in text
    meeting = "Møde Sundhedsudvalget, dato ukendt"
    assert f"{meeting} Punkt 2" in text  # what to name in the request
    assert "Arkivet har ingen kontaktoplysninger på organet." in text


def test_a_public_item_has_no_such_box(client, sample_archive):
    item = AgendaItem.objects.filter(document__file_name=MODERN, access="public")[0]
    assert "aktindsigt" not in page(client, item.get_absolute_url())


def test_staff_enter_the_bodys_contact_in_the_admin_and_the_closed_item_shows_it(
    admin_client, client, sample_archive
):
    body = Body.objects.get(name="Sundhedsudvalget")
    form = admin_client.get(f"/admin/meetings/body/{body.pk}/change/").content.decode()
    assert 'name="contact"' in form and "aktindsigt" in form
    contact = (
        "Sekretariatet for Sundhedsudvalget\nDampfærgevej 22, 2100 København Ø\npost@regioner.dk"
    )
    response = admin_client.post(
        f"/admin/meetings/body/{body.pk}/change/",
        {"name": body.name, "slug": body.slug, "contact": contact},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    markup = main_of(page(client, closed_item().get_absolute_url()))
    assert "Kontakt til Sundhedsudvalget" in markup
    assert "Dampfærgevej 22, 2100 København Ø<br>" in markup
    assert '<a href="mailto:post@regioner.dk">post@regioner.dk</a>' in markup
    assert "ingen kontaktoplysninger" not in markup
    data = twin(client, closed_item().get_absolute_url())
    assert data["meeting"]["body"]["contact"] == contact
    assert set(data["item"]) == {"number", "access"} | ({"title"} if closed_item().title else set())


def test_a_contact_is_text_never_markup(admin_client, client, sample_archive):
    body = Body.objects.get(name="Sundhedsudvalget")
    Body.objects.filter(pk=body.pk).update(contact="<script>alert(1)</script> <b>x</b>")
    markup = page(client, closed_item().get_absolute_url())
    assert "<script>alert(1)" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
