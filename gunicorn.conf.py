"""gunicorn settings, from the environment."""

import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # archive/, from any folder

from archive.environment import env_bool  # noqa: E402
from archive.logs import ACCESS_MESSAGE, log_format  # noqa: E402

# Web requests get a statement timeout (see archive/settings.py); set before Django loads.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
# One value for all workers of this server (they share cached pages), a new one for
# the next start, so pages rendered by the code of a previous deployment are not served.
os.environ["PAGE_CACHE_GENERATION"] = str(time.time_ns())

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A request is CPU work: Django, then PostgreSQL on the same cores, in turn. One process
# per core with one thread each keeps a request on each core; the database runs while
# its process waits. Every request more in flight only shares the cores more thinly:
# measured on 2 cores at 1,000,000 items (bench/load_test.py, bench/search_bench.py
# --no-cache), 2 workers x 1 thread served 167-174 req/s with p99 222-247 ms, where
# 3 x 1 gave 153-159 (p99 295-385), 4 x 1 146 (p99 337), 2 x 2 148 (p99 687) and 4 x 2
# (the load test's setting before) 132-145 (p99 478-680); uncached search p95 under the
# former default of 3 x 2 was 115-304 ms, under 2 x 1 75-143 ms. The sync worker closes
# the connection after each answer; gthread with one thread keeps it open, and served
# about as many (200-208 req/s against 183-205, runs interleaved, 2026-11-27) with a
# longer tail (p99 230-263 ms against 182-195; again on 2026-11-28: 205 / 211 req/s
# against 196 / 208, p99 283 / 321 ms against 192 / 179), so it is not used. A slow
# request holds its process: statements are bounded (DATABASE_STATEMENT_TIMEOUT_MS) and
# heavy searches are cut short (meetings/search.py).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = "-"
errorlog = "-"
# The server's own lines (its access log too) in the application's format: with JSON
# logs, one object per line, each request's method, path, status, bytes and duration
# as fields (the message a short summary of them).
if log_format(env_bool("DEBUG", False)) == "json":
    logger_class = "archive.gunicorn_logger.JsonLogger"
    access_log_format = ACCESS_MESSAGE
wsgi_app = "archive.wsgi:application"
