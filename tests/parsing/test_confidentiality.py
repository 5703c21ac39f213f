"""The one confidentiality rule: every closed form, in every layout, keeps nothing but
the number, the access level and the title as printed.

Each case hides a marker word in the closed item's body, decision and case number;
the marker must be nowhere in the parse (its JSON and the text the archive stores).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from meetings.parsing import CONFIDENTIAL, PUBLIC, confidentiality, parse_document, plausibility

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MARKER = "Hemmeligord"


def _everything(parsed) -> str:
    return json.dumps(parsed.to_dict(), ensure_ascii=False) + "\n".join(parsed.lines)


def _closed_reasons(parsed) -> list[str]:
    """The review reasons this rule gave: the plausibility check's (no body, …) set aside."""
    checked = copy.deepcopy(parsed)
    checked.review_reasons = []
    plausibility.check(checked)
    return [reason for reason in parsed.review_reasons if reason not in checked.review_reasons]


def _items(parsed) -> dict:
    return {str(item.number): item for meeting in parsed.meetings for item in meeting.items}


GENERIC_CLOSED_TITLE = f"""Referat af mødet i Teknik- og Miljøudvalget

Punkt 1. Godkendelse af dagsorden
Dagsordenen blev godkendt.

Punkt 2. Lukket: Personalesag
Sagsnr.: EMN-2024-00917
Sagen om {MARKER} blev drøftet.
Beslutning:
{MARKER} afskediges.

Punkt 3. Eventuelt
Intet.
"""

SST_CLOSED_TITLE = f"""R E F E R A T

Emne: 4. møde i følgegruppen for {"Kræftplan"}
Mødedato: 28. august 2024
Sted: Sundhedsstyrelsen

Punkt 1: Velkomst
Formanden bød velkommen.

Punkt 2: Status på arbejdet
Arbejdet går efter planen.

Punkt 3: (Fortrolig) Drøftelse af udbud
Udbuddet med {MARKER} blev drøftet.

Punkt 4: Eventuelt
Intet.
"""

MODERN_CLOSED = f"""Dagsorden

1 (Offentlig) Godkendelse af dagsorden
Sagsnr: EMN-2024-00100
Dagsordenen godkendes.

2 (Lukket)
Sagsnr: EMN-2024-00917
{MARKER} og hans sag.

3 (Offentlig) Eventuelt
Sagsnr: EMN-2024-00101
Intet.
"""

FIRSTAGENDA_CLOSED = f"""REFERAT Aarhus Byråd d. 27-08-2025

Indholdsfortegnelse
Godkendelse af dagsorden ............ 3
Lukket: Køb af landbrugsejendom ved skoven ............ 4

Punkt 1: Godkendelse af dagsorden
Dagsordenen blev godkendt.

Punkt 2: Lukket: Køb af landbrugsejendom ved skoven
EMN-2025-007940
Tilbagesendes med bemærkning om {MARKER}.
"""


@pytest.mark.parametrize(
    ("text", "closed", "title"),
    [
        (GENERIC_CLOSED_TITLE, "2", "Lukket: Personalesag"),
        (SST_CLOSED_TITLE, "3", "(Fortrolig) Drøftelse af udbud"),
        (MODERN_CLOSED, "2", None),
    ],
    ids=["lukket-colon", "sst-fortrolig", "modern-lukket"],
)
def test_a_closed_item_keeps_number_access_and_printed_title_only(text, closed, title):
    parsed = parse_document(text.encode(), "doc.txt")
    items = _items(parsed)
    assert items[closed].access == CONFIDENTIAL
    assert items[closed].title == title
    assert items[closed].case_numbers == []
    assert items[closed].decision is None
    assert items[closed].sections == {}
    assert all(item.access == PUBLIC for number, item in items.items() if number != closed)
    assert MARKER not in _everything(parsed)
    assert "EMN-2024-00917" not in _everything(parsed)
    assert _closed_reasons(parsed) == []


def test_a_contents_line_naming_a_closed_item_is_blanked():
    parsed = parse_document(FIRSTAGENDA_CLOSED.encode(), "byraad.txt")
    items = _items(parsed)
    assert items["2"].access == CONFIDENTIAL
    assert items["2"].title.startswith("Lukket: Køb af landbrugsejendom")
    assert MARKER not in _everything(parsed)
    assert "EMN-2025-007940" not in _everything(parsed)
    assert not any("landbrugsejendom" in line for line in parsed.lines)
    # The public item's contents line and its text stay.
    assert any("Godkendelse af dagsorden ...." in line for line in parsed.lines)
    assert "Dagsordenen blev godkendt." in parsed.lines


SHORT_CLOSED_TITLE = f"""Referat Byrådet

Indholdsfortegnelse
1. Godkendelse af dagsorden ............ 3
2. Lukket: Orientering ............ 4
3. Borgmesteren orienterer ............ 5

Punkt 1: Godkendelse af dagsorden
Godkendt.

Punkt 2: Lukket: Orientering
Orienteringen om {MARKER} blev taget til efterretning.

Punkt 3: Borgmesteren orienterer
Beslutning
Orienteringen blev taget til efterretning.
Orientering om budgettet følger.
"""


