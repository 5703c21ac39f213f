from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Møder")

    def ready(self) -> None:
        from archive import serving  # noqa: F401  (registers the deploy check)

        from . import page_cache, persons

        page_cache.connect_signals()
        persons.connect_signals()
