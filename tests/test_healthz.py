import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_reports_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(client):
    """A real failed connection: the default alias pointed at a database that does not exist."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "moedearkiv_no_such_database"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "unreachable"


@pytest.mark.django_db
def test_home_page_is_danish_with_search_box(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert 'action="/soeg/"' in html and 'name="q"' in html
    assert "Mødearkiv" in html
