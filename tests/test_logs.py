"""Structured logs: one JSON object per line, from Django and from gunicorn alike."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from archive.logs import json_formatter, log_format

from .conftest import REPO


def test_json_lines_carry_time_level_logger_and_message():
    formatter = json_formatter()
    record = logging.LogRecord(
        "meetings.search_views", logging.WARNING, __file__, 1, "search cancelled: %r", ("x",), None
    )
    record.created = 1_764_320_000.5  # 2025-11-28 08:53:20.500 UTC

    line = json.loads(formatter.format(record))

    assert line == {
        "time": "2025-11-28T08:53:20.500Z",
        "level": "WARNING",
        "logger": "meetings.search_views",
        "message": "search cancelled: 'x'",
    }


def test_production_logs_json_and_development_plain(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert (log_format(debug=False), log_format(debug=True)) == ("json", "plain")
    monkeypatch.setenv("LOG_FORMAT", "plain")
    assert log_format(debug=False) == "plain"


def test_python_warnings_are_json_lines_too():
    """A library's warning (whitenoise warns of a missing static folder) would otherwise
    be bare text among the JSON lines."""
    code = "import django, warnings; django.setup();warnings.warn('kept in the log', UserWarning)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DEBUG": "false",
        "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",  # never connected to
        "SECRET_KEY": "logs-test-secret-key-logs-test-secret-key-0123456789abcdef",
    }
    env.pop("LOG_FORMAT", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [("py.warnings", "WARNING")]
    assert "UserWarning: kept in the log" in lines[0]["message"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, **headers: str) -> int:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return r.status


@pytest.mark.django_db(transaction=True)
def test_gunicorn_logs_its_requests_and_itself_as_json(tmp_path):
    """The project's gunicorn config, started as in production: every line it and the app
    write is JSON, each request's access line has its fields, and the access log goes
    where gunicorn's own setting says (here a file, as bench/load_test.py asks)."""
    database = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "logs-test-secret-key-logs-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("LOG_FORMAT", None)
    out, err = (tmp_path / "out").open("w"), (tmp_path / "err").open("w")
    server = subprocess.Popen(
        [
            str(os.path.join(os.path.dirname(sys.executable), "gunicorn")),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(tmp_path / "access"),
        ],
        cwd=REPO,
        env=env,
        stdout=out,
        stderr=err,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                get(f"{base}/robots.txt")
                break
            except OSError:
                time.sleep(0.1)
        assert get(f"{base}/healthz?probe=1", **{"User-Agent": 'probe "7"'}) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        out.close()
        err.close()

    def lines(path) -> list[dict]:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    server_lines, access = lines(tmp_path / "err"), lines(tmp_path / "access")
    assert not (tmp_path / "out").read_text()
    assert all({"time", "level", "logger", "message"} <= set(line) for line in server_lines)
    assert any(line["message"].startswith("Booting worker") for line in server_lines)
    assert {line["logger"] for line in access} == {"gunicorn.access"}
    probe = next(line for line in access if line["path"] == "/healthz")
    assert probe["message"] == "GET /healthz 200"
    assert probe["method"] == "GET" and probe["query"] == "probe=1"
    assert probe["status"] == 200 and probe["bytes"] > 0
    assert probe["user_agent"] == 'probe "7"'
    assert isinstance(probe["duration_ms"], float) and probe["duration_ms"] >= 0
