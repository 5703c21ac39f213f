"""Hostile input: what an attacker or a broken client sends never gives a 500 or runs as markup.

Every public page that takes parameters is sent SQL metacharacters, NUL and
control characters, huge numbers and strings, impossible dates, Unicode
oddities (including bytes that are not UTF-8 at all) and HTML/JS, in every
output format, from fixed lists and from Hypothesis. The test client re-raises
a view's exception, so a would-be 500 fails with its traceback. Staff uploads
get the same treatment: oversized, compression bombs, lying extensions, empty.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import ImportedFile, ImportRun, Meeting, SourceDocument
from meetings.parsing import decode
from meetings.parsing.model import ParseError

from .conftest import SAMPLES

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
MARKUP = [SCRIPT, IMG, SVG, "javascript:alert(1)", "</textarea><b>x</b>", "{{ 7*7 }}{% now %}"]
SQL = ["'", '"', ";", "--", "/*", "*/", "\\", "%", "_", "' OR 1=1 --", "'; DROP TABLE x; --"]
SQL += ["%' AND '%'='", "a & | ! b", ":*", "()", "!!", '"""']
CONTROL = ["\x00", "a\x00b", "\x01\x02\x1b[31m", "\x7f\x9f", "\r\n", "\t"]
HUGE = ["x" * 100_000, "1" + "0" * 30, "-1", "-" + "9" * 25, "0", "1e400", "NaN", "inf"]
DATES = ["2024-02-30", "0000-00-00", "99999-01-01", "2024-13-01", "-2024-01-01", "2024/02/30"]
UNICODE = ["\u202eevil\u202c", "\u200f\u200e", "e\u0301\u0301\u0301", "🦆🏳️‍🌈", "\ufeff", "\uffff"]
UNICODE += ["𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ÆØÅ æøå", "İı ß"]
KINDS = {
    "markup": MARKUP,
    "sql": SQL,
    "control": CONTROL,
    "huge": HUGE,
    "dates": DATES,
    "unicode": UNICODE,
}
PAYLOADS = [payload for payloads in KINDS.values() for payload in payloads]
# Not UTF-8 at all: a lone surrogate, an overlong ".", stray bytes, a cut sequence.
RAW_BYTES = ["%ED%A0%80", "%C0%AE", "%C0%AE%C0%AE%2F", "%FF%FE", "%E2%80", "%00", "%25%00"]
FORMATS = ["html", "json", "csv", "atom", "garbage", "JSON", ""]

SEARCH_PARAMS = ["q", "organ", "aar", "fra", "til", "art", "beslutning", "moede", "sortering"]
SEARCH_PARAMS += ["side", "format"]
DECISION_PARAMS = ["body", "year", "side", "format"]
BODY = "danske-regioners-bestyrelse"
MEETING = "2011-05-26-danske-regioners-bestyrelse"
CASE = "11/872"


@pytest.fixture(autouse=True)
def _no_search_cache(settings):
    """Every request runs its search: a cached answer would hide the path under test."""
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def archive(sample_archive, db):
    return sample_archive


def assert_safe(response, *, markup: bool = True) -> str:
    """No server error, a body in the format the response claims, no payload as markup."""
    assert response.status_code < 500, (response.status_code, response.request["QUERY_STRING"])
    body = response.content.decode("utf-8")
    kind = response.get("Content-Type", "")
    if kind.startswith("application/json"):
        json.loads(body)
    elif kind.startswith("application/atom+xml"):
        ET.fromstring(response.content)
    elif kind.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
        assert rows[0][0] == "titel"
    elif markup:
        assert kind.startswith("text/html"), kind
        for payload in (
            SCRIPT,
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)>",
            "<b>x</b>",
        ):
            assert payload not in body, f"{payload!r} reflected unescaped"
        assert 'href="javascript:' not in body.lower()
    return body


def get(client, path: str, params: dict | None = None, raw: str = ""):
    """GET with parameters, or with a query string taken as is (for bytes that are not UTF-8)."""
    query = raw or urlencode(params or {})
    return client.get(f"{path}?{query}" if query else path)


# ------------------------------------------------------------------ /soeg/

# A word with a few hits in the samples: filters, facets and hits all render.
WORD = "budget"


