"""FirstAgenda's publication API JSON and its saved web page, on small fixtures of our own.

The fixtures follow the shapes of the Greve JSON and the Aarhus page in
../shared/systems (see meetings/parsing/structured/firstagenda_*.py); each
test varies one thing the readers must get right.
"""

from __future__ import annotations

import json

import pytest

from meetings.parsing import AGENDA, CONFIDENTIAL, MINUTES, PUBLIC, parse_document

MARKER = "Hemmeligord"


def _item(number, title, html="", case="24-000001", bilag=(), is_open=False):
    return {
        "Number": str(number),
        "Punktnummer": str(number),
        "Caption": title,
        "Navn": title,
        "SagsNummer": case,
        "CaseNumber": case,
        "IsOpen": is_open,
        "Felter": [{"Navn": "", "Html": html, "Tekst": None,
                    "Link": "https://dagsordener.eksempel.dk/Vis/Pdf/bilag/1"}],
        "Bilag": [{"Navn": name, "Order": 0} for name in bilag],
    }  # fmt: skip


def _export(items, *, concluded=True, members=None, body="Økonomiudvalget") -> bytes:
    return json.dumps(
        {
            "Dagsordenpunkter": items,
            "Udvalg": {"Navn": body},
            "Moede": {
                "Dato": "2024-03-05T16:30:00+01:00",
                "MeetingBeginUtc": "2024-03-05T16:30:00+01:00",
                "Sted": "Mødelokale 1",
                "Afsluttet": concluded,
                "Navn": "Dagsorden",
                "Moededeltagere": members or [],
            },
        },
        ensure_ascii=False,
    ).encode()


DECIDED = (
    "<div><h3>Beslutning</h3><span>Godkendt.<br><br>Afbud: Jens Hansen</span></div>"
    "<h3>Fremstilling</h3><span><h4>Resume</h4><p>Sagen handler om skoler.</p>"
    "<h4>Indstilling</h4><p><em>Administrationen indstiller,</em></p>"
    "<ol><li><em>at planen godkendes,</em></li><li><em>at sagen sendes i høring.</em></li></ol>"
    "<h4>Sagens forløb</h4><p>05/02/2024 Børneudvalget</p><p>Godkendt.</p></span>"
)


def _parse(data: bytes, name: str = "moede.json"):
    return parse_document(data, name)


def test_a_meeting_and_its_items():
    members = [
        {"Name": "Anne Jensen", "Absent": False, "ParticipationCancelled": False},
        {"Name": "Jens Hansen", "Absent": False, "ParticipationCancelled": True},
        {"Name": "Ole Berg", "Absent": True, "ParticipationCancelled": False},
    ]
    parsed = _parse(_export([_item(1, "Skoleplan", DECIDED, bilag=["Bilag 1. Plan"])],
                            members=members))  # fmt: skip
    [meeting] = parsed.meetings
    assert (meeting.body, meeting.date.isoformat(), meeting.time, meeting.location) == (
        "Økonomiudvalget", "2024-03-05", "16:30", "Mødelokale 1"
    )  # fmt: skip
    assert meeting.kind == MINUTES
    assert meeting.participants == ["Anne Jensen"]
    assert meeting.absent == ["Jens Hansen", "Ole Berg"]
    [item] = meeting.items
    assert (item.number, item.title, item.case_numbers) == (1, "Skoleplan", ["24-000001"])
    assert item.decision == "Godkendt."  # the attendance note is no part of it
    assert item.recommendation == "at planen godkendes,\n\nat sagen sendes i høring."
    assert item.recommended_by == "Administrationen"
    assert [a.title for a in item.attachments] == ["Bilag 1. Plan"]
    assert list(item.sections) == ["Beslutning", "Resume", "Indstilling", "Sagens forløb"]
    assert parsed.layout == "firstagenda-api-json"
    assert parsed.review_reasons == [] and parsed.warnings == []


def test_is_open_false_is_no_closed_flag_but_a_lukket_title_closes():
    closed_html = f"<div><p>Orienteringen om {MARKER} blev taget til efterretning.</p></div>"
    parsed = _parse(_export([
        _item(1, "Godkendelse af dagsorden", DECIDED, is_open=False),
        _item(2, "Lukket: Personalesag", closed_html, case="24-009999", is_open=False),
    ]))  # fmt: skip
    first, second = parsed.meetings[0].items
    assert first.access == PUBLIC and first.decision == "Godkendt."
    assert second.access == CONFIDENTIAL and second.title == "Lukket: Personalesag"
    stored = json.dumps(parsed.to_dict(), ensure_ascii=False) + "\n".join(parsed.lines)
    assert MARKER not in stored and "24-009999" not in stored


