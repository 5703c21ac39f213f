"""Prepared statements: the browse pages' statements are prepared, search statements never.

archive/settings.py turns psycopg's preparing on (PREPARE_THRESHOLD); a search's plan
depends on its words, so meetings.search.planned_for_the_words keeps search statements
unprepared. What is prepared is read from the server (pg_prepared_statements).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from meetings.models import AgendaItem

pytestmark = pytest.mark.skipif(
    not settings.PREPARE_THRESHOLD, reason="prepared statements are turned off"
)

# The item page's own statement: the item with its meeting, cases and handler
# (meetings.selectors._ITEM_PAGE_SQL).
ITEM_QUERY = "AS handler_slug"
SEARCH_MARKS = ("@@", "ts_rank_cd", "ts_headline", "websearch_to_tsquery")


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def runs_to_prepare() -> int:
    return int(settings.PREPARE_THRESHOLD) + 1


def an_item_url() -> str:
    item = AgendaItem.objects.filter(access="public", is_current=True).first()
    return item.get_absolute_url()


@pytest.mark.usefixtures("sample_archive", "db")
def test_an_item_page_statement_is_prepared_after_its_threshold(client):
    url = an_item_url()
    before = set(prepared())
    for _ in range(runs_to_prepare()):
        assert client.get(url).status_code == 200
    assert any(ITEM_QUERY in statement for statement in set(prepared()) - before)


@pytest.mark.usefixtures("sample_archive", "db")
@pytest.mark.parametrize(
    "params",
    [
        {"q": "regionerne"},
        {"q": "sundhed -psykiatri"},
        {"q": '"danske regioner"'},
        {"q": "regionerne", "sortering": "nyeste"},
        {"q": "regionerne", "format": "csv"},
    ],
)
def test_search_statements_are_never_prepared(client, settings, params):
    settings.SEARCH_CACHE_SECONDS = 0  # every request ranks afresh
    for _ in range(runs_to_prepare() + 1):
        assert client.get("/soeg/", params).status_code == 200
    searched = [s for s in prepared() if any(mark in s for mark in SEARCH_MARKS)]
    assert searched == []
    # ... and the connection prepares again after the search: the threshold is restored.
    url = an_item_url()
    before = set(prepared())
    for _ in range(runs_to_prepare()):
        assert client.get(url).status_code == 200
    assert any(ITEM_QUERY in statement for statement in set(prepared()) - before)
