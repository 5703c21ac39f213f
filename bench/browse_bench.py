"""Latency of the browse pages on an archive of ~100,000 items.

Run from the repository root:

    python bench/browse_bench.py [--copies 1400] [--requests 200] [--keep]

Creates the database named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/bench_browse; dropped first if it exists),
migrates it, imports the sample documents, then clones their meetings,
items, case links and attachments in SQL (INSERT ... SELECT) until the
archive holds `copies` × 71 items. It then requests each page type through
Django's test client (the whole stack: middleware, views, templates) and
prints p50/p95/max per page type. The database is dropped at the end unless
--keep is given. Never point it at a database you want to keep.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_browse"
TARGET_MS = 50.0


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def columns(model, *skip: str) -> list[str]:
    """The model's columns that an INSERT writes (not the key, nor generated ones)."""
    from django.db.models import GeneratedField

    return [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, GeneratedField) and f.column not in skip
    ]


def clone(copies: int) -> None:
    """Copy every imported meeting `copies` times, with its items, cases and attachments."""
    from django.db import connection, transaction

    from meetings.models import AgendaItem, Attachment, Meeting

    meeting_cols = columns(Meeting, "date", "slug")
    item_cols = columns(AgendaItem, "meeting_id")
    attachment_cols = columns(Attachment, "item_id")
    with transaction.atomic(), connection.cursor() as cursor:
        # A clone's search vector is its original's, copied as is: the search
        # triggers would recompute the same 100,000 vectors for many minutes.
        cursor.execute(
            "ALTER TABLE meetings_agendaitem DISABLE TRIGGER USER;"
            "ALTER TABLE meetings_itemcase DISABLE TRIGGER USER"
        )
        cursor.execute(
            """
            CREATE TEMP TABLE clone_map AS
            SELECT m.id AS old_id, k, m.slug || '-kopi-' || k AS slug,
                   CASE WHEN k %% 10 = 0 THEN NULL
                        ELSE DATE '2000-01-01' - (k * 6 + rank)::int END AS date
            FROM (SELECT id, slug, row_number() OVER (ORDER BY id) AS rank
                  FROM meetings_meeting) AS m, generate_series(1, %s) AS k
            """,
            [copies],
        )
        plain = ", ".join(f"m.{c}" for c in meeting_cols)
        cursor.execute(
            f"""
            INSERT INTO meetings_meeting ({", ".join(meeting_cols)}, date, slug)
            SELECT {plain}, c.date, c.slug
            FROM clone_map c JOIN meetings_meeting m ON m.id = c.old_id
            """
        )
        cursor.execute(
            """
            ALTER TABLE clone_map ADD COLUMN new_id bigint;
            UPDATE clone_map c SET new_id = m.id FROM meetings_meeting m WHERE m.slug = c.slug;
            CREATE INDEX ON clone_map (old_id);
            INSERT INTO meetings_sourcedocument_meetings (sourcedocument_id, meeting_id)
            SELECT dm.sourcedocument_id, c.new_id
            FROM clone_map c JOIN meetings_sourcedocument_meetings dm ON dm.meeting_id = c.old_id;
            """
        )
        plain = ", ".join(f"i.{c}" for c in item_cols)
        cursor.execute(
            f"""
            INSERT INTO meetings_agendaitem ({", ".join(item_cols)}, meeting_id)
            SELECT {plain}, c.new_id
            FROM clone_map c JOIN meetings_agendaitem i ON i.meeting_id = c.old_id
            """
        )
        # Fresh statistics, or the planner joins 100,000 rows by nested loops.
        cursor.execute("ANALYZE clone_map; ANALYZE meetings_agendaitem")
        cursor.execute(
            """
            CREATE TEMP TABLE item_map AS
            SELECT old.id AS old_id, new.id AS new_id
            FROM clone_map c
            JOIN meetings_agendaitem old ON old.meeting_id = c.old_id
            JOIN meetings_agendaitem new ON new.meeting_id = c.new_id
                 AND new.number = old.number AND new.document_id = old.document_id;
            INSERT INTO meetings_itemcase (item_id, case_id)
            SELECT m.new_id, ic.case_id
            FROM item_map m JOIN meetings_itemcase ic ON ic.item_id = m.old_id;
            """
        )
        plain = ", ".join(f"a.{c}" for c in attachment_cols)
        cursor.execute(
            f"""
            INSERT INTO meetings_attachment ({", ".join(attachment_cols)}, item_id)
            SELECT {plain}, m.new_id
            FROM item_map m JOIN meetings_attachment a ON a.item_id = m.old_id
            """
        )
        cursor.execute("DROP TABLE clone_map, item_map")
    with connection.cursor() as cursor:
        # After the commit: the deferred foreign-key checks must have run first.
        cursor.execute(
            "ALTER TABLE meetings_agendaitem ENABLE TRIGGER USER;"
            "ALTER TABLE meetings_itemcase ENABLE TRIGGER USER"
        )
        cursor.execute("ANALYZE")


