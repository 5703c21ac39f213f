import pytest

from .conftest import database_unreachable


@pytest.mark.django_db
def test_healthz_reports_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(client):
    with database_unreachable():
        response = client.get("/healthz")
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
