"""The Danske Regioner 2020s layout (dr_modern) against the gold files.

One test per gold item and field, the meeting fields, extractor variants that
must parse identically, a members' edition whose confidential item carries
text that must not leak, synthetic edge cases and robustness.
Runs without Django: ``pytest tests/parsing/test_dr_modern.py -p no:django``.
"""

from __future__ import annotations

import contextlib
import json
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.parsing import ParseError, parse_document
from meetings.parsing.layouts import choose_layout, dr_modern
from meetings.parsing.model import ParsedDocument
from meetings.parsing.normalise import normalise

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
GOLD = REPO / "tests" / "data" / "gold"
DR_MODERN_STEMS = ["000_a5bf867b36756b8a", "001_0aba8dafb6435775", "002_c726c5dda8553df7"]
OTHER_LAYOUT_STEMS = ["003_1ebfba288d399e41", "004_8d8a7837cce6a1ab"]
ITEM_FIELDS = [
    "access",
    "title",
    "case_numbers",
    "handler",
    "recommendation",
    "decision",
    "attachment_titles",
    "attachment_references",
    "other_case_numbers",
    "line",
]


@cache
def sample_text(stem: str) -> str:
    return (SAMPLES / f"{stem}.txt").read_text(encoding="utf-8")


@cache
def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


@cache
def parsed(stem: str) -> ParsedDocument:
    return parse_document(sample_text(stem).encode("utf-8"), f"{stem}.txt")


def parse_text(text: str, name: str = "test.txt") -> ParsedDocument:
    return parse_document(text.encode("utf-8"), name)


def squash(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text).strip()


def predicted_item(stem: str, number: int) -> dict:
    items = parsed(stem).to_dict()["meetings"][0]["items"]
    matching = [item for item in items if item["number"] == number]
    assert len(matching) == 1, f"item {number} parsed {len(matching)} times"
    return matching[0]


def gold_params() -> list:
    return [
        pytest.param(stem, item["number"], name, id=f"{stem[:3]}-item{item['number']}-{name}")
        for stem in DR_MODERN_STEMS
        for item in gold(stem)["meetings"][0]["items"]
        for name in ITEM_FIELDS
    ]


# --- gold, field by field ---------------------------------------------------------


def _expected_and_actual(gold_item: dict, item: dict, name: str) -> tuple[object, object]:
    """The gold value of a field and the parse's, in comparable form."""
    if name in ("recommendation", "decision"):
        start = gold_item[f"{name}_start"]
        text = squash(item[name])
        # Gold holds the first words; the parse must hold the full text from them on.
        return start, (text[: len(start)] if start and text else text)
    if name == "title":
        return gold_item["title"] or None, item["title"]
    if name == "attachment_titles":
        return gold_item["attachments"], [a["title"] for a in item["attachments"]]
    if name == "attachment_references":
        raw = [squash(r.split(". ", 1)[1]) for r in gold_item.get("attachments_raw", [])]
        refs = [
            f"{a['title']} ({a['document_id']} - {a['case_number']})" for a in item["attachments"]
        ]
        return raw, refs
    if name == "other_case_numbers":
        return gold_item.get("other_case_numbers", []), item["other_case_numbers"]
    if name == "line":
        return gold_item["lines"]["header"], item["line"]
    return gold_item[name], item[name]


@pytest.mark.parametrize(("stem", "number", "name"), gold_params())
def test_item_field_matches_gold(stem: str, number: int, name: str) -> None:
    gold_item = next(i for i in gold(stem)["meetings"][0]["items"] if i["number"] == number)
    expected, actual = _expected_and_actual(gold_item, predicted_item(stem, number), name)
    assert actual == expected


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
def test_items_are_exactly_the_gold_items_in_order(stem: str) -> None:
    # Files start mid-meeting (item 4 or 7): missing items are never invented.
    expected = [item["number"] for item in gold(stem)["meetings"][0]["items"]]
    assert [item.number for item in parsed(stem).meetings[0].items] == expected


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
@pytest.mark.parametrize("name", ["body", "date", "kind", "location", "participants", "absent"])
def test_meeting_field_matches_gold(stem: str, name: str) -> None:
    assert parsed(stem).to_dict()["meetings"][0][name] == gold(stem)["meetings"][0][name]


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
def test_layout_name_and_single_meeting(stem: str) -> None:
    doc = parsed(stem)
    assert doc.layout == gold(stem)["layout"] == "dr-modern"
    assert len(doc.meetings) == 1
    assert doc.warnings == []


