"""The agenda-system engine, stage by stage, on small texts of our own in each system's form.

Each of issue 20's parsing failures has its test here: the contents taken
for the agenda, numbered lists inside an item read as items, running (715.)
and sub-item (1.1) numbers refused, the body never read, case numbers other
than EMN-… missed, "Beslutningen træffes af" read as a decision.
"""

from __future__ import annotations

from meetings.parsing import parse_document
from meetings.parsing.engine.contents import find_contents
from meetings.parsing.engine.pages import build_view
from meetings.parsing.normalise import normalise

EDOC_HEADER = "Sundhedsudvalget\nReferat\nÅbent referat\nDato: 04.12.2012\nSide {page}\n\n"
EDOC = (
    EDOC_HEADER.format(page=1)
    + "Referat\nSundhedsudvalget\ntirsdag den 4. december 2012, kl. 13:00\n"
    "i Mødelokale 2 på Rådhuset\nÅbent referat\n\n"
    "Tilstede\nAnne Hansen (A) - formand\nBo Jensen (V)\n\n"
    "Afbud/Fraværende\n\nSekretær\nCarl Berg\n"
    "\f" + EDOC_HEADER.format(page=2) + "INDHOLDSFORTEGNELSE\n\nÅbent referat\n"
    "1. Meddelelser                                 3\n"
    "2. Ny plan for sundhed og forebyggelse i kommunen med\n"
    "   tillæg                                          3\n"
    "3. Evaluering af kurser                         4\n\nLukket referat\n"
    "\f" + EDOC_HEADER.format(page=3) + "1.   Meddelelser\n\n"
    "     Sagsnr.: 2011-29298\n     Dok.nr.: 2012-202935\n\n"
    "     a.   Møder og konferencer\n\n"
    "     Sundhedsudvalgets beslutning den 04.12.2012 Punkt 1\n     Taget til efterretning\n\n"
    "2.   Ny plan for sundhed og forebyggelse i kommunen med\n     tillæg\n\n"
    "     Sagsnr.: 2012-28504\n     Dok.nr.: 2012-203438\n\n"
    "     Sagsfremstilling\n     Planen har tre dele:\n"
    "     1. Forebyggelse i skolerne\n     2. Tidlig indsats\n\n"
    "     Bilag\n     2012-200782 - Plan for sundhed\n\n"
    "     Beslutningen træffes af\n     Kommunalbestyrelsen\n\n"
    "     Indstilling\n     Center for Sundhed indstiller, at\n\n"
    "     A)   Planen godkendes.\n\n"
    "     Sundhedsudvalgets beslutning den 04.12.2012 Punkt 2\n     Indstilles til godkendelse\n"
    "\f" + EDOC_HEADER.format(page=4) + "3.   Evaluering af kurser\n\n"
    "     Sagsnr.: 24-006786\n     Dok.nr.: 2012-206127\n\n"
    "     Indstilling\n     Center for Sundhed indstiller, at\n\n"
    "     A)   Evalueringen tages til efterretning.\n\n"
    "     Sundhedsudvalgets beslutning den 04.12.2012 Punkt 3\n     Taget til efterretning\n"
)


def _parse(text: str, name: str = "referat.txt"):
    return parse_document(text.encode("utf-8"), name)


# --- the failures ------------------------------------------------------------


def test_the_contents_are_not_taken_for_the_agenda() -> None:
    parsed = _parse(EDOC)
    items = parsed.meetings[0].items
    assert [item.number for item in items] == [1, 2, 3]
    assert [item.decision for item in items] == [
        "Taget til efterretning",
        "Indstilles til godkendelse",
        "Taget til efterretning",
    ]
    # the contents are kept as the check of the items, wrapped entry joined
    assert parsed.contents == [
        (1, "Meddelelser"),
        (2, "Ny plan for sundhed og forebyggelse i kommunen med tillæg"),
        (3, "Evaluering af kurser"),
    ]


def test_a_numbered_list_inside_an_item_is_not_an_item() -> None:
    items = _parse(EDOC).meetings[0].items
    assert "1. Forebyggelse i skolerne" in items[1].sections["Sagsfremstilling"]
    assert items[1].title == "Ny plan for sundhed og forebyggelse i kommunen med tillæg"


def test_the_body_is_read_from_the_header() -> None:
    meeting = _parse(EDOC).meetings[0]
    assert (meeting.body, meeting.kind, str(meeting.date), meeting.time) == (
        "Sundhedsudvalget", "minutes", "2012-12-04", "13:00",
    )  # fmt: skip
    assert meeting.location == "Mødelokale 2 på Rådhuset"
    assert meeting.participants == ["Anne Hansen", "Bo Jensen"]
    assert meeting.absent == []


def test_case_numbers_after_a_label_in_every_form() -> None:
    items = _parse(EDOC).meetings[0].items
    assert [item.case_numbers for item in items] == [["2011-29298"], ["2012-28504"], ["24-006786"]]


