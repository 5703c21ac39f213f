"""Which database a statement goes to: the primary, or a streaming replica for public reads.

With DATABASE_REPLICA_URL set, settings add the "replica" database, this router
and its middleware. A public page (GET or HEAD, outside the admin, from a reader
without a session) reads from the replica; everything else reads and writes the
primary: imports, the admin, staff (who must see their own correction at once),
management commands, and threads a request starts (a new thread starts with a
fresh context, so with the primary). Writes always go to the primary. The page
cache's table is read and written there too: it is unlogged (migration 0008), so
a replica has no copy of it; a cache server (CACHE_URL) spares the primary that.
Migrations run on the primary only; the replica has them by replication.

Code that runs its own SQL reads through `for_reading()` (the connection the router
gives for reads), never through `django.db.connection`, which is always the primary.
Without a replica both are the primary, and nothing here is installed.

Never: route a write to the replica (it refuses them), or read from the replica what
the same code then writes back (the importer and the admin read the primary).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PUBLIC_METHODS = {"GET", "HEAD"}

# Where this request's (or command's) reads go; the primary unless a public page sets it.
_reads = ContextVar("archive_reads_from", default=DEFAULT_DB_ALIAS)


# Django's database cache (the page cache's table): unlogged, so never on a replica.
CACHE_TABLE_APP = "django_cache"


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if model is not None and model._meta.app_label == CACHE_TABLE_APP:
            return DEFAULT_DB_ALIAS
        return _reads.get()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def read_alias(model=None) -> str:
    """The database the router sends reads to just now (a model may be named, or not)."""
    return router.db_for_read(model)


def for_reading(model=None) -> BaseDatabaseWrapper:
    """The connection for hand-written SQL that reads: the replica on a public page."""
    return connections[read_alias(model)]


class ReplicaReadsMiddleware:
    """Public pages read from the replica, for the whole of the request (first in the stack:
    the page cache's look-up reads from it too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._public(request):
            return self.get_response(request)
        token = _reads.set(REPLICA)
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    def _public(self, request: HttpRequest) -> bool:
        return (
            request.method in PUBLIC_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        )
