"""Production settings: the deployment check is clean and responses carry the policies."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO, run_manage

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "moedearkiv.example",
}


def manage(*args: str) -> subprocess.CompletedProcess:
    return run_manage({**os.environ, **PRODUCTION_ENV}, *args)


def test_deployment_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_https_policies_on():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    result = manage("shell", "-v", "0", "-c", code)
    assert result.stdout.split() == ["True", "True", "True", "31536000", "False"], result.stderr


@pytest.mark.django_db
def test_responses_carry_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_https_redirect_and_hsts_when_enabled(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    from django.test import Client

    plain = Client()
    response = plain.get("/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert plain.get("/healthz").status_code == 200  # load balancers probe over HTTP
    secure = plain.get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def _without_secret_key() -> dict[str, str]:
    env = {**os.environ, **PRODUCTION_ENV}
    del env["SECRET_KEY"]
    return env


def test_a_server_without_secret_key_refuses_to_start():
    """gunicorn and runserver load archive.wsgi; without a key it must not come up."""
    result = subprocess.run(
        [sys.executable, "-c", "import archive.wsgi"],
        env=_without_secret_key(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set: refusing to serve" in result.stderr


def test_a_server_with_debug_on_may_use_the_development_key():
    env = {**_without_secret_key(), "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", "import archive.wsgi; print('served')"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "served"


def test_deployment_check_reports_a_missing_secret_key():
    result = run_manage(_without_secret_key(), "check", "--deploy")
    assert result.returncode != 0
    assert "archive.E001" in result.stdout + result.stderr