@pytest.mark.parametrize("kind", KINDS)
def test_search_survives_the_payload_in_every_parameter(archive, client, kind):
    for payload in KINDS[kind]:
        filters = {name: payload for name in SEARCH_PARAMS if name not in ("q", "format")}
        assert_safe(get(client, "/soeg/", {"q": payload}))
        assert_safe(get(client, "/soeg/", {"q": payload, "format": "json"}))
        # In every filter of a search that has hits: the query must not end it early.
        assert_safe(get(client, "/soeg/", {"q": WORD, **filters}))


def test_search_survives_any_format(archive, client):
    for output in [*FORMATS, SCRIPT, "\x00", "x" * 100_000, "json ", "Atom"]:
        assert_safe(get(client, "/soeg/", {"q": WORD, "format": output}))


def test_the_base_word_has_hits(archive, client):
    assert get(client, "/soeg/", {"q": WORD, "format": "json"}).json()["total"] > 0


@pytest.mark.parametrize("output", ["csv", "atom"])
def test_exports_survive_hostile_queries(archive, client, output):
    for payload in MARKUP + CONTROL[:3] + UNICODE[:2] + ["x" * 100_000]:
        assert_safe(get(client, "/soeg/", {"q": f"{WORD} {payload}", "format": output}))


@pytest.mark.parametrize("raw", RAW_BYTES)
def test_search_survives_bytes_that_are_not_utf8(archive, client, raw):
    everywhere = "&".join(f"{name}={raw}" for name in SEARCH_PARAMS if name not in ("q", "format"))
    for output in ("html", "json"):
        assert_safe(get(client, "/soeg/", raw=f"q={raw}&format={output}"))
        assert_safe(get(client, "/soeg/", raw=f"q={WORD}&{everywhere}&format={output}"))


def test_a_hostile_query_is_shown_escaped_and_echoed_as_data(archive, client):
    page = assert_safe(get(client, "/soeg/", {"q": SCRIPT}))
    data = get(client, "/soeg/", {"q": SCRIPT, "format": "json"}).json()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert data["query"] == SCRIPT


@pytest.mark.parametrize("page", ["1" + "0" * 30, "-5", "0", "abc", "1.5", "", "\x00", "٣"])
def test_search_pages_out_of_range_fall_back_to_a_real_page(archive, client, page):
    data = get(client, "/soeg/", {"q": WORD, "side": page, "format": "json"}).json()

    assert 1 <= data["page"] <= max(1, data["pages"])


def test_invalid_filter_values_are_reported_not_applied(archive, client):
    params = {"q": WORD, "fra": "2024-02-30", "aar": "99999", "art": SCRIPT}
    data = get(client, "/soeg/", {**params, "format": "json"}).json()

    assert data["filters"] == {}
    assert len(data["notices"]) == 3
    assert data["total"] == get(client, "/soeg/", {"q": WORD, "format": "json"}).json()["total"]


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
PARAMS = st.dictionaries(st.sampled_from(SEARCH_PARAMS), st.one_of(TEXT, st.sampled_from(PAYLOADS)))


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=PARAMS, output=st.sampled_from(FORMATS))
def test_search_never_fails_on_generated_parameters(archive, client, params, output):
    assert_safe(get(client, "/soeg/", {"format": output, **params}))


# ------------------------------------------------------- the browse pages

BROWSE_PAGES = [
    "/",
    "/organer/",
    f"/organer/{BODY}/",
    f"/moeder/{MEETING}/",
    f"/moeder/{MEETING}/punkt/1/",
    f"/sager/{CASE}/",
    "/beslutninger/",
]
# One of each kind: the browse pages read only `side`, `format` and the decision filters.
SAMPLE_PAYLOADS = [SCRIPT, IMG, "'; --", "\x00", "1" + "0" * 30, "-1", "x" * 100_000]
SAMPLE_PAYLOADS += ["2024-02-30", "\u202eevil", "🦆", "%", "'"]


@pytest.mark.parametrize("path", BROWSE_PAGES)
def test_browse_pages_survive_hostile_parameters(archive, client, path):
    for payload in SAMPLE_PAYLOADS:
        assert_safe(get(client, path, {"side": payload, "body": payload, "year": payload}))
    for payload in (SCRIPT, "\x00", "1" + "0" * 30, "-1"):
        assert_safe(get(client, path, {"side": payload, "format": "json"}))
    for output in ("garbage", "JSON", "json\x00", SCRIPT):
        assert_safe(get(client, path, {"format": output}))
    for raw in RAW_BYTES:
        assert_safe(get(client, path, raw=f"body={raw}&year={raw}&side={raw}"))


