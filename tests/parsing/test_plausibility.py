"""The plausibility check: a wrong parse gets a reason to be held, a right one none.

Most cases are parses built here, so they do not depend on how a layout reads
a text. The right ones are the corpus (parsed, and rebuilt from its gold
files over its text) and the agenda systems' gold (rebuilt over poppler's
text of each PDF, which the gold's line numbers count in); the systems files
are read where they lie and these tests skip without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from meetings.parsing import (
    CONFIDENTIAL,
    Item,
    Meeting,
    ParsedDocument,
    ParseError,
    parse_document,
    plausibility,
)
from meetings.parsing.plausibility import NO_BODY_REASON

SYSTEMS = Path(__file__).resolve().parents[2].parent / "shared" / "systems"
EXPORTS = [
    "greve_byraad_2024-10-02.json",
    "aarhus_teknisk_udvalg_referat_2025-10-01.html",
    "sbsys_Publication553_regionh.xml",
]
STATUS_TABLE = "aarhus_sundhed_omsorg_sager_paa_vej_2025-08-29.pdf"
PROSE = "Sagen blev drøftet, og udvalget besluttede at gå videre med forslaget. "
needs_systems = pytest.mark.skipif(
    not (SYSTEMS / "docs").is_dir(), reason=f"the systems documents are not at {SYSTEMS}"
)


def document(
    *items: Item, body: str | None = "Teknisk Udvalg", text: str = PROSE
) -> ParsedDocument:
    """A parse of minutes whose items each hold `text` (or what their own text says)."""
    lines = ["Referat af mødet i Teknisk Udvalg", ""]
    for item in items:
        item.line = len(lines) + 1
        lines.append(f"{item.number}. {item.title}")
        own = getattr(item, "_text", text)
        lines.extend([own, ""] if own else [""])
    meeting = Meeting(body=body, kind="minutes", items=list(items))
    return ParsedDocument(source="referat.txt", layout="test", meetings=[meeting], lines=lines)


def item(number, title: str | None = None, *, text: str | None = None, **fields) -> Item:
    made = Item(number=number, title=title or f"Sag nummer {number}", **fields)
    if text is not None:
        made._text = text  # what document() writes under its header
    return made


def reasons(parsed: ParsedDocument) -> list[str]:
    plausibility.check(parsed)
    return parsed.review_reasons


# --- right parses: no reason -------------------------------------------------


def test_a_plain_plausible_parse_has_no_reason():
    assert reasons(document(item(1), item(2), item(3), item(4))) == []


@pytest.mark.parametrize(
    "numbers",
    [[1, 2, 3], [4, 5, 9], [715], [715, 716], ["1", "1.1", "1.2", "2", "3"], [1, "1.1", 2],
     ["1.9", "1.10", "2"], ["3", "3a", "4"]],
    ids=["plain", "gaps", "running", "running-two", "sbsys", "mixed", "ten-after-nine", "letter"],
)  # fmt: skip
def test_numbers_in_order_in_every_form_are_plausible(numbers):
    assert reasons(document(*[item(n) for n in numbers])) == []


def test_every_corpus_document_parses_with_no_reason(corpus_name, read_sample):
    parsed = parse_document(read_sample(corpus_name).encode(), corpus_name)
    assert parsed.meetings and parsed.review_reasons == []


def _from_gold(gold: dict, lines: list[str]) -> ParsedDocument:
    """A parse exactly as the gold file has it (its extra keys left out), over `lines`."""
    meetings = []
    for stated in gold["meetings"]:
        items = [
            Item(
                number=entry["number"],
                access=entry.get("access", "public"),
                title=entry.get("title"),
                case_numbers=list(entry.get("case_numbers") or []),
                recommendation=entry.get("recommendation_start"),
                decision=entry.get("decision_start"),
                line=(entry.get("lines") or {}).get("header"),
            )
            for entry in stated["items"]
        ]
        meetings.append(Meeting(body=stated.get("body"), kind=stated["kind"], items=items))
    return ParsedDocument(
        source=gold["source"],
        layout=gold["layout"],
        meetings=meetings,
        appendices=list(gold.get("appendices") or []),
        lines=lines,
    )


def test_every_corpus_gold_file_is_plausible(corpus_name, read_sample, load_gold):
    """Gold over the text its header line numbers count in."""
    parsed = _from_gold(load_gold(corpus_name), read_sample(corpus_name).split("\n"))
    assert all(item.line for meeting in parsed.meetings for item in meeting.items)
    assert reasons(parsed) == []


# The systems' PDFs with a gold file (the status table has none: it has no items).
SYSTEM_PDF_GOLDS = sorted(
    gold.name
    for gold in (SYSTEMS / "gold").glob("*.json")
    if (SYSTEMS / "docs" / gold.with_suffix(".pdf").name).is_file()
)


@needs_systems
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")
@pytest.mark.parametrize("name", SYSTEM_PDF_GOLDS)
def test_every_systems_gold_file_with_its_contents_is_plausible(name):
    """Gold over the text its line numbers count in (`pdftotext -layout`), its titles as the
    table of contents a layout records: the parse every PDF layout aims at passes."""
    gold = json.loads((SYSTEMS / "gold" / name).read_text(encoding="utf-8"))
    assert gold["lines_refer_to"].startswith(Path(name).stem + ".layout.txt")
    pdf = SYSTEMS / "docs" / gold["source"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    parsed = _from_gold(gold, text.split("\n"))
    parsed.contents = [(entry["number"], entry["title"]) for entry in gold["meetings"][0]["items"]]
    assert sum(len(m.items) for m in parsed.meetings) >= 1
    assert reasons(parsed) == []


@needs_systems
@pytest.mark.parametrize("name", EXPORTS)
def test_every_systems_export_parses_with_no_reason(name):
    parsed = parse_document((SYSTEMS / "docs" / name).read_bytes(), name)
    assert parsed.meetings and parsed.review_reasons == []


# --- wrong parses: each has its reason ---------------------------------------


@pytest.mark.parametrize(
    ("numbers", "slip"),
    [([1, 3, 2], "3 is followed by 2"), ([1, 2, 2], "2 is followed by 2"),
     (["1", "1.2", "1.1"], "1.2 is followed by 1.1"), ([716, 715], "716 is followed by 715")],
)  # fmt: skip
def test_numbers_out_of_order_are_a_reason(numbers, slip):
    assert reasons(document(*[item(n) for n in numbers])) == [
        f"item numbers are not in order ({slip})"
    ]


def test_a_document_that_names_no_body_is_a_reason():
    assert reasons(document(item(1), item(2), body=None)) == [NO_BODY_REASON]


def test_a_table_of_contents_read_as_the_agenda_is_a_reason():
    """Ballerup's eDoc minutes, the generic way: items 1…N-1 empty, the last holds it all."""
    empty = [item(n, text="") for n in range(1, 8)]
    parsed = document(*empty, item(8, text=PROSE * 40))
    assert reasons(parsed) == [
        "7 of 8 items have no text of their own (items 1, 2, 3, 4, 5, …): a table of contents "
        "read as the agenda?",
        "item 8 holds 100% of the items' text: item headers missed?",
    ]