def test_an_unconcluded_meeting_is_an_agenda_and_keeps_no_decision():
    parsed = _parse(_export([_item(1, "Skoleplan", DECIDED)], concluded=False))
    [meeting] = parsed.meetings
    assert meeting.kind == AGENDA
    assert meeting.items[0].decision is None
    assert meeting.items[0].recommendation.startswith("at planen godkendes")


def test_a_decision_of_attendance_notes_only_is_no_decision():
    html = "<div><h3>Beslutning</h3><span> <br><br><br>Afbud: Jens Hansen</span></div>"
    parsed = _parse(_export([_item(15, "Underskriftsark", html)]))
    assert parsed.meetings[0].items[0].decision is None


@pytest.mark.parametrize(
    ("html", "recommendation", "by"),
    [
        (
            "<p>Administrationen indstiller at dagsordenen godkendes.</p>",
            "at dagsordenen godkendes.",
            "Administrationen",
        ),
        ("<p>Det indstilles:</p><p>At 1) planen vedtages.</p>", "At 1) planen vedtages.", None),
        (
            "<p>Det indstilles, at</p><p>Forslag til lokalplan vedtages.</p>",
            "at Forslag til lokalplan vedtages.",
            None,
        ),
        (
            "<p>Direktøren indstiller Budget 2025 til 2. behandling, herunder at det godkendes</p>",
            "Budget 2025 til 2. behandling, herunder at det godkendes",
            "Direktøren",
        ),
        ("<p>at tilskuddet bevilges.</p>", "at tilskuddet bevilges.", None),
    ],
    ids=["lead-in-at", "det-indstilles-colon", "lead-in-ends-in-at", "no-at", "no-lead-in"],
)
def test_recommendation_lead_ins(html, recommendation, by):
    text = f"<p><strong><span>Indstilling</span></strong></p>{html}"
    item = _parse(_export([_item(1, "Sag", text)])).meetings[0].items[0]
    assert (item.recommendation, item.recommended_by) == (recommendation, by)


def test_bold_captions_open_sections_but_bold_emphasis_does_not():
    html = (
        "<p><strong>Sagsbeskrivelse</strong></p><p>Tekst om sagen.</p>"
        "<p><strong>Hovedkonklusioner i kort form</strong></p><p>Mere tekst.</p>"
        "<p><strong>Økonomiske konsekvenser</strong></p><p>Ingen.</p>"
    )
    item = _parse(_export([_item(1, "Sag", html)])).meetings[0].items[0]
    assert item.sections == {
        "Sagsbeskrivelse": "Tekst om sagen.\n\nHovedkonklusioner i kort form\n\nMere tekst.",
        "Økonomiske konsekvenser": "Ingen.",
    }


def test_the_organisation_is_the_authority_the_site_spells():
    html = "<p>Eksempel Kommune og Naboby Kommune samarbejder; Eksempel Kommune betaler.</p>"
    parsed = _parse(_export([_item(1, "Sag", html)]))
    assert parsed.meetings[0].organisation == "Eksempel Kommune"


def test_no_organisation_without_a_site_that_spells_it():
    item = _item(1, "Sag", "<p>Naboby Kommune betaler.</p>")
    parsed = _parse(_export([item]))
    assert parsed.meetings[0].organisation is None


def test_json_without_items_is_refused_by_name():
    from meetings.parsing import ParseError

    with pytest.raises(ParseError) as refused:
        _parse(b'{"name": "not an agenda"}', "data.json")
    assert refused.value.source == "data.json"
    assert "FirstAgenda" in refused.value.reason


# --------------------------------------------------------------- web page

PAGE = """<html lang="da"><head><title>Børneudvalget</title>
<link href="/dist/css/eksempel.css" rel="stylesheet"></head><body><div class="container">
<nav><a><img src="/Content/img/eksempel_logo.png"></a></nav>
<h1 class="green dato">{kind} 5. marts 2024 kl. 16.30</h1>
<table class="dagsordeninfo"><tbody>
<tr><td>Udvalg:</td><td><span class="udvalg">Børneudvalget</span></td></tr>
<tr><td>Mødedato:</td><td><span class="dato">tirsdag den 5. marts 2024 kl. 16.30</span></td></tr>
<tr class="sted-container"><td>Mødested:</td><td><span class="sted">Rådhuset</span></td></tr>
<tr id="deltager-container"><td>Mødedeltagere:</td><td class="deltagere">{members}</td></tr>
</tbody></table>
<table id="dagsordenDetaljer" class="table dagsorden"><tbody>{rows}</tbody></table>
<div id="kopier_dialog" class="modal"><h4 class="modal-title">Kopier link</h4></div>
</div></body></html>"""

