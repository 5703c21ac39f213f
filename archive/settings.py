"""Settings for Mødearkiv, read from the environment (12-factor).

DATABASE_URL selects the database; without it an embedded PostgreSQL in
`.pgdata/` inside the checkout is started on demand.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from archive.environment import env_bool, env_list
from archive.logs import formatters, log_format

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Commands (parse, ingest, tests) run with a public development key when none is set;
# a web server never does: archive/serving.py refuses to start with it unless DEBUG is on,
# and `check --deploy` reports it.
SECRET_KEY_IS_PUBLIC = not SECRET_KEY
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-local-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "meetings.middleware.DanishFirstLocaleMiddleware",
    "meetings.page_cache.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "meetings.middleware.DatabaseUnavailableMiddleware",
]

# Security headers, always: no framing, no inline script (CSP), a strict referrer policy.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# HTTPS: on by default whenever DEBUG is off. Set HTTPS=false only behind
# nothing but loopback (docker-compose on a laptop); a TLS proxy in front
# must pass X-Forwarded-Proto.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# /healthz is probed by load balancers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL when given, else the embedded server, started on first use.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=60, conn_health_checks=True)}
else:
    from archive.embedded_postgres_backend.server import exit_cleanly_on_sigterm

    exit_cleanly_on_sigterm()
    EMBEDDED_DB_NAME = os.environ.get("EMBEDDED_DB_NAME", "moedearkiv")
    DATABASES = {
        "default": {
            "ENGINE": "archive.embedded_postgres_backend",
            "NAME": EMBEDDED_DB_NAME,
            "_archive_name": EMBEDDED_DB_NAME,
            "USER": "postgres",
            "OPTIONS": {"data_dir": str(BASE_DIR / os.environ.get("EMBEDDED_DB_DIR", ".pgdata"))},
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }

# A streaming replica of that database (DATABASE_REPLICA_URL): public pages and search
# read from it, everything else reads and writes the primary (archive/routing.py).
# A replica is a copy of the primary: the test run gives it the primary's test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["archive.routing.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(0, "archive.routing.ReplicaReadsMiddleware")

# Session settings of every connection:
# - No synchronized scans: a search over a common word reads the table in order and
#   stops at the first CANDIDATES matches (meetings/search.py). A synchronized scan
#   starts wherever another scan of the table is, so the same search would find
#   another thousand candidates on each request (and page 2 would not follow page 1).
# - No parallel plans: the rows of a parallel scan come in no fixed order (the same
#   reason), and the pages read a page of rows (LIMIT): at 5,000,000 items the planner
#   chose Gather Merge for the decisions list and a search's newest first, where
#   starting the workers made 6-13 ms of statements that take 1-2 alone
#   (bench/scale_bench.py), and under load the workers take the cores other requests
#   need.
# - Every statement of the web process bounded (gunicorn.conf.py sets 5 s) so one
#   heavy query cannot stall the site; management commands (imports) are unbounded.
STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "0"))
for _database in DATABASES.values():
    _database.setdefault("OPTIONS", {})["options"] = (
        "-c synchronize_seqscans=off -c max_parallel_workers_per_gather=0"
        + (f" -c statement_timeout={STATEMENT_TIMEOUT_MS}" if STATEMENT_TIMEOUT_MS else "")
    )
    if DATABASE_REPLICA_URL:
        # With the primary down the replica still serves: a page cache write to the primary
        # may wait this long to fail (seconds), not the operating system's minutes.
        _database["OPTIONS"]["connect_timeout"] = int(
            os.environ.get("DATABASE_CONNECT_TIMEOUT", "3")
        )
# Prepared statements: psycopg prepares a statement after its PREPARE_THRESHOLD-th run on a
# connection (it needs server-side binding; Django turns preparing off unless asked), so
# PostgreSQL stops parsing and planning the pages' same few statements on every request:
# an item page's main query took 1.1 ms to plan and 0.3 ms to run. In the load test at
# 1,000,000 items, PostgreSQL's CPU per request went from 8.4 / 8.4 to 6.9 / 7.5 ms
# (interleaved runs) and its planning time from 0.7-0.9 to 0.3 ms a request; in-process
# over the same addresses, its CPU fell in each of five interleaved runs (2026-11-28,
# 9.6-10.6 -> 8.4-10.5 ms). Search statements are never prepared: their plans depend on
# the words (meetings.search.planned_for_the_words).
# A connection pooler in transaction mode (PgBouncer) would need PREPARE_THRESHOLD unset.
# Before this: a run of server-side binding alone (2026-11-28, stop 15) prepared
# nothing, as Django leaves prepare_threshold at None unless it is given.
PREPARE_THRESHOLD = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")
if PREPARE_THRESHOLD:
    for _database in DATABASES.values():
        _database["OPTIONS"]["server_side_binding"] = True
        _database["OPTIONS"]["prepare_threshold"] = int(PREPARE_THRESHOLD)

# Per process: search results and snippets (meetings/search.py), in Django's default
# 300 entries. A page of hits stores a snippet per hit, so a search's results are gone a
# dozen searches later; 50,000 entries searched less in-process, but the load test
# (bench/load_test.py, where the page cache answers repeated addresses) served no more:
# 225 / 226 req/s with 300 against 222 / 217 with 50,000 (interleaved, 2026-11-28), and
# each worker grew to about 100 MB.
# Shared by every web process, in the database: whole public pages until the archive
# changes (meetings/page_cache.py); PAGE_CACHE_SECONDS=0 turns that off (DEBUG does).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0" if DEBUG else "600"))
# Counts and lists that only an import changes (home figures, bodies, years), kept in
# the same table until the archive changes, also when pages are not.
ARCHIVE_VALUE_SECONDS = int(os.environ.get("ARCHIVE_VALUE_SECONDS", "0" if DEBUG else "600"))
# With CACHE_URL (redis://host:6379/0) the pages are kept in that cache server instead
# (Django's Redis cache), as a site of several web nodes and a replica may prefer: no
# page write reaches the primary, and cached pages are served while it is down.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": PAGE_CACHE_SECONDS or None,
            "KEY_PREFIX": "moedearkiv",
        }
        if CACHE_URL
        else {
            "BACKEND": "archive.page_cache_backend.PageCache",
            "LOCATION": "meetings_page_cache",
            "TIMEOUT": PAGE_CACHE_SECONDS or None,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the reader's choice outlives the browser session
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Without collectstatic (development, tests) whitenoise serves from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()

# Structured logs: one JSON object per line (LOG_FORMAT=plain for humans); gunicorn's
# own lines in the same format (archive/logs.py).
LOG_FORMAT = log_format(DEBUG)
LOGGING_CONFIG = "archive.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": formatters(),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The embedded server narrates every pg_ctl call at INFO.
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
