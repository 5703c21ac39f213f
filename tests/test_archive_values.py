"""meetings.page_cache.until_archive_changes under concurrency: one process computes.

Transactional tests (each thread commits on its own connection), kept out of the
modules whose archive is one open transaction.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection

from meetings import page_cache


def _ask_at_once(threads: int, compute) -> list:
    """until_archive_changes asked by `threads` threads at the same moment."""
    results: list = []
    errors: list = []
    start = threading.Barrier(threads)

    def ask() -> None:
        try:
            start.wait()
            results.append(page_cache.until_archive_changes("test-value", compute))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not errors
    return results


@pytest.mark.django_db(transaction=True)
def test_a_value_asked_for_at_once_by_many_is_computed_once(settings):
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    computed = []

    def slow_count() -> int:
        computed.append(1)
        time.sleep(0.3)  # long enough for every other thread to find the lock taken
        return 42

    assert _ask_at_once(4, slow_count) == [42, 42, 42, 42]
    assert len(computed) == 1


@pytest.mark.django_db(transaction=True)
def test_a_holder_that_never_stores_the_value_is_waited_for_only_so_long(settings, monkeypatch):
    """The others compute it themselves after VALUE_WAIT_SECONDS."""
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    monkeypatch.setattr(page_cache, "VALUE_WAIT_SECONDS", 0.2)
    computed = []

    def slow_count() -> int:
        computed.append(1)
        time.sleep(1.0)  # holds the lock well past the others' patience
        return 42

    assert _ask_at_once(3, slow_count) == [42, 42, 42]
    assert len(computed) == 3
