"""Load test: mixed browsing and searching against gunicorn on loopback, measured by wrk.

Point it at a populated database (e.g. the one bench/search_bench.py builds
with 1,000,000 items). It picks real URLs from that database — meetings,
items, cases, decisions, searches — serves the archive with gunicorn on a
free loopback port, runs wrk (Debian's `wrk`) for a bounded time and prints
throughput, p50/p95/p99 latency and the error count, and the CPU time a request cost
(the whole machine's, and of it gunicorn's and PostgreSQL's). With the cores busy,
throughput is the cores divided by that cost: 200 req/s on 2 cores needs 10 ms a
request at most. The cost leaves out what contention does to throughput (idle moments,
the client), but a slower machine spends more ms on the same request: compare runs
interleaved, as below.

Before the mix it prints a yardstick: how many /healthz requests the same server
answers per second under the same connections (5 s). Machines of one kind differ
in pace (two of them gave 2,275 and about 1,000 on the same day): compare runs
made on different machines or days by it, not by throughput alone. One machine also
drifts within a session: the same code gave 195-226 req/s over two hours (2026-11-28)
with the yardstick within 10 %. Judge a change by runs interleaved with the code before
it, not by runs an hour apart. A slower machine (2026-11-28, second session: yardstick
1,300-1,670, a Python loop 1.5x slower) gave 92-121 req/s for the code that gave 195-226,
and there the database server's shared_buffers at 4 GB instead of its 128 MB served no
more (116.5 req/s): the 3.3 GB bench database is read from the OS page cache either way.
Slower still (2026-11-28, third session: yardstick 790-1,360, the same Python loop 1.6 s
against stop 14's 0.7): 75-120 req/s, and a request cost 18.3-21.9 ms of CPU, where
200 req/s on these 2 cores would need 10.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search \\
        .venv/bin/python bench/load_test.py --seconds 60 --connections 16
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# wrk cycles through the paths; a non-2xx/3xx answer counts as an error.
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
-- Each thread walks its own part of the list (the list split evenly between threads), so
-- no thread repeats what another asked for: addresses repeat only as often as the list
-- repeats them. Each counts the page cache's answers in its own Lua state, and done()
-- (in the main state) collects them.
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter + start) %% #paths) + 1])
end
local threads = {}
setup = function(thread)
  thread:set("start", #threads * %(part)d)
  table.insert(threads, thread)
end
hits, misses = 0, 0
response = function(status, headers, body)
  local state = headers["X-Page-Cache"]
  if state == "hit" then hits = hits + 1 elseif state == "miss" then misses = misses + 1 end
end
done = function(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do h = h + thread:get("hits"); m = m + thread:get("misses") end
  io.write(string.format("cache %%d %%d\\n", h, m))
  io.write(string.format("non2xx3xx %%d\\n", summary.errors.status))
  for _, p in pairs({50, 95, 99}) do
    io.write(string.format("p%%d %%.2f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def pick_paths(count: int) -> list[str]:
    """`count` requests with a long tail: most addresses occur once or twice in the list.

    Browsing draws from thousands of meetings, items and cases, decision lists
    from their pages and filters; searches from a few hundred words and
    two-word expressions of the samples (frequent ones more often), exclusions,
    real case numbers in several spellings, and some second pages.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    django.setup()
    from meetings.models import AgendaItem, Body, Case, Meeting, item_label

    rng = random.Random(7)
    meetings = [slug for (slug,) in sample(Meeting.objects.all(), 3000, rng, "slug")]
    items = sample(
        AgendaItem.objects.filter(access="public", is_current=True),
        6000,
        rng,
        "meeting__slug",
        "number",
        "sub",
    )
    cases = [number for (number,) in sample(Case.objects.all(), 3000, rng, "number")]
    bodies = list(Body.objects.values_list("slug", flat=True))
    words, phrases = vocabulary()
    words, phrases = words[:400], phrases[:400]
    paths = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.05:
            paths.append("/")
        elif kind < 0.20:
            paths.append(f"/moeder/{rng.choice(meetings)}/")
        elif kind < 0.40:
            slug, number, sub = rng.choice(items)
            paths.append(f"/moeder/{slug}/punkt/{item_label(number, sub)}/")
        elif kind < 0.50:
            paths.append(f"/sager/{urllib.parse.quote(rng.choice(cases), safe='')}/")
        elif kind < 0.55:
            paths.append(f"/organer/{rng.choice(bodies)}/")
        elif kind < 0.60:
            query = {"side": rng.randint(1, 20)}
            if rng.random() < 0.5:
                query["organ"] = rng.choice(bodies)
            paths.append("/beslutninger/?" + urllib.parse.urlencode(query))
        else:
            paths.append(
                "/soeg/?" + urllib.parse.urlencode(search_query(rng, words, phrases, cases))
            )
    return paths