def test_an_empty_item_is_counted_without_its_wrapped_title():
    """A title wrapped onto the lines under its header is no text of the item's own."""
    wrapped = [item(n, f"Sag nummer {n} om en lang titel", text="om en lang titel") for n in
               (1, 2, 3)]  # fmt: skip
    assert len(reasons(document(*wrapped))) == 1


def test_one_item_holding_most_of_the_text_is_a_reason():
    parsed = document(item(1), item(2), item(3), item(4, text=PROSE * 60))
    assert reasons(parsed) == ["item 4 holds 95% of the items' text: item headers missed?"]


def test_one_long_item_of_few_is_normal():
    """An extraordinary meeting on one case: one long item, one short."""
    assert reasons(document(item(1), item(2, text=PROSE * 60))) == []


def test_closed_items_count_neither_as_empty_nor_in_the_text():
    closed = [item(n, f"Lukket: Sag {n}", text="", access=CONFIDENTIAL) for n in (1, 2, 3, 4)]
    assert reasons(document(*closed, item(5), item(6), item(7))) == []


def test_a_sectioned_item_counts_its_sections_not_what_follows_it():
    """The DR 2011 packet: long appended documents follow its last item."""
    last = item(3, text=PROSE * 80, sections={"Resumé": PROSE})
    assert reasons(document(item(1), item(2), last)) == []
    unsectioned = document(item(1), item(2), item(3, text=PROSE * 80))
    assert len(reasons(unsectioned)) == 1
    unsectioned = document(item(1), item(2), item(3, text=PROSE * 80))
    unsectioned.appendices = ["Aftale om regionernes økonomi"]
    assert reasons(unsectioned) == []


