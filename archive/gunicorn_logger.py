"""gunicorn's logger, writing JSON lines when the application does (archive/logs.py).

Only the format changes: where the lines go (--access-logfile, --error-logfile,
syslog), the level and the access message stay gunicorn's settings.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from archive.logs import json_formatter


class JsonLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = json_formatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
