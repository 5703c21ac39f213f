"""Django's database cache with a cheaper write, for the page cache's table on PostgreSQL.

DatabaseCache.set() counts the whole table, reads the row, then inserts or
updates it in a transaction of its own: four statements per page rendered.
Here a write is one INSERT ... ON CONFLICT, and the table is trimmed (expired
rows, then the oldest beyond MAX_ENTRIES) on about one write in CULL_EVERY.
Reads, deletes and clear() are Django's own, but for one read that also
reads a sequence (get_with_sequence: the page cache's key holds the archive's
version, and asking for both at once saves a round trip on every request).
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

    def get_with_sequence(self, sequence: str, key_template: str, placeholder: str):
        """(the sequence's last value, the value kept under `key_template` with that value in
        place of `placeholder`, or None), in one statement. `sequence` is an identifier of
        ours, never input."""
        prefix, suffix = self.make_key(key_template).split(placeholder)
        database = router.db_for_read(self.cache_model_class)
        table = connections[database].ops.quote_name(self._table)
        with connections[database].cursor() as cursor:
            cursor.execute(
                f"SELECT s.last_value, c.value FROM {sequence} AS s"
                f" LEFT JOIN {table} AS c ON c.cache_key = %s || s.last_value || %s"
                " AND c.expires > now()",
                [prefix, suffix],
            )
            number, value = cursor.fetchone()
        if value is None:
            return number, None
        return number, pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 - ours
