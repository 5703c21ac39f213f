"""The agenda systems' PDFs in ../shared/systems/, and poppler's texts of them, against their gold.

Each PDF is parsed as a PDF and as the two texts `pdftotext` makes of it
(with and without -layout), and compared field by field with its gold file:
the meeting's header fields and, per item, number, access, title, case
numbers, the start of the recommendation and of this meeting's decision,
and the attachments (with their document numbers where the gold has them).
The status table that is not minutes must yield no items.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from meetings.parsing import parse_document

SYSTEMS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "systems"
MINUTES = (
    "aarhus_byraad_referat_2025-08-27",
    "ballerup_sundheds_forebyggelsesudvalget_referat_2012-12-04",
    "syddjurs_puk_ekstraordinaert_referat_2013-06-20",
    "aarhus_moedesystemgruppen_referat_2016-10-06",
)
NOT_MINUTES = "aarhus_sundhed_omsorg_sager_paa_vej_2025-08-29"
SOURCES = ("pdf", "layout", "raw")
# The one gold value no text layer holds: "Organisation only from the logo
# (AARHUS KOMMUNE, image)" (the gold file's notes).
ONLY_IN_THE_LOGO = {("aarhus_moedesystemgruppen_referat_2016-10-06", "organisation")}

pytestmark = pytest.mark.skipif(
    not SYSTEMS_DIR.is_dir(), reason=f"the systems' documents are not at {SYSTEMS_DIR}"
)


@pytest.fixture(scope="module")
def poppler_texts(tmp_path_factory) -> Path:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed: its texts cannot be made")
    folder = tmp_path_factory.mktemp("pdftotext")
    for stem in (*MINUTES, NOT_MINUTES):
        pdf = SYSTEMS_DIR / "docs" / f"{stem}.pdf"
        subprocess.run(["pdftotext", "-layout", pdf, folder / f"{stem}.layout.txt"], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run(["pdftotext", pdf, folder / f"{stem}.raw.txt"], check=True,
                       capture_output=True)  # fmt: skip
    return folder


def _parse(stem: str, source: str, poppler_texts: Path):
    if source == "pdf":
        path = SYSTEMS_DIR / "docs" / f"{stem}.pdf"
    else:
        path = poppler_texts / f"{stem}.{source}.txt"
    return parse_document(path.read_bytes(), path.name)


_cache: dict = {}


@pytest.fixture
def parsed_and_gold(request, poppler_texts):
    stem, source = request.param
    if (stem, source) not in _cache:
        _cache[stem, source] = _parse(stem, source, poppler_texts)
    gold = json.loads((SYSTEMS_DIR / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
    return stem, _cache[stem, source], gold


CASES = [(stem, source) for stem in MINUTES for source in SOURCES]
IDS = [f"{stem.split('_')[1]}-{source}" for stem, source in CASES]


def _one_line(text) -> str:
    return " ".join(str(text or "").split())


def _starts(full, start) -> bool:
    return _one_line(full).startswith(_one_line(start))


def _without_at(text) -> str:
    # Whether "at" opens the recommendation is a convention (corpus README).
    return re.sub(r"^at\b[\s,:;]*", "", _one_line(text), flags=re.IGNORECASE)


@pytest.mark.parametrize("parsed_and_gold", CASES, ids=IDS, indirect=True)
def test_meeting_fields(parsed_and_gold) -> None:
    stem, parsed, gold = parsed_and_gold
    [meeting] = parsed.meetings
    expected = gold["meetings"][0]
    for name in ("body", "organisation", "date", "kind", "location", "time"):
        if (stem, name) in ONLY_IN_THE_LOGO:
            continue
        got = meeting.date.isoformat() if name == "date" else getattr(meeting, name)
        assert got == expected[name], name
    # A two-column list reads row by row in one extraction, column by column in another.
    assert sorted(meeting.participants) == sorted(expected["participants"])
    assert meeting.absent == expected["absent"]


@pytest.mark.parametrize("parsed_and_gold", CASES, ids=IDS, indirect=True)
def test_items(parsed_and_gold) -> None:
    _, parsed, gold = parsed_and_gold
    items = parsed.meetings[0].items
    expected = gold["meetings"][0]["items"]
    assert [str(item.number) for item in items] == [str(e["number"]) for e in expected]
    for item, want in zip(items, expected, strict=True):
        label = f"item {want['number']}"
        assert item.access == want["access"], label
        assert _one_line(item.title) == _one_line(want["title"]), label
        assert item.case_numbers == want["case_numbers"], label
        if want["recommendation_start"]:
            assert _without_at(item.recommendation).startswith(
                _without_at(want["recommendation_start"])
            ), label
        else:
            assert item.recommendation is None, label
        if want["decision_start"]:
            assert _starts(item.decision, want["decision_start"]), label
        else:
            assert item.decision is None, label
        assert [a.title for a in item.attachments] == [a["title"] for a in want["attachments"]]
        for attachment, wanted in zip(item.attachments, want["attachments"], strict=True):
            if "document_id" in wanted:
                assert attachment.document_id == wanted["document_id"], label


@pytest.mark.parametrize("parsed_and_gold", CASES, ids=IDS, indirect=True)
def test_contents_are_recorded_and_agree_with_the_items(parsed_and_gold) -> None:
    stem, parsed, gold = parsed_and_gold
    items = parsed.meetings[0].items
    if stem.startswith("aarhus_moedesystemgruppen"):  # no contents printed
        assert parsed.contents == []
        return
    assert len(parsed.contents) == len(items)
    for (number, title), item in zip(parsed.contents, items, strict=True):
        assert number in (None, item.number)
        # Contents cut long titles short ("… med ti"): the heading's title goes on.
        assert _one_line(item.title).startswith(_one_line(title))


@pytest.mark.parametrize("source", SOURCES)
def test_the_status_table_is_not_minutes(source, poppler_texts) -> None:
    parsed = _parse(NOT_MINUTES, source, poppler_texts)
    assert not any(meeting.items for meeting in parsed.meetings)


@pytest.mark.parametrize("parsed_and_gold", CASES, ids=IDS, indirect=True)
def test_a_right_parse_is_not_held_for_review(parsed_and_gold) -> None:
    """The plausibility check reads the engine's contents (FirstAgenda's print no numbers)
    and finds nothing to doubt in a parse that matches the gold."""
    stem, parsed, gold = parsed_and_gold
    assert parsed.review_reasons == []


@pytest.mark.parametrize("stem", MINUTES)
@pytest.mark.parametrize("source", ("layout", "raw"))
def test_a_text_without_its_form_feeds_parses_the_same(stem, source, poppler_texts) -> None:
    # Saved without page breaks, the page counters still mark the pages' furniture.
    path = poppler_texts / f"{stem}.{source}.txt"
    text = path.read_text(encoding="utf-8")
    with_pages = parse_document(text.encode("utf-8"), path.name)
    without = parse_document(text.replace("\f", "").encode("utf-8"), path.name)
    fields = ("body", "organisation", "date", "kind", "location", "time", "participants", "absent")
    assert [getattr(without.meetings[0], f) for f in fields] == [
        getattr(with_pages.meetings[0], f) for f in fields
    ]
    ignored = ("page", "line", "sections")
    assert [{k: v for k, v in i.to_dict().items() if k not in ignored}
            for i in without.meetings[0].items] == [
        {k: v for k, v in i.to_dict().items() if k not in ignored}
        for i in with_pages.meetings[0].items
    ]  # fmt: skip
