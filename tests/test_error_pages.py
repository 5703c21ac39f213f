"""The archive's own Danish pages for refused requests (400, 403, a failed CSRF check).

Without them Django answers with bare English pages ("Bad Request (400)",
"403 Forbidden") that say nothing of what to do next.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

UPLOAD_URL = reverse("admin:meetings_importrun_upload")


def assert_archive_page(response, status: int, title: str) -> str:
    assert response.status_code == status
    markup = response.content.decode()
    assert f"<title>{title} · Mødearkiv</title>" in markup
    assert f"<h1>{title}</h1>" in markup
    assert '<a href="/">Gå til forsiden</a>' in markup
    assert "Bad Request" not in markup and "Forbidden" not in markup
    return markup


def test_an_unknown_host_gets_the_danish_bad_request_page(client):
    response = client.get("/", HTTP_HOST="ikke-arkivet.example")
    assert_archive_page(response, 400, "Forespørgslen kunne ikke forstås")


@pytest.mark.django_db
def test_a_search_with_too_many_fields_is_a_bad_request_not_an_error(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"organ{n}=x" for n in range(11))
    response = client.get(f"/soeg/?q=region&{query}")
    markup = assert_archive_page(response, 400, "Forespørgslen kunne ikke forstås")
    assert 'href="/soeg/"' in markup


@pytest.mark.django_db
def test_staff_refused_a_function_get_the_danish_page(client):
    user = User.objects.create_user("laeser", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    client.force_login(user)
    response = client.get(UPLOAD_URL)
    markup = assert_archive_page(response, 403, "Ingen adgang")
    assert "kun for arkivets medarbejdere" in markup


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_danish_page():
    User.objects.create_user("redaktoer", password="hemmelig-kode-1", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:login"), {"username": "redaktoer", "password": "hemmelig-kode-1"}
    )
    markup = assert_archive_page(response, 403, "Formularen kunne ikke sendes")
    assert "genindlæs siden" in markup
    assert "_auth_user_id" not in client.session  # refused, not logged in
