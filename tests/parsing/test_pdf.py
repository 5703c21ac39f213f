"""A corpus document rendered to PDF parses to the same items as its text.

The PDF is made with fpdf2 and DejaVuSans (so Danish letters and typographic
quotes survive), one PDF page per page of the extraction; parse_document
reads it back through pypdf.
"""

from __future__ import annotations

import re

import pytest

from meetings.parsing import ParsedDocument, parse_document

DOCUMENTS = ["004_8d8a7837cce6a1ab.txt", "001_0aba8dafb6435775.txt"]
# How many words of a decision must agree (a PDF may break the last line differently).
DECISION_START_WORDS = 8


def _words(text: str | None, count: int) -> list[str]:
    return re.findall(r"\S+", text or "")[:count]


def _summary(parsed: ParsedDocument) -> list[tuple]:
    return [
        (
            item.number,
            item.access,
            item.title,
            tuple(item.case_numbers),
            _words(item.decision, DECISION_START_WORDS),
        )
        for meeting in parsed.meetings
        for item in meeting.items
    ]


@pytest.fixture(params=DOCUMENTS)
def text_and_pdf(request, read_sample, render_pdf) -> tuple[str, str, bytes]:
    text = read_sample(request.param)
    return request.param, text, render_pdf(text)


def test_pdf_parses_like_its_text(text_and_pdf) -> None:
    name, text, pdf = text_and_pdf
    from_text = parse_document(text.encode("utf-8"), name)

    from_pdf = parse_document(pdf, name.replace(".txt", ".pdf"))

    assert from_pdf.layout == from_text.layout
    assert _summary(from_pdf) == _summary(from_text)
    assert from_pdf.page_count and from_pdf.page_count > 1


def test_pdf_keeps_danish_letters_and_quotes(text_and_pdf) -> None:
    name, text, pdf = text_and_pdf
    parsed = parse_document(pdf, name.replace(".txt", ".pdf"))
    titles = " ".join(item.title or "" for m in parsed.meetings for item in m.items)
    decisions = " ".join(item.decision or "" for m in parsed.meetings for item in m.items)
    assert re.search("[æøåÆØÅ]", titles + decisions)
    if "’" in text:
        assert "’" in decisions or "’" in titles or "’" in str(parsed.to_dict())


def test_pdf_items_know_their_page(read_sample, render_pdf, page_chunks) -> None:
    text = read_sample(DOCUMENTS[0])
    header_lines = {
        item.title: item.line for item in parse_document(text.encode(), "004").meetings[0].items
    }
    # Each header's page, counted from the page chunks the PDF was made of.
    chunk_ends, total = [], 0
    for chunk in page_chunks(text):
        total += len(chunk)
        chunk_ends.append(total)
    expected = {
        title: 1 + sum(1 for end in chunk_ends if end < line)
        for title, line in header_lines.items()
    }

    parsed = parse_document(render_pdf(text), "004.pdf")

    assert {item.title: item.page for item in parsed.meetings[0].items} == expected
