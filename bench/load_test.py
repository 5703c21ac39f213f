"""Load test: mixed browsing and searching against gunicorn on loopback, measured by wrk.

Point it at a populated database (e.g. the one bench/search_bench.py builds
with 1,000,000 items). It picks real URLs from that database — meetings,
items, cases, decisions, searches — serves the archive with gunicorn on a
free loopback port, runs wrk (Debian's `wrk`) for a bounded time and prints
throughput, p50/p95/p99 latency and the error count.

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

SEARCHES = [
    "sundhedsvæsen",
    "psykiatri",
    '"praktiserende læger"',
    "kræft -screening",
    "medicin OR lægemidler",
    "EMN-2024-00932",
    "2024-00932",
    "10/2562",
    "økonomi",
    "bæredygtig",
    "patientrettigheder",
    "akutområdet",
]

# wrk cycles through the paths; a non-2xx/3xx answer counts as an error.
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
local errors = 0
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non2xx3xx %%d\\n", summary.errors.status))
  for _, p in pairs({50, 95, 99}) do
    io.write(string.format("p%%d %%.2f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def pick_paths(count: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    django.setup()
    from meetings.models import AgendaItem, Body, Case, Meeting

    rng = random.Random(7)
    meetings = list(Meeting.objects.order_by("?").values_list("slug", flat=True)[:200])
    items = list(
        AgendaItem.objects.filter(access="public")
        .order_by("?")
        .values_list("meeting__slug", "number")[:400]
    )
    cases = list(Case.objects.order_by("?").values_list("number", flat=True)[:200])
    bodies = list(Body.objects.values_list("slug", flat=True))
    paths = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.10:
            paths.append("/")
        elif kind < 0.25 and meetings:
            paths.append(f"/moeder/{rng.choice(meetings)}/")
        elif kind < 0.45 and items:
            slug, number = rng.choice(items)
            paths.append(f"/moeder/{slug}/punkt/{number}/")
        elif kind < 0.55 and cases:
            paths.append(f"/sager/{urllib.parse.quote(rng.choice(cases), safe='')}/")
        elif kind < 0.60 and bodies:
            paths.append(f"/organer/{rng.choice(bodies)}/")
        elif kind < 0.65:
            paths.append("/beslutninger/")
        else:
            paths.append("/soeg/?" + urllib.parse.urlencode({"q": rng.choice(SEARCHES)}))
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description="mixed browse/search load test with wrk")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--paths", type=int, default=2000)
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
        "WEB_CONCURRENCY": str(args.workers),
    }
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
            "/dev/null",
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
        with tempfile.TemporaryDirectory() as tmp:
            paths_file = Path(tmp) / "paths.txt"
            paths_file.write_text("\n".join(paths) + "\n")
            script = Path(tmp) / "mix.lua"
            script.write_text(WRK_SCRIPT % {"paths": paths_file})
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
    finally:
        server.terminate()
        server.wait(15)
    output = result.stdout
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_ok = int(re.search(r"non2xx3xx (\d+)", output).group(1))
    percentiles = dict(re.findall(r"^(p\d+) ([\d.]+)$", output, re.MULTILINE))
    print(f"paths: {len(paths)} distinct requests (browse 65 %, search 35 %)")
    print(f"duration {args.seconds} s, {args.connections} connections, {args.workers} workers")
    print(f"requests: {total}, throughput: {requests_per_second:.1f} req/s")
    print(
        f"latency p50 {percentiles['p50']} ms, p95 {percentiles['p95']} ms, "
        f"p99 {percentiles['p99']} ms"
    )
    print(f"errors: {non_ok} HTTP ≥ 400, {socket_errors} socket errors")
    return 0 if non_ok == 0 and socket_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
