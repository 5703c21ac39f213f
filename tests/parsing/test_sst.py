"""The Sundhedsstyrelsen minutes (sample 004) against their gold file, field by field."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from meetings.parsing import Item, ParsedDocument, parse_document
from meetings.parsing.layouts import choose_layout, sst
from meetings.parsing.normalise import normalise

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "samples" / "004_8d8a7837cce6a1ab.txt"
GOLD = json.loads((REPO_ROOT / "tests/data/gold/004_8d8a7837cce6a1ab.json").read_text("utf-8"))
GOLD_MEETING = GOLD["meetings"][0]
GOLD_ITEMS = {item["number"]: item for item in GOLD_MEETING["items"]}
ITEM_FIELDS = ("access", "title", "case_numbers", "handler", "recommendation", "decision",
               "attachments", "line")  # fmt: skip
MEETING_FIELDS = ("body", "date", "time", "kind", "location", "participants", "absent")


@cache
def _parsed() -> ParsedDocument:
    return parse_document(SAMPLE.read_bytes(), SAMPLE.name)


def _item(number: int) -> Item:
    return next(item for item in _parsed().meetings[0].items if item.number == number)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()


def _starts_with(full: str | None, start: str | None) -> bool:
    if start is None:
        return full is None
    return _squash(full).startswith(_squash(start))


def test_layout_is_chosen() -> None:
    assert choose_layout(normalise(SAMPLE.read_text("utf-8"))) is sst
    assert _parsed().layout == "sst-referat" == GOLD["layout"]


def test_one_meeting_with_the_gold_item_numbers() -> None:
    assert len(_parsed().meetings) == 1
    assert [item.number for item in _parsed().meetings[0].items] == sorted(GOLD_ITEMS)


def test_no_appendices_and_no_warnings() -> None:
    assert _parsed().appendices == GOLD["appendices"]
    assert _parsed().warnings == []


@pytest.mark.parametrize("field", MEETING_FIELDS)
def test_meeting_field(field: str) -> None:
    assert _parsed().meetings[0].to_dict()[field] == GOLD_MEETING[field]


@pytest.mark.parametrize("field", ITEM_FIELDS)
@pytest.mark.parametrize("number", sorted(GOLD_ITEMS))
def test_item_field(number: int, field: str) -> None:
    gold, item = GOLD_ITEMS[number], _item(number)
    if field in ("recommendation", "decision"):
        assert _starts_with(getattr(item, field), gold[f"{field}_start"])
    elif field == "attachments":
        assert [a.title for a in item.attachments] == gold["attachments"]
    elif field == "line":
        assert item.line == gold["lines"]["header"]
    else:
        assert getattr(item, field) == gold[field]


def test_metadata_block_is_lifted_out_of_item_3() -> None:
    decision = _item(3).decision or ""
    for furniture in ("Emne", "Mødedato", "Islands Brygge", "Deltagere fra SST", "Side 2"):
        assert furniture not in decision


def test_hyphen_wraps_over_blank_lines_are_mended() -> None:
    assert "er blevet foretaget, handler" in (_item(2).decision or "")


def test_sentence_broken_by_a_page_footer_is_joined() -> None:
    assert "i den sidste tid og tidligere i forløbet" in (_item(3).decision or "")


def test_paragraphs_and_bullets_stay_apart() -> None:
    paragraphs = (_item(3).decision or "").split("\n\n")
    assert paragraphs[1].startswith("- Generel enighed")
    assert any(p.startswith("Anbefaling 1:") for p in paragraphs)


def test_parse_does_not_depend_on_leading_spaces() -> None:
    flat = "\n".join(line.strip() for line in SAMPLE.read_text("utf-8").split("\n"))
    parsed = parse_document(flat.encode(), SAMPLE.name)
    assert [i.to_dict() for i in parsed.meetings[0].items] == [
        i.to_dict() for i in _parsed().meetings[0].items
    ]


def test_single_spaced_minutes_with_names() -> None:
    text = (
        "REFERAT\n\nEmne: 2. møde i arbejdsgruppen om screening\n"
        "Mødedato: 3. februar 2025, kl. 13.00\nSted: Online\n"
        "Deltagere: Anna Hansen, Peter Nielsen og Lise Berg\n\n"
        "Punkt 1. Velkomst\nDagsordenen blev godkendt.\n\n"
        "Punkt 2. Status på\nscreeningsprogrammet\nGruppen drøftede status.\nDer var enighed.\n"
    )
    parsed = parse_document(text.encode(), "mini.txt")
    meeting = parsed.meetings[0]
    assert parsed.layout == sst.NAME
    assert (meeting.body, str(meeting.date), meeting.time, meeting.location) == (
        "Arbejdsgruppen om screening", "2025-02-03", "13.00", "Online",
    )  # fmt: skip
    assert meeting.participants == ["Anna Hansen", "Peter Nielsen", "Lise Berg"]
    assert [i.title for i in meeting.items] == ["Velkomst", "Status på screeningsprogrammet"]
    assert meeting.items[1].decision == "Gruppen drøftede status. Der var enighed."
