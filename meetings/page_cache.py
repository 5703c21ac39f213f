"""Public pages cached whole, shared by every web process, until the archive changes.

The archive changes only when something is imported or staff correct it, and
every reader without a login sees the same page for the same address and
language. So a rendered page is kept in the "pages" cache (a table in the
database, shared by all gunicorn workers, or a cache server when CACHE_URL
names one) under a key made of the archive's version, the page language, the
server's generation and the full address (scheme and host included). The
version is read before the page is rendered, from the database the page reads
(a replica on a public page, see archive/routing.py); the table is written on
the primary, and a page that cannot be stored (the primary down) is served all
the same.

The version is a database sequence, advanced after every commit that changes
the archive: each imported document (importing.py) and every save or delete
of an archive row through the ORM (the admin's corrections; see signals
below). A reader who reads the old version just after such a commit may
store the new content under the old key, which no one asks for any more;
no reader can store old content under the new version. Entries also expire
after settings.PAGE_CACHE_SECONDS, so a change made behind the ORM's back
(hand-written SQL) is seen at the latest then.

Never cached: anything but GET, readers with a session (staff) or any other
cookie than the language choice, the admin, answers other than 200 and 302,
answers that set a cookie or forbid caching, and large answers (exports).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import zlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, router, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

from archive.routing import for_reading, read_alias

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises: the table's (a database error, as when the
# primary is down and a page read from the replica cannot be stored), or a cache server's.
CACHE_ERRORS = (DatabaseError, RedisError)
# After a cache kept apart from the database the pages read (the primary's table beside
# a replica, a cache server) failed, a process serves without it this long, rather than
# have every request wait for the same failure (a connection timeout to a primary that is
# down). A cache in the database the pages read fails with them: no pause (the site is
# back, cached, as soon as the database is).
CACHE_RETRY_SECONDS = 10.0
_cache_failed_at = -CACHE_RETRY_SECONDS

VERSION_SEQUENCE = "meetings_archive_version"
CACHE_ALIAS = "pages"
MAX_CACHED_BYTES = 1024 * 1024
# A page, and a search that leads straight to its case (a redirect).
CACHED_STATUSES = {200, 302}
HEADER = "X-Page-Cache"
# Paths that are never cached: staff pages, probes, redirects that set cookies, files,
# and robots.txt (a constant: the cache's look-up would cost more than making it).
UNCACHED_PREFIXES = ("/admin/", "/healthz", "/sprog/", "/static/", "/robots.txt")
UNCACHED_SUFFIXES = ("/fil",)
# Set by gunicorn's master before it forks (gunicorn.conf.py), so all workers of one
# server share pages, and pages rendered by the previous deployment's code are not served.
GENERATION = os.environ.setdefault("PAGE_CACHE_GENERATION", str(time.time_ns()))


# The version as read once per request (the middleware sets and clears it): a page
# and the values it reads from the cache then belong to the same version.
_request = threading.local()


def archive_version() -> int:
    remembered = getattr(_request, "version", None)
    if remembered is not None:
        return remembered
    with for_reading().cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {VERSION_SEQUENCE}")
        version = cursor.fetchone()[0]
    if getattr(_request, "active", False):
        _request.version = version
    return version


def archive_changed() -> None:
    """Advance the version once the current transaction commits (at once outside one)."""
    transaction.on_commit(_advance_version)


def _advance_version() -> None:
    """nextval, then setval to the same value: a replica reads a sequence's last_value as
    logged, and nextval logs 32 values ahead (one record per 32 calls), so a replica saw
    33 after the first two changes and nothing of the next 31; setval logs the exact value.
    The lock keeps two advances from setting the sequence back."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [VERSION_SEQUENCE]
            )
            cursor.execute(f"SELECT setval('{VERSION_SEQUENCE}', nextval('{VERSION_SEQUENCE}'))")
    except DatabaseError:
        # The change is committed; its pages go stale for at most PAGE_CACHE_SECONDS.
        logger.warning("could not advance the archive version", exc_info=True)


T = TypeVar("T")
_ABSENT = object()
# A process waiting for another to compute an archive value (see _computed_once).
VALUE_WAIT_POLL = 0.05
VALUE_WAIT_SECONDS = 10.0


def until_archive_changes(
    name: str, compute: Callable[[], T], cheap: Callable[[], T | None] | None = None
) -> T:
    """compute()'s value, shared by every web process until the archive changes.

    For what is costly to work out and changes only with the archive: counts
    over a million items, the years that have meetings. Kept in the pages' cache
    table for at most ARCHIVE_VALUE_SECONDS, whether pages are cached or not (a
    server without the page cache should not recount the archive for each home
    page); computed afresh every time when that is 0.

    `cheap`, when given, is asked first when the value is not kept: what it gives
    (unless None) is the value, neither kept nor waited for, as when a bounded
    count finds a short list (keeping it costs more round trips than counting).
    """
    seconds = settings.ARCHIVE_VALUE_SECONDS
    if not seconds or _cache_unreachable():
        return compute()
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
    key = f"value:{GENERATION}:{archive_version()}:{digest}"
    try:
        value = caches[CACHE_ALIAS].get(key, _ABSENT)
    except CACHE_ERRORS as error:
        _cache_failed(key, error)
        return compute()
    if value is _ABSENT:
        found = cheap() if cheap is not None else None
        value = found if found is not None else _computed_once(key, compute, seconds)
    return value