def sample(rows, count: int, rng: random.Random, *fields: str) -> list[tuple]:
    """`fields` of up to `count` rows drawn by id with `rng`: the same rows on every run
    over the same database (ORDER BY random() gave each run other addresses)."""
    from django.db.models import Max, Min

    low, high = rows.aggregate(Min("id"), Max("id")).values()
    if low is None:
        return []
    ids = rng.sample(range(low, high + 1), min(2 * count, high - low + 1))
    found = {pk: rest for pk, *rest in rows.filter(id__in=ids).values_list("id", *fields)}
    return [tuple(found[pk]) for pk in ids if pk in found][:count]


def vocabulary() -> tuple[list[str], list[str]]:
    """Words and two-word expressions of the samples, most frequent first."""
    words: dict[str, int] = {}
    pairs: dict[str, int] = {}
    for path in sorted((REPO / "samples").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").lower().splitlines():
            found = re.findall(r"[a-zæøå]+", line)
            for word in found:
                if len(word) >= 4:
                    words[word] = words.get(word, 0) + 1
            # Expressions as written: two neighbouring words, both of four letters or more.
            for first, second in zip(found, found[1:], strict=False):
                if len(first) >= 4 and len(second) >= 4:
                    pairs[f"{first} {second}"] = pairs.get(f"{first} {second}", 0) + 1
    return (
        sorted(words, key=lambda w: (-words[w], w)),
        sorted(pairs, key=lambda p: (-pairs[p], p)),
    )


def search_query(
    rng: random.Random, words: list[str], phrases: list[str], cases: list[str]
) -> dict:
    """What people type: words (frequent ones more often), expressions in quotes, an
    excluded word, a case number in one of its spellings; some sorted by date or page 2."""

    def pick(choices: list[str]) -> str:
        # Log-uniform rank: each tenfold range of ranks as likely as the next.
        return choices[int(len(choices) ** rng.random()) - 1]

    kind = rng.random()
    if kind < 0.45:
        query = {"q": pick(words)}
    elif kind < 0.60:
        query = {"q": f"{pick(words)} {pick(words)}"}
    elif kind < 0.68:
        query = {"q": f'"{pick(phrases)}"'}
    elif kind < 0.74:
        first, second = pick(words), pick(words)
        query = {"q": f"{first} -{second}" if first != second else first}
    elif kind < 0.86:
        number = rng.choice(cases)
        spellings = [number, number.lower().replace("-", " "), number.split("-", 1)[-1]]
        query = {"q": rng.choice(spellings)}
    else:
        query = {"q": pick(words), "sortering": "nyeste"}
    if rng.random() < 0.1:
        query["side"] = 2
    return query


YARDSTICK_SECONDS = 5


def healthz_rate(base: str, threads: int, connections: int) -> float:
    """Requests per second /healthz gets (one small query each) for 5 s of wrk."""
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{YARDSTICK_SECONDS}s",
            f"{base}/healthz",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds() -> dict[str, float]:
    """CPU time spent so far: by the whole machine (/proc/stat, idle and iowait left out),
    and by the gunicorn and the PostgreSQL processes (/proc/PID/stat).

    A process's own time, and for a live one also its reaped children's (cutime): a
    PostgreSQL backend or a gunicorn worker that exits during the run counts in its
    parent's, so what exited is not lost and nothing is counted twice.
    """
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    spent = {"machine": (user + nice + system + irq + softirq + steal) / tick}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # exited while listed
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        group = "postgres" if name.startswith("postgres") else name
        if group in ("gunicorn", "postgres"):
            utime, stime, cutime, cstime = (int(f) for f in text.rsplit(")", 1)[1].split()[11:15])
            spent[group] = spent.get(group, 0.0) + (utime + stime + cutime + cstime) / tick
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description="mixed browse/search load test with wrk")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, one per CPU)"
    )
    # Long enough that no thread reaches the end of its part in a minute at 300 req/s.
    parser.add_argument("--paths", type=int, default=20000)
    parser.add_argument(
        "--access-log",
        default="/dev/null",
        help="gunicorn's access log, with each request's time in ms (default: none)",
    )
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every page afresh (PAGE_CACHE_SECONDS=0; the archive's counts stay kept)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL"):
        print("set DATABASE_URL to a populated database", file=sys.stderr)
        return 2

    paths = pick_paths(args.paths)
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "load-test-secret-key-load-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.no_page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            args.access_log,
            "--access-logformat",
            '%(s)s %(M)s "%(U)s?%(q)s"',
        ],
        cwd=REPO,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        for path in paths[:50]:  # warm the workers and the database's cache
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + path, timeout=30).read()
        yardstick_before = cpu_seconds()
        yardstick = healthz_rate(base, args.threads, args.connections)
        yardstick_after = cpu_seconds()
        with tempfile.TemporaryDirectory() as tmp:
            paths_file = Path(tmp) / "paths.txt"
            paths_file.write_text("\n".join(paths) + "\n")
            script = Path(tmp) / "mix.lua"
            script.write_text(
                WRK_SCRIPT % {"paths": paths_file, "part": len(paths) // args.threads}
            )
            before = cpu_seconds()
            result = subprocess.run(
                [
                    "wrk",
                    "-t",
                    str(args.threads),
                    "-c",
                    str(args.connections),
                    "-d",
                    f"{args.seconds}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(script),
                    base,
                ],
                capture_output=True,
                text=True,
                timeout=args.seconds + 60,
            )
            after = cpu_seconds()
    finally:
        server.terminate()
        server.wait(15)
    output = result.stdout
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_ok = int(re.search(r"non2xx3xx (\d+)", output).group(1))
    percentiles = dict(re.findall(r"^(p\d+) ([\d.]+)$", output, re.MULTILINE))
    print(
        f"paths: {len(paths)} requests, {len(set(paths))} distinct addresses "
        "(browse 60 %, search 40 %), cycled by wrk"
    )
    workers = args.workers or os.cpu_count()
    threads = env.get("GUNICORN_THREADS", "1")
    print(
        f"duration {args.seconds} s, {args.connections} connections, "
        f"gunicorn {workers} workers x {threads} threads"
    )
    print(f"yardstick: /healthz {yardstick:.0f} req/s (the machine's pace today, 5 s)")
    print(f"requests: {total}, throughput: {requests_per_second:.1f} req/s")
    print(
        f"latency p50 {percentiles['p50']} ms, p95 {percentiles['p95']} ms, "
        f"p99 {percentiles['p99']} ms"
    )
    print(f"errors: {non_ok} HTTP ≥ 400, {socket_errors} socket errors")
    if total:
        # What sets the pace once the cores are busy: n cores serve at most n / (CPU per
        # request) requests a second (200 req/s on 2 cores: 10 ms a request at most).
        ms = {group: 1000 * (after.get(group, 0) - before.get(group, 0)) / total for group in after}
        app, database = ms.get("gunicorn", 0.0), ms.get("postgres", 0.0)
        rest = ms["machine"] - app - database
        cores = os.cpu_count()
        print(
            f"CPU per request: {ms['machine']:.1f} ms (gunicorn {app:.1f}, PostgreSQL"
            f" {database:.1f}, wrk and the rest {rest:.1f}); {cores} cores at that cost:"
            f" at most {1000 * cores / ms['machine']:.0f} req/s"
        )
        # The targets are ratios of this run's own figures (issue 24): a machine's pace
        # differs tenfold from day to day, the ratios should not.
        healthz_requests = yardstick * YARDSTICK_SECONDS
        healthz_ms = (
            1000 * (yardstick_after["machine"] - yardstick_before["machine"]) / healthz_requests
        )
        p50, p99 = float(percentiles["p50"]), float(percentiles["p99"])
        print(
            f"ratios: a mixed request costs {ms['machine'] / healthz_ms:.1f} /healthz requests"
            f" of CPU ({healthz_ms:.2f} ms each; target at most 7);"
            f" p99 is {p99 / p50:.1f}x p50 (target at most 4)"
        )
    hits, misses = (int(n) for n in re.search(r"^cache (\d+) (\d+)$", output, re.M).groups())
    answered = hits + misses
    print(
        "page cache: off"
        if args.no_page_cache
        else f"page cache: {hits} hits, {misses} misses"
        + (f" ({100 * hits / answered:.0f} % hits)" if answered else "")
        # The pages rendered: the work that sets the pace. The share of hits grows with
        # the requests a run gets through (the list repeats more of what came before).
        + f"; {misses / args.seconds:.1f} pages rendered/s"
    )
    return 0 if non_ok == 0 and socket_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
