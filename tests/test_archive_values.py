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


class _Answers(threading.Condition):
    """The values the threads were given, announced as each arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list = []


def _ask_at_once(threads: int, compute, answered: _Answers | None = None) -> list:
    """until_archive_changes asked by `threads` threads at the same moment."""
    answered = answered or _Answers()
    results = answered.results
    errors: list = []
    start = threading.Barrier(threads)

    def ask() -> None:
        try:
            start.wait()
            value = page_cache.until_archive_changes("test-value", compute)
            with answered:
                results.append(value)
                answered.notify_all()
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


class _Waits:
    """page_cache's clock, recording which threads found the lock taken (they wait)."""

    def __init__(self) -> None:
        self.waiting: set[int] = set()
        self.changed = threading.Condition()
        self.monotonic = time.monotonic

    def sleep(self, seconds: float) -> None:
        with self.changed:
            self.waiting.add(threading.get_ident())
            self.changed.notify_all()
        time.sleep(seconds)

    def until(self, condition) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_value_asked_for_at_once_by_many_is_computed_once(settings, monkeypatch):
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    waits = _Waits()
    monkeypatch.setattr(page_cache, "time", waits)
    computed = []

    def slow_count() -> int:
        computed.append(1)
        # Holds the lock until every other thread has found it taken and waits.
        waits.until(lambda: len(waits.waiting) == 3)
        return 42

    assert _ask_at_once(4, slow_count) == [42, 42, 42, 42]
    assert len(computed) == 1
    assert len(waits.waiting) == 3


@pytest.mark.django_db(transaction=True)
def test_a_holder_that_never_stores_the_value_is_waited_for_only_so_long(settings, monkeypatch):
    """The others compute it themselves after VALUE_WAIT_SECONDS."""
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    monkeypatch.setattr(page_cache, "VALUE_WAIT_SECONDS", 0.2)
    computed = []
    answered = _Answers()
    others_answered = []

    def slow_count() -> int:
        with answered:
            computed.append(1)
            if len(computed) == 1:  # the holder: keeps the lock, stores nothing meanwhile
                others_answered.append(answered.wait_for(lambda: len(answered.results) == 2, 10))
        return 42

    assert _ask_at_once(3, slow_count, answered) == [42, 42, 42]
    # The others answered while the holder held the lock, at least one computing it itself
    # (one that started late may find the value the first of them stored).
    assert others_answered == [True]
    assert len(computed) >= 2
