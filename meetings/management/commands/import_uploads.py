"""`manage.py import_uploads`: import admin uploads still queued (their web process ended)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from meetings.importing import import_left_uploads


class Command(BaseCommand):
    help = "Import the documents uploaded in the admin that are still waiting in the queue."

    def handle(self, *args, **options):
        count = import_left_uploads()
        self.stdout.write(f"{count} queued upload{'s' if count != 1 else ''} imported")
