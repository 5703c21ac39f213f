"""gunicorn settings, from the environment."""

import multiprocessing
import os

# Web requests get a statement timeout (see archive/settings.py); set before Django loads.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
wsgi_app = "archive.wsgi:application"