def test_decision_filters_reject_hostile_values_visibly(archive, client):
    page = assert_safe(get(client, "/beslutninger/", {"body": SCRIPT, "year": "2024-02-30"}))

    assert page.count('class="error"') == 2


DOCUMENT_PAGES = ["/dokumenter/{pk}/", "/dokumenter/{pk}/fil"]


def test_document_pages_survive_hostile_pages_and_numbers(archive, client):
    pk = SourceDocument.objects.order_by("pk").first().pk
    for template in DOCUMENT_PAGES:
        for payload in ["1" + "0" * 30, "-1", SCRIPT, "\x00"]:
            assert_safe(get(client, template.format(pk=pk), {"side": payload, "format": "json"}))
    for number in ["9" * 30, "0", "2147483648", "9223372036854775808"]:
        for template in DOCUMENT_PAGES:
            assert get(client, template.format(pk=number)).status_code == 404


ODD_CASES = [
    "11/872.",
    "11//872",
    "11/872/../872",
    "./.",
    "..",
    "a" * 5000,
    "EMN-2024-00917;--",
    "' OR '1'='1",
    SCRIPT,
    IMG,
    "%",
    "%2F",
    "\x00",
    "11/872\x00",
    "\u202e278/11",
    "🦆",
]


@pytest.mark.parametrize("number", ODD_CASES, ids=range(len(ODD_CASES)))
def test_odd_case_numbers_give_a_clean_404(archive, client, number):
    path = f"/sager/{quote(number, safe='/')}/"
    for output in ("html", "json"):
        response = get(client, path, {"format": output})
        assert response.status_code == 404
        assert_safe(response)


@pytest.mark.parametrize("raw", RAW_BYTES + ["%2e%2e", "%2e%2e%2f%2e%2e"])
def test_paths_with_bytes_that_are_not_utf8_give_404(archive, client, raw):
    for path in (f"/sager/{raw}/", f"/organer/{raw}/", f"/moeder/{raw}/", f"/sager/11/{raw}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert_safe(response)


@pytest.mark.parametrize("number", ["9" * 30, "2147483648", "9223372036854775808", "0"])
def test_huge_item_numbers_give_404(archive, client, number):
    response = client.get(f"/moeder/{MEETING}/punkt/{number}/")

    assert response.status_code == 404


@pytest.mark.parametrize("slug", ["a" * 5000, "--", "_", "0", "x-" * 200])
def test_odd_slugs_give_404(archive, client, slug):
    for path in (f"/organer/{slug}/", f"/moeder/{slug}/", f"/moeder/{slug}/punkt/1/"):
        for output in ("html", "json"):
            response = get(client, path, {"format": output})
            assert response.status_code == 404
            assert_safe(response)


# ---------------------------------------------------------------- uploads

from .test_admin import messages_of  # noqa: E402
from .test_admin import upload as upload_and_import  # noqa: E402

UPLOAD_URL = "/admin/meetings/importrun/upload/"


@pytest.fixture
def uploader(client, db):
    user = User.objects.create(username="redaktoer", is_staff=True)  # no password to hash
    for codename in ("add_sourcedocument", "view_importrun"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def upload(client, name: str, data: bytes):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return upload_and_import(client, file)


def file_errors(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("file", []))


def pdf_with_content(*pages: bytes) -> bytes:
    """A minimal, well-formed PDF whose pages have these (FlateDecode-compressed) contents."""
    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(pages):
        stream = zlib.compress(content, 9)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i)
        )
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def text_page(*lines: str) -> bytes:
    shown = b"".join(b"(%s) Tj T* " % line.encode("latin-1") for line in lines)
    return b"BT /F1 12 Tf 14 TL 72 760 Td " + shown + b"ET"


