"""Stop and restart the database under load: only 503s while it is down, none after, no data lost.

Runs its own embedded PostgreSQL in a temporary folder (so no other server
is touched), imports the sample documents, serves the archive with gunicorn
on loopback, and keeps a few clients requesting pages while the database is
stopped and started again. Prints what each phase answered and exits
non-zero when a phase broke its promise.

    .venv/bin/python bench/db_outage.py [--outage-seconds 5]
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True, text=True
    ).stdout


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return -1  # no answer at all: worse than a 503


class Load:
    """Clients requesting pages in a loop, tallying status codes per phase."""

    def __init__(self, urls: list[str], clients: int):
        self.urls = urls
        self.clients = clients
        self.phase = "before"
        self.tally: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._client, args=(i,)) for i in range(self.clients)]
        for thread in threads:
            thread.start()
        return threads

    def _client(self, offset: int) -> None:
        i = offset
        deadline = time.monotonic() + 300  # bounded even if the script is interrupted
        while not self.stop.is_set() and time.monotonic() < deadline:
            phase = self.phase
            status = fetch(self.urls[i % len(self.urls)])
            with self.lock:
                self.tally[phase][status] += 1
            i += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="moedearkiv-outage-", dir="/tmp") as tmp:
        data_dir = Path(tmp) / "pgdata"
        env = {
            **os.environ,
            "EMBEDDED_DB_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": "outage-bench-secret-key-outage-bench-secret-key-0123456789",
            "LOG_LEVEL": "CRITICAL",
        }
        env.pop("DATABASE_URL", None)
        # A separate process keeps the embedded server alive between commands.
        keeper = subprocess.Popen(
            [
                PYTHON,
                "-c",
                "import django, os, time; django.setup();"
                "from django.db import connection; connection.ensure_connection();"
                "print('up', flush=True); time.sleep(3600)",
            ],
            cwd=REPO,
            env={**env, "DJANGO_SETTINGS_MODULE": "archive.settings"},
            stdout=subprocess.PIPE,
            text=True,
        )
        keeper.stdout.readline()
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "ingest", "samples/")
        counts_before = manage(env, "shell", "-v", "0", "-c", COUNT_ROWS)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                if fetch(f"{base}/healthz") == 200:
                    break
                time.sleep(0.1)
            urls = [f"{base}{path}" for path in ("/", "/organer/", "/healthz", "/beslutninger/")]
            load = Load(urls, args.clients)
            threads = load.run()
            time.sleep(3)

            load.phase = "stopping"
            subprocess.run(
                [PYTHON, "manage.py", "embedded_db", "stop"],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
            )
            load.phase = "down"  # pg_ctl stop has returned: the server is gone
            time.sleep(args.outage_seconds)

            load.phase = "restarting"
            started = time.monotonic()
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--check", "-v", "0"],
                cwd=REPO,
                env=env,
                capture_output=True,
            )  # any command that connects starts the embedded server again
            recovered = None
            while time.monotonic() - started < 30:
                if fetch(f"{base}/healthz") == 200:
                    recovered = time.monotonic() - started
                    break
                time.sleep(0.1)
            load.phase = "after"
            time.sleep(3)
            load.stop.set()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(10)
        counts_after = manage(env, "shell", "-v", "0", "-c", COUNT_ROWS)
        keeper.terminate()
        keeper.wait(10)
        subprocess.run(
            [PYTHON, "manage.py", "embedded_db", "stop"], cwd=REPO, env=env, capture_output=True
        )

    for phase in ("before", "stopping", "down", "restarting", "after"):
        answers = sorted(load.tally[phase].items())
        print(f"{phase:>10}: " + ", ".join(f"{code}×{n}" for code, n in answers))
    if recovered is None:
        print("NOT recovered within 30 s of the restart")
    else:
        print(f"recovered {recovered:.1f} s after the restart")
    print(f"rows before: {counts_before.strip()}  after: {counts_after.strip()}")
    ok = (
        set(load.tally["before"]) == {200}
        and set(load.tally["down"]) == {503}
        and set(load.tally["after"]) == {200}
        and recovered is not None
        and counts_before == counts_after
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


COUNT_ROWS = (
    "from meetings.models import Meeting, AgendaItem, SourceDocument;"
    "print(Meeting.objects.count(), AgendaItem.objects.count(), SourceDocument.objects.count())"
)

if __name__ == "__main__":
    sys.exit(main())
