"""Parser throughput on the sample corpus, on one core.

Run from the repository root:  python bench/parse_bench.py [--rounds N]

Parses every samples/*.txt several rounds, keeps each document's best round
(the least disturbed by other processes), and prints per-document times,
the overall throughput in MB/s and the time of the 410 KB 2011 packet (003).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from meetings.parsing import ParseError, parse_document  # noqa: E402 - needs the path above

SAMPLES_DIR = REPO_ROOT / "samples"
BIG_PACKET = "003_1ebfba288d399e41.txt"


def best_time(data: bytes, name: str, rounds: int) -> tuple[float, str]:
    """The fastest of `rounds` parses, and a short description of the result."""
    best = float("inf")
    summary = ""
    for _ in range(rounds):
        started = time.perf_counter()
        try:
            parsed = parse_document(data, name)
            items = sum(len(meeting.items) for meeting in parsed.meetings)
            summary = f"{parsed.layout}, {items} items"
        except ParseError as error:
            summary = f"ParseError: {error.reason}"
        best = min(best, time.perf_counter() - started)
    return best, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="parses per document (default 5)")
    args = parser.parse_args()

    paths = sorted(SAMPLES_DIR.glob("*.txt"))
    total_bytes = 0
    total_seconds = 0.0
    big_packet_seconds = None
    print(f"{'document':<28} {'KB':>7} {'ms':>9} {'MB/s':>7}  result")
    for path in paths:
        data = path.read_bytes()
        seconds, summary = best_time(data, path.name, args.rounds)
        total_bytes += len(data)
        total_seconds += seconds
        if path.name == BIG_PACKET:
            big_packet_seconds = seconds
        rate = len(data) / seconds / 1e6
        size_kb, ms = len(data) / 1024, seconds * 1000
        print(f"{path.name:<28} {size_kb:>7.1f} {ms:>9.2f} {rate:>7.2f}  {summary}")
    print(f"overall: {total_bytes / 1024:.1f} KB in {total_seconds * 1000:.1f} ms "
          f"= {total_bytes / total_seconds / 1e6:.2f} MB/s on one core "
          f"(best of {args.rounds} rounds per document)")  # fmt: skip
    if big_packet_seconds is not None:
        print(f"{BIG_PACKET} (410 KB packet): {big_packet_seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
