"""Section captions and field rules shared by every export reader (structured/roles.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.parsing.structured import roles
from meetings.parsing.structured.values import when

DATE = dt.date(2012, 12, 4)


@pytest.mark.parametrize(
    ("caption", "role"),
    [
        ("Beslutning", roles.DECISION),
        ("Beslutninger:", roles.DECISION),
        ("SUNDHEDS- OG FOREBYGGELSESUDVALGETS BESLUTNING", roles.DECISION),
        ("FORRETNINGSUDVALGETS BESLUTNING", roles.OTHER_DECISION),
        ("REGIONSRÅDETS BESLUTNING", roles.OTHER_DECISION),
        ("Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 2", roles.DECISION),
        ("Sundheds- og Forebyggelsesudvalgets beslutning den 30.05.2012 Punkt 7",
         roles.OTHER_DECISION),
        ("Beslutning i Sundheds- og Forebyggelsesudvalget den 04-12-2012", roles.DECISION),
        ("Beslutningen træffes af", roles.DECIDED_BY),
        ("SAGEN AFGØRES AF", roles.DECIDED_BY),
        ("BESLUTNINGSFORSLAG FRA V", roles.TEXT),
        ("Beslutningspunkter", roles.RECOMMENDATION),
        ("ADMINISTRATIONENS INDSTILLING", roles.RECOMMENDATION),
        ("Indstilling", roles.RECOMMENDATION),
        ("Sagens forløb", roles.HISTORY),
        ("PUNKTET BEHANDLET TIDLIGERE", roles.HISTORY),
        ("Resume", roles.TEXT),
    ],
)  # fmt: skip
def test_caption_roles(caption, role):
    assert roles.role_for_meeting(caption, "Sundheds- og Forebyggelsesudvalget", DATE) == role


@pytest.mark.parametrize(
    ("named", "body", "same"),
    [
        ("byrådet", "Byråd 2022-2025", True),  # a period of office and an ending aside
        ("udvalget", "Udvalget for Teknik og Miljø", True),  # "Udvalgets beslutning"
        ("forretningsudvalget", "Forretningsudvalget", True),
        ("regionsrådet", "Forretningsudvalget", False),
        ("udvalget for plan, udvikling og kultur (puk)", "Udvalget for plan, udvikling og kultur",
         True),
        ("økonomiudvalget", None, False),
    ],
)  # fmt: skip
def test_same_body(named, body, same):
    assert roles.same_body(named, body) is same


def test_a_decision_keeps_only_this_meeting_s_dated_block():
    paragraphs = ["30. maj 2012: Udsat.", "A (F) deltog ikke.", "4. december 2012: Godkendt."]
    assert roles.decision_text(paragraphs, DATE) == "Godkendt."
    assert roles.decision_text(paragraphs[:2], DATE) is None
    assert roles.decision_text(["Godkendt.", "Afbud: Jens Hansen"], DATE) == "Godkendt."
    assert roles.decision_text(["Tomt indhold"], DATE) is None


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Center for Ejendomme indstiller, at", "A) Arbejderne godkendes."],
         ("at A) Arbejderne godkendes.", "Center for Ejendomme")),
        (["at Børneudvalget indstiller til Byrådet, at planen vedtages."],
         ("at Børneudvalget indstiller til Byrådet, at planen vedtages.", None)),
        (["Det indstilles derfor, at planen vedtages."], ("at planen vedtages.", None)),
        (["Tomt indhold"], (None, None)),
    ],
    ids=["lead-in-then-clause", "a-clause-is-no-lead-in", "derfor", "placeholder"],
)  # fmt: skip
def test_recommendation_text(paragraphs, expected):
    assert roles.recommendation_text(paragraphs) == expected


@pytest.mark.parametrize(
    ("caption", "is_caption"),
    [
        ("Sagsbeskrivelse", True),
        ("Økonomiske konsekvenser", True),
        ("Økonomiudvalget (DUT)", False),
        ("Hovedkonklusioner", False),
        ("Indstillingen godkendt.", False),
        ("Beslutning i Byrådet den 5. marts 2024", True),
    ],
)
def test_which_bold_lines_are_captions(caption, is_caption):
    assert roles.is_caption(caption) is is_caption


@pytest.mark.parametrize(
    ("text", "date", "time"),
    [
        ("2024-10-02T19:00:00+02:00", "2024-10-02", "19:00"),
        ("25-09-2012 15:30:00", "2012-09-25", "15:30"),
        ("onsdag den 1. oktober 2025 kl. 15.45", "2025-10-01", "15.45"),
        ("2013-06-20T00:00:00", "2013-06-20", None),
        ("2024-02-30T10:00:00", None, None),
        ("i morgen", None, None),
    ],
)
def test_dates_and_times_as_exports_write_them(text, date, time):
    found_date, found_time = when(text)
    assert (found_date.isoformat() if found_date else None, found_time) == (date, time)
