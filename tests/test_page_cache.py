"""Whole public pages cached until the archive changes (meetings/page_cache.py)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import page_cache
from meetings.importing import Metadata, import_document
from meetings.models import Meeting

from .conftest import SAMPLES, database_unreachable

SST = "004_8d8a7837cce6a1ab.txt"  # Sundhedsstyrelsen, one dated meeting, 5 items


@pytest.fixture
def cached_pages(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()


@pytest.fixture
def sst_meeting(django_capture_on_commit_callbacks) -> Meeting:
    with django_capture_on_commit_callbacks(execute=True):
        assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    return Meeting.objects.get()


def _state(response) -> str | None:
    return response.headers.get(page_cache.HEADER)


@pytest.mark.django_db
def test_a_page_is_rendered_once_then_served_from_the_cache(client, cached_pages, sst_meeting):
    url = sst_meeting.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as served:
        second = client.get(url)

    assert (_state(first), _state(second)) == ("miss", "hit")
    assert len(served) == 1  # the archive's version and the page, in one statement
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The headers the outer layers add are on every answer, cached or not.
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert second[name] == first[name]


@pytest.mark.django_db
def test_an_import_makes_every_page_new(
    client, cached_pages, sst_meeting, django_capture_on_commit_callbacks
):
    url = sst_meeting.get_absolute_url()
    client.get(url)
    changed = (SAMPLES / SST).read_text(encoding="utf-8").replace("Eventuelt", "Ny overskrift")

    with django_capture_on_commit_callbacks(execute=True):
        result = import_document(changed.encode(), SST, Metadata())

    assert result.outcome == "replaced"
    page = client.get(url)
    assert _state(page) == "miss" and "Ny overskrift" in page.content.decode()
    assert _state(client.get(url)) == "hit"


@pytest.mark.django_db
def test_a_staff_correction_makes_the_page_new(
    client, cached_pages, sst_meeting, django_capture_on_commit_callbacks
):
    url = sst_meeting.get_absolute_url()
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        sst_meeting.location = "Mødelokale 7"
        sst_meeting.save()

    page = client.get(url)
    assert _state(page) == "miss" and "Mødelokale 7" in page.content.decode()


@pytest.mark.django_db
def test_nothing_is_served_stale_before_the_change_commits(client, cached_pages, sst_meeting):
    """Inside the correcting transaction the version has not moved: it moves at commit."""
    before = page_cache.archive_version()
    sst_meeting.location = "Mødelokale 7"
    sst_meeting.save()  # the test's transaction never commits

    assert page_cache.archive_version() == before


@pytest.mark.django_db
def test_each_language_has_its_own_copy(client, cached_pages, sst_meeting):
    url = sst_meeting.get_absolute_url()
    danish = client.get(url)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url)

    assert _state(english) == "miss"
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="da">' in danish.content.decode()
    assert _state(client.get(url)) == "hit"


@pytest.mark.django_db
def test_addresses_differ_by_query(client, cached_pages, sst_meeting):
    assert _state(client.get("/soeg/", {"q": "sundhed"})) == "miss"
    assert _state(client.get("/soeg/", {"q": "sundhed", "format": "json"})) == "miss"
    assert _state(client.get("/soeg/", {"q": "sundhed"})) == "hit"


@pytest.mark.django_db
def test_staff_and_readers_with_other_cookies_get_fresh_pages(client, cached_pages, sst_meeting):
    from django.contrib.auth.models import User

    url = sst_meeting.get_absolute_url()
    client.get(url)
    client.force_login(User.objects.create_superuser("redaktoer", "r@example.org", "x" * 12))

    assert _state(client.get(url)) is None
    client.logout()
    client.cookies["messages"] = "anything"
    assert _state(client.get(url)) is None


@pytest.mark.django_db
def test_errors_the_admin_and_language_links_are_never_cached(client, cached_pages):
    for _ in range(2):
        assert _state(client.get("/moeder/findes-ikke/")) is None
        assert _state(client.get("/admin/login/")) is None
        assert _state(client.get("/sprog/en/", {"next": "/"})) is None
        client.cookies.clear()


@pytest.mark.django_db(transaction=True)
def test_database_down_still_gives_the_friendly_503(client, cached_pages, sst_meeting):
    url = sst_meeting.get_absolute_url()
    client.get(url)

    with database_unreachable():
        response = client.get(url)

    assert response.status_code == 503
    assert "midlertidigt utilgængeligt" in response.content.decode()
    assert _state(client.get(url)) == "hit"  # back by itself


@pytest.mark.django_db
def test_the_version_is_advanced_by_a_sequence_outside_transactions(sst_meeting):
    before = page_cache.archive_version()
    page_cache._advance_version()
    assert page_cache.archive_version() == before + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('meetings_page_cache') IS NOT NULL")
        assert cursor.fetchone()[0], "migrate makes the cache table"


@pytest.mark.django_db
def test_a_case_number_search_is_cached_with_its_case(client, cached_pages):
    modern = "001_0aba8dafb6435775.txt"  # items 9-11 share the case MOD-2025-00121
    assert import_document((SAMPLES / modern).read_bytes(), modern, Metadata()).outcome == "created"
    number = "MOD-2025-00121"
    first = client.get("/soeg/", {"q": number})
    second = client.get("/soeg/", {"q": number})

    assert first.status_code == second.status_code == 200
    assert (_state(first), _state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert f'href="/sager/{number}/"' in second.content.decode()


@pytest.mark.django_db
def test_the_cache_table_keeps_values_replaces_them_and_trims_itself(monkeypatch):
    from archive import page_cache_backend

    pages = caches[page_cache.CACHE_ALIAS]
    pages.clear()
    pages.set("a", (200, b"first", []), 600)
    pages.set("a", (200, b"second", []), 600)
    pages.set("gone", "x", -1)  # already expired
    assert pages.get("a") == (200, b"second", [])
    assert pages.get("gone") is None

    monkeypatch.setattr(page_cache_backend, "CULL_EVERY", 1)  # trim on this write
    monkeypatch.setattr(pages, "_max_entries", 2)
    for n in range(5):
        pages.set(f"k{n}", n, 600 + n)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM meetings_page_cache")
        assert cursor.fetchone()[0] == 2
    assert (pages.get("k4"), pages.get("k3"), pages.get("k0")) == (4, 3, None)


@pytest.mark.django_db
def test_each_host_has_its_own_copy_of_a_feed(client, cached_pages, sst_meeting, settings):
    settings.ALLOWED_HOSTS = ["arkiv.example", "www.arkiv.example"]
    feed = {"q": "sundhed", "format": "atom"}

    first = client.get("/soeg/", feed, HTTP_HOST="arkiv.example")
    other = client.get("/soeg/", feed, HTTP_HOST="www.arkiv.example")

    assert (_state(first), _state(other)) == ("miss", "miss")
    assert "http://www.arkiv.example/" in other.content.decode()
    assert "http://www.arkiv.example/" not in first.content.decode()


@pytest.mark.django_db
def test_archive_values_are_kept_without_the_page_cache(
    client, settings, django_capture_on_commit_callbacks
):
    """An operator who turns the page cache off still gets the archive's counts from the
    cache table (not a recount per home page), and an import still renews them."""
    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    counted = []

    def count():
        counted.append(1)
        return Meeting.objects.count()

    assert page_cache.until_archive_changes("test-meetings", count) == 0
    assert page_cache.until_archive_changes("test-meetings", count) == 0
    assert len(counted) == 1
    assert _state(client.get("/")) is None  # pages themselves are not kept

    with django_capture_on_commit_callbacks(execute=True):
        assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"

    assert page_cache.until_archive_changes("test-meetings", count) == 1
    assert len(counted) == 2


@pytest.mark.django_db
def test_a_short_list_is_counted_outright_and_a_long_one_kept(settings, monkeypatch):
    """A list's total: a case's few items are counted each time they are not kept, in one
    bounded query and nothing more (no lock, no write); a list longer than
    COUNTED_OUTRIGHT is counted once and then read from the cache table."""
    from meetings import views

    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    items = views.selectors.item_rows().order_by("pk")
    total = items.count()
    assert total > 2

    def count_twice() -> list[int]:
        queries = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert views.ArchivePaginator(items, 2).count == total
            queries.append(len(captured))
        return queries

    # Outside a request each call reads the archive's version, then the cache table.
    assert count_twice() == [3, 3]  # and the bounded count, each time
    monkeypatch.setattr(views, "COUNTED_OUTRIGHT", total - 1)
    first, again = count_twice()
    assert first > 3 and again == 2  # counted, kept, then read


@pytest.mark.django_db
def test_a_list_that_fits_on_its_first_page_is_counted_by_its_rows(settings):
    """The first page is read before anything is counted: a list that fits on it (a
    case's items) costs that one query; a longer one, or another page, is counted as
    before; every page holds the rows a plain slice of the list holds."""
    from meetings import views

    settings.ARCHIVE_VALUE_SECONDS = 600
    caches[page_cache.CACHE_ALIAS].clear()
    assert import_document((SAMPLES / SST).read_bytes(), SST, Metadata()).outcome == "created"
    items = views.selectors.item_rows().order_by("pk")
    rows = list(items.all())
    assert len(rows) > 2

    def read(per_page: int, number) -> tuple[list, int, int]:
        with CaptureQueriesContext(connection) as captured:
            paginator = views.ArchivePaginator(items.all(), per_page)
            page = paginator.get_page(number)
            shown = list(page.object_list)
            count = paginator.count
        return shown, count, len(captured)

    for number in (None, "1"):
        assert read(len(rows), number) == (rows, len(rows), 1)
    # Longer than the page: its first rows, then counted (the version, the cache table and
    # the bounded count outside a request); page 2 reads its own rows.
    assert read(2, None) == (rows[:2], len(rows), 4)
    assert read(2, "2")[:2] == (rows[2:4], len(rows))
    assert read(2, "x")[:2] == (rows[:2], len(rows))  # not a number: the first page


@pytest.mark.django_db
def test_the_decisions_filter_form_is_kept_per_values_and_version(
    client, settings, sst_meeting, django_capture_on_commit_callbacks, request
):
    """The decisions page's filter form (the archive's bodies and years as choices) is
    rendered once per choice of values and version of the archive: the same values give
    the same form, other values their own, and a renamed body shows at once."""
    import re

    from django.core.cache import cache

    settings.ARCHIVE_VALUE_SECONDS = 600
    cache.clear()
    request.addfinalizer(cache.clear)  # kept forms must not reach other tests

    def form(**params) -> str:
        page = client.get("/beslutninger/", params).content.decode()
        return re.search(r'<form class="filters".*?</form>', page, re.S).group(0)

    body = sst_meeting.body
    everything = form()
    chosen = form(body=body.slug)
    assert f'<option value="{body.slug}" selected>' in chosen
    assert f'<option value="{body.slug}" selected>' not in everything
    assert form() == everything
    assert form(body=body.slug, year="1800") != chosen  # the year's error is shown

    with django_capture_on_commit_callbacks(execute=True):
        body.name = "Omdøbt udvalg"
        body.save()
    assert "Omdøbt udvalg" in form()


REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_pages(settings, cached_pages):
    """The pages kept in a Redis server (CACHE_URL), under a prefix of this test's own."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis server at {REDIS}: the cache server path is not tested")
    prefix = f"moedearkiv-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "TIMEOUT": 600,
            "KEY_PREFIX": prefix,
        },
    }
    yield redis.Redis.from_url(REDIS), prefix
    server = redis.Redis.from_url(REDIS)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.mark.django_db
def test_with_a_cache_server_pages_are_kept_there_and_not_in_the_table(
    client, redis_pages, sst_meeting, django_capture_on_commit_callbacks
):
    server, prefix = redis_pages
    url = sst_meeting.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as served:
        second = client.get(url)

    assert (_state(first), _state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert len(served) == 1  # the archive's version; the page from the server
    assert list(server.scan_iter(f"{prefix}:*:page:*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM meetings_page_cache")
        assert cursor.fetchone()[0] == 0
    # A change to the archive still makes the page new.
    with django_capture_on_commit_callbacks(execute=True):
        sst_meeting.location = "Mødelokale 7"
        sst_meeting.save()
    page = client.get(url)
    assert _state(page) == "miss" and "Mødelokale 7" in page.content.decode()