def test_a_short_closed_title_blanks_its_contents_entry_but_no_public_prose():
    """Greve's closed "Lukket: Orientering": its words recur in public decisions."""
    parsed = parse_document(SHORT_CLOSED_TITLE.encode(), "byraad.txt")
    items = _items(parsed)
    assert items["2"].access == CONFIDENTIAL
    assert MARKER not in _everything(parsed)
    assert not any("Lukket: Orientering" in line for line in parsed.lines)
    # The public item's words that merely contain or begin with the title stay.
    assert "Orienteringen blev taget til efterretning." in parsed.lines
    assert "Orientering om budgettet følger." in parsed.lines
    assert items["3"].decision.startswith("Orienteringen blev taget til efterretning.")
    assert _closed_reasons(parsed) == []


def test_a_long_closed_title_is_traced_inside_any_line():
    title = "Køb af landbrugsejendom ved skoven nord for byen"
    text = f"""Referat

Punkt 1: Meddelelser
Sagen om {title.lower()} udsættes, jf. punkt 2.

Punkt 2: Lukket: {title}
{MARKER}.
"""
    parsed = parse_document(text.encode(), "byraad.txt")
    assert _items(parsed)["2"].access == CONFIDENTIAL
    assert not any("landbrugsejendom" in line for line in parsed.lines)


def test_a_closed_section_of_a_2011_packet_closes_its_items():
    """The packet's embedded minutes, printed as 'Lukket referat': every item closed."""
    text = (SAMPLES / "003_1ebfba288d399e41.txt").read_text(encoding="utf-8")
    closed_text = text.replace("Åbent referat fra møde", "Lukket referat fra møde")
    assert closed_text != text
    open_parse = parse_document(text.encode(), "003.txt")
    parsed = parse_document(closed_text.encode(), "003.txt")
    embedded = [m for m in parsed.meetings if m.kind == "minutes"]
    assert embedded and all(item.is_confidential for m in embedded for item in m.items)
    # The packet's own agenda stays public, and nothing of the minutes' decisions survives.
    agenda = [m for m in parsed.meetings if m.kind == "agenda"]
    assert agenda and not any(item.is_confidential for m in agenda for item in m.items)
    decisions = [
        item.decision for m in open_parse.meetings if m.kind == "minutes" for item in m.items
    ]
    stored = "\n".join(parsed.lines)
    for decision in filter(None, decisions):
        assert decision.split("\n")[0] not in stored
    assert _closed_reasons(parsed) == []


def test_an_empty_closed_section_in_the_contents_closes_nothing():
    text = """Referat

INDHOLDSFORTEGNELSE
Åbent referat
1. Meddelelser 3
2. Budget 2013 4
Lukket referat

Åbent referat
Punkt 1. Meddelelser
Sagsnr.: 2011-29298
Intet nyt.

Punkt 2. Budget 2013
Budgettet blev godkendt.
"""
    parsed = parse_document(text.encode(), "edoc.txt")
    assert all(item.access == PUBLIC for item in _items(parsed).values())
    assert _closed_reasons(parsed) == []


def test_contents_entries_under_a_closed_heading_close_their_items():
    text = f"""Referat

INDHOLDSFORTEGNELSE
Åbent referat
1. Meddelelser 3
Lukket referat
2. Personalesag 4

Punkt 1. Meddelelser
Intet nyt.

Punkt 2. Personalesag
{MARKER} er fratrådt.
"""
    parsed = parse_document(text.encode(), "edoc.txt")
    items = _items(parsed)
    assert items["2"].access == CONFIDENTIAL and items["1"].access == PUBLIC
    assert MARKER not in _everything(parsed)
    assert not any("2. Personalesag 4" in line for line in parsed.lines)


def test_a_closed_marker_tied_to_no_item_holds_the_document_for_review():
    text = f"""Referat

Punkt 1. Meddelelser
Intet nyt.

Punkt 2. Budget
Budgettet blev godkendt.
Lukket punkt: {MARKER}
Sagen blev drøftet.
"""
    parsed = parse_document(text.encode(), "odd.txt")
    [reason] = _closed_reasons(parsed)
    assert "line 8" in reason
    assert MARKER not in "\n".join(parsed.lines)
    assert MARKER not in " ".join(parsed.review_reasons)


def test_prose_that_mentions_a_closed_meeting_is_not_a_marker():
    text = """Referat

Punkt 1. Daginstitutioner
Hvilke dage institutionerne kan holdes lukket i sommeren.
Lukkedage blev drøftet; fortrolighed om data sikres.
"""
    parsed = parse_document(text.encode(), "prose.txt")
    assert _closed_reasons(parsed) == []
    assert _items(parsed)["1"].access == PUBLIC


@pytest.mark.parametrize(
    ("title", "closed"),
    [
        ("Lukket: Køb af landbrugsejendom", True),
        ("(Fortrolig) Aftale om husleje", True),
        ("(Lukket)", True),
        ("Lukket punkt", True),
        ("Lukket punkt - Personalesag", True),
        ("Fortroligt punkt: Erstatning", True),
        ("Lukkedage i daginstitutioner", False),
        ("Lukket vej ved skolen skal genåbnes", False),
        ("Fortrolighed i sundhedsdata", False),
        (None, False),
    ],
)
def test_closed_title_forms(title, closed):
    assert confidentiality.is_closed_title(title) is closed


def test_closing_items_another_document_closed():
    parsed = parse_document(GENERIC_CLOSED_TITLE.replace("Lukket: ", "").encode(), "agenda.txt")
    assert MARKER in "\n".join(parsed.lines)
    meeting = parsed.meetings[0]
    assert confidentiality.close_items(parsed, meeting, [2])
    assert _items(parsed)["2"].access == CONFIDENTIAL
    assert _items(parsed)["2"].title == "Personalesag"
    assert MARKER not in _everything(parsed)
    assert not confidentiality.close_items(parsed, meeting, [2])