@pytest.mark.parametrize(
    ("stem", "numbers"), [("001_0aba8dafb6435775", [2, 4, 5]), ("002_c726c5dda8553df7", [9, 22])]
)
def test_confidential_items_carry_only_number_and_access(stem: str, numbers: list[int]) -> None:
    closed = [i for i in parsed(stem).meetings[0].items if i.is_confidential]
    assert [i.number for i in closed] == numbers
    for item in closed:
        data = item.to_dict()
        assert data["title"] is None
        assert not any(data[k] for k in ("case_numbers", "attachments", "sections", "links"))
        assert data["handler"] is data["recommendation"] is data["decision"] is None


# --- details the gold files do not score ---------------------------------------------


def test_url_lines_are_links_not_text_or_attachments() -> None:
    item = parsed("002_c726c5dda8553df7").meetings[0].items[0]  # item 7
    assert item.links == ["https://www.regioner.dk/sundhed/datadeling/"]
    assert all("https://" not in text for text in item.sections.values())
    assert all("https://" not in a.title for a in item.attachments)


def test_url_line_inside_a_sentence_is_mended_out() -> None:
    item = next(i for i in parsed("001_0aba8dafb6435775").meetings[0].items if i.number == 9)
    assert (
        "forventer at lancere de nye anbefalinger i maj 2025" in item.sections["Sagsfremstilling"]
    )


def test_sections_are_cleaned_and_bullets_kept_apart() -> None:
    item = next(i for i in parsed("002_c726c5dda8553df7").meetings[0].items if i.number == 20)
    assert list(item.sections) == [
        "Resumé",
        "Indstilling",
        "Sagsfremstilling",
        "Økonomi",
        "Sekretariatets bemærkninger",
        "Kommunikation",
        "Beslutninger",
    ]
    assert "\n\n• Politiske møder\n\n• Arrangementer og konferencer" in item.sections["Resumé"]
    assert item.sections["Økonomi"] == "Ingen bemærkninger."


def test_second_det_indstilles_in_sagsfremstilling_is_not_the_recommendation() -> None:
    item = next(i for i in parsed("002_c726c5dda8553df7").meetings[0].items if i.number == 13)
    assert item.recommendation.startswith("at bestyrelsen tager status")
    # Its four "at" clauses are all recommendation; the Sagsfremstilling's own
    # "Det indstilles, at ..." paragraph is not appended to them.
    assert [clause[:24] for clause in item.recommendation.split("\n")] == [
        "at bestyrelsen tager sta",
        "at bestyrelsen evaluerer",
        "at bestyrelsen beslutter",
        "at bestyrelsen beslutter",
    ]
    assert "Det indstilles" not in item.recommendation
    assert "(torsdag/fredag vs. tidligere" not in item.recommendation
    assert "Det indstilles, at strukturen" in item.sections["Sagsfremstilling"]


def test_page_after_a_footer_is_the_next_page() -> None:
    item = next(i for i in parsed("001_0aba8dafb6435775").meetings[0].items if i.number == 8)
    assert item.page == 19  # "Side 18" stands just above its header


def test_footer_is_not_text() -> None:
    item = next(i for i in parsed("002_c726c5dda8553df7").meetings[0].items if i.number == 18)
    assert "Side 43" not in item.decision
    assert len(item.attachments) == 6


# --- layout choice ---------------------------------------------------------------------


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
def test_matches_dr_modern_samples(stem: str) -> None:
    text = normalise(sample_text(stem))
    assert dr_modern.matches(text)
    assert choose_layout(text) is dr_modern


@pytest.mark.parametrize("stem", OTHER_LAYOUT_STEMS)
def test_does_not_match_other_layouts(stem: str) -> None:
    assert not dr_modern.matches(normalise(sample_text(stem)))


# --- extractor variants ------------------------------------------------------------------


def strip_indentation(text: str) -> str:
    return "\n".join(line.lstrip() for line in text.split("\n"))


