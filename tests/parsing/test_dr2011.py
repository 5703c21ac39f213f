"""The Danske Regioner 2011 board packet (sample 003) against its gold file, field by field.

The packet holds the 23-06-2011 agenda (items 3-17), the embedded open minutes
of 26-05-2011 (items 1-16) and appended documents that are not items. Every
gold item and meeting is its own test; the indentation-stripped variant must
give the same result, because indentation is the only page-break cue of this
extraction and other extractors drop it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.parsing import Item, ParsedDocument, ParseError, parse_document
from meetings.parsing.layouts import choose_layout, dr2011
from meetings.parsing.normalise import normalise

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT / "samples"
GOLD_DIR = REPO_ROOT / "tests" / "data" / "gold"
STEM = "003_1ebfba288d399e41"
SAMPLE = SAMPLES_DIR / f"{STEM}.txt"
OTHER_SAMPLES = sorted(p.name for p in SAMPLES_DIR.glob("*.txt") if p.stem != STEM)


@cache
def load_gold(stem: str) -> dict:
    """A gold annotation from tests/data/gold by sample stem."""
    return json.loads((GOLD_DIR / f"{stem}.json").read_text(encoding="utf-8"))


GOLD = load_gold(STEM)
GOLD_ITEMS = [
    (meeting_index, item)
    for meeting_index, meeting in enumerate(GOLD["meetings"])
    for item in meeting["items"]
]
ITEM_IDS = [f"m{meeting_index}-item{item['number']}" for meeting_index, item in GOLD_ITEMS]


def _strip_indentation(text: str) -> str:
    return "\n".join(line.lstrip() for line in text.split("\n"))


@cache
def _parsed() -> ParsedDocument:
    return parse_document(SAMPLE.read_bytes(), SAMPLE.name)


@cache
def _parsed_stripped() -> ParsedDocument:
    stripped = _strip_indentation(SAMPLE.read_text(encoding="utf-8"))
    return parse_document(stripped.encode("utf-8"), SAMPLE.name)


def _item(doc: ParsedDocument, meeting_index: int, number: int) -> Item:
    items = [i for i in doc.meetings[meeting_index].items if i.number == number]
    assert len(items) == 1, f"meeting {meeting_index} has {len(items)} items numbered {number}"
    return items[0]


def _squash(text: str | None) -> str:
    """The scorer's comparison form: NFKC, whitespace collapsed, casefolded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().casefold()


def _starts_with(full: str | None, start: str | None) -> bool:
    if start is None:
        return full is None
    return full is not None and _squash(full).startswith(_squash(start))


def _signature(doc: ParsedDocument) -> list[tuple]:
    return [
        (
            meeting_index,
            item.number,
            item.title,
            tuple(item.case_numbers),
            item.handler,
            item.recommendation,
            item.recommended_by,
            item.decision,
            tuple(a.title for a in item.attachments),
            item.line,
        )
        for meeting_index, meeting in enumerate(doc.meetings)
        for item in meeting.items
    ]


# --- layout choice -----------------------------------------------------------------


def test_this_packet_chooses_the_dr2011_layout() -> None:
    assert choose_layout(normalise(SAMPLE.read_text(encoding="utf-8"))) is dr2011
    assert _parsed().layout == dr2011.NAME == GOLD["layout"] == "dr-2011"


def test_stripped_indentation_still_chooses_the_dr2011_layout() -> None:
    stripped = normalise(_strip_indentation(SAMPLE.read_text(encoding="utf-8")))
    assert dr2011.matches(stripped)


@pytest.mark.parametrize("name", OTHER_SAMPLES)
def test_other_samples_do_not_match(name: str) -> None:
    assert not dr2011.matches(normalise((SAMPLES_DIR / name).read_text(encoding="utf-8")))


# --- meetings ----------------------------------------------------------------------


def test_meetings_in_text_order_with_the_gold_item_numbers() -> None:
    parsed = _parsed()
    assert [m.kind for m in parsed.meetings] == [m["kind"] for m in GOLD["meetings"]]
    for meeting, gold in zip(parsed.meetings, GOLD["meetings"], strict=True):
        assert [i.number for i in meeting.items] == [i["number"] for i in gold["items"]]


