"""SBSYS, KMD eDoc and Acadre XML exports, on fixtures of our own.

SBSYS follows the real Region Hovedstaden publication in ../shared/systems.
No eDoc or Acadre export was at hand: their fixtures are built from the
element paths OS2web's public importers read (see the readers' docstrings),
so they test what those paths say, not a real file's every quirk.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from meetings.parsing import AGENDA, CONFIDENTIAL, MINUTES, PUBLIC, ParseError, parse_document

MARKER = "Hemmeligord"


def _everything(parsed) -> str:
    return json.dumps(parsed.to_dict(), ensure_ascii=False) + "\n".join(parsed.lines)


# ------------------------------------------------------------------ SBSYS


def _field(caption, html, index):
    return (
        f"<ItemField><Caption><![CDATA[{caption}]]></Caption><Index>{index}</Index>"
        f"<HasContent>True</HasContent><Content><![CDATA[{html}]]></Content></ItemField>"
    )


def _sbsys_item(number, caption, fields, public=True, enclosures=(), case=""):
    encl = "".join(f"<Enclosure><Name><![CDATA[{e}  ]]></Name></Enclosure>" for e in enclosures)
    return (
        f"<Item><Caption><![CDATA[{caption}]]></Caption><Case><Number>{case}</Number></Case>"
        f"<Enclosures>{encl}</Enclosures><IsPublic>{public}</IsPublic><Number>{number}</Number>"
        f"<Fields>{''.join(_field(c, h, i) for i, (c, h) in enumerate(fields, 1))}</Fields></Item>"
    )


def _sbsys(items, kind="Minutes", members=("Anne Jensen", "Jens Hansen")) -> bytes:
    member_xml = "".join(
        f"<MeetingMember><ParticipationStatusAsText>{'Absent' if i else 'Participating'}"
        f"</ParticipationStatusAsText><Name><![CDATA[{m}]]></Name></MeetingMember>"
        for i, m in enumerate(members)
    )
    return (
        '\ufeff<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        f"<Publication><PublicationTypeAsEnum><![CDATA[{kind}]]></PublicationTypeAsEnum>"
        "<Agendas><Agenda><Meeting><Members>" + member_xml + "</Members>"
        "<When>05-03-2024 15:30:00</When><Where>H2</Where><Until>05-03-2024 17:00:00</Until>"
        "</Meeting><Committee><DefaultMeetingPlace>SALEN</DefaultMeetingPlace>"
        "<Name>SUNDHEDSUDVALGET</Name></Committee><Items>" + "".join(items) + "</Items>"
        "</Agenda></Agendas></Publication>"
    ).encode()


SBSYS_FIELDS = [
    ("ADMINISTRATIONENS INDSTILLING", "<p><strong>at </strong>planen godkendes.</p>"),
    ("SAGSFREMSTILLING", "<p><strong>Baggrund</strong></p><p>Sagen er gammel.</p>"),
    ("SAGEN AFGØRES AF", "<p>Regionsrådet.</p>"),
    ("SUNDHEDSUDVALGETS BESLUTNING",
     "<p><strong>1. marts 2024:</strong> Sagen udsat.</p><p>A (F) deltog ikke.</p>"
     "<p><strong>5. marts 2024:</strong> Godkendt.</p>"),
    ("REGIONSRÅDETS BESLUTNING", "<p>Tiltrådt.</p>"),
]  # fmt: skip


def test_sbsys_minutes():
    parsed = parse_document(
        _sbsys([_sbsys_item(1, "Plan", SBSYS_FIELDS, enclosures=["Bilag A"], case="24/123")]),
        "Publication1.xml",
    )
    [meeting] = parsed.meetings
    assert parsed.layout == "sbsys-publication-xml"
    assert (meeting.body, meeting.kind, meeting.location) == ("Sundhedsudvalget", MINUTES, "H2")
    assert (meeting.date.isoformat(), meeting.time) == ("2024-03-05", "15:30 - 17:00")
    assert (meeting.participants, meeting.absent) == (["Anne Jensen"], ["Jens Hansen"])
    [item] = meeting.items
    assert (item.title, item.case_numbers, item.access) == ("Plan", ["24/123"], PUBLIC)
    assert item.recommendation == "at planen godkendes."
    # This body's block of this meeting's date; not the earlier one, not another body's.
    assert item.decision == "Godkendt."
    assert [a.title for a in item.attachments] == ["Bilag A"]
    # Bold lines inside a field are emphasis: the field is the section.
    assert item.sections["SAGSFREMSTILLING"] == "Baggrund\n\nSagen er gammel."


def test_sbsys_decision_of_an_earlier_meeting_only_is_none():
    fields = [
        (
            "SUNDHEDSUDVALGETS BESLUTNING",
            "<p><strong>1. marts 2024:</strong> Sagen udsat.</p><p>5. marts 2024:</p>",
        )
    ]
    parsed = parse_document(_sbsys([_sbsys_item(1, "Plan", fields)]), "p.xml")  # fmt: skip
    assert parsed.meetings[0].items[0].decision is None


def test_sbsys_placeholder_is_no_decision_and_a_draft_is_an_agenda():
    fields = [("SUNDHEDSUDVALGETS BESLUTNING", "<p>Tomt indhold</p>")]
    minutes = parse_document(_sbsys([_sbsys_item(1, "Plan", fields)]), "p.xml")
    assert minutes.meetings[0].items[0].decision is None
    assert "SUNDHEDSUDVALGETS BESLUTNING" not in minutes.meetings[0].items[0].sections
    decided = [("SUNDHEDSUDVALGETS BESLUTNING", "<p>Godkendt.</p>")]
    agenda = parse_document(_sbsys([_sbsys_item(1, "Plan", decided)], kind="Draft"), "p.xml")
    assert agenda.meetings[0].kind == AGENDA
    assert agenda.meetings[0].items[0].decision is None


def test_sbsys_is_public_false_closes_the_item():
    closed = _sbsys_item(
        2, "Personalesag", [("SAGSFREMSTILLING", f"<p>{MARKER}</p>")], public=False,
        enclosures=[f"Notat om {MARKER}"], case="24/999",
    )  # fmt: skip
    parsed = parse_document(_sbsys([_sbsys_item(1, "Plan", SBSYS_FIELDS), closed]), "p.xml")
    items = parsed.meetings[0].items
    assert [i.access for i in items] == [PUBLIC, CONFIDENTIAL]
    assert items[1].title == "Personalesag"
    assert MARKER not in _everything(parsed) and "24/999" not in _everything(parsed)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sbsys_publication_zip_reads_its_xml_and_leaves_the_pdfs():
    xml = _sbsys([_sbsys_item(1, "Plan", SBSYS_FIELDS, enclosures=["Bilag A"])])
    data = _zip({"Publication1.xml": xml, "Enclosures/1.pdf": b"%PDF-1.4 not read",
                 "Stylesheets/x.xml": b"<xsl:stylesheet/>"})  # fmt: skip
    parsed = parse_document(data, "Publication1.zip")
    assert parsed.layout == "sbsys-publication-xml"
    assert [a.title for a in parsed.meetings[0].items[0].attachments] == ["Bilag A"]


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"},
         "holds no SBSYS publication XML"),
        ({"a.xml": _sbsys([]), "b.xml": _sbsys([])}, "more than one publication"),
    ],
    ids=["an-office-document", "two-publications"],
)  # fmt: skip
def test_a_zip_without_exactly_one_publication_is_refused(members, reason):
    with pytest.raises(ParseError) as refused:
        parse_document(_zip(members), "udgivelse.zip")
    assert reason in refused.value.reason


# ------------------------------------------------------------------- eDoc

EDOC_NS = "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"


def _edoc_element(serial, title, presentations, public="true", attachments=(), case=""):
    pres = "".join(
        f"<CasePresentation><Title>{t}</Title><Content><![CDATA[{c}]]></Content></CasePresentation>"
        for t, c in presentations
    )
    atts = "".join(f"<Attachment><Title>{a}</Title></Attachment>" for a in attachments)
    return (
        f"<AgendaElement><AccessIsPublic>{public}</AccessIsPublic><HandlingItem>"
        f"<SerialNo>{serial}</SerialNo><Title>{title}</Title><CaseNumber>{case}</CaseNumber>"
        f"<CasePresentations>{pres}</CasePresentations><Attachments>{atts}</Attachments>"
        f"</HandlingItem></AgendaElement>"
    )


def _edoc(elements, output="Summary") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Root xmlns="{EDOC_NS}">'
        f"<OutputTypeEnumName>{output}</OutputTypeEnumName>"
        "<OutputFilterIsPublic>true</OutputFilterIsPublic>"
        "<Committee><Name>Sundheds- og Forebyggelsesudvalget</Name><Meeting>"
        "<MeetingDateTime>2012-12-04T13:00:00</MeetingDateTime>"
        "<EndDateTime>2012-12-04T15:00:00</EndDateTime>"
        "<MeetingLocation>Mødecenter C</MeetingLocation><MeetingParticipants>"
        "<MeetingParticipant><Name>Lolan Ottesen</Name><Participate>true</Participate>"
        "</MeetingParticipant><MeetingParticipant><Name>Per Mortensen</Name>"
        "<Participate>false</Participate></MeetingParticipant></MeetingParticipants>"
        "<Agenda><AgendaElements>" + "".join(elements) + "</AgendaElements></Agenda>"
        "</Meeting></Committee></Root>"
    ).encode()


EDOC_PRESENTATIONS = [
    ("Sammendrag", "<p>Kort om sagen.</p>"),
    ("Beslutningen træffes af", "<p>Kommunalbestyrelsen</p>"),
    ("Indstilling", "<p>Center for Ejendomme indstiller, at</p><p>A) Arbejderne godkendes.</p>"),
    ("Sundheds- og Forebyggelsesudvalgets beslutning den 30.05.2012 Punkt 7",
     "<p>Udsat.</p>"),
    ("Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 2",
     "<p>Indstillingen godkendt</p><p>Følgende deltog ikke i behandlingen af punktet:</p>"),
]  # fmt: skip


def test_edoc_minutes():
    parsed = parse_document(
        _edoc([_edoc_element(2, "Bygningsvedligeholdelse", EDOC_PRESENTATIONS,
                             attachments=["Bygningsliste"], case="2012-28504")]),
        "edoc.xml",
    )  # fmt: skip
    [meeting] = parsed.meetings
    assert parsed.layout == "edoc-agenda-xml"
    assert (meeting.body, meeting.kind, meeting.date.isoformat(), meeting.time) == (
        "Sundheds- og Forebyggelsesudvalget", MINUTES, "2012-12-04", "13:00 - 15:00"
    )  # fmt: skip
    assert (meeting.participants, meeting.absent) == (["Lolan Ottesen"], ["Per Mortensen"])
    [item] = meeting.items
    assert (item.number, item.case_numbers) == (2, ["2012-28504"])
    assert item.recommendation == "at A) Arbejderne godkendes."
    assert item.recommended_by == "Center for Ejendomme"
    assert item.decision == "Indstillingen godkendt"
    assert [a.title for a in item.attachments] == ["Bygningsliste"]


def test_edoc_agenda_and_closed_element():
    closed = _edoc_element(3, "Personalesag", [("Sammendrag", f"<p>{MARKER}</p>")],
                           public="false", case="2012-99999")  # fmt: skip
    parsed = parse_document(
        _edoc([_edoc_element(1, "Meddelelser", EDOC_PRESENTATIONS), closed], output="Agenda"),
        "edoc.xml",
    )
    [meeting] = parsed.meetings
    assert meeting.kind == AGENDA
    assert meeting.items[0].decision is None
    assert [i.access for i in meeting.items] == [PUBLIC, CONFIDENTIAL]
    assert MARKER not in _everything(parsed) and "2012-99999" not in _everything(parsed)


def test_edoc_plain_shape():
    data = (
        "<?xml version='1.0' encoding='utf-8'?><Meeting>"
        "<MeetingState>Referat endeligt godkendt</MeetingState><Committee>Byrådet</Committee>"
        "<MeetingDate>27. august 2018</MeetingDate><MeetingTime>16:00</MeetingTime>"
        "<MeetingAgendaTypes>"
        "<MeetingAgendaType><AgendaType>Åben dagsorden</AgendaType><MeetingAgendaItems>"
        "<MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber>"
        "<FullText>Sagsfremstilling\nSagen er enkel.\n\nIndstilling\nDirektionen indstiller,"
        " at planen vedtages.\n\nBeslutning\nGodkendt.</FullText>"
        "<Document documentid='7'><Title>Plan</Title><PublishingType>SKAL PUBLICERES"
        "</PublishingType><Attachments><Attachment attachmentid='1'><Title>Bilag 1</Title>"
        "</Attachment></Attachments></Document></MeetingAgendaItem></MeetingAgendaItems>"
        "</MeetingAgendaType>"
        "<MeetingAgendaType><AgendaType>Lukket dagsorden</AgendaType><MeetingAgendaItems>"
        "<MeetingAgendaItem><AgendaItemNumber>2</AgendaItemNumber>"
        f"<FullText>{MARKER}</FullText><Document documentid='8'><Title>Salg af jord</Title>"
        "<PublishingType>SKAL PUBLICERES</PublishingType></Document></MeetingAgendaItem>"
        "</MeetingAgendaItems></MeetingAgendaType>"
        "</MeetingAgendaTypes></Meeting>"
    ).encode()
    parsed = parse_document(data, "edoc.xml")
    [meeting] = parsed.meetings
    assert (meeting.kind, meeting.body, meeting.date.isoformat(), meeting.time) == (
        MINUTES, "Byrådet", "2018-08-27", "16:00"
    )  # fmt: skip
    first, second = meeting.items
    assert (first.title, first.recommendation, first.decision) == (
        "Plan", "at planen vedtages.", "Godkendt."
    )  # fmt: skip
    assert [a.title for a in first.attachments] == ["Bilag 1"]
    assert second.access == CONFIDENTIAL and MARKER not in _everything(parsed)


# ----------------------------------------------------------------- Acadre


def _fields(**values) -> str:
    return "<fields>" + "".join(
        f'<field name="{k}"><![CDATA[{v}]]></field>' for k, v in values.items()
    ) + "</fields>"  # fmt: skip


def _acadre_item(sort, name, bullets, access="1", enclosures=(), caseno=""):
    tables = "".join(
        f'<table name="bullet">{_fields(bulletname=b, bulletcontent=c)}</table>'
        for b, c in bullets
    ) + "".join(
        f'<table name="enclosure">{_fields(name=e, access=a)}</table>' for e, a in enclosures
    )  # fmt: skip
    return (
        f'<table name="agendaitemparents">{_fields(sort=sort)}<table name="agendaitem">'
        f"{_fields(name=name, access=access, caseno=caseno)}{tables}</table></table>"
    )


def _acadre(items, **agenda_fields) -> bytes:
    members = "".join(
        f'<table name="member">{_fields(name=n, absent=a)}</table>'
        for n, a in (("Jesper Mathiesen", "0"), ("Ole Bollesen", "2"))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><root><table name="agenda">'
        + _fields(sysid="1", **agenda_fields)
        + '<table name="meeting">'
        + _fields(name="Ekstraordinært PUK", date="2013-06-20T10:30:00", location="Kaløvig")
        + members + "</table>"
        '<table name="committee">' + _fields(name="Udvalget for plan, udvikling og kultur (PUK)")
        + "</table>" + "".join(items) + "</table></root>"
    ).encode()  # fmt: skip


ACADRE_BULLETS = [
    ("Sagsfremstilling", "<p>Kulturkommune 2017.</p>"),
    ("Indstilling", "<p>Direktøren indstiller, at udvalget påbegynder arbejdet.</p>"),
    ("Beslutning i Udvalget for plan, udvikling og kultur (PUK) den 10-04-2013",
     "<p>Der indkaldes til et møde.</p>"),
    ("Beslutning i Udvalget for plan, udvikling og kultur (PUK) den 20-06-2013",
     "<p>Punktet blev drøftet.</p>"),
]  # fmt: skip


def test_acadre_minutes_keep_only_this_meetings_decision():
    item = _acadre_item(
        715,
        "Kulturkommune 2017",
        ACADRE_BULLETS,
        caseno="12/27845",
        enclosures=[("Opsamlingsnotat", "1"), (f"Notat om {MARKER}", "3")],
    )
    parsed = parse_document(_acadre([item], type="2"), "acadre.xml")  # fmt: skip
    [meeting] = parsed.meetings
    assert parsed.layout == "acadre-agenda-xml"
    assert (meeting.kind, meeting.date.isoformat(), meeting.time, meeting.location) == (
        MINUTES, "2013-06-20", "10:30", "Kaløvig"
    )  # fmt: skip
    assert meeting.body == "Udvalget for plan, udvikling og kultur (PUK)"
    assert (meeting.participants, meeting.absent) == (["Jesper Mathiesen"], ["Ole Bollesen"])
    [found] = meeting.items
    assert (found.number, found.case_numbers) == (715, ["12/27845"])
    assert found.recommendation == "at udvalget påbegynder arbejdet."
    assert found.decision == "Punktet blev drøftet."
    # A closed attachment's title is not kept, and the parse says one was left out.
    assert [a.title for a in found.attachments] == ["Opsamlingsnotat"]
    assert MARKER not in _everything(parsed)
    assert parsed.warnings == ["1 closed attachments of public items are not listed"]


def test_acadre_without_a_stated_kind_says_what_it_read():
    item = _acadre_item(1, "Sag", ACADRE_BULLETS)
    parsed = parse_document(_acadre([item]), "acadre.xml")
    assert parsed.meetings[0].kind == MINUTES
    assert any("does not say whether it is an agenda or minutes" in w for w in parsed.warnings)


def test_acadre_closed_item():
    closed = _acadre_item(2, "Personalesag", [("Sagsfremstilling", f"<p>{MARKER}</p>")],
                          access="3", caseno="13/999")  # fmt: skip
    parsed = parse_document(_acadre([_acadre_item(1, "Sag", ACADRE_BULLETS), closed],
                                    type="1"), "acadre.xml")  # fmt: skip
    items = parsed.meetings[0].items
    assert [i.access for i in items] == [PUBLIC, CONFIDENTIAL]
    assert MARKER not in _everything(parsed) and "13/999" not in _everything(parsed)


def test_xml_of_no_known_export_is_refused_naming_its_root():
    with pytest.raises(ParseError) as refused:
        parse_document(b"<?xml version='1.0'?><rss><channel/></rss>", "feed.xml")
    assert "<rss>" in refused.value.reason
