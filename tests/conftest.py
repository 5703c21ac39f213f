"""Fixtures and helpers shared by the whole suite."""

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
GOLD = REPO / "tests" / "data" / "gold"


def run_manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` in a process of its own, with exactly `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextlib.contextmanager
def database_unreachable() -> Iterator[None]:
    """A real failed connection: the default alias points at a database that does not exist."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "moedearkiv_database_that_is_gone"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run without `collectstatic`: serve static files from the source folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client and live server speak plain HTTP; tests/test_security.py
    # checks the HTTPS settings in a process of their own.
    settings.SECURE_SSL_REDIRECT = False
    # Pages are rendered afresh in tests; tests/test_page_cache.py turns the cache on.
    settings.PAGE_CACHE_SECONDS = 0
    settings.ARCHIVE_VALUE_SECONDS = 0
    # A cache failure in one test does not leave the next without the cache.
    from meetings import page_cache

    page_cache._cache_failed_at = -page_cache.CACHE_RETRY_SECONDS
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.txt"))


def import_samples() -> dict[str, object]:
    """Import every sample document (its sidecar names the body); results by file name."""
    from meetings.importing import Metadata, import_file

    results = {name: import_file(SAMPLES / name, Metadata()) for name in SAMPLE_FILES}
    failed = {name: r.message for name, r in results.items() if r.outcome == "failed"}
    assert not failed, failed
    return results


@pytest.fixture(scope="module")
def sample_archive(django_db_setup, django_db_blocker):
    """The sample documents imported once per test module, and rolled back after it.

    Tests that use it run inside this transaction (pytest-django's per-test
    transactions nest as savepoints), so they see the archive and leave no trace.
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield import_samples()
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def _plain_http_for_the_live_server():
    from django.test.utils import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_for_the_live_server, live_server):
    """pytest-django's live server, started once plain HTTP is set.

    Its middleware reads the HTTPS settings when the server starts, before any
    per-test settings fixture runs, so they must already be plain by then.
    """
    return live_server
