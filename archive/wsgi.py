"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from archive.serving import refuse_public_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()
refuse_public_key()  # after setup: settings are read, and nothing has been served