# 40 MB of text operators: about 120 kB as a file, minutes of pypdf time unguarded.
BOMB_CONTENT = b"BT /F1 12 Tf 72 700 Td (Dagsorden punkt) Tj ET\n" * (40 * 2**20 // 48)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = pdf_with_content(BOMB_CONTENT)
    assert len(data) < 200_000
    return data


def test_a_pdf_compression_bomb_is_refused_before_its_text_is_read(bomb, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the guard let the extractor read the bomb's text")

    monkeypatch.setattr(decode, "_extract_pages", never)

    with pytest.raises(ParseError, match="unpacks to more than 8 MB"):
        decode.decode_document(bomb, "bombe.pdf")


def test_a_pdf_with_too_many_pages_is_refused(monkeypatch):
    monkeypatch.setattr(decode, "MAX_PDF_PAGES", 2)
    data = pdf_with_content(*[text_page(f"Side {n}") for n in range(3)])

    with pytest.raises(ParseError, match="the PDF has 3 pages, more than 2 allowed"):
        decode.decode_document(data, "lang.pdf")


def test_a_pdf_whose_text_is_too_long_is_refused(monkeypatch):
    monkeypatch.setattr(decode, "MAX_PDF_TEXT_CHARS", 40)
    data = pdf_with_content(text_page("Punkt 1. Godkendelse af dagsorden"), text_page("x" * 30))

    with pytest.raises(ParseError, match="text is longer than 40 characters"):
        decode.decode_document(data, "lang.pdf")


def test_a_small_pdf_under_the_limits_still_reads():
    data = pdf_with_content(text_page("Punkt 1. Godkendelse af dagsorden"), text_page("Side 2"))

    decoded = decode.decode_document(data, "referat.pdf")

    assert decoded.page_count == 2
    assert "Punkt 1. Godkendelse af dagsorden" in decoded.text
    assert decoded.text.count("\f") == 1


def test_upload_of_a_compression_bomb_fails_cleanly(uploader, bomb):
    response = upload(uploader, "bombe.pdf", bomb)

    [message] = messages_of(response)
    assert message.startswith(
        "Dokumentet bombe.pdf blev ikke importeret: PDF'ens sideindhold fylder udpakket mere end"
    )
    assert ImportRun.objects.get().failed == 1
    assert ImportedFile.objects.get().outcome == ImportedFile.FAILED
    assert not SourceDocument.objects.filter(file_name="bombe.pdf").exists()


def test_upload_over_the_real_size_cap_is_refused(uploader):
    response = upload(uploader, "referat.txt", b"Punkt 1. Godkendelse\n" * (21 * 2**20 // 21 + 1))

    assert "Filen er større end 20 MB." in file_errors(response)
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("referat.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00" * 64, "er ikke en PDF"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "og .zip-filer kan importeres"),
        ("referat.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 8, "ikke en tekstfil, men"),
        ("referat.txt", b"", "tom"),
        ("referat.pdf", b"", "tom"),
        ("referat", b"Punkt 1. Godkendelse\n", "og .zip-filer kan importeres"),
        ("referat.txt.exe", b"Punkt 1. Godkendelse\n", "og .zip-filer kan importeres"),
    ],
)
def test_upload_refuses_files_that_lie_about_what_they_are(uploader, name, data, expected):
    response = upload(uploader, name, data)

    assert expected in file_errors(response)
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("referat.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n"),
        ("referat.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"),
        ("referat.txt", b"\xff\xfe\x00\xd8\x00\xd8"),
        ("referat.txt", b"\x01\x02\x03\x04" * 100),
    ],
)
def test_upload_of_broken_documents_fails_with_a_reason(uploader, name, data):
    meetings = Meeting.objects.count()

    response = upload(uploader, name, data)

    assert response.status_code == 200
    assert_safe(response)
    errors = file_errors(response) if "form" in response.context else ""
    if not errors:
        [message] = messages_of(response)
        assert message.startswith(f"Dokumentet {name} blev ikke importeret: ")
        assert ImportRun.objects.get().failed == 1
    assert Meeting.objects.count() == meetings
    assert not SourceDocument.objects.filter(file_name=name).exists()


@pytest.mark.parametrize("name", [f"{SCRIPT}.txt", f"{IMG}.txt", "../../etc/passwd.txt"])
def test_upload_names_are_never_markup_or_paths(uploader, name):
    data = (SAMPLES / "004_8d8a7837cce6a1ab.txt").read_bytes()

    response = upload(uploader, name, data)

    assert_safe(response)
    run = ImportRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:meetings_importrun_change", args=[run.pk]
    )
    stored = run.files.get().path
    assert "/" not in stored and not stored.startswith(".")