def _computed_once(key: str, compute: Callable[[], T], seconds: int) -> T:
    """compute()'s value, worked out by one process at a time while the others wait.

    After an import or a deployment every worker asks for the home page's counts at
    once, and counting a million items side by side made each take 0.4-1.5 s. The
    first to take the lock (a transaction-level advisory lock on the key) computes
    and stores the value; the others look for it every VALUE_WAIT_POLL seconds and
    compute it themselves only after VALUE_WAIT_SECONDS (a holder that died or hangs).
    The lock is taken in the database this request reads (advisory locks work on a
    replica too): the processes reading one database wait for one another.
    """
    cache = caches[CACHE_ALIAS]
    deadline = time.monotonic() + VALUE_WAIT_SECONDS
    database = read_alias()
    while True:
        with transaction.atomic(using=database), for_reading().cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"moedearkiv:value:{key}"],
            )
            if cursor.fetchone()[0] or time.monotonic() > deadline:
                value = cache.get(key, _ABSENT)  # stored by the holder before us?
                if value is _ABSENT:
                    value = compute()
                    _store(key, value, seconds)
                return value  # committed on leaving the block: the lock ends with it
        time.sleep(VALUE_WAIT_POLL)
        value = cache.get(key, _ABSENT)
        if value is not _ABSENT:
            return value


def _store(key: str, value: object, seconds: int) -> None:
    try:
        caches[CACHE_ALIAS].set(key, value, seconds)
    except CACHE_ERRORS as error:
        _cache_failed(key, error)  # served all the same (read from a replica, the primary down)


def _cache_unreachable() -> bool:
    return time.monotonic() - _cache_failed_at < CACHE_RETRY_SECONDS


def _cache_failed(what: str, error: Exception) -> None:
    global _cache_failed_at
    if _beside_the_pages(caches[CACHE_ALIAS]):
        logger.warning("page cache unavailable for %s: %s", what, error)
        return
    _cache_failed_at = time.monotonic()
    logger.warning("page cache unavailable for %s: %s; served without it for %.0f s", what,
                   error, CACHE_RETRY_SECONDS)  # fmt: skip


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.allowed_cookies = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _request.active, _request.version = True, None
        try:
            return self._respond(request)
        finally:
            _request.active, _request.version = False, None

    def _respond(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not self._cacheable_request(request) or _cache_unreachable():
            return self.get_response(request)
        try:
            key, stored = self._key_and_page(request)
        except CACHE_ERRORS as error:
            # Without a replica the view meets the same trouble and answers it (a friendly
            # 503); with one, it reads the replica.
            _cache_failed(request.path, error)
            return self.get_response(request)
        if stored is not None:
            return _response_from(stored)
        response = self.get_response(request)
        if self._cacheable_response(response):
            _store(key, _stored_form(response), seconds)
            response[HEADER] = "miss"
        return response

    def _cacheable_request(self, request: HttpRequest) -> bool:
        path = request.path
        return (
            request.method == "GET"
            and set(request.COOKIES) <= self.allowed_cookies
            and not path.startswith(UNCACHED_PREFIXES)
            and not path.endswith(UNCACHED_SUFFIXES)
        )

    def _key_and_page(self, request: HttpRequest) -> tuple[str, Stored | None]:
        """The page's key under the archive's current version, and the page kept under it:
        both in one statement (the version read, then the page, were two round trips on
        every request; the version is then remembered for the request)."""
        # Scheme and host too: feeds and exports carry absolute links.
        address = request.build_absolute_uri().encode("utf-8", "surrogateescape")
        digest = hashlib.sha256(address).hexdigest()
        template = f"page:{GENERATION}:{{version}}:{request.LANGUAGE_CODE}:{digest}"
        cache = caches[CACHE_ALIAS]
        if _beside_the_pages(cache):
            version, stored = cache.get_with_sequence(VERSION_SEQUENCE, template, "{version}")
            _request.version = version
        else:
            # The version from the database the page reads (a replica), the page from where
            # pages are kept (the primary's table, a cache server): never a newer version
            # than the data the page is rendered from.
            version = archive_version()
            stored = cache.get(template.format(version=version))
        return template.format(version=version), stored

    @staticmethod
    def _cacheable_response(response: HttpResponse) -> bool:
        cache_control = response.get("Cache-Control", "").lower()
        return (
            response.status_code in CACHED_STATUSES
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
            and len(response.content) <= MAX_CACHED_BYTES
        )


def _beside_the_pages(cache) -> bool:
    """Whether the pages' table is in the database this request reads (no replica)."""
    return hasattr(cache, "get_with_sequence") and (
        router.db_for_read(cache.cache_model_class) == read_alias()
    )


Stored = tuple[int, bytes, list[tuple[str, str]]]  # status, zlib-compressed body, headers


def _stored_form(response: HttpResponse) -> Stored:
    # Compressed: a page is 20-60 kB of HTML, a fifth of that stored (less to write and read).
    return response.status_code, zlib.compress(response.content, 1), list(response.headers.items())


def _response_from(stored: Stored) -> HttpResponse:
    status, content, headers = stored
    response = HttpResponse(zlib.decompress(content), status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


def _archive_row_changed(sender, **kwargs) -> None:
    archive_changed()


def _migrated(sender, **kwargs) -> None:
    if sender.name == "meetings":
        archive_changed()


def connect_signals() -> None:
    """Saves and deletes of the rows that pages show, one by one (the admin's corrections).

    Bulk writes send no signals: the importer advances the version itself.
    post_delete is connected only to models deleted one by one anyway: a
    listener costs Django's fast bulk delete of a model's rows.
    """
    from .models import AgendaItem, Attachment, Body, Case, Meeting, SourceDocument

    for model in (AgendaItem, Attachment, Body, Case, Meeting, SourceDocument):
        post_save.connect(_archive_row_changed, sender=model, dispatch_uid=f"pages:{model}")
    for model in (Body, Meeting, SourceDocument):
        post_delete.connect(_archive_row_changed, sender=model, dispatch_uid=f"pages-:{model}")
    post_migrate.connect(_migrated, dispatch_uid="page_cache_migrate")
