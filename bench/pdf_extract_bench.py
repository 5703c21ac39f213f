"""PDF text extractors measured on the agenda systems' PDFs: time, and what the parser makes of it.

Run from the repository root:  python bench/pdf_extract_bench.py [--rounds N]

For each PDF in ../shared/systems/docs and each extractor (pypdf, PDFium
through pypdfium2, pdfplumber when installed, poppler's pdftotext when on the
PATH, as a reference), prints the best of N extraction times and the item F1
and field scores of the parse of that text against the gold file (the scorer
of ../shared/tools/score_parse.py). decode.py reads PDFs with the extractor
this chose; the parse time of the whole pipeline (guards, extraction, parse)
is printed for each PDF as "decode+parse".
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from meetings.parsing import ParseError, parse_document  # noqa: E402 - needs the path above

SHARED = REPO_ROOT.parent / "shared"
DOCS = SHARED / "systems" / "docs"
GOLD = SHARED / "systems" / "gold"


def _pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    return "\f".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _pdfium(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return "\f".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _pdfplumber(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\f".join(page.extract_text() or "" for page in pdf.pages)


def _pdftotext(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def extractors() -> dict:
    found = {"pypdf": _pypdf, "pypdfium2": _pdfium}
    if importlib.util.find_spec("pdfplumber"):
        found["pdfplumber"] = _pdfplumber
    if shutil.which("pdftotext"):
        found["pdftotext (raw)"] = _pdftotext
    return found


def _scorer():
    path = SHARED / "tools" / "score_parse.py"
    spec = importlib.util.spec_from_file_location("score_parse", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(function, data: bytes, rounds: int) -> tuple[float, object]:
    fastest, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function(data)
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not DOCS.is_dir():
        sys.exit(f"no documents at {DOCS}")
    score = _scorer()
    import json

    totals: dict[str, list[float]] = {}
    print(f"{'document':<34} {'extractor':<16} {'seconds':>8}  parse of its text vs gold")
    for pdf in sorted(DOCS.glob("*.pdf")):
        data = pdf.read_bytes()
        gold_path = GOLD / f"{pdf.stem}.json"
        gold = json.loads(gold_path.read_text()) if gold_path.exists() else None
        for name, extract in extractors().items():
            seconds, text = best(extract, data, args.rounds)
            result = _judge(score, gold, text, pdf.stem)
            totals.setdefault(name, []).append(seconds)
            print(f"{pdf.stem[:34]:<34} {name:<16} {seconds:8.3f}  {result}")
        seconds, _ = best(lambda d, name=pdf.name: parse_document(d, name), data, args.rounds)
        print(f"{pdf.stem[:34]:<34} {'decode+parse':<16} {seconds:8.3f}")
    print("total extraction seconds: " + ", ".join(f"{k} {sum(v):.3f}" for k, v in totals.items()))


def _judge(score, gold, text: str, stem: str) -> str:
    try:
        parsed = parse_document(text.encode("utf-8"), f"{stem}.txt")
    except ParseError as error:
        return f"ParseError: {error.reason}"
    items = sum(len(m.items) for m in parsed.meetings)
    if gold is None:
        return f"{items} items (no gold)"
    f1, fields, _ = score.score(gold, parsed.to_dict())
    wrong = {k: f"{a}/{b}" for k, (a, b) in fields.items() if a != b}
    items_said = " ".join(f"{k}={v}" for k, v in wrong.items()) or "all item fields"
    return f"item_f1={f1:.3f} {items_said}; header {_header(gold, parsed)}"


HEADER_FIELDS = ("body", "organisation", "date", "kind", "location", "time")


def _header(gold: dict, parsed) -> str:
    """How many of the meeting's header fields (and member lists, in any order) are the gold's."""
    if not parsed.meetings:
        return "none"
    got, want = parsed.meetings[0].to_dict(), gold["meetings"][0]
    right = [name for name in HEADER_FIELDS if got[name] == want[name]]
    lists = ("participants", "absent")
    right += [name for name in lists if sorted(got[name]) == sorted(want[name])]
    return f"{len(right)}/{len(HEADER_FIELDS) + 2}"


if __name__ == "__main__":
    main()
