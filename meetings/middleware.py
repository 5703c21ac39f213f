"""Request-wide behaviour: the page language, and a friendly 503 when the database is gone."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class DanishFirstLocaleMiddleware:
    """Danish unless the reader chose English with the footer's switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    Danish journalist with an English browser would get an English archive.
    The choice is the language cookie that the footer links (/sprog/<code>/) set.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseUnavailableMiddleware:
    """When the database is unreachable, answer a friendly 503 instead of a traceback.

    Django reconnects by itself on the next request (CONN_HEALTH_CHECKS), so the
    site recovers without a restart once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable while serving %s: %s", request.path, exception)
        response = HttpResponse(render_to_string("503.html", request=request), status=503)
        response["Retry-After"] = "30"
        return response
