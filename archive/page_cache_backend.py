"""Django's database cache with a cheaper write, for the page cache's table on PostgreSQL.

DatabaseCache.set() counts the whole table, reads the row, then inserts or
updates it in a transaction of its own: four statements per page rendered.
Here a write is one INSERT ... ON CONFLICT, and the table is trimmed (expired
rows, then the oldest beyond MAX_ENTRIES) on about one write in CULL_EVERY.
Reads, deletes and clear() are Django's own.
"""

from __future__ import annotations

import base64
import pickle
import random
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

CULL_EVERY = 200


class PageCache(DatabaseCache):
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        seconds = self.get_backend_timeout(timeout)
        expires = (
            datetime.max.replace(tzinfo=UTC)
            if seconds is None
            else datetime.fromtimestamp(seconds, tz=UTC)
        )
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        database = router.db_for_write(self.cache_model_class)
        table = connections[database].ops.quote_name(self._table)
        with connections[database].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)"
                " ON CONFLICT (cache_key) DO UPDATE"
                " SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                [key, encoded, expires],
            )
            if random.randrange(CULL_EVERY) == 0:
                self._trim(cursor, table)

    def _trim(self, cursor, table: str) -> None:
        cursor.execute(f"DELETE FROM {table} WHERE expires < now()")
        cursor.execute(
            f"DELETE FROM {table} WHERE cache_key IN (SELECT cache_key FROM {table}"
            " ORDER BY expires DESC OFFSET %s)",
            [self._max_entries],
        )
