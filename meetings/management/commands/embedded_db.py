"""`manage.py embedded_db stop|status`: look after the embedded PostgreSQL by hand."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.embedded_postgres_backend import server


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL, or say whether it runs."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stop", "status"])

    def handle(self, *args, action: str, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "archive.embedded_postgres_backend":
            raise CommandError("DATABASE_URL is set: the embedded PostgreSQL is not in use.")
        data_dir = Path(db["OPTIONS"]["data_dir"])
        running = (data_dir / "postmaster.pid").exists()
        if action == "status":
            self.stdout.write(f"{'running' if running else 'stopped'} ({data_dir})")
        elif server.stop(data_dir):
            self.stdout.write(f"stopped ({data_dir})")
        else:
            self.stdout.write(f"was not running ({data_dir})")
