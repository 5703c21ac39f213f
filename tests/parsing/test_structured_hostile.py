"""Hostile and malformed exports are refused cleanly: a ParseError naming the file, one line.

Entity expansion, external entities, huge files, deep nesting, a format
behind another format's extension, illegal characters, broken ZIPs.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from meetings.parsing import ParseError, media_type, parse_document
from meetings.parsing.structured import loading

SBSYS_ITEM = (
    "<Item><Caption>Plan</Caption><IsPublic>True</IsPublic><Number>1</Number><Fields>"
    "<ItemField><Caption>SAGSFREMSTILLING</Caption><Content>{content}</Content></ItemField>"
    "</Fields></Item>"
)


def _sbsys(content: str = "Tekst", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<Publication>'
        "<PublicationTypeAsEnum>Draft</PublicationTypeAsEnum><Agendas><Agenda>"
        "<Meeting><When>05-03-2024 15:30:00</When></Meeting>"
        "<Committee><Name>SUNDHEDSUDVALGET</Name></Committee>"
        f"<Items>{SBSYS_ITEM.format(content=content)}</Items></Agenda></Agendas></Publication>"
    ).encode()


def _refused(data: bytes, name: str) -> ParseError:
    with pytest.raises(ParseError) as refused:
        parse_document(data, name)
    error = refused.value
    assert error.source == name
    assert "\n" not in str(error) and str(error).startswith(f"{name}: ")
    return error


def test_a_well_formed_fixture_reads():
    assert parse_document(_sbsys(), "p.xml").meetings[0].items[0].title == "Plan"


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)


def test_entity_expansion_is_refused_before_it_expands():
    error = _refused(_sbsys("&lol9;", prolog=BILLION_LAUGHS), "bombe.xml")
    assert "declares a document type or entities" in error.reason


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Hemmeligord", encoding="utf-8")
    prolog = f'<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
    error = _refused(_sbsys("&x;", prolog=prolog), "xxe.xml")
    assert "Hemmeligord" not in str(error)
    assert "declares a document type or entities" in error.reason


def test_a_dtd_spelled_in_utf16_is_refused_too():
    data = ("\ufeff" + _sbsys("&x;", prolog='<!DOCTYPE p [<!ENTITY x "y">]>').decode()).encode(
        "utf-16-le"
    )
    data = data.replace(b'encoding="utf-8"', b'encoding="utf-16"')
    assert "declares a document type" in _refused(data, "utf16.xml").reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("stor.json", b'{"Dagsordenpunkter": [], "pad": "' + b"x" * (50 * 2**20) + b'"}'),
        ("stor.xml", _sbsys("x" * (50 * 2**20))),
        ("stor.html", b"<html><body>" + b"<p>x</p>" * (50 * 2**20 // 8) + b"</body></html>"),
    ],
    ids=["json", "xml", "html"],
)
def test_a_50_mb_export_is_refused_by_size(name, data):
    assert "larger than 25 MB" in _refused(data, name).reason


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("dyb.json", b'{"Dagsordenpunkter": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "nested"),
        ("dyb.xml", _sbsys("<b>" * 300 + "x" + "</b>" * 300), "not well-formed"),
        ("dyb2.xml", _sbsys("<b>" * 80 + "x" + "</b>" * 80), "nested more than 64 levels"),
    ],
    ids=["json", "xml-past-libxml2", "xml-past-our-cap"],
)  # fmt: skip
def test_deep_nesting_is_refused(name, data, reason):
    assert reason in _refused(data, name).reason


def test_deeply_nested_html_in_a_field_is_refused():
    html = "&lt;div&gt;" * 200 + "x" + "&lt;/div&gt;" * 200
    assert "nested more than 128 levels" in _refused(_sbsys(html), "dyb.xml").reason


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("moede.json", _sbsys(), "application/xml"),
        ("moede.json", b"Punkt 1. Godkendelse af dagsorden\n", "text/plain"),
        ("moede.xml", b'{"Dagsordenpunkter": []}', "application/json"),
        ("moede.xml", b"Punkt 1. Godkendelse af dagsorden\n", "text/plain"),
        ("moede.html", b"%PDF-1.7\n%%EOF", "application/pdf"),
        ("moede.htm", _sbsys(), "application/xml"),
        ("moede.zip", b"<html><body>x</body></html>", "text/html"),
        ("moede.xml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain"),
    ],
)
def test_a_format_behind_another_format_s_extension_is_refused(name, data, found):
    error = _refused(data, name)
    assert error.reason == f"the file is named .{name.split('.')[-1]} but its content is {found}"


@pytest.mark.parametrize(
    "data",
    [b"<Publication><Agendas>", b"<Publication>\x00</Publication>", b"<Publication></Agendas>"],
    ids=["unclosed", "nul", "mismatched"],
)
def test_malformed_xml_is_refused(data):
    assert "not well-formed" in _refused(data, "broken.xml").reason


def test_a_stray_form_feed_reference_in_xml_is_refused():
    error = _refused(_sbsys("før&#xC;efter"), "ff.xml")
    assert "not well-formed" in error.reason and "invalid xmlChar value 12" in error.reason


def test_a_form_feed_inside_an_item_s_html_or_json_is_only_a_space():
    """In HTML (an SBSYS field, a JSON string) a &#xC; is no page break, just white space."""
    parsed = parse_document(_sbsys("&lt;p&gt;før&amp;#xC;efter&lt;/p&gt;"), "ff.xml")
    assert parsed.meetings[0].items[0].sections["SAGSFREMSTILLING"] == "før efter"
    export = {"Dagsordenpunkter": [{"Number": "1", "Caption": "Plan\fto",
                                    "Felter": [{"Html": "<p>a\u000cb</p>"}]}],
              "Moede": {"Dato": "2024-03-05T10:00:00"}}  # fmt: skip
    item = parse_document(json.dumps(export).encode(), "ff.json").meetings[0].items[0]
    assert item.title == "Plan to"
    assert "\f" not in json.dumps(item.to_dict())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"Dagsordenpunkter": [1, 2,]}', "not valid"),
        (b'{"Dagsordenpunkter": [NaN]}', "not valid"),
        (b'{"Dagsordenpunkter": [' + b"9" * 5000 + b"]}", "not valid"),
        (b'{"Dagsordenpunkter": "\x81\x8d"}', "neither UTF-8 nor Windows-1252"),
    ],
    ids=["trailing-comma", "nan", "huge-integer", "bad-bytes"],
)
def test_malformed_json_is_refused(data, reason):
    assert reason in _refused(data, "broken.json").reason


