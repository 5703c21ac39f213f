"""Property tests: whatever the input, parse_document raises nothing but ParseError.

Inputs are arbitrary text, arbitrary bytes, bytes that claim to be a PDF, and
text assembled from the fragments the layouts look for (item headers, labels,
footers, form feeds, soft hyphens), so the layouts' own code paths are fuzzed
and not just the decoder's refusals.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.parsing import ParsedDocument, ParseError, parse_document
from meetings.parsing.model import CONFIDENTIAL
from meetings.parsing.normalise import normalise

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILENAMES = st.sampled_from(["a.txt", "a.pdf", "a", "a.docx", "referat.TXT"])
FRAGMENTS = st.sampled_from(
    [
        " R E F E R A T",
        "REFERAT",
        "DAGSORDEN",
        "Punkt 1. Velkomst",
        "Punkt 2.",
        "Punkt 99. Eventuelt.",
        "1 (Offentlig) Bæredygtigt sundhedsvæsen",
        "2 (Fortrolig)",
        "3. Godkendelse af dagsorden",
        "Emne  4. møde i følgegruppen",
        "Emne",
        "Mødedato 28. august 2024, 10.30-14.30",
        "Mødedato 31. februar 2024",
        "Sted",
        "Deltagere",
        "Side 2",
        "Det indstilles,",
        "at",
        "Beslutninger:",
        "Bilag",
        "EMN-2024-00917",
        "jenbj@regioner.dk",
        "fo-",
        "retaget",
        "",
        " ",
        "\f",
        "forsik\u00ad",
        "\ufb01nans",
    ]
)
DOCUMENT_LIKE_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40).map(
    "\n".join
)


def _parse_or_refuse(data: bytes, filename: str) -> ParsedDocument | None:
    try:
        parsed = parse_document(data, filename)
    except ParseError as error:
        assert error.reason and "\n" not in str(error)
        return None
    assert isinstance(parsed, ParsedDocument)
    return parsed


@FUZZ
@given(st.text(), FILENAMES)
def test_arbitrary_text(text: str, filename: str) -> None:
    _parse_or_refuse(text.encode("utf-8", errors="surrogatepass"), filename)


@FUZZ
@given(st.binary(max_size=2000), FILENAMES)
def test_arbitrary_bytes(data: bytes, filename: str) -> None:
    _parse_or_refuse(data, filename)


@FUZZ
@given(st.binary(max_size=600))
def test_bytes_that_claim_to_be_a_pdf(data: bytes) -> None:
    _parse_or_refuse(b"%PDF-1.7\n" + data + b"\n%%EOF\n", "x.pdf")


@FUZZ
@given(DOCUMENT_LIKE_TEXT, FILENAMES)
def test_document_like_text(text: str, filename: str) -> None:
    parsed = _parse_or_refuse(text.encode("utf-8", errors="surrogatepass"), filename)
    if parsed is None:
        return
    # What the importer stores (JSON) reads back as the same parse.
    stored = json.loads(json.dumps(parsed.to_dict()))
    assert ParsedDocument.from_dict(stored, parsed.lines).to_dict() == parsed.to_dict()
    for meeting in parsed.meetings:
        for item in meeting.items:
            if item.line is None:
                continue
            # An item starts at a line (1-based) of the text: the one printing its number,
            # blanked when the item is closed (it keeps its number, access and title only).
            header = parsed.lines[item.line - 1]
            if item.access == CONFIDENTIAL:
                assert header.strip() == "", item
                assert not (item.recommendation or item.decision or item.sections), item
            else:
                assert str(item.number) in header, item


@FUZZ
@given(st.text())
def test_normalise_never_adds_lines_except_for_mid_line_form_feeds(text: str) -> None:
    result = normalise(text)
    unified = text.replace("\r\n", "\n")
    breaks = sum(unified.count(c) for c in "\n\r\x0b\x85\u2028\u2029")
    assert len(result.lines) <= breaks + 1 + text.count("\f")
    assert all(start < len(result.lines) for start in result.page_starts)
    assert not any(c in line for line in result.lines for c in "\f\r\u00ad\u200b")
