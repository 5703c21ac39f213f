"""Uncached search cost of this checkout against another, interleaved, as ratios.

    python bench/search_compare.py --base-root /tmp/base --base-url postgres://…/bench_base \\
        [--url postgres://…/bench_search] [--rounds 5] [--requests 10]

Each side is served by its own gunicorn (its own code, from its checkout, this
checkout's interpreter) with the search and page caches off, on its own bench
database, made beforehand by each checkout's `bench/search_bench.py` with the same
--items. For every query of search_bench's set, the rounds alternate the sides (base
first in odd rounds, this checkout first in even ones), one client, so both see the
machine in the same state; it prints each side's p50 and p95 and this checkout's as a
ratio of the base's. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_bench as bench  # noqa: E402


def serve(root: Path, url: str, port: int, workdir: Path) -> subprocess.Popen:
    (workdir / "bench_settings.py").write_text(
        bench.SETTINGS_SHIM + "SEARCH_CACHE_SECONDS = 0\nPAGE_CACHE_SECONDS = 0\n"
    )
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
        [str(bench.REPO_ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"],
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
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn of {root} did not answer; see {workdir / 'gunicorn.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-root", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10, help="per side, query and round")
    args = parser.parse_args()

    queries = {"base": bench.query_set(args.base_url), "new": bench.query_set(args.url)}
    with tempfile.TemporaryDirectory(prefix="search-compare-") as tmp:
        servers, ports = {}, {}
        for side, root, url in (
            ("base", args.base_root, args.base_url),
            ("new", bench.REPO_ROOT, args.url),
        ):
            ports[side] = bench.free_port()
            folder = Path(tmp) / side
            folder.mkdir()
            servers[side] = serve(root.resolve(), url, ports[side], folder)
        try:
            print(
                f"{'query':<30} {'base p50':>9} {'p95':>7} {'new p50':>9} {'p95':>7}"
                f" {'p50 ratio':>9} {'p95 ratio':>9}"
            )
            for index, (label, _) in enumerate(queries["new"]):
                times: dict[str, list[float]] = {"base": [], "new": []}
                paths = {
                    side: "/soeg/?" + urllib.parse.urlencode(queries[side][index][1])
                    for side in times
                }
                for side in times:  # warm the workers' connections and the process caches
                    bench.fetch_times(ports[side], paths[side], 1, 2)
                for round_ in range(args.rounds):
                    order = ("base", "new") if round_ % 2 == 0 else ("new", "base")
                    for side in order:
                        latencies, _ = bench.fetch_times(ports[side], paths[side], 1, args.requests)
                        times[side].extend(latencies)
                b50, b95 = (bench.percentile(times["base"], f) for f in (0.5, 0.95))
                n50, n95 = (bench.percentile(times["new"], f) for f in (0.5, 0.95))
                print(
                    f"{label:<30} {b50:>9.1f} {b95:>7.1f} {n50:>9.1f} {n95:>7.1f}"
                    f" {n50 / b50:>9.2f} {n95 / b95:>9.2f}"
                )
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