def test_who_decides_is_not_the_decision() -> None:
    agenda = EDOC.replace(
        "Referat\nSundhedsudvalget\ntirsdag", "Dagsorden\nSundhedsudvalget\ntirsdag"
    )
    agenda = agenda.replace("Indstilles til godkendelse", "")
    item = _parse(agenda).meetings[0].items[1]
    assert item.decision is None
    assert item.recommendation == "at A) Planen godkendes."
    assert item.recommended_by == "Center for Sundhed"
    assert item.sections["Beslutningen træffes af"] == "Kommunalbestyrelsen"


ACADRE = (
    "1 of 2\n\nReferat\nUdvalget for kultur (UK)\nTorsdag den 20. juni 2013\nKl. 10:30\n"
    "Rådhuset\nHovedgaden 1\n\nMedlemmer\nAnne Hansen (A)        Bo Jensen (V)\nCarl Berg (A)\n\n"
    "Fraværende\n"
    "\f2 of 2\n\nReferat For Udvalget for kultur (UK)      Side 1\n20. juni 2013 - kl. 10:30\n\n"
    "Indholdsfortegnelse\nPunkt nr.        Side\n715.   Kulturplan 2017 .............2\n"
    "716.   Eventuelt ....................2\n\n"
    "715. Kulturplan 2017\nSagsnr.:        12/27845\nSagen afgøres i:  Udvalget for kultur (UK)\n"
    "Indstilling\nDirektøren indstiller, at udvalget drøfter planen.\n\n"
    "Beslutning i Udvalget for kultur (UK) den 10-04-2013\nPunktet udsættes.\n\n"
    "Beslutning i Udvalget for kultur (UK) den 20-06-2013\nPunktet blev drøftet.\n\n"
    "Bilag\n1 Åben Notat om kulturplanen                 222359/12\n"
    "716. Eventuelt\nSagsnr.:        12/1\n"
)


def test_a_running_item_number_is_a_header_and_only_this_meetings_decision_counts() -> None:
    parsed = _parse(ACADRE)
    meeting = parsed.meetings[0]
    first, second = meeting.items
    assert (first.number, first.title, first.case_numbers) == (715, "Kulturplan 2017", ["12/27845"])
    assert first.decision == "Punktet blev drøftet."
    assert first.recommendation == "at udvalget drøfter planen."
    assert [(a.title, a.document_id) for a in first.attachments] == [
        ("Notat om kulturplanen", "222359/12")
    ]
    assert second.number == 716
    assert sorted(meeting.participants) == ["Anne Hansen", "Bo Jensen", "Carl Berg"]
    assert meeting.location == "Rådhuset, Hovedgaden 1"


SBSYS = (
    "Tværgående møder\nReferat\nStyregruppen\n\n"
    "Dato:\nTid:\nSted:\n\n6. oktober 2016\n13:00 - 15:00\nRådhuset lokale 2\n\n"
    "Deltagere:\n\nAnne Hansen\nBo Jensen\n\nAfbud: Bo,\nFraværende:\nBemærk:\n\n"
    "1 Systemer\n1.1 Status siden sidst\nOplæg:\nFølgende blev besluttet:\n"
    "1) Der laves et felt\n2) Links indsættes\nReferat: Alle skal have adgang.\n"
    "1.2 Plan for året\nOplæg:\nIntet nyt.\nReferat:\n\f"
    "2 Eventuelt\nOplæg:\nReferat:\n      Side 2\n"
)


def test_sub_item_numbers_are_headers_and_split_key_columns_are_paired() -> None:
    meeting = _parse(SBSYS).meetings[0]
    assert [item.number for item in meeting.items] == [1, "1.1", "1.2", 2]
    assert meeting.items[1].decision == "Alle skal have adgang."
    assert meeting.items[2].decision is None
    assert (meeting.body, str(meeting.date), meeting.time, meeting.location) == (
        "Styregruppen", "2016-10-06", "13:00 - 15:00", "Rådhuset lokale 2",
    )  # fmt: skip
    assert meeting.participants == ["Anne Hansen", "Bo Jensen"]
    assert meeting.absent == ["Bo"]


FIRSTAGENDA = (
    "REFERAT Byrådet i Testby d. 27-08-2025\n\nMødedato   Onsdag d. 27. august 2025 kl. 16:00\n"
    "\nMødested   Byrådssalen\n"
    "\fIndholdsfortegnelse\nGodkendelse af dagsorden..........................3\n"
    "Forslag fra DD om at sikre Havnens Perles fremtid på Aarhus Ø...........4\n"
    "\fPunkt 1: Godkendelse af dagsorden\nEMN-2023-009832\nBeslutninger\nGodkendt.\n"
    "\fPunkt 2: Forslag fra DD om at sikre Havnens Perles\nfremtid på Aarhus Ø\nEMN-2025-003383\n"
    "Beslutninger\nFremsendes til Teknisk Udvalg.\nBESLUTNINGSFORSLAG FRA DD\n"
    "Danmarksdemokraterne foreslår derfor at,\n1. Byrådet træffer en principbeslutning.\n"
    "2. Byrådet pålægger Teknik og Miljø at arbejde videre.\n"
    "Beslutningspunkter\nDet indstilles:\nAt 1) der sikres plads.\n"
    "Borgmesterens Afdelings påtegning\nIngen bemærkninger.\n"
    "Bilag\nIndstilling\n\nBilag 1: Beslutningsforslag med en titel der\nfortsætter\n"
)


