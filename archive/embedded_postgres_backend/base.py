"""Django's PostgreSQL backend, connecting to the embedded server on demand.

The server is started the first time a connection is opened, not when
settings load, so commands that need no database (`parse`) start nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.db.backends.postgresql import base

from .server import ensure_database, socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        data_dir = Path(self.settings_dict["OPTIONS"].get("data_dir"))
        params = super().get_connection_params()
        params.pop("data_dir", None)
        params["host"] = socket_dir(data_dir)
        # The test runner creates its own database; the archive's must exist first.
        if self.settings_dict["NAME"] == self.settings_dict.get("_archive_name"):
            ensure_database(data_dir, self.settings_dict["NAME"])
        return params
