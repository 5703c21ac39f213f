"""A statement given a time budget (meetings.search._rows_within), as a phrase's quick
try is: answered, or cancelled by the database, leaving the connection and its
settings as they were.

Transactional tests, kept out of tests/test_search.py, whose module-wide archive is
one open transaction: the web path runs outside one, where the budget and the
statement go to the database as one message.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from django.db import connection, transaction

from meetings import search as searching
from meetings.importing import Metadata, import_document

from .conftest import SAMPLES

SST = "004_8d8a7837cce6a1ab.txt"  # Sundhedsstyrelsen: "kunstig intelligens" in item 2


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.fixture(params=[False, True], ids=["own transaction", "caller's transaction"])
def in_or_out_of_a_transaction(request, transactional_db):
    """Each test once outside any transaction (a web request) and once inside a caller's."""
    with ExitStack() as outer:
        if request.param:
            outer.enter_context(transaction.atomic())
        yield


@pytest.mark.usefixtures("in_or_out_of_a_transaction")
def test_a_statement_within_its_budget_gives_its_rows_and_leaves_the_setting():
    before = _timeout()
    # Values are quoted once (a quote, a percent sign), and a literal %% stays one %.
    rows = searching._rows_within("2s", "SELECT %s::text, 'x%%'::text", ["it's 50%"])
    assert rows == [("it's 50%", "x%")]
    assert _timeout() == before


@pytest.mark.usefixtures("in_or_out_of_a_transaction")
def test_a_statement_over_its_budget_is_cancelled_and_leaves_nothing_behind():
    before = _timeout()
    assert searching._rows_within("20ms", "SELECT pg_sleep(%s)", [2]) is None
    # The setting is as before, and the caller's transaction (if any) is not aborted.
    assert _timeout() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_a_statement_failing_for_another_reason_raises():
    from django.db import ProgrammingError

    before = _timeout()
    with pytest.raises(ProgrammingError):
        searching._rows_within("2s", "SELECT no_such_column FROM meetings_agendaitem", [])
    assert _timeout() == before


@pytest.mark.django_db(transaction=True)
def test_a_phrase_whose_quick_try_is_cancelled_is_found_by_the_bounded_scan(
    client, monkeypatch, settings
):
    settings.SEARCH_CACHE_SECONDS = 0
    assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    params = {"q": '"kunstig intelligens"', "format": "json"}
    exact = [hit["title"] for hit in client.get("/soeg/", params).json()["hits"]]
    assert exact

    messages = []

    def slow_quick_try(execute, sql, params, many, context):
        if sql.startswith("SELECT set_config('statement_timeout'"):
            messages.append(sql)
            # The same budget, for a statement the database must cancel.
            budget = sql.split("; ", 1)[0]
            return execute(f"{budget}; SELECT pg_sleep(2)", None, many, context)
        return execute(sql, params, many, context)

    monkeypatch.setattr(searching, "QUICK_TRY_MS", "20ms")
    before = _timeout()
    with connection.execute_wrapper(slow_quick_try):
        answer = client.get("/soeg/", params).json()

    assert [hit["title"] for hit in answer["hits"]] == exact
    # One message held the budget and the candidate statement: no transaction of its own.
    assert len(messages) == 1 and '"rank_"' in messages[0]
    assert _timeout() == before