def feed_at_page_ends(text: str) -> str:
    """pdftotext style: a form feed ends each page (after its "Side N" footer, if any).

    The corpus marks a page's first line with one leading space.
    """
    lines = text.split("\n")
    for i, line in enumerate(lines):
        next_opens_page = i + 1 < len(lines) and re.match(r"^ \S", lines[i + 1])
        if next_opens_page or re.match(r"^\s*Side \d+\s*$", line):
            lines[i] = line + "\f"
    return "\n".join(lines)


def feed_before_page_starts(text: str) -> str:
    """A form feed opens each page (the corpus marks page starts with one leading space)."""
    return "\n".join(
        "\f" + line[1:] if re.match(r"^ \S", line) else line for line in text.split("\n")
    )


def unicode_noise(text: str) -> str:
    """No-break spaces, soft hyphens, ligatures, NFD and CRLF all at once."""
    import unicodedata

    text = text.replace(" og ", " og\u00a0").replace("fi", "\ufb01")
    text = re.sub(r"\b(\w{5})(\w{5,})", "\\1\u00ad\\2", text)
    return unicodedata.normalize("NFD", text).replace("\n", "\r\n")


def without_pages(doc: ParsedDocument) -> dict:
    data = doc.to_dict()
    for meeting in data["meetings"]:
        for item in meeting["items"]:
            item.pop("page")
    return data


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
@pytest.mark.parametrize("variant", [strip_indentation, unicode_noise], ids=["stripped", "unicode"])
def test_variant_gives_identical_output(stem: str, variant) -> None:
    assert parse_text(variant(sample_text(stem)), f"{stem}.txt").to_dict() == parsed(stem).to_dict()


@pytest.mark.parametrize("stem", DR_MODERN_STEMS)
@pytest.mark.parametrize(
    "variant", [feed_at_page_ends, feed_before_page_starts], ids=["ff-end", "ff-start"]
)
def test_form_feed_variant_gives_identical_output(stem: str, variant) -> None:
    text = variant(sample_text(stem))
    assert "\f" in text
    doc = parse_text(text, f"{stem}.txt")
    assert without_pages(doc) == without_pages(parsed(stem))
    # Where the plain text fixes a page, the form feeds must agree with it.
    for fed, plain in zip(doc.meetings[0].items, parsed(stem).meetings[0].items, strict=True):
        if plain.page is not None:
            assert fed.page == plain.page


def test_form_feeds_number_pages_from_the_footer() -> None:
    doc = parse_text(feed_before_page_starts(sample_text("001_0aba8dafb6435775")))
    pages = [item.page for item in doc.meetings[0].items]
    assert None not in pages
    assert pages == sorted(pages)
    assert pages[-1] > 19  # items 9-11 follow "Side 18" and item 8 on page 19


# --- confidential items in a members' edition ------------------------------------------------

SECRET_MARKERS = [
    "HEMMELIGTITEL",
    "hemmelig@regioner.dk",
    "EMN-2099-00001",
    "FORTROLIGTRESUME",
    "HEMMELIGINDSTILLING",
    "HEMMELIGTBILAG",
    "9999999",
    "secret.example",
]
MEMBERS_BLOCK = """ 2 ({word}) Udbud af HEMMELIGTITEL
fortsat titel

  hemmelig@regioner.dk
 EMN-2099-00001

Resumé
FORTROLIGTRESUME om forhandlingerne.

Indstilling
Det indstilles,
at sundhedsudvalget godkender HEMMELIGINDSTILLING.

https://secret.example/sag
Beslutninger:
Udvalget godkendte.

Bilag
1. HEMMELIGTBILAG (9999999 - EMN-2099-00001)
"""


@pytest.mark.parametrize("word", ["Fortrolig", "Lukket"])
def test_members_edition_leaks_nothing_of_a_confidential_item(word: str) -> None:
    plain = sample_text("001_0aba8dafb6435775")
    header = next(line for line in plain.split("\n") if line.startswith("2 (Fortrolig)"))
    edition = plain.replace(header + "\n", MEMBERS_BLOCK.format(word=word), 1)
    assert "HEMMELIGTITEL" in edition

    doc = parse_text(edition, "001_members.txt")
    dumped = json.dumps(doc.to_dict(), ensure_ascii=False)

    for marker in SECRET_MARKERS:
        assert marker not in dumped
    item2 = next(i for i in doc.meetings[0].items if i.number == 2)
    assert (item2.access, item2.title, item2.handler, item2.sections) == (
        "confidential",
        None,
        None,
        {},
    )
    # The items around it are untouched (their line numbers shift by the inserted lines).
    assert [i.title for i in doc.meetings[0].items] == [
        i.title for i in parsed("001_0aba8dafb6435775").meetings[0].items
    ]
    assert doc.meetings[0].kind == "agenda"  # the hidden "Beslutninger:" does not count