def urls(sample: int, rng: random.Random) -> dict[str, list[str]]:
    """`sample` URLs of each page type, spread over the whole archive."""
    from meetings.models import AgendaItem, Body, Case, Meeting, item_label

    meetings = list(Meeting.objects.values_list("slug", flat=True))
    rows = AgendaItem.objects.values_list("meeting__slug", "number", "sub")[:200_000]
    items = [(slug, item_label(number, sub)) for slug, number, sub in rows]
    cases = list(Case.objects.values_list("number", flat=True))
    bodies = list(Body.objects.values_list("slug", flat=True))
    years = sorted({d.year for d in Meeting.objects.dates("date", "year")})
    return {
        "home": ["/"] * sample,
        "body": [f"/organer/{rng.choice(bodies)}/?side={rng.randint(1, 5)}" for _ in range(sample)],
        "meeting": [f"/moeder/{rng.choice(meetings)}/" for _ in range(sample)],
        "item": [f"/moeder/{s}/punkt/{n}/" for s, n in rng.sample(items, sample)],
        "case": [f"/sager/{rng.choice(cases)}/" for _ in range(sample)],
        "decisions": [
            f"/beslutninger/?year={rng.choice(years)}&side={rng.randint(1, 3)}"
            for _ in range(sample)
        ],
        "decisions (all, page 1)": ["/beslutninger/"] * sample,
    }


def measure(client, paths: list[str]) -> list[float]:
    for path in paths[:5]:  # warm: connections, template and document caches
        client.get(path)
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1400, help="clones of the samples")
    parser.add_argument("--requests", type=int, default=200, help="requests per page type")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ["HTTPS"] = "false"
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from meetings.importing import Metadata, import_file
    from meetings.models import AgendaItem, Meeting

    try:
        call_command("migrate", verbosity=0)
        for path in sorted((REPO_ROOT / "samples").glob("*.txt")):
            assert import_file(path, Metadata()).outcome == "created", path
        started = time.perf_counter()
        clone(args.copies)
        print(
            f"archive: {Meeting.objects.count():,} meetings, {AgendaItem.objects.count():,} item "
            f"rows (cloned in {time.perf_counter() - started:.1f} s)"
        )
        rng = random.Random(5)
        plan = urls(args.requests, rng)
        static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": static,
            },
            ALLOWED_HOSTS=["testserver"],
            DEBUG=False,
        ):
            client = Client()
            print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  n={args.requests}")
            for kind, paths in plan.items():
                timings = sorted(measure(client, paths))
                p50 = statistics.median(timings)
                p95 = timings[int(len(timings) * 0.95) - 1]
                flag = "" if kind not in ("meeting", "item") or p95 < TARGET_MS else "  over target"
                print(f"{kind:<24}{p50:>9.1f}{p95:>9.1f}{timings[-1]:>9.1f}{flag}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
