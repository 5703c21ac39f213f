"""One log format for the whole server: Django's records and gunicorn's alike.

With LOG_FORMAT=json (the default when DEBUG is off) every line is one JSON
object, so a log pipeline reads the web server's access and error lines the
same way as the application's. archive/settings.py and gunicorn's logger
(archive/gunicorn_logger.py) both take their format from here. Plain Python:
gunicorn's master reads it before Django is loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.config
import os
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}

# gunicorn's access atoms (gunicorn/glogging.py, Logger.atoms) under readable names.
ACCESS_FIELDS = {
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "h": "remote_addr",
    "f": "referer",
    "a": "user_agent",
}
# gunicorn's access message when the line is JSON: the details are fields of their own.
ACCESS_MESSAGE = "%(m)s %(U)s %(s)s"


def log_format(debug: bool) -> str:
    """LOG_FORMAT if set; else plain text for development and JSON in production."""
    return os.environ.get("LOG_FORMAT", "plain" if debug else "json")


class ArchiveJsonFormatter(JsonFormatter):
    """JSON lines; an access record of gunicorn's also gets its request's fields."""

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802 (logging's name)
        # UTC in ISO 8601: Django sets the process's local time to TIME_ZONE in the
        # workers, not in gunicorn's master, so local times would differ line by line.
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def add_fields(self, log_data: dict[str, Any], record, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            atoms = record.args
            for atom, field in ACCESS_FIELDS.items():
                value = atoms.get(atom)
                if isinstance(value, str):
                    # gunicorn escapes quotes for its one-line format; JSON escapes its own.
                    value = value.replace('\\"', '"')
                if value not in (None, "-", ""):
                    log_data[field] = value
            if "status" in log_data:
                log_data["status"] = int(log_data["status"])
            log_data["duration_ms"] = round(atoms.get("D", 0) / 1000, 1)


def configure(config: dict) -> None:
    """Django's LOGGING_CONFIG: its dictConfig, and Python's warnings as log records (so a
    warning is a JSON line like any other, not bare text on stderr)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def json_formatter() -> ArchiveJsonFormatter:
    return ArchiveJsonFormatter(FIELDS, rename_fields=RENAMED)


def formatters() -> dict[str, dict]:
    """For Django's LOGGING (logging.config.dictConfig)."""
    return {
        "plain": {"format": FIELDS},
        "json": {"()": ArchiveJsonFormatter, "fmt": FIELDS, "rename_fields": RENAMED},
    }
