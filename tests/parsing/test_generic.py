"""The generic fallback layout: finds numbered items in unknown layouts and says so."""

from __future__ import annotations

from meetings.parsing import CONFIDENTIAL, MINUTES, parse_document
from meetings.parsing.layouts import choose_layout, generic
from meetings.parsing.normalise import normalise

UNKNOWN = generic.UNKNOWN_LAYOUT_WARNING


def _parse(text: str):
    return generic.parse(normalise(text), "unknown.txt")


def test_numbered_items_with_dot() -> None:
    parsed = _parse("Dagsorden\n\n1. Godkendelse af dagsorden\ntekst\n\n2. Eventuelt\nintet\n")
    assert [(i.number, i.title) for i in parsed.meetings[0].items] == [
        (1, "Godkendelse af dagsorden"),
        (2, "Eventuelt"),
    ]
    assert UNKNOWN in parsed.warnings


def test_punkt_items() -> None:
    parsed = _parse("Punkt 1. Velkomst\nOK\nPunkt 2: Status\nOK\n")
    assert [(i.number, i.title) for i in parsed.meetings[0].items] == [
        (1, "Velkomst"),
        (2, "Status"),
    ]


def test_access_items_and_fields() -> None:
    text = (
        "4 (Offentlig) Bæredygtigt sundhedsvæsen\nmbk@regioner.dk\nEMN-2024-00917\n\n"
        "Det indstilles,\nat udvalget drøfter sagen.\n\nSagsfremstilling\nTekst.\n\n"
        "Beslutninger:\nUdvalget drøftede sagen.\n\nBilag\n\n5 (Fortrolig)\n"
    )
    meeting = _parse(text).meetings[0]
    first, second = meeting.items
    assert (first.number, first.title, first.handler, first.case_numbers) == (
        4,
        "Bæredygtigt sundhedsvæsen",
        "mbk@regioner.dk",
        ["EMN-2024-00917"],
    )
    assert first.recommendation == "at udvalget drøfter sagen."
    assert first.decision == "Udvalget drøftede sagen."
    assert (second.number, second.access) == (5, CONFIDENTIAL)
    assert meeting.kind == MINUTES


def test_strong_headers_win_over_numbered_lists() -> None:
    text = "Punkt 1. Velkomst\n1. Første punkt på listen\n2. Andet\nPunkt 2. Eventuelt\n"
    assert [i.title for i in _parse(text).meetings[0].items] == ["Velkomst", "Eventuelt"]


def test_longest_consecutive_run_is_taken() -> None:
    text = "7. Tilfældig note\n1. Første\nx\n2. Anden\nx\n3. Tredje\n1. Liste\n"
    assert [i.number for i in _parse(text).meetings[0].items] == [1, 2, 3]


def test_no_items_means_no_meetings_and_a_warning() -> None:
    parsed = _parse("Et brev uden nummererede punkter.\nMed venlig hilsen")
    assert parsed.meetings == []
    assert UNKNOWN in parsed.warnings
    assert any("no agenda items" in warning for warning in parsed.warnings)


def test_unknown_layouts_reach_the_generic_layout_through_the_pipeline() -> None:
    text = "Mødeplan\n\n1. Godkendelse\nTekst\n2. Eventuelt\n"
    assert choose_layout(normalise(text)) is generic
    parsed = parse_document(text.encode(), "plan.txt")
    assert parsed.layout == generic.NAME
    assert UNKNOWN in parsed.warnings
