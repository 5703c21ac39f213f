"""gunicorn settings, from the environment."""

import multiprocessing
import os
import time

# Web requests get a statement timeout (see archive/settings.py); set before Django loads.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
# One value for all workers of this server (they share cached pages), a new one for
# the next start, so pages rendered by the code of a previous deployment are not served.
os.environ["PAGE_CACHE_GENERATION"] = str(time.time_ns())

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A request is CPU work (Django, and PostgreSQL on the same cores) with short waits for the
# database between. One process per core plus one keeps every core busy while a process
# waits; two threads each (gthread, which also keeps connections alive) let a process take
# its next request during such a wait. More processes than that do not make a request
# cheaper: on 2 cores 5 workers x 2 threads only lengthened the run queue and multiplied
# the PostgreSQL connections and per-process caches (measured with bench/search_bench.py).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = "-"
errorlog = "-"
wsgi_app = "archive.wsgi:application"