# --- synthetic edge cases ------------------------------------------------------------------

SYNTHETIC = """3 (Offentlig) Et punkt med en titel der fortsætter på
næste linje med sund-
hedsvæsen og Miljø- og Fødevareudvalget
  abc@regioner.dk
EMN- 2024-00001

Resumé
Tekst.

Indstilling
Sundhedsudvalget indstiller,
at regionsrådet godkender planen.

Bilag
Side 7
4 (Offentlig) Eventuelt
  abc@regioner.dk
MOD-2025-00001
Resumé
-
Indstilling
Det indstilles,
at
Bilag
1. Et bilag med en lang titel (123456 -
EMN-2024-
00001)
Side 8
"""


def test_synthetic_title_handler_and_recommender() -> None:
    first, second = parse_text(SYNTHETIC).meetings[0].items
    assert first.title == (
        "Et punkt med en titel der fortsætter på næste linje med sundhedsvæsen "
        "og Miljø- og Fødevareudvalget"
    )
    assert (first.handler, first.case_numbers) == ("abc@regioner.dk", ["EMN-2024-00001"])
    assert first.recommendation == "at regionsrådet godkender planen."
    assert first.recommended_by == "Sundhedsudvalget"
    assert first.attachments == []
    assert second.recommendation is None  # the empty template "Det indstilles,\nat"
    assert [(a.title, a.document_id, a.case_number) for a in second.attachments] == [
        ("Et bilag med en lang titel", "123456", "EMN-2024-00001")
    ]


def test_synthetic_pages_from_footers() -> None:
    first, second = parse_text(SYNTHETIC).meetings[0].items
    # Only "Side 7" lies above item 3: its page is unknown (not guessed);
    # item 4 comes right after "Side 7" and before "Side 8": page 8.
    assert (first.page, second.page) == (None, 8)


def test_body_qualifies_a_bare_board() -> None:
    text = SYNTHETIC.replace("at regionsrådet", "at bestyrelsen") + (
        "\nDanske Regioners bestyrelse mødes.\n"
    )
    assert parse_text(text).meetings[0].body == "Danske Regioners bestyrelse"


def test_body_is_none_without_a_deciding_body() -> None:
    text = "1 (Offentlig) Punkt\nEMN-2024-00001\nResumé\nIntet.\n"
    assert parse_text(text).meetings[0].body is None


def test_headers_only_document_parses() -> None:
    doc = parse_text("5 (Fortrolig)\n6 (Fortrolig)\n")
    assert [(i.number, i.access) for i in doc.meetings[0].items] == [
        (5, "confidential"),
        (6, "confidential"),
    ]


# --- robustness and speed --------------------------------------------------------------------

FRAGMENTS = [
    "",
    " ",
    "7 (Offentlig) Titel",
    "8 (Fortrolig)",
    "9 (Lukket) x",
    "Resumé",
    "Indstilling",
    "Det indstilles,",
    "Sundhedsudvalget indstiller,",
    "at",
    "at bestyrelsen godkender",
    "Beslutninger:",
    "Bilag",
    "1. Titel (123 - EMN-2024-",
    "00001)",
    "1.",
    "(",
    "EMN-2024-00001",
    "Side 3",
    "Side 0",
    "https://x.dk/a",
    "  Navn Navnesen",
    "a@b.dk",
    "• punkt",
    "\uf0b7 punkt",
    "tekst med sund-",
    "-",
    "\f",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=60))
def test_layout_never_raises_on_layout_like_text(lines: list[str]) -> None:
    text = normalise("\n".join(lines))
    doc = dr_modern.parse(text, "fuzz.txt")  # called directly: no pipeline safety net
    json.dumps(doc.to_dict())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_pipeline_raises_only_parse_error(data: bytes) -> None:
    # Anything but ParseError escaping fails the test.
    with contextlib.suppress(ParseError):
        parse_document(b"1 (Offentlig) x\n" + data, "fuzz.txt")
