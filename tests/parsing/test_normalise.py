"""normalise(): one test per rule of the module docstring."""

from __future__ import annotations

from meetings.parsing.normalise import normalise


def test_crlf_and_cr_become_lf() -> None:
    assert normalise("a\r\nb\rc\nd").lines == ["a", "b", "c", "d"]


def test_other_line_breaks_become_lf() -> None:
    assert normalise("a\u2028b\u2029c\x85d\x0be").lines == ["a", "b", "c", "d", "e"]


def test_trailing_whitespace_is_stripped_and_leading_kept() -> None:
    assert normalise(" Side 2  \n  x\t").lines == [" Side 2", "  x"]


def test_form_feed_at_line_start_marks_a_page_start() -> None:
    result = normalise("side et\n\fside to\nmere")
    assert result.lines == ["side et", "side to", "mere"]
    assert result.page_starts == [1]
    assert [result.page_of(i) for i in range(3)] == [1, 2, 2]


def test_form_feed_inside_a_line_splits_it() -> None:
    result = normalise("slut på side et\fstart på side to")
    assert result.lines == ["slut på side et", "start på side to"]
    assert result.page_starts == [1]


def test_form_feed_at_line_end_starts_the_page_at_the_next_line() -> None:
    result = normalise("side et\f\nside to")
    assert result.lines == ["side et", "side to"]
    assert result.page_starts == [1]


def test_line_of_only_form_feeds_keeps_its_line_number() -> None:
    result = normalise("a\n\f\nb")
    assert result.lines == ["a", "", "b"]
    assert result.page_starts == [1]


def test_form_feeds_at_the_ends_start_no_page() -> None:
    result = normalise("\fa\nb\f")
    assert result.lines == ["a", "b"]
    assert result.page_starts == []
    assert result.page_of(0) is None


def test_nbsp_and_other_spaces_become_spaces() -> None:
    text = "a\u00a0b\u2007c\u202fd\u2009e\u200af\u3000g\th"
    assert normalise(text).lines == ["a b c d e f g h"]


def test_soft_hyphen_inside_a_word_is_removed() -> None:
    assert normalise("forsik\u00adrings\u00adselskabet").lines == ["forsikringsselskabet"]


def test_soft_hyphen_at_line_end_joins_the_word_and_keeps_the_line_count() -> None:
    result = normalise("Bestyrelsesansvars-\nforsik\u00ad\nringsselskabet har svaret")
    assert result.lines == ["Bestyrelsesansvars-", "forsikringsselskabet", "har svaret"]


def test_soft_hyphen_at_line_end_across_a_double_spacing_blank_line() -> None:
    result = normalise("er blevet fo\u00ad\n\nretaget, handler")
    assert result.lines == ["er blevet foretaget,", "", "handler"]


def test_ligatures_are_expanded() -> None:
    assert normalise("\ufb01nansiering \ufb02ere o\ufb00entlig \ufb03 \ufb04").lines == [
        "finansiering flere offentlig ffi ffl"
    ]


def test_nfd_becomes_nfc() -> None:
    assert normalise("a\u030ar og Mo\u0308de").lines == ["år og Möde"]


def test_zero_width_and_format_characters_are_removed() -> None:
    text = "\ufeffR\u200be\u200cf\u200de\u2060r\u200ea\u200ft\u202a"
    assert normalise(text).lines == ["Referat"]


def test_other_control_characters_are_removed() -> None:
    assert normalise("Pun\x00kt\x07 1.\x1b Vel\x7fkomst\x9b").lines == ["Punkt 1. Velkomst"]
