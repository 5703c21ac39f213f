"""parse_document's contract: only ParseError escapes; empty results warn."""

from __future__ import annotations

import logging

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


def test_a_bug_in_a_layout_gives_its_reason_and_logs_its_traceback(monkeypatch, caplog) -> None:
    """A bug is not a bad document: the user gets one line, whoever fixes it the traceback."""

    class BuggyLayout:
        NAME = "buggy"

        @staticmethod
        def parse(text, source):
            return {}["no such key"]  # the bug

    monkeypatch.setattr(pipeline, "choose_layout", lambda text: BuggyLayout)
    with (
        caplog.at_level(logging.ERROR, logger="meetings.parsing.pipeline"),
        pytest.raises(ParseError) as caught,
    ):
        parse_document(b"Referat\n\nPunkt 1. Velkomst\n", "referat.txt")

    assert caught.value.reason == "the buggy parser failed (KeyError: 'no such key')"
    [record] = caplog.records
    assert "referat.txt" in record.getMessage() and "buggy" in record.getMessage()
    assert record.exc_info is not None
    logged = caplog.text
    assert "Traceback" in logged and 'return {}["no such key"]' in logged


def test_a_bug_in_an_export_reader_logs_its_traceback(monkeypatch, caplog) -> None:
    def buggy(data, filename, media):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline.structured, "parse", buggy)
    with (
        caplog.at_level(logging.ERROR, logger="meetings.parsing.pipeline"),
        pytest.raises(ParseError, match="export reader failed"),
    ):
        parse_document(b'{"Dagsordenpunkter": []}', "greve.json")

    [record] = caplog.records
    assert "greve.json" in record.getMessage() and record.exc_info[0] is ZeroDivisionError


def test_a_bad_document_is_no_bug_and_logs_nothing(caplog) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="meetings.parsing"),
        pytest.raises(ParseError, match="empty"),
    ):
        parse_document(b"", "empty.txt")
    assert caplog.records == []
