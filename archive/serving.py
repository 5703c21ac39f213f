"""What a web server checks before it serves: never the public development key.

Commands that serve no page (parse, ingest, migrate, the tests) may run with
the development key; gunicorn (archive.wsgi, archive.asgi) and runserver may
not unless DEBUG is on. `check --deploy` reports the same as an error.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

REFUSAL = (
    "SECRET_KEY is not set: refusing to serve with the public development key. "
    "Set SECRET_KEY to a long random value (or DEBUG=true for local development)."
)


def refuse_public_key() -> None:
    """Raise ImproperlyConfigured when a server would sign sessions with a public key."""
    if settings.SECRET_KEY_IS_PUBLIC and not settings.DEBUG:
        raise ImproperlyConfigured(REFUSAL)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.SECRET_KEY_IS_PUBLIC:
        return [checks.Error(REFUSAL, id="archive.E001")]
    return []
