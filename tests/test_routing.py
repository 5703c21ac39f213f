"""Which database a request reads (archive/routing.py); tests/test_replica.py runs it for real."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.http import HttpResponse
from django.test import RequestFactory

from archive import routing
from meetings.models import AgendaItem, Meeting

ROUTER = routing.PrimaryReplicaRouter()


def reads_during(request) -> dict[str, str]:
    """Where the router sends reads while the middleware serves `request`."""
    seen = {}

    def view(request):
        seen["items"] = ROUTER.db_for_read(AgendaItem)
        seen["page cache"] = ROUTER.db_for_read(DatabaseCache("t", {}).cache_model_class)
        seen["writes"] = ROUTER.db_for_write(Meeting)
        return HttpResponse()

    routing.ReplicaReadsMiddleware(view)(request)
    return seen


@pytest.mark.parametrize(
    ("method", "path", "cookies", "reads"),
    [
        ("get", "/moeder/", {}, "replica"),
        ("head", "/soeg/?q=regioner", {"django_language": "en"}, "replica"),
        ("get", "/moeder/", {"sessionid": "staff"}, "default"),  # staff see their own edits
        ("post", "/sprog/", {}, "default"),
        ("get", "/admin/meetings/meeting/", {}, "default"),
    ],
)
def test_public_pages_read_the_replica_and_the_rest_the_primary(method, path, cookies, reads):
    factory = RequestFactory()
    for name, value in cookies.items():
        factory.cookies[name] = value
    seen = reads_during(getattr(factory, method)(path))
    assert seen["items"] == reads
    assert seen["page cache"] == "default"  # its table is unlogged: no copy on a replica
    assert seen["writes"] == "default"
    # Outside a request (imports, commands) everything is the primary's.
    assert ROUTER.db_for_read(AgendaItem) == "default"


def test_migrations_run_on_the_primary_only():
    assert ROUTER.allow_migrate("default", "meetings")
    assert not ROUTER.allow_migrate(routing.REPLICA, "meetings")


@pytest.mark.skipif(bool(settings.DATABASE_REPLICA_URL), reason="a replica is configured")
def test_without_a_replica_nothing_is_routed():
    assert not settings.DATABASE_ROUTERS
    assert "archive.routing.ReplicaReadsMiddleware" not in settings.MIDDLEWARE
    assert routing.read_alias(AgendaItem) == "default"
