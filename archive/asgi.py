"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from archive.serving import refuse_public_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_asgi_application()
refuse_public_key()  # after setup: settings are read, and nothing has been served
