"""When the database goes away the site answers 503, and it recovers by itself."""

import pytest
from django.db import connection

from .conftest import database_unreachable


@pytest.mark.django_db(transaction=True)
def test_friendly_503_when_the_database_is_down_and_recovery_after(client):
    with database_unreachable():
        response = client.get("/healthz")
        assert response.status_code == 503
        page = client.get("/organer/")
        assert page.status_code == 503
        assert "midlertidigt utilgængeligt" in page.content.decode()
        assert "Traceback" not in page.content.decode()
    assert client.get("/healthz").status_code == 200
    assert client.get("/organer/").status_code == 200


def test_statement_timeout_bounds_web_queries():
    """gunicorn's config sets a statement timeout that reaches the connection options."""
    import os
    import subprocess
    import sys

    from .conftest import REPO

    code = (
        "import runpy, os; runpy.run_path('gunicorn.conf.py');"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'archive.settings');"
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['OPTIONS']['options'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT_MS"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().endswith(" -c statement_timeout=5000"), result.stderr


@pytest.mark.django_db
def test_connections_never_join_a_synchronized_scan():
    """A search that stops at the first matches in table order must read from the start:
    a synchronized scan would begin where another reader is and find other candidates."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronize_seqscans")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_connections_plan_no_parallel_scans():
    """A parallel scan's rows come in no fixed order either, and starting its workers
    cost a LIMITed page more than the page's statement (settings.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_timeout_is_cancelled():
    """With the web timeout on a connection, a runaway query is cancelled, not left to hang."""
    from django.db import OperationalError

    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("options", "")
    options["options"] = f"{before} -c statement_timeout=100"
    try:
        with (
            pytest.raises(OperationalError, match="statement timeout"),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(2)")
    finally:
        connection.close()
        options["options"] = before