@pytest.mark.parametrize("meeting_index", range(len(GOLD["meetings"])))
@pytest.mark.parametrize("field", ["body", "date", "kind", "location", "participants", "absent"])
def test_meeting_field(meeting_index: int, field: str) -> None:
    meeting = _parsed().meetings[meeting_index].to_dict()
    assert meeting[field] == GOLD["meetings"][meeting_index][field]


def test_minutes_time() -> None:
    assert _parsed().meetings[1].time == GOLD["meetings"][1]["time"] == "11:00"


def test_appendices_are_the_gold_titles_in_order() -> None:
    assert _parsed().appendices == GOLD["appendices"]


def test_no_warnings() -> None:
    assert _parsed().warnings == []


# --- items, one test per gold item ---------------------------------------------


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_access_title_and_case_numbers(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed(), meeting_index, gold["number"])
    assert item.access == gold["access"]
    assert _squash(item.title).rstrip(".") == _squash(gold["title"]).rstrip(".")
    assert "\n" not in (item.title or "")
    assert item.case_numbers == gold["case_numbers"]
    assert item.other_case_numbers == gold.get("other_case_numbers", [])


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_handler(meeting_index: int, gold: dict) -> None:
    assert _item(_parsed(), meeting_index, gold["number"]).handler == gold["handler"]


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_recommendation(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed(), meeting_index, gold["number"])
    assert _starts_with(item.recommendation, gold["recommendation_start"]), item.recommendation
    assert item.recommended_by == gold.get("recommended_by")


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_decision(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed(), meeting_index, gold["number"])
    assert _starts_with(item.decision, gold["decision_start"]), item.decision


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_attachment_titles(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed(), meeting_index, gold["number"])
    assert [a.title for a in item.attachments] == gold["attachments"]
    raw = gold.get("attachments_raw", [])
    assert [f"{a.title} ({a.document_id})." for a in item.attachments] == raw


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_line_is_where_its_content_starts(meeting_index: int, gold: dict) -> None:
    # Agenda content starts at "Resumé"; a minutes item starts with its decision.
    lines = gold["lines"]
    expected = lines["decision"] if meeting_index == 1 else lines["resume"]
    assert _item(_parsed(), meeting_index, gold["number"]).line == expected


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_item_sections_hold_no_displaced_header(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed(), meeting_index, gold["number"])
    # In the minutes the decision is printed before the Resumé (document order).
    expected = ["Beslutning", "Resumé"] if meeting_index == 1 else ["Resumé", "Indstilling"]
    assert list(item.sections)[:2] == expected
    own_header = re.compile(rf"(?m)^{item.number}\.\s+.*sagsnr", re.IGNORECASE)
    assert not any(own_header.search(text) for text in item.sections.values())


# --- the traps the gold notes name ----------------------------------------------


def test_displaced_header_does_not_break_the_paragraph_it_interrupts() -> None:
    # Item 4: "... et potentiale ved at styrke" / header 4 + handler / "forebyggelsen ...".
    text = _item(_parsed(), 0, 4).sections["Sagsfremstilling"]
    assert "ved at styrke forebyggelsen for eksempel" in text
    assert "Andrea Grandelag" not in text


def test_second_decision_inside_minutes_item_1_is_not_an_item() -> None:
    item = _item(_parsed(), 1, 1)
    assert item.decision == "Bestyrelsen tog meddelelserne til efterretning."
    assert "Bestyrelsen støttede et fortsat medlemskab." in item.sections["Resumé"]


def test_each_at_clause_of_a_recommendation_is_its_own_line() -> None:
    lines = (_item(_parsed(), 0, 13).recommendation or "").split("\n")
    assert len(lines) == 2
    assert all(line.startswith("at Danske Regioner") for line in lines)


def test_item_15_sub_orientations_are_not_items() -> None:
    numbers = [item.number for item in _parsed().meetings[0].items]
    assert numbers == list(range(3, 18))
    assert "Den offentlige rejsesygesikring" in _item(_parsed(), 0, 15).sections["Sagsfremstilling"]


