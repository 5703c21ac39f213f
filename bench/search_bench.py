"""Search at scale: generate N agenda items, serve /soeg/ with gunicorn, print latencies.

Run from the repository root:

    python bench/search_bench.py [--items 1000000] [--reuse] [--clients 8] [--requests 200]

It works in its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_search), which it creates, migrates
and fills: the sample documents are imported through the real importer, then
N items are generated from them with set-based SQL (INSERT ... SELECT over
generate_series, in parallel chunks) with varied vocabulary, bodies, dates,
kinds, decisions and case numbers. The search vector of the generated rows
is computed by the same SQL function the trigger uses (meetings_item_vector),
in the INSERT itself, so each row is written once; the GIN index is built
after the load. `--reuse` skips generation when the database already holds
the rows.

Then, for a fixed query set (hostile ones included: ~99 one-letter words, 200
characters of common words or'ed, each also printed at the end as a ratio to a normal
two-word search of the same run), it prints p50/p95 of the whole search page as
served by gunicorn (gunicorn.conf.py, its defaults unless WEB_CONCURRENCY /
GUNICORN_THREADS are set) on a free loopback port under `--clients`
concurrent clients, and the database's own execution time (EXPLAIN ANALYZE)
of the queries a page runs. Then, per query, the ratios the targets are set in
(issue 24): the statements an uncached search page runs (in-process, the whole
stack), the page's time over its statements' execution time, and the served
p95 over the yardstick's p50. Beside the latencies: the CPU the whole machine
spent per request (/proc/stat: anything running counts), of which the
gunicorn processes (app), the PostgreSQL backends of the bench database
(db) and the bench client itself, and the load average. The clients are
threads with one keep-alive http.client connection each: light enough not to
take the server's CPU (see the client column). First comes a yardstick:
/healthz under the same clients. Machines of one kind differ in pace (twofold,
measured on two the same day): compare runs of different machines by it.
`--no-cache` measures every request as a first one (SEARCH_CACHE_SECONDS = 0,
PAGE_CACHE_SECONDS = 0): the repeated queries here would otherwise be answered
from the page cache after their first request (and the search cache per
worker). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_search"
ITEMS_PER_MEETING = 12
# Not the samples' bodies: a generated meeting must never collide with a sample's (body, date).
BODIES = [
    "Regionsrådet i Region Midtjylland",
    "Sundhedsudvalget i Region Nordjylland",
    "Psykiatri- og Socialudvalget",
    "Udvalget for Digitalisering",
    "Klima- og Miljøudvalget",
    "Regionsrådet i Region Syddanmark",
    "Regionsrådet i Region Hovedstaden",
    "Forretningsudvalget",
    "Trafikudvalget",
    "Udvalget for Forebyggelse",
    "Følgegruppen for Kræftplan V",
    "Arbejdsgruppen om Akutberedskab",
    "Økonomiudvalget",
    "Det Rådgivende Udvalg for Sjældne Sygdomme",
    "Styregruppen for Sundhedsdata",
    "Kontaktudvalget for Kultur",
    "Udvalget for Regional Udvikling",
    "Praksisplanudvalget",
    "Sundhedskoordinationsudvalget",
    "Hospitalsudvalget",
]
# One item in RARE_EVERY gets this word in its title: a rare-word query with N/RARE_EVERY hits.
RARE_WORD = "vandløbsrestaurering"
RARE_EVERY = 20_000


# ------------------------------------------------------------------ database


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, **kwargs)


def create_database(url: str, template: str = "template0") -> bool:
    """Create the bench database if missing, as a copy of `template` (a database's URL or
    name); True when it was created."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with connect(admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        source = urllib.parse.urlsplit(template).path.lstrip("/") or template
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" ENCODING UTF8')
    return True


def migrate_and_import_samples() -> None:
    """Through Django itself (DATABASE_URL points at the bench database)."""
    from django.core.management import call_command

    from meetings.importing import Metadata, collect_files, run_import

    call_command("migrate", verbosity=0, skip_checks=True)
    paths, _ = collect_files([str(REPO_ROOT / "samples")])
    run_import(paths, Metadata(), started_by="search_bench")