def _zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_read_only_to_its_cap(monkeypatch):
    monkeypatch.setattr(loading, "MAX_STRUCTURED_BYTES", 2**20)
    data = _zip_of({"Publication.xml": _sbsys("x" * (5 * 2**20))})
    assert len(data) < 2**20  # it compresses to a few kB
    assert "unpacks to more than 1 MB" in _refused(data, "bombe.zip").reason


def test_a_broken_zip_is_refused():
    data = _zip_of({"Publication.xml": _sbsys()})
    assert "broken" in _refused(data[:60] + b"\x00" * 40, "halv.zip").reason


def test_a_zip_with_too_many_files_is_refused(monkeypatch):
    monkeypatch.setattr(loading, "MAX_ZIP_MEMBERS", 3)
    data = _zip_of({f"Enclosures/{n}.pdf": b"%PDF" for n in range(5)})
    assert "more than 3 files" in _refused(data, "mange.zip").reason


@pytest.mark.parametrize(
    ("data", "name", "media"),
    [
        (b"%PDF-1.7\n", "x.bin", "application/pdf"),
        (b"garbage", "x.pdf", "application/pdf"),
        (b"PK\x03\x04...", "x", "application/zip"),
        (b'\xef\xbb\xbf  {"a": 1}', "x", "application/json"),
        (b"[\n  {", "x", "application/json"),
        ("[Udkast] Referat af mødet".encode(), "x", "text/plain"),
        (b"{Udkast}", "x", "text/plain"),
        (b"<?xml version='1.0'?>\n<!-- c --><Publication/>", "x", "application/xml"),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>", "x", "text/html"),
        (b"  <!DOCTYPE html><html>", "x", "text/html"),
        (b"<body>x</body>", "x", "text/html"),
        (b"Referat\n<ingen markup>", "x", "text/plain"),
        (b"", "x", "text/plain"),
    ],
)
def test_media_type_sniffs_the_content(data, name, media):
    assert media_type(data, name) == media


def test_an_export_named_txt_is_still_read_by_its_content():
    parsed = parse_document(_sbsys(), "eksport.txt")
    assert parsed.layout == "sbsys-publication-xml"
