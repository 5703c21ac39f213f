"""Uncached search cost of this checkout against another, interleaved, as ratios.

    python bench/search_compare.py --base-root /tmp/base --base-url postgres://…/bench_base \\
        [--url postgres://…/bench_search] [--rounds 5] [--requests 10]

Each side is served by its own gunicorn (its own code, from its checkout, this
checkout's interpreter) with the search and page caches off, on its own bench
database, made beforehand by each checkout's `bench/search_bench.py` with the same
--items. For every query of search_bench's set, the rounds alternate the sides (base
first in odd rounds, this checkout first in even ones), one client unless --clients
says more, so both see the machine in the same state; it prints each side's p50 and
p95 and this checkout's as a ratio of the base's. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_bench as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-root", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10, help="per side, query and round")
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent clients (8: the search bench's load)"
    )
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
            servers[side] = bench.start_gunicorn(
                url, ports[side], folder, cache=False, root=root.resolve()
            )
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
                        latencies, _ = bench.fetch_times(
                            ports[side], paths[side], args.clients, args.requests
                        )
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