def vocabulary() -> list[str]:
    """Distinct words of the samples, most frequent first (a Zipf-like pick favours them)."""
    counts: dict[str, int] = {}
    for path in sorted((REPO_ROOT / "samples").glob("*.txt")):
        for word in re.findall(r"[a-zæøåé]{4,}", path.read_text(encoding="utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


SETUP_SQL = """
-- A section's text: sections are a list of {"heading", "text"} (an object before 0006).
CREATE OR REPLACE FUNCTION bench_section(sections jsonb, wanted text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(sections)
    WHEN 'object' THEN sections ->> wanted
    WHEN 'array' THEN (SELECT s ->> 'text' FROM jsonb_array_elements(sections) AS s
                        WHERE s ->> 'heading' = wanted LIMIT 1)
  END
$$;
DROP TABLE IF EXISTS bench_template;
CREATE UNLOGGED TABLE bench_template AS
SELECT row_number() OVER (ORDER BY id) AS i, title,
       recommendation, decision, coalesce(bench_section(sections, 'Resumé'), '') AS resume,
       coalesce(bench_section(sections, 'Sagsfremstilling'), decision, '') AS body
  FROM meetings_agendaitem WHERE access = 'public' AND title <> '';
DROP TABLE IF EXISTS bench_vocabulary;
CREATE UNLOGGED TABLE bench_vocabulary (i int PRIMARY KEY, word text);
"""

# Item g (1..N) belongs to generated meeting (g-1)/12 and carries case (g-1)/3.
CASE_NUMBER_SQL = """
CREATE OR REPLACE FUNCTION bench_case_number(s bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN 2005 + s % 21 < 2012
      THEN lpad(((2005 + s % 21) % 100)::text, 2, '0') || '/' || (s / 21 + 1)
    ELSE CASE WHEN s % 10 = 0 THEN 'MOD' ELSE 'EMN' END || '-' || (2005 + s % 21) || '-'
         || lpad((s / 21 + 1)::text, 5, '0')
  END
$$;
"""

ITEMS_SQL = """
INSERT INTO meetings_agendaitem (
  meeting_id, document_id, kind, number, access, title, handler, recommendation,
  recommended_by, decision, sections, links, other_case_numbers, page, line, is_current,
  corrected_by, search_vector)
SELECT m.id, %(document)s, m.kind, (g - 1) %% {per_meeting} + 1,
       CASE WHEN c.confidential THEN 'confidential' ELSE 'public' END,
       CASE WHEN c.confidential THEN '' ELSE c.title END, '',
       CASE WHEN c.confidential THEN '' ELSE c.recommendation END, '',
       CASE WHEN c.confidential THEN '' ELSE c.decision END,
       CASE WHEN c.confidential THEN '[]'::jsonb ELSE c.sections END,
       '{{}}', '{{}}', NULL, NULL, true, '',
       CASE WHEN c.confidential THEN NULL ELSE meetings_item_vector(
         c.title, c.recommendation, c.decision, c.sections, ARRAY[bench_case_number((g - 1) / 3)])
       END
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
  JOIN bench_meeting m ON m.n = (g - 1) / {per_meeting}
  CROSS JOIN LATERAL (SELECT 1 + (hashint8(g) & 2147483647) %% %(templates)s::int AS t,
                             (hashint8(g * 7) & 2147483647) AS r) AS pick
  JOIN bench_template t ON t.i = pick.t
  CROSS JOIN LATERAL (
    SELECT
      (SELECT string_agg(v.word, ' ') FROM generate_series(1, 12) AS k
         JOIN bench_vocabulary v
           ON v.i = 1 + floor(%(vocab)s::int * power(((hashint8(g * 31 + k) & 2147483647)
                                                  / 2147483647.0), 3))::int)
        AS words,
      substr(t.body, 1 + (pick.r %% greatest(length(t.body) - 400, 1))::int,
             300 + (pick.r %% 1700)::int) AS excerpt
  ) AS w
  CROSS JOIN LATERAL (
    SELECT g %% 33 = 0 AS confidential,
           t.title || CASE WHEN g %% {rare_every} = 0 THEN ' og {rare_word}' ELSE '' END
             || CASE WHEN pick.r %% 4 = 0 THEN ' ' || split_part(w.words, ' ', 1) ELSE '' END
             AS title,
           left(t.recommendation, 400) AS recommendation,
           CASE WHEN m.kind = 'minutes' THEN
             CASE WHEN pick.r %% 5 = 0 THEN '' ELSE
               left(coalesce(nullif(t.decision, ''), 'Indstillingen blev godkendt.'), 400) END
           ELSE '' END AS decision,
           jsonb_build_array(
             jsonb_build_object('heading', 'Resumé', 'text', left(t.resume, 500) || ' ' || w.words),
             jsonb_build_object('heading', 'Sagsfremstilling', 'text', w.excerpt),
             jsonb_build_object('heading', 'Økonomi', 'text', 'Ingen bemærkninger.')) AS sections
  ) AS c
"""


def generate(url: str, items: int, chunks: int) -> None:
    started = time.perf_counter()
    migrate_and_import_samples()
    words = vocabulary()
    with connect(url) as conn:
        conn.execute(SETUP_SQL)
        with conn.cursor().copy("COPY bench_vocabulary (i, word) FROM STDIN") as copy:
            for i, word in enumerate(words, start=1):
                copy.write_row((i, word))
        conn.execute(CASE_NUMBER_SQL)
        templates = conn.execute("SELECT count(*) FROM bench_template").fetchone()[0]
        meetings = -(-items // ITEMS_PER_MEETING)
        conn.execute(
            "INSERT INTO meetings_body (name, slug, contact) SELECT name, 'bench-' || i, '' "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS b(name, i)",
            [BODIES],
        )
        document = conn.execute(
            "INSERT INTO meetings_sourcedocument (file_name, sha256, size, content, text,"
            " content_type, layout, parser_version, metadata, warnings, imported_at, source_key,"
            " status) VALUES"
            " ('bench.txt', repeat('0', 64), 0, '', '', 'text/plain', 'bench', 'bench', '{}',"
            " '[]', now(), 'bench', 'published')"
            " RETURNING id"
        ).fetchone()[0]
        # Meeting n: body n %% B, a date that is unique per body, agenda or minutes.
        conn.execute(
            """
            CREATE UNLOGGED TABLE bench_meeting AS
            SELECT n, b.id AS body_id,
                   date '2005-01-01'
                     + ((n / %(bodies)s) * 7000 / greatest(%(meetings)s / %(bodies)s, 1))::int
                     AS date,
                   CASE WHEN n %% 2 = 0 THEN 'agenda' ELSE 'minutes' END AS kind,
                   NULL::bigint AS id
              FROM generate_series(0, %(meetings)s - 1) AS n
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM meetings_body
                     WHERE name = ANY(%(names)s)) b ON b.k = n %% %(bodies)s
            """,
            {"bodies": len(BODIES), "meetings": meetings, "names": BODIES},
        )
        conn.execute(
            """
            WITH made AS (
              INSERT INTO meetings_meeting (body_id, date, time, location, participants, absent,
                                            slug, created_at)
              SELECT body_id, date, '', '', '{}', '{}', 'bench-' || n, now() FROM bench_meeting
              RETURNING id, slug)
            UPDATE bench_meeting bm SET id = made.id FROM made WHERE made.slug = 'bench-' || bm.n
            """
        )
        conn.execute("CREATE INDEX ON bench_meeting (n)")
        conn.execute("ANALYZE bench_meeting")
        conn.execute(
            "INSERT INTO meetings_sourcedocument_meetings (sourcedocument_id, meeting_id) "
            "SELECT %s, id FROM bench_meeting",
            [document],
        )
        print(f"setup: {templates} template items, {len(words)} words, {meetings} meetings")
        conn.execute("DROP INDEX IF EXISTS item_search_vector_gin")
        conn.execute("ALTER TABLE meetings_agendaitem DISABLE TRIGGER meetings_item_search_vector")

    sql = ITEMS_SQL.format(
        per_meeting=ITEMS_PER_MEETING, rare_every=RARE_EVERY, rare_word=RARE_WORD
    )
    bounds = [(items * k // chunks + 1, items * (k + 1) // chunks) for k in range(chunks)]

    def load(first_last: tuple[int, int]) -> None:
        with connect(url) as conn:
            conn.execute(
                sql,
                {
                    "document": document,
                    "first": first_last[0],
                    "last": first_last[1],
                    "templates": templates,
                    "vocab": len(words) - 1,
                },
            )

    loaded = time.perf_counter()
    with ThreadPoolExecutor(chunks) as pool:
        list(pool.map(load, bounds))
    print(f"items: {items} rows in {time.perf_counter() - loaded:.0f} s")

    with connect(url) as conn:
        conn.execute("ALTER TABLE meetings_agendaitem ENABLE TRIGGER meetings_item_search_vector")
        finish(conn, first_meeting=0)
        conn.execute("DROP TABLE bench_template, bench_vocabulary")
    print(f"generation: {items} items in {time.perf_counter() - started:.0f} s")


# A copy of generated meeting `src` as meeting `n` of copy round `round` (1, 2, ...): the
# same items, word for word and vector for vector, but for the case numbers, which follow the
# new item's place (as the generator's do) and are swapped in the vector too. The copied
# vector drops the source's case terms (ts_delete) and gains the new ones (weight A, as
# meetings_item_vector gives them): what meetings_item_vector would compute, but for the
# case terms' positions (case numbers' positions matter to no query).
COPY_ITEMS_SQL = """
INSERT INTO meetings_agendaitem (
  meeting_id, document_id, kind, number, access, title, handler, recommendation,
  recommended_by, decision, sections, links, other_case_numbers, page, line, is_current,
  corrected_by, search_vector)
SELECT m.id, s.document_id, s.kind, s.number, s.access, s.title, s.handler, s.recommendation,
       s.recommended_by, s.decision, s.sections, s.links, s.other_case_numbers, s.page, s.line,
       s.is_current, s.corrected_by,
       ts_delete(s.search_vector, tsvector_to_array(to_tsvector('simple', meetings_case_terms(
           ARRAY[bench_case_number((src.n * {per_meeting} + s.number - 1) / 3)]))))
         || setweight(to_tsvector('simple', meetings_case_terms(
           ARRAY[bench_case_number((m.n * {per_meeting} + s.number - 1) / 3)])), 'A')
  FROM bench_meeting m
  JOIN bench_meeting src ON src.n = m.n - %(offset)s
  JOIN meetings_agendaitem s ON s.meeting_id = src.id AND s.document_id = %(document)s
 WHERE m.n BETWEEN %(first)s AND %(last)s
"""


def extend(url: str, items: int, chunks: int = 2) -> None:
    """Grow a generated archive to `items` items by copying it whole, as often as needed.

    Computing every vector makes 1,000,000 items take 15-55 minutes on two cores, so
    5,000,000 would not fit a working day beside anything else. Each copy is held by
    bodies of its own (the archive's bodies numbered "(2)", "(3)", ...: more councils,
    as a larger archive has), on the same dates, with its own case numbers; so a word's
    hits grow with the archive, as they would with more councils writing alike. What
    does not grow is the vocabulary (the samples' words, as in the generated part)."""
    started = time.perf_counter()
    with connect(url) as conn:
        conn.execute(CASE_NUMBER_SQL)
        document = conn.execute(
            "SELECT id FROM meetings_sourcedocument WHERE file_name = 'bench.txt'"
        ).fetchone()[0]
        # Rebuilt from the meetings' slugs: an unlogged table need not survive a copy of the
        # database (CREATE DATABASE ... TEMPLATE).
        conn.execute("DROP TABLE IF EXISTS bench_meeting")
        conn.execute(
            "CREATE UNLOGGED TABLE bench_meeting AS"
            " SELECT substr(slug, 7)::bigint AS n, id FROM meetings_meeting"
            " WHERE slug ~ '^bench-[0-9]+$'"
        )
        conn.execute("CREATE UNIQUE INDEX ON bench_meeting (n)")
        meetings, have = conn.execute(
            "SELECT count(*), (SELECT count(*) FROM meetings_agendaitem WHERE document_id = %s)"
            " FROM bench_meeting",
            [document],
        ).fetchone()
        if have >= items:
            return
        rounds = -(-items // have) - 1
        print(f"extend: {have} items in {meetings} meetings, copied {rounds} times")
        conn.execute("DROP INDEX IF EXISTS item_search_vector_gin")
        conn.execute("ALTER TABLE meetings_agendaitem DISABLE TRIGGER meetings_item_search_vector")
        for copy in range(1, rounds + 1):
            conn.execute(
                """
                WITH bodies AS (
                  INSERT INTO meetings_body (name, slug, contact)
                  SELECT name || ' (' || %(round)s || ')', 'bench-' || i || '-' || %(round)s, ''
                    FROM unnest(%(names)s::text[]) WITH ORDINALITY AS b(name, i)
                  RETURNING id, name),
                paired AS (
                  SELECT o.id AS old_id, b.id AS new_id FROM meetings_body o
                    JOIN bodies b ON b.name = o.name || ' (' || %(round)s || ')'),
                made AS (
                  INSERT INTO meetings_meeting (body_id, date, time, location, participants,
                                                absent, slug, created_at)
                  SELECT p.new_id, o.date, '', '', '{}', '{}',
                         'bench-' || (bm.n + %(offset)s), now()
                    FROM bench_meeting bm JOIN meetings_meeting o ON o.id = bm.id
                    JOIN paired p ON p.old_id = o.body_id
                   WHERE bm.n < %(meetings)s
                  RETURNING id, slug)
                INSERT INTO bench_meeting (n, id)
                SELECT substr(slug, 7)::bigint, id FROM made
                """,
                {"round": copy + 1, "names": BODIES, "offset": copy * meetings,
                 "meetings": meetings},
            )  # fmt: skip
        conn.execute(
            "INSERT INTO meetings_sourcedocument_meetings (sourcedocument_id, meeting_id)"
            " SELECT %s, id FROM bench_meeting WHERE n >= %s",
            [document, meetings],
        )
        conn.execute("ANALYZE bench_meeting")

    sql = COPY_ITEMS_SQL.format(per_meeting=ITEMS_PER_MEETING)
    # Whole meetings, a round at a time, `chunks` loaders over each round's meetings.
    parts = [
        (copy * meetings, copy * meetings + meetings * k // chunks,
         copy * meetings + meetings * (k + 1) // chunks - 1)
        for copy in range(1, rounds + 1) for k in range(chunks)
    ]  # fmt: skip

    def load(part: tuple[int, int, int]) -> None:
        offset, first, last = part
        with connect(url) as conn:
            conn.execute(
                sql, {"document": document, "offset": offset, "first": first, "last": last}
            )

    loaded = time.perf_counter()
    with ThreadPoolExecutor(chunks) as pool:
        list(pool.map(load, parts))
    print(f"items: copied in {time.perf_counter() - loaded:.0f} s")
    with connect(url) as conn:
        conn.execute("ALTER TABLE meetings_agendaitem ENABLE TRIGGER meetings_item_search_vector")
        finish(conn, first_meeting=meetings)
    print(f"extension: {generated_items(url)} items in {time.perf_counter() - started:.0f} s")


def finish(conn: psycopg.Connection, first_meeting: int) -> None:
    """Cases and their links for the generated meetings from `first_meeting` on, then the
    GIN index and statistics."""
    step = time.perf_counter()
    conn.execute(
        "INSERT INTO meetings_case (number)"
        " SELECT DISTINCT bench_case_number((m.n * %s + i.number - 1) / 3)"
        " FROM meetings_agendaitem i JOIN bench_meeting m ON m.id = i.meeting_id"
        " WHERE m.n >= %s ON CONFLICT (number) DO NOTHING",
        [ITEMS_PER_MEETING, first_meeting],
    )
    # The vectors already hold these numbers: the refresh triggers would only recompute.
    conn.execute("ALTER TABLE meetings_itemcase DISABLE TRIGGER USER")
    conn.execute(
        """
        INSERT INTO meetings_itemcase (item_id, case_id)
        SELECT i.id, c.id FROM meetings_agendaitem i
          JOIN bench_meeting m ON m.id = i.meeting_id
          JOIN meetings_case c
            ON c.number = bench_case_number((m.n * %s + i.number - 1) / 3)
         WHERE i.access = 'public' AND m.n >= %s
        """,
        [ITEMS_PER_MEETING, first_meeting],
    )
    conn.execute("ALTER TABLE meetings_itemcase ENABLE TRIGGER USER")
    print(f"cases and links in {time.perf_counter() - step:.0f} s")
    step = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute(
        "CREATE INDEX item_search_vector_gin ON meetings_agendaitem USING gin (search_vector)"
    )
    print(f"GIN index in {time.perf_counter() - step:.0f} s")
    step = time.perf_counter()
    conn.execute("VACUUM ANALYZE")
    print(f"vacuum analyze in {time.perf_counter() - step:.0f} s")


def generated_items(url: str) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM meetings_agendaitem i JOIN meetings_sourcedocument d "
            "ON d.id = i.document_id WHERE d.file_name = 'bench.txt'"
        ).fetchone()
    return row[0]


def drop_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# ------------------------------------------------------------------ measuring


def query_set(url: str) -> list[tuple[str, dict]]:
    """The fixed queries; the case number is one the generator made, half-way through 2019."""
    with connect(url) as conn:
        case = conn.execute(
            "SELECT number FROM meetings_case WHERE number LIKE 'EMN-2019-%' ORDER BY number"
            " OFFSET (SELECT count(*) / 2 FROM meetings_case WHERE number LIKE 'EMN-2019-%')"
            " LIMIT 1"
        ).fetchone()[0]
        body = conn.execute(
            "SELECT slug FROM meetings_body WHERE name = %s", [BODIES[3]]
        ).fetchone()[0]
    year_serial = case.split("-", 1)[1]
    return [
        ("rare word", {"q": RARE_WORD}),
        ("common word", {"q": "regionerne"}),
        ("two words", {"q": "psykiatri patienter"}),
        ("phrase", {"q": '"bæredygtigt sundhedsvæsen"'}),
        ("common word, newest first", {"q": "regionerne", "sortering": "nyeste"}),
        ("case number (redirect)", {"q": case}),
        ("case number, hits page", {"q": f"sagsnr. {year_serial}"}),
        ("partial case number", {"q": year_serial.split("-")[1]}),
        ("filtered: body + year", {"q": "regionerne", "organ": body, "aar": "2019"}),
        ("misspelt word (mente du)", {"q": "telemedecinske"}),
        (HOSTILE_ONE_LETTER, {"q": " ".join(["a"] * 100)[:200]}),
        (HOSTILE_MANY_WORDS, {"q": " OR ".join(vocabulary()[:60:2])[:200]}),
    ]


# The hostile queries (#23), each printed as a ratio to NORMAL_QUERY measured in the same run.
HOSTILE_ONE_LETTER = "hostile: 99 one-letter words"
HOSTILE_MANY_WORDS = "hostile: 200 chars of OR'ed"
NORMAL_QUERY = "two words"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SETTINGS_SHIM = """from archive.settings import *  # noqa: F403
# No collectstatic for the bench: serve static files from the source folders.
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""


def start_gunicorn(
    url: str, port: int, workdir: Path, cache: bool = True, root: Path = REPO_ROOT
) -> subprocess.Popen:
    """gunicorn serving the checkout at `root` (this one by default) on `url`'s database,
    with this checkout's interpreter; returns once /healthz answers."""
    # Without caches every request is a first one: no search cache, no page cache.
    shim = SETTINGS_SHIM + ("" if cache else "SEARCH_CACHE_SECONDS = 0\nPAGE_CACHE_SECONDS = 0\n")
    (workdir / "bench_settings.py").write_text(shim)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{workdir}{os.pathsep}{root}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "HTTPS": "false",
        "DEBUG": "false",
        "SECRET_KEY": "search-bench-secret-key-search-bench-secret-key-0123456789",
        "LOG_LEVEL": "WARNING",
    }
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(REPO_ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn of {root} did not answer; see {workdir / 'gunicorn.log'}")


def fetch_times(port: int, path: str, clients: int, requests: int) -> tuple[list[float], set]:
    """`requests` GETs of path spread over `clients` threads; latencies in ms and statuses."""
    latencies: list[float] = []
    statuses: set[int] = set()
    lock = threading.Lock()

    def client(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.add(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    shares = [requests // clients + (1 if k < requests % clients else 0) for k in range(clients)]
    threads = [threading.Thread(target=client, args=(share,)) for share in shares if share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def busy_cpu_seconds() -> float:
    """CPU time every core of the machine has spent busy (not idle or iowait), in seconds."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(server_pid: int, database: str) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each gunicorn process ("app") and each PostgreSQL backend
    connected to `database` ("db"); other databases' work and the server's background
    processes are not counted."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                raw = stat.read()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry) == server_pid or int(fields[1]) == server_pid:
            found[int(entry)] = ("app", used)
        elif title.startswith("postgres:") and f" {database} " in title:
            found[int(entry)] = ("db", used)
    return found


def cpu_used(before: dict, after: dict, kind: str) -> float:
    """CPU seconds of one kind between two samples (a process that ended in between is lost)."""
    return sum(
        used - before.get(pid, (kind, 0.0))[1]
        for pid, (what, used) in after.items()
        if what == kind
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def explain_ms(sql: str, params) -> float:
    """Execution time of one statement (`sql` as captured, parameters already in it), or
    of each statement of a message that gives a statement its time budget first
    (meetings.search._rows_within), summed."""
    from django.db import connection

    budget, separator, statement = sql.partition("; ")
    if separator and budget.startswith("SELECT set_config('statement_timeout'"):
        return explain_ms(budget, params) + explain_ms(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return float(plan["Execution Time"])


def database_times(params: dict) -> dict[str, float]:
    """Execution time (EXPLAIN ANALYZE, after one run) of what a first request asks."""
    from django.http import QueryDict
    from django.test.utils import override_settings

    from meetings import search as searching
    from meetings.search_filters import clean_filters

    query = searching.parse_query(params["q"])
    filters = clean_filters(QueryDict(urllib.parse.urlencode(params)))
    order = params.get("sortering", searching.RELEVANCE)
    if query.single_case:
        from meetings.models import Case

        sql, args = Case.objects.filter(number=query.single_case.full).query.sql_with_params()
        return {"case": min(explain_ms(sql, args) for _ in range(3))}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The queries of a first request (nothing cached): candidates with their counts (and,
    # for the date orders, the page's ids), then the page with its snippets.
    with override_settings(SEARCH_CACHE_SECONDS=0), CaptureQueriesContext(connection) as run:
        searching.ranked(query, filters)
        first = len(run.captured_queries)
        ids, case_hits = searching.page_ids(query, filters, order, 0, 21)
        searching.load_page(ids[:20], case_hits, query)
    # Statements that are not queries (SAVEPOINT, RELEASE) take no time to speak of.
    timed = [
        explain_ms(q["sql"], None) if q["sql"].lstrip().upper().startswith("SELECT") else 0.0
        for q in run.captured_queries
    ]
    return {
        "ids": sum(timed[:first]),
        "hits": sum(timed[first:]),
    }


PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def uncached_page(path: str, runs: int = 3) -> tuple[int, float, float]:
    """An uncached page in-process, the whole stack (middleware, view, template), with the
    search and page caches off: (statements it runs, its time in ms (best of `runs`), the
    database's execution time of those statements (EXPLAIN ANALYZE, summed)).

    The statements are explained one by one outside the page's transaction, so a setting
    the page makes for a statement (SET LOCAL) is not in force: an approximation."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    with override_settings(
        SEARCH_CACHE_SECONDS=0,
        PAGE_CACHE_SECONDS=0,
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=["testserver"],
        STORAGES=PLAIN_STATIC,
    ):
        client.get(path)  # warm: the connection, the archive's values, the word forms
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as run:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 302), (path, response.status_code)
        statements = [q["sql"] for q in run.captured_queries]
    executed = sum(
        explain_ms(sql, None) if sql.lstrip().upper().startswith("SELECT") else 0.0
        for sql in statements
    )
    return len(statements), min(times), executed


def hit_count(params: dict) -> str:
    from django.http import QueryDict

    from meetings import search as searching
    from meetings.search_filters import clean_filters

    query = searching.parse_query(params["q"])
    if query.single_case:
        return "redirect"
    filters = clean_filters(QueryDict(urllib.parse.urlencode(params)))
    summary = searching.ranked(query, filters).summary
    return f">{summary.total}" if summary.more else str(summary.total)


def measure(url: str, clients: int, requests: int, cache: bool = True) -> None:
    import resource
    import tempfile

    queries = query_set(url)
    database = urllib.parse.urlsplit(url).path.lstrip("/")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        server = start_gunicorn(url, port, Path(tmp), cache=cache)
        try:
            fetch_times(port, "/healthz", clients, clients)
            started = time.perf_counter()
            latencies, _ = fetch_times(port, "/healthz", clients, 50 * clients)
            yardstick = percentile(latencies, 0.5)
            print(
                f"yardstick: /healthz {len(latencies) / (time.perf_counter() - started):.0f}"
                f" req/s, p50 {yardstick:.1f} ms ({clients} clients):"
                " the machine's pace today"
            )
            print(
                f"\n{'query':<28} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
                f"  {'cpu ms/req':>10} {'app':>5} {'db':>5} {'client':>6}"
                f"  {'db: ids ms':>10} {'page ms':>8}  load"
            )
            ratios = []
            measured: dict[str, tuple[float, float, float]] = {}
            for label, params in queries:
                path = "/soeg/?" + urllib.parse.urlencode(params)
                fetch_times(port, path, clients, clients)  # warm caches and connections
                busy, mine = busy_cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
                processes = process_cpu_seconds(server.pid, database)
                latencies, statuses = fetch_times(port, path, clients, requests)
                after = resource.getrusage(resource.RUSAGE_SELF)
                cpu = (busy_cpu_seconds() - busy) * 1000 / len(latencies)
                processes_after = process_cpu_seconds(server.pid, database)
                app = cpu_used(processes, processes_after, "app") * 1000 / len(latencies)
                pg = cpu_used(processes, processes_after, "db") * 1000 / len(latencies)
                client = (
                    (after.ru_utime + after.ru_stime - mine.ru_utime - mine.ru_stime)
                    * 1000
                    / len(latencies)
                )
                load = os.getloadavg()[0]
                db = database_times(params)
                measured[label] = (percentile(latencies, 0.5), percentile(latencies, 0.95), cpu)
                print(
                    f"{label:<28} {hit_count(params):>7} {percentile(latencies, 0.5):>8.1f}"
                    f" {percentile(latencies, 0.95):>8.1f} {max(latencies):>8.1f}"
                    f"  {cpu:>10.1f} {app:>5.1f} {pg:>5.1f} {client:>6.1f}"
                    f"  {db.get('ids', 0.0):>10.1f} {db.get('hits', db.get('case', 0.0)):>8.1f}"
                    f"  {load:.2f} {sorted(statuses)}"
                )
                p95_ratio = percentile(latencies, 0.95) / yardstick
                ratios.append((label, p95_ratio, *uncached_page(path)))
            # The targets are ratios of this run's own figures (issue 24).
            print(
                f"\n{'uncached page (in-process)':<28} {'statements':>10} {'page ms':>8}"
                f" {'exec ms':>8} {'page/exec':>9}  {'p95/yardstick':>13}"
            )
            for label, p95_ratio, statements, page_ms, exec_ms in ratios:
                print(
                    f"{label:<28} {statements:>10} {page_ms:>8.1f} {exec_ms:>8.1f}"
                    f" {page_ms / max(exec_ms, 0.001):>9.1f}  {p95_ratio:>13.1f}"
                )
            print(
                "targets: at most 4 statements per uncached search page, a page at most 2x"
                " its statements' execution time; p95/yardstick no worse than before"
            )
            normal = measured[NORMAL_QUERY]
            for label in (HOSTILE_ONE_LETTER, HOSTILE_MANY_WORDS):
                p50, p95, cpu = measured[label]
                print(
                    f"{label}: {p50 / normal[0]:.2f}x the p50, {p95 / normal[1]:.2f}x the p95,"
                    f" {cpu / max(normal[2], 0.001):.2f}x the CPU of '{NORMAL_QUERY}'"
                    " (target: at most 3x)"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


def pending_migrations(migrate: bool) -> None:
    """Name the migrations the reused database lacks; apply them only when asked.

    A data migration over the generated items (0006 rewrites every item's sections in
    Python) can take far longer than regenerating: --reuse never starts one unasked.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan)
    if not migrate:
        print(f"not applied (pass --migrate, or regenerate without --reuse): {names}")
        return
    from django.core.management import call_command

    print(f"applying {names}")
    call_command("migrate", verbosity=0, skip_checks=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--chunks", type=int, default=2, help="parallel loaders (default 2)")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated database")
    parser.add_argument(
        "--migrate", action="store_true", help="with --reuse: apply missing migrations first"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per query (default 200)")
    parser.add_argument(
        "--no-cache", action="store_true", help="serve with the search cache off (cold requests)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    if not (args.reuse and not create_database(url) and generated_items(url) >= args.items):
        drop_database(url)
        create_database(url)
        generate(url, args.items, args.chunks)
    else:
        pending_migrations(migrate=args.migrate)
    print(f"database: {url.rsplit('/', 1)[-1]}, {generated_items(url)} generated items")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measure(url, args.clients, args.requests, cache=not args.no_cache)


if __name__ == "__main__":
    main()
