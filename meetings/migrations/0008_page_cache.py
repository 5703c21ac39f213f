"""The page cache's table and the archive's version (see meetings/page_cache.py).

The table is Django's database cache table for the "pages" cache, made here so
`migrate` alone prepares a database (no separate `createcachetable` step), and
unlogged.
"""

from django.core.management import call_command
from django.db import migrations

VERSION_SEQUENCE = "CREATE SEQUENCE IF NOT EXISTS meetings_archive_version"


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)
    # A cache needs no crash safety: unlogged, its writes skip the WAL and its flush at
    # commit (after a crash PostgreSQL empties it, and pages are simply rendered again).
    schema_editor.execute("ALTER TABLE meetings_page_cache SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_item_is_current"),
    ]

    operations = [
        migrations.RunSQL(VERSION_SEQUENCE, "DROP SEQUENCE IF EXISTS meetings_archive_version"),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