ROW = """<tr class="punktrow" id="punktrow_{n}"><td class="text-center punkt-tabel">
<span class="label label-default">{n}</span></td><td class="punkt-tabel">
<button class="overskrift-btn"><h2 class="overskrift text-left">{title}</h2></button>
<div class="details">{case}<div class="punkt"><h3></h3><div><div id="sagsfremstillingContainer">
<div>{text}</div></div></div></div>
<h3>Bilag</h3><ul class="list-unstyled">{bilag}</ul></div></td>
<td class="punkt-tabel"><span class="badge fil-ikon"><span class="fil-ikon-nummer">2</span>
</span><ul class="dropdown-menu"><li><a class="dropdown-item">Hent som PDF</a></li></ul>
</td></tr>"""


def _row(n, title, text, case="EMN-2024-000123", bilag=()):
    links = "".join(
        f'<li><span class="label pdf-label">PDF</span><a class="bilag-link">{b}</a></li>'
        for b in bilag
    )
    case_html = f'<span class="sagsnummer">{case}</span>' if case else ""
    return ROW.format(n=n, title=title, text=text, case=case_html, bilag=links)


def _page(rows, kind="Referat", members=""):
    return PAGE.format(kind=kind, rows="".join(rows), members=members).encode()


WEB_TEXT = (
    "<h3>Beslutninger</h3><span class='resume'><div>Godkendt.</div></span>"
    "<h3></h3><span class='resume'><div>Kort om sagen.</div></span>"
    "<h3>Beslutningspunkter</h3><span class='resume'><div>Det indstilles:</div>"
    "<div>At 1) planen vedtages.</div></span>"
    "<h3>Sagsforløb</h3><span class='resume'><div>Udvalg: Magistraten</div>"
    "<div>Sagen blev udsat.</div></span>"
)


def test_a_saved_page_reads_as_the_api_does():
    parsed = _parse(
        _page([_row(1, "Skoleplan", WEB_TEXT, bilag=["Indstilling", "Bilag 1: Plan"])],
              members="<div>Anne Jensen</div><div>Jens Hansen (Afbud)</div>"),
        "referat.html",
    )  # fmt: skip
    [meeting] = parsed.meetings
    assert parsed.layout == "firstagenda-web"
    assert (meeting.kind, meeting.body, meeting.date.isoformat(), meeting.time) == (
        MINUTES, "Børneudvalget", "2024-03-05", "16.30"
    )  # fmt: skip
    assert meeting.location == "Rådhuset"
    assert (meeting.participants, meeting.absent) == (["Anne Jensen"], ["Jens Hansen"])
    [item] = meeting.items
    assert (item.number, item.title, item.case_numbers) == (1, "Skoleplan", ["EMN-2024-000123"])
    assert item.decision == "Godkendt."
    assert item.recommendation == "At 1) planen vedtages."
    assert [a.title for a in item.attachments] == ["Indstilling", "Bilag 1: Plan"]
    # The untitled summary after the decision is no part of it.
    assert item.sections["Indledning"] == "Kort om sagen."
    assert "Sagen blev udsat." not in item.decision


def test_a_page_of_an_agenda_keeps_no_decision():
    parsed = _parse(_page([_row(1, "Skoleplan", WEB_TEXT)], kind="Dagsorden"), "d.html")
    assert parsed.meetings[0].kind == AGENDA
    assert parsed.meetings[0].items[0].decision is None


def test_a_row_labelled_lukket_punkt_is_closed():
    closed = _row(2, "Ejendomshandel", f"<p>Lukket punkt</p><p>{MARKER}</p>", case="")
    parsed = _parse(_page([_row(1, "Skoleplan", WEB_TEXT), closed]), "r.html")
    items = parsed.meetings[0].items
    assert [i.access for i in items] == [PUBLIC, CONFIDENTIAL]
    assert items[1].title == "Ejendomshandel"
    assert MARKER not in json.dumps(parsed.to_dict(), ensure_ascii=False)
    assert MARKER not in "\n".join(parsed.lines)


def test_the_page_s_organisation_comes_from_its_logo_and_its_text():
    rows = [_row(1, "Skoleplan", "<p>Eksempel Kommune ejer grunden.</p>")]
    assert _parse(_page(rows), "r.html").meetings[0].organisation == "Eksempel Kommune"


def test_an_html_page_that_is_no_publication_is_refused():
    from meetings.parsing import ParseError

    with pytest.raises(ParseError) as refused:
        _parse(b"<!DOCTYPE html><html><body><p>Hej</p></body></html>", "side.html")
    assert "FirstAgenda" in refused.value.reason
