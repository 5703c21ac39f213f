"""parse_document's contract: only ParseError escapes; empty results warn."""

from __future__ import annotations

import pytest

from meetings.parsing import ParseError, parse_document, pipeline
from meetings.parsing.layouts import generic


class _BrokenLayout:
    NAME = "broken"

    def __init__(self, error: BaseException):
        self.error = error

    def parse(self, text, source):
        raise self.error


def _with_layout(monkeypatch, error: BaseException) -> None:
    monkeypatch.setattr(pipeline, "choose_layout", lambda text: _BrokenLayout(error))


@pytest.mark.parametrize(
    "error", [ValueError("bad"), KeyError("x"), IndexError(), RecursionError(), MemoryError()]
)
def test_layout_exceptions_become_parse_errors(monkeypatch, error) -> None:
    _with_layout(monkeypatch, error)
    with pytest.raises(ParseError) as caught:
        parse_document(b"Punkt 1. Velkomst", "x.txt")
    assert caught.value.source == "x.txt"
    assert "\n" not in str(caught.value)


def test_keyboard_interrupt_is_not_swallowed(monkeypatch) -> None:
    _with_layout(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        parse_document(b"Punkt 1. Velkomst", "x.txt")


def test_a_document_of_only_whitespace_is_an_error() -> None:
    with pytest.raises(ParseError, match="no text"):
        parse_document(b" \n\t\n\f\n", "blank.txt")


def test_no_items_warns() -> None:
    parsed = parse_document(b"Et brev uden punkter.", "brev.txt")
    assert parsed.layout == generic.NAME
    assert parsed.meetings == []
    assert sum("no agenda items" in warning for warning in parsed.warnings) == 1


def test_page_count_comes_from_the_decoder(render_pdf, read_sample) -> None:
    parsed = parse_document(render_pdf(read_sample("004_8d8a7837cce6a1ab.txt")), "004.pdf")
    assert parsed.page_count == 8