def test_contents_that_agree_with_the_items_are_no_reason():
    parsed = document(item(1, "Godkendelse af dagsorden"), item(2, "Lokal-plan for havnen"),
                      item(3, "Budget 2026 - 2. behandling"))  # fmt: skip
    parsed.contents = [(1, "GODKENDELSE AF DAGSORDEN"), (2, "Lokalplan for  havnen"),
                       (3, "Budget 2026 – 2. behand...")]  # fmt: skip
    assert reasons(parsed) == []


def test_contents_with_more_items_than_found_is_a_reason():
    parsed = document(item(1), item(2), item(3))
    parsed.contents = [(n, f"Sag nummer {n}") for n in (1, 2, 3, 4, 5)]
    assert reasons(parsed) == [
        "the table of contents lists 5 items but 3 were found",
        "items 4, 5 are in the table of contents but were not found",
    ]


def test_items_the_contents_do_not_list_are_a_reason():
    """Numbered lists inside an item taken for items."""
    parsed = document(item(1), item(2), item("1.5"), item(3))
    parsed.contents = [(1, "Sag nummer 1"), ("1.5", "Sag nummer 1.5"), (2, "Sag nummer 2")]
    found = reasons(parsed)
    assert "item numbers are not in order (2 is followed by 1.5)" in found
    assert "items 3 were found but are not in the table of contents" in found


def test_titles_that_differ_from_the_contents_are_a_reason():
    parsed = document(item(1, "Godkendelse af dagsorden"), item(2, "Meddelelser"),
                      item(3, "Lokalplan 1100"))  # fmt: skip
    parsed.contents = [(1, "Godkendelse af dagsorden"), (2, "Budget 2026"), (3, "Lokalplan 1100")]
    assert reasons(parsed) == ["the titles of items 2 differ from the table of contents"]


def test_contents_without_numbers_are_read_in_order():
    """FirstAgenda's contents list titles and pages only: the n-th entry is the n-th item."""
    parsed = document(item(1, "Godkendelse af dagsorden"), item(2, "Lokalplan 1100"))
    parsed.contents = [(None, "Godkendelse af dagsorden"), (None, "Lokalplan 1100")]
    assert reasons(parsed) == []


def test_contents_without_numbers_that_disagree_are_a_reason():
    parsed = document(item(1, "Godkendelse af dagsorden"), item(2, "Meddelelser"))
    parsed.contents = [
        (None, "Godkendelse af dagsorden"),
        (None, "Budget 2026"),
        (None, "Eventuelt"),
    ]
    assert reasons(parsed) == [
        "the table of contents lists 3 items but 2 were found",
        "the titles of items 2 differ from the table of contents",
    ]


def test_contents_are_compared_with_the_meeting_they_list():
    """A packet of an agenda (3-5) and the last minutes (1-2): the contents are the agenda's."""
    parsed = document(item(3), item(4), item(5))
    parsed.meetings.append(Meeting(body="Teknisk Udvalg", kind="minutes", items=[item(1), item(2)]))
    parsed.contents = [(3, "Sag nummer 3"), (4, "Sag nummer 4"), (5, "Sag nummer 5")]
    assert reasons(parsed) == []


def test_a_document_that_is_no_agenda_or_minutes_is_a_reason():
    """A status table of cases ("Sager på vej"): its rows are not items."""
    parsed = document(item(1), item(2), item(3))
    parsed.lines = [line.replace("Referat af mødet i", "Sager på vej –") for line in parsed.lines]
    assert reasons(parsed) == [
        "the document does not look like an agenda or minutes (it never says Dagsorden, "
        "Referat or Møde)"
    ]


@needs_systems
def test_the_status_table_is_never_a_plausible_parse_with_items():
    """Refused (no items) or held: whichever way a layout reads it, never items to publish."""
    try:
        parsed = parse_document((SYSTEMS / "docs" / STATUS_TABLE).read_bytes(), STATUS_TABLE)
    except ParseError as refused:
        assert refused.reason  # refused, saying why: never imported
        return
    has_items = any(meeting.items for meeting in parsed.meetings)
    assert not has_items or parsed.review_reasons
    assert any("does not look like an agenda or minutes" in r for r in parsed.review_reasons)


def test_the_pipeline_checks_every_parse():
    """A text that names no body: parse_document's result carries the reason."""
    text = "Referat\n\nPunkt 1. Godkendelse af dagsorden\nGodkendt.\n\nPunkt 2. Budget\n"
    parsed = parse_document((text + PROSE).encode(), "referat.txt")
    assert parsed.meetings[0].items and NO_BODY_REASON in parsed.review_reasons
