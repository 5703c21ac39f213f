"""Importer throughput and memory on a large synthetic corpus, in a database of its own.

Run from the repository root:
    python bench/import_bench.py [--documents 1000] [--bodies 30] [--tracemalloc] [--profile]

Builds N documents from samples/*.txt in a temporary folder — each copy with
its own body (sidecar .meta.json), its own date (sidecar, or the years in the
text of the multi-meeting 2011 packet) and a perturbed text so that every
hash differs — then creates a fresh database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_import), migrates it, imports the
folder with `run_import` as `ingest` does, prints documents/s, items/s and
memory at each quarter of the run (flat memory means the importer holds
nothing per document), and drops the database.

It never touches any other database: it refuses a database name without
"bench" in it, because it drops the database when done.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import json
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "samples"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_import"
MULTI_MEETING_SAMPLE = "003_1ebfba288d399e41.txt"  # dates in its text: the years are rewritten

COMMITTEES = [
    "Sundhedsudvalget",
    "Regionsrådet",
    "Forretningsudvalget",
    "Udvalg for regional udvikling",
    "Psykiatri- og socialudvalget",
    "Bestyrelsen",
]
REGIONS = ["Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"]


def body_names(count: int) -> list[str]:
    names = [f"{c}, Region {r}" for r in REGIONS for c in COMMITTEES]
    names += [f"Følgegruppe {n}" for n in range(1, max(0, count - len(names)) + 1)]
    return names[:count]


def build_corpus(folder: Path, documents: int, bodies: int) -> None:
    """`documents` files: sample i % 5, body i % bodies, a (body, date) pair of its own."""
    samples = sorted(SAMPLES_DIR.glob("*.txt"))
    texts = {path.name: path.read_text(encoding="utf-8") for path in samples}
    names = body_names(bodies)
    first_date = dt.date(2005, 1, 4)
    for i in range(documents):
        sample = samples[i % len(samples)]
        round_ = i // bodies  # one date per round: no two copies share body and date
        text = texts[sample.name]
        meta: dict[str, str] = {"body": names[i % bodies]}
        if sample.name == MULTI_MEETING_SAMPLE:
            text = text.replace("2011", str(2000 + round_ % 20))
        else:
            meta["date"] = (first_date + dt.timedelta(days=7 * round_)).isoformat()
        # Every copy differs: a closing line of its own, and some in the other
        # encodings and line endings that exporters write.
        text += f"\nArkivkopi nr. {i}.\n"
        if i % 7 == 3:
            text = text.replace("\n", "\r\n")
        encoding = "cp1252" if i % 11 == 5 else "utf-8"
        target = folder / f"{i:05d}_{sample.name}"
        target.write_bytes(text.encode(encoding, errors="replace"))
        target.with_name(target.name + ".meta.json").write_text(json.dumps(meta))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop and create {name!r}: the name must contain 'bench'")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_cpu_seconds(pid: int) -> float | None:
    """CPU the PostgreSQL backend serving us has used, when the server runs on this machine."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def workers_rss_mb() -> float:
    """Resident set of this process's children (the import workers), in MB."""
    import psutil

    total = 0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 2**20


def rss_mb() -> tuple[float, float]:
    """(current resident set, peak resident set) of this process, in MB."""
    with open("/proc/self/statm") as statm:
        current_pages = int(statm.read().split()[1])
    current = current_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return current, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000, help="documents (default 1000)")
    parser.add_argument("--bodies", type=int, default=30, help="distinct bodies (default 30)")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument(
        "--jobs", type=int, default=None, help="import processes (default: as ingest, one per CPU)"
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # with DEBUG on, Django keeps every query: memory would grow
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO_ROOT))

    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from meetings.importing import FileResult, Metadata, collect_files, default_jobs, run_import
    from meetings.models import AgendaItem, Body, Meeting

    try:
        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
            started = time.perf_counter()
            build_corpus(Path(folder), args.documents, args.bodies)
            files, _ = collect_files([folder])
            print(
                f"corpus: {len(files)} documents from {len(list(SAMPLES_DIR.glob('*.txt')))} "
                f"samples, {args.bodies} bodies, built in {time.perf_counter() - started:.1f} s"
            )
            checkpoints = {round(len(files) * q / 4) for q in (1, 2, 3, 4)}
            done = items = 0
            print(f"{'documents':>9} {'seconds':>8} {'docs/s':>7} {'rss MB':>7} {'maxrss MB':>9}"
                  f" {'workers MB':>10}"
                  + (f" {'traced peak MB':>14}" if args.tracemalloc else ""))  # fmt: skip

            def on_file(result: FileResult) -> None:
                nonlocal done, items
                done += 1
                items += result.items
                if done in checkpoints:
                    elapsed = time.perf_counter() - started
                    current, peak = rss_mb()
                    line = (
                        f"{done:>9} {elapsed:>8.1f} {done / elapsed:>7.1f} "
                        f"{current:>7.0f} {peak:>9.0f} {workers_rss_mb():>10.0f}"
                    )
                    if args.tracemalloc:
                        line += f" {tracemalloc.get_traced_memory()[1] / 2**20:>14.1f}"
                        tracemalloc.reset_peak()  # each quarter's own peak
                    print(line, flush=True)

            if args.tracemalloc:
                tracemalloc.start()
            profiler = cProfile.Profile() if args.profile else None
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            server_before = server_cpu_seconds(backend)
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            jobs = args.jobs or default_jobs()
            machine_before = machine_busy_seconds()
            run = run_import(
                files, Metadata(), started_by="import bench", on_file=on_file, jobs=jobs
            )
            if profiler:
                profiler.disable()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            machine = machine_busy_seconds() - machine_before
            workers = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers_cpu = workers.ru_utime + workers.ru_stime
            server_after = server_cpu_seconds(backend)
            tracemalloc.stop()

        print(
            f"imported {run.created} created, {run.replaced} replaced, {run.unchanged} unchanged, "
            f"{run.failed} failed: {Body.objects.count()} bodies, {Meeting.objects.count()} "
            f"meetings, {AgendaItem.objects.count()} items"
        )
        for failure in run.files.filter(outcome="failed")[:5]:
            print(f"  failed: {failure.path}: {failure.message}")
        print(
            f"total {seconds:.1f} s: {len(files) / seconds:.1f} documents/s, "
            f"{items / seconds:.0f} items/s; peak RSS {rss_mb()[1]:.0f} MB, "
            f"largest worker's {workers.ru_maxrss / 1024:.0f} MB"
        )
        # Wall time depends on what else the machine runs; CPU time much less so.
        server = (
            f", its PostgreSQL backend {server_after - server_before:.1f} s"
            if server_before is not None and server_after is not None and jobs == 1
            else ""
        )
        print(
            f"{jobs} import process(es); CPU: this process {cpu:.1f} s{server}, "
            f"worker processes {workers_cpu:.1f} s, whole machine busy {machine:.1f} s of "
            f"{seconds * os.cpu_count():.1f} s (load average {os.getloadavg()[0]:.1f})"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    finally:
        connections.close_all()
        if not args.keep_db:
            recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