def test_a_members_motion_and_its_numbered_lines_are_not_decisions_or_items() -> None:
    parsed = _parse(FIRSTAGENDA)
    first, second = parsed.meetings[0].items
    assert second.title == "Forslag fra DD om at sikre Havnens Perles fremtid på Aarhus Ø"
    assert second.decision == "Fremsendes til Teknisk Udvalg."
    assert second.recommendation == "At 1) der sikres plads."
    assert [a.title for a in second.attachments] == [
        "Indstilling", "Bilag 1: Beslutningsforslag med en titel der fortsætter",
    ]  # fmt: skip
    assert (first.case_numbers, second.case_numbers) == (["EMN-2023-009832"], ["EMN-2025-003383"])
    assert parsed.contents[1] == (None, second.title)


# --- the stages ----------------------------------------------------------------------


def test_repeated_page_furniture_goes_once_per_page_and_the_front_title_stays() -> None:
    text = normalise(EDOC)
    view = build_view(text, (), lambda line: False)
    kept = [view.lines[i] for i in view.kept if view.lines[i]]
    assert kept[:3] == ["Referat", "Sundhedsudvalget", "tirsdag den 4. december 2012, kl. 13:00"]
    assert "Dato: 04.12.2012" not in kept
    assert not any(line.startswith("Side ") for line in kept)


def test_a_sentence_runs_on_through_furniture() -> None:
    pages = [f"Udvalget\nReferat\nSide {n}\n\nTekst på side {n} der fortsætter\n" for n in (1, 2)]
    text = normalise(pages[0] + "\f" + pages[1].replace("Tekst", "videre tekst") + "\fUdvalget\n"
                     "Referat\nSide 3\n\nslut.\n")  # fmt: skip
    view = build_view(text, (), lambda line: False)
    kept = [view.lines[i] for i in view.kept]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    assert kept == [
        "Tekst på side 1 der fortsætter", "videre tekst på side 2 der fortsætter", "slut.",
    ]  # fmt: skip


def test_contents_read_from_poppler_raw_columns() -> None:
    raw = (
        "INDHOLDSFORTEGNELSE\nÅbent referat\n1. Meddelelser\n2. En lang titel der\nfortsætter\n"
        "\nLukket referat\n\n3\n5\n\f1.\n\nMeddelelser\nSagsnr.: 2011-1\n"
    )
    view = build_view(normalise(raw), (), lambda line: False)
    contents = find_contents(view, lambda line: False, 50)
    assert [(e.number, e.title, e.page) for e in contents.entries] == [
        ("1", "Meddelelser", 3), ("2", "En lang titel der fortsætter", 5),
    ]  # fmt: skip
    assert view.at(contents.stop) == "1."


def test_a_detached_contents_number_joins_its_title() -> None:
    raw = (
        "Indholdsfortegnelse\nPunkt nr.\n715.\n\nSide\n\nKulturplan 2017 ........2\n"
        "\f715. Kulturplan"
    )
    view = build_view(normalise(raw), (), lambda line: False)
    contents = find_contents(view, lambda line: False, 50)
    assert [(e.number, e.title, e.page) for e in contents.entries] == [
        ("715", "Kulturplan 2017", 2)
    ]


def test_a_raw_contents_page_column_after_a_closed_part_closes_no_item() -> None:
    # poppler's raw mode: the page numbers "3", "3", "4" follow the empty closed part.
    raw = EDOC.replace("                                 3\n", "\n").replace(
        "                                          3\n", "\n"
    ).replace("                         4\n", "\n")  # fmt: skip
    raw = raw.replace("Lukket referat\n", "Lukket referat\n\n3\n3\n4\n")
    items = _parse(raw).meetings[0].items
    assert [item.access for item in items] == ["public", "public", "public"]
    assert items[2].decision == "Taget til efterretning"


def test_contents_that_name_other_titles_leave_the_items_to_the_numbering() -> None:
    numbered = EDOC.replace("1. Meddelelser      ", "1. Orientering      ")
    parsed = _parse(numbered)
    assert [item.number for item in parsed.meetings[0].items] == [1, 2, 3]
    assert "contents: item 1: its title differs from the contents'" in parsed.warnings
    one_reworded = FIRSTAGENDA.replace("Godkendelse af dagsorden....", "Dagsordenen....")
    parsed = _parse(one_reworded)
    assert [item.number for item in parsed.meetings[0].items] == [1, 2]
    assert "contents: 1 headers are not in the contents" in parsed.warnings
    both = one_reworded.replace("Forslag fra DD om at sikre Havnens Perles fremtid på Aarhus Ø..",
                                "Beslutningsforslag om havnen..")  # fmt: skip
    parsed = _parse(both)
    assert [item.number for item in parsed.meetings[0].items] == [1, 2]
    assert "contents: only 0 of 2 entries head an item" in parsed.warnings
