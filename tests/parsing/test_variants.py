"""Every corpus document in every extractor variant parses to the same items.

The variants (conftest.VARIANTS) are what other extractors and encoders make
of the same document: CRLF, form feeds, no-break spaces, soft hyphens,
ligatures, NFD, Windows-1252 bytes, stripped indentation. The tests run once
per document and variant (conftest.pytest_generate_tests).
"""

from __future__ import annotations

from functools import cache

from meetings.parsing import ParsedDocument, parse_document


@cache
def _plain_parse(text: str, name: str) -> ParsedDocument:
    return parse_document(text.encode("utf-8"), name)


def _meeting_fields(doc: ParsedDocument) -> list[tuple]:
    return [(m.body, m.date, m.kind, m.location, m.time) for m in doc.meetings]


def test_variant_parses_like_the_plain_text(
    corpus_name, variant_name, read_sample, make_variant, item_signature
) -> None:
    variant = make_variant(read_sample(corpus_name), variant_name)
    expected = _plain_parse(variant.baseline, corpus_name)

    parsed = parse_document(variant.data, corpus_name)

    assert parsed.layout == expected.layout
    assert item_signature(parsed) == item_signature(expected)


def test_variant_keeps_meeting_fields(corpus_name, variant_name, read_sample, make_variant) -> None:
    variant = make_variant(read_sample(corpus_name), variant_name)
    expected = _plain_parse(variant.baseline, corpus_name)

    parsed = parse_document(variant.data, corpus_name)

    assert _meeting_fields(parsed) == _meeting_fields(expected)


def test_every_variant_really_changes_the_bytes(variant_name, read_sample, make_variant) -> None:
    text = read_sample("004_8d8a7837cce6a1ab.txt")
    assert make_variant(text, variant_name).data != text.encode("utf-8")
