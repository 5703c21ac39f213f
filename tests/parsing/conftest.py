"""Shared fixtures for the parser tests: corpus paths, gold files, variant makers.

Tests that take a ``corpus_name`` argument run once per corpus document, and
tests that take a ``variant_name`` argument once per variant (see
pytest_generate_tests). A variant is the same document as another extractor
or encoder would have written it; parsing it must give the same items.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT / "samples"
GOLD_DIR = REPO_ROOT / "tests" / "data" / "gold"
SAMPLE_NAMES = sorted(path.name for path in SAMPLES_DIR.glob("*.txt"))
DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# In the corpus extractions a page break shows as a line starting with exactly
# one space; page footers read "Side N".
PAGE_BREAK_LINE_RE = re.compile(r"^ (?=\S)")
FOOTER_LINE_RE = re.compile(r"^\s*Side \d+\s*$")
LONG_WORD_RE = re.compile(r"\b([^\W\d_]{4})([^\W\d_]{4,})")


@dataclass(frozen=True)
class Variant:
    """A corpus document as some other extractor would deliver it."""

    data: bytes
    # The text whose plain-UTF-8 parse the variant's parse must equal. It is
    # the original text except where the variant cannot carry a character
    # (cp1252 has no private-use bullets).
    baseline: str


def is_page_break_line(line: str) -> bool:
    return bool(PAGE_BREAK_LINE_RE.match(line) or FOOTER_LINE_RE.match(line))


def _crlf(text: str) -> Variant:
    return Variant(text.replace("\n", "\r\n").encode("utf-8"), text)


def _formfeed(text: str) -> Variant:
    # The page-break marker (the single leading space, or the footer's line
    # start) becomes a form feed; the line's text and the line count are kept.
    lines = [
        "\f" + line.lstrip() if is_page_break_line(line) else line for line in text.split("\n")
    ]
    return Variant("\n".join(lines).encode("utf-8"), text)


def _nbsp(text: str) -> Variant:
    counter = iter(range(len(text)))
    # Every third space becomes a no-break space.
    changed = re.sub(" ", lambda m: "\u00a0" if next(counter) % 3 == 0 else " ", text)
    return Variant(changed.encode("utf-8"), text)


def _soft_hyphens(text: str) -> Variant:
    return Variant(LONG_WORD_RE.sub("\\1\u00ad\\2", text).encode("utf-8"), text)


def _ligatures(text: str) -> Variant:
    changed = text.replace("fi", "\ufb01").replace("fl", "\ufb02")
    return Variant(changed.encode("utf-8"), text)


def _nfd(text: str) -> Variant:
    return Variant(unicodedata.normalize("NFD", text).encode("utf-8"), text)


def _cp1252(text: str) -> Variant:
    representable = text.encode("cp1252", errors="replace").decode("cp1252")
    return Variant(representable.encode("cp1252"), representable)


def _indent_stripped(text: str) -> Variant:
    changed = "\n".join(line.lstrip() for line in text.split("\n"))
    return Variant(changed.encode("utf-8"), text)


VARIANTS: dict[str, Callable[[str], Variant]] = {
    "crlf": _crlf,
    "formfeed": _formfeed,
    "nbsp": _nbsp,
    "soft_hyphens": _soft_hyphens,
    "ligatures": _ligatures,
    "nfd": _nfd,
    "cp1252": _cp1252,
    "indent_stripped": _indent_stripped,
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "corpus_name" in metafunc.fixturenames:
        metafunc.parametrize("corpus_name", SAMPLE_NAMES)
    if "variant_name" in metafunc.fixturenames:
        metafunc.parametrize("variant_name", list(VARIANTS))


@cache
def read_sample(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


@cache
def load_gold(name: str) -> dict:
    """The gold file of a sample, by sample name or stem."""
    return json.loads((GOLD_DIR / f"{Path(name).stem}.json").read_text(encoding="utf-8"))


def make_variant(text: str, variant_name: str) -> Variant:
    return VARIANTS[variant_name](text)


def page_chunks(text: str) -> list[list[str]]:
    """The text's lines split into pages at its page-break lines.

    A page-break line opens the next page, without its marker space.
    """
    pages: list[list[str]] = [[]]
    for line in text.split("\n"):
        if is_page_break_line(line) and pages[-1]:
            pages.append([])
        pages[-1].append(line[1:] if PAGE_BREAK_LINE_RE.match(line) else line)
    return pages


def render_pdf(text: str) -> bytes:
    """The text as a PDF with a text layer, one PDF page per page chunk.

    Each line is its own cell; blank lines are drawn as one space so that the
    extraction keeps them. Pages are wide and as tall as their text, so no
    line wraps or overflows.
    """
    from fpdf import FPDF

    line_height = 4.0
    pdf = FPDF(unit="mm", format=(500, 297))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(DEJAVU_SANS))
    pdf.set_font("DejaVu", size=8)
    for lines in page_chunks(text):
        pdf.add_page(format=(500, max(297.0, 10 + line_height * len(lines))))
        for row, line in enumerate(lines):
            pdf.set_xy(5, 5 + row * line_height)
            pdf.cell(0, line_height, line if line.strip() else " ")
    return bytes(pdf.output())


def item_signature(parsed) -> list[tuple]:
    """What two parses of one document must agree on, item by item."""
    return [
        (
            meeting_index,
            item.number,
            item.access,
            item.title,
            tuple(item.case_numbers),
            item.handler,
            item.recommendation,
            item.decision,
            tuple(attachment.title for attachment in item.attachments),
        )
        for meeting_index, meeting in enumerate(parsed.meetings)
        for item in meeting.items
    ]


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR


@pytest.fixture
def gold_dir() -> Path:
    return GOLD_DIR


@pytest.fixture(name="read_sample")
def read_sample_fixture() -> Callable[[str], str]:
    return read_sample


@pytest.fixture(name="load_gold")
def load_gold_fixture() -> Callable[[str], dict]:
    return load_gold


@pytest.fixture(name="make_variant")
def make_variant_fixture() -> Callable[[str, str], Variant]:
    return make_variant


@pytest.fixture(name="render_pdf")
def render_pdf_fixture() -> Callable[[str], bytes]:
    return render_pdf


@pytest.fixture(name="item_signature")
def item_signature_fixture() -> Callable[..., list[tuple]]:
    return item_signature


@pytest.fixture(autouse=True)
def _plain_static_files() -> None:
    """Override the suite-wide Django static-files fixture (tests/conftest.py).

    The parser is plain Python and its tests must run without Django
    (``pytest tests/parsing -p no:django``), where the ``settings`` fixture
    the suite-wide one needs does not exist.
    """


@pytest.fixture(name="page_chunks")
def page_chunks_fixture() -> Callable[[str], list[list[str]]]:
    return page_chunks