# --- other extractors ------------------------------------------------------------


def test_stripped_indentation_gives_the_same_items_and_appendices() -> None:
    assert _signature(_parsed_stripped()) == _signature(_parsed())
    assert _parsed_stripped().appendices == GOLD["appendices"]
    for meeting, gold in zip(_parsed_stripped().meetings, GOLD["meetings"], strict=True):
        assert (meeting.participants, meeting.absent) == (gold["participants"], gold["absent"])


@pytest.mark.parametrize(("meeting_index", "gold"), GOLD_ITEMS, ids=ITEM_IDS)
def test_stripped_indentation_item_matches_gold(meeting_index: int, gold: dict) -> None:
    item = _item(_parsed_stripped(), meeting_index, gold["number"])
    assert _squash(item.title).rstrip(".") == _squash(gold["title"]).rstrip(".")
    assert item.handler == gold["handler"]
    assert _starts_with(item.recommendation, gold["recommendation_start"])
    assert _starts_with(item.decision, gold["decision_start"])


def test_form_feeds_give_every_item_a_page_in_order() -> None:
    # This extraction marks a page break by one leading space; make it a form feed.
    text = SAMPLE.read_text(encoding="utf-8")
    fed = "\n".join(
        "\f" + line[1:] if re.match(r"^ \S", line) else line for line in text.split("\n")
    )
    parsed = parse_document(fed.encode("utf-8"), SAMPLE.name)
    assert _signature(parsed) == _signature(_parsed())
    pages = [item.page for meeting in parsed.meetings for item in meeting.items]
    assert all(isinstance(page, int) for page in pages)
    assert pages == sorted(pages)
    assert pages[0] == 1 < pages[-1]  # item 3 opens the packet
    assert all(item.page is None for m in _parsed().meetings for item in m.items)


# --- robustness and speed ----------------------------------------------------------

FRAGMENTS = [
    "Bestyrelsesmøde",
    "den 23-06-2011",
    "Resumé",
    "Indstilling",
    "Det indstilles,",
    "at bestyrelsen drøfter sagen.",
    "Sagsfremstilling",
    "Bilag",
    "Ingen.",
    "Title.pdf (123456).",
    "3.  Titel, sagsnr. 10/2562",
    "4.  Lang titel der",
    "wrapper, sagsnr. 11/1",
    "Anne Peder-",
    "sen",
    "",
    "Side 20",
    "Åbent referat fra møde i Danske Regioners bestyrelse den 26-05-2011 kl. 11:00",
    "Deltagere:  A B, C D",
    "Afbud:  E F,",
    "Bestyrelsen godkendte,",
    "1.  Eventuelt, sagsnr. 11/872",
    "Bilag 1. Et bilag",
    "Et notat   5. maj 2011",
    "Bilag åben dagsorden.pdf",
    "1. Et bilag.pdf",
    "-",
    "den 31-02-2011",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_garbage_that_matches_raises_nothing_but_parse_error(lines: list[str]) -> None:
    text = normalise("\n".join(["Bestyrelsesmøde", "den 23-06-2011", *lines]))
    if not dr2011.matches(text):
        return
    try:
        parsed = dr2011.parse(text, "garbage.txt")
    except ParseError as exc:
        assert exc.source == "garbage.txt"
    else:
        assert any(meeting.items for meeting in parsed.meetings)


def test_a_thin_packet_keeps_what_it_can_and_an_empty_one_is_a_parse_error() -> None:
    text = normalise(
        "Bestyrelsesmøde\nden 23-06-2011\nResumé\nResumé\n"
        "3.  A, sagsnr. 10/1\n4.  B, sagsnr. 10/2\n"
    )
    assert dr2011.matches(text)
    # Both headers sit after the last Resumé: there is no item block that holds one each.
    parsed = dr2011.parse(text, "thin.txt")
    assert [i.number for i in parsed.meetings[0].items] == [3]
    assert len(parsed.warnings) == 2  # a Resumé without header, a block with two
    with pytest.raises(ParseError, match="no DR 2011"):
        dr2011.parse(normalise("Bestyrelsesmøde\nden 23-06-2011\nnothing\n"), "empty.txt")
