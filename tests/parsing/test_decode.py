"""decode_document: text encodings are detected, never guessed; bad input is a clear ParseError."""

from __future__ import annotations

import codecs
import io

import pytest

from meetings.parsing.decode import decode_document
from meetings.parsing.model import ParseError

DANISH = "Mødedato: 28. august 2024 – Sundhedsstyrelsen, Islands Brygge. Æble, øl og å."


def _one_line_error(data: bytes, filename: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        decode_document(data, filename)
    error = caught.value
    assert error.source == filename
    assert "\n" not in str(error)
    return error


def _pdf(pages: list[str | None]) -> bytes:
    """A PDF with one page per entry; None draws nothing on that page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    for text in pages:
        pdf.add_page()
        if text is not None:
            pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


# --- text encodings -----------------------------------------------------------


def test_utf8() -> None:
    assert decode_document(DANISH.encode("utf-8"), "a.txt").text == DANISH


def test_utf8_with_bom_drops_the_bom() -> None:
    decoded = decode_document(codecs.BOM_UTF8 + DANISH.encode("utf-8"), "a.txt")
    assert decoded.text == DANISH


def test_utf16_with_bom() -> None:
    assert decode_document(DANISH.encode("utf-16"), "a.txt").text == DANISH


def test_cp1252_danish_letters_are_read_correctly() -> None:
    decoded = decode_document("æøå ÆØÅ ’citat’ – “x”".encode("cp1252"), "a.txt")
    assert decoded.text == "æøå ÆØÅ ’citat’ – “x”"


def test_utf8_is_never_read_as_cp1252() -> None:
    # The bytes of UTF-8 "æøå" also decode as cp1252 ("Ã¦Ã¸Ã¥"): UTF-8 must win.
    assert decode_document("æøå".encode(), "a.txt").text == "æøå"


def test_bytes_undefined_in_cp1252_are_an_error() -> None:
    # 0x81 is invalid UTF-8 here and undefined in Windows-1252.
    error = _one_line_error(b"Referat \x81 fra m\xf8det", "a.txt")
    assert "Windows-1252" in error.reason and "0x81" in error.reason


def test_broken_utf8_after_a_bom_is_an_error() -> None:
    error = _one_line_error(codecs.BOM_UTF8 + b"ok \xff\xfe", "a.txt")
    assert "byte-order mark" in error.reason


def test_nul_bytes_are_binary() -> None:
    error = _one_line_error(b"Referat\x00\x00\x01\x02 binary", "a.txt")
    assert "NUL" in error.reason


def test_control_characters_are_binary() -> None:
    error = _one_line_error(bytes(range(1, 32)) * 4 + b"abc", "a.txt")
    assert "control characters" in error.reason


def test_a_few_control_characters_are_tolerated() -> None:
    text = "Punkt 1. Velkomst\x07 og dagsorden\n" * 10
    assert decode_document(text.encode(), "a.txt").text == text


def test_known_binary_formats_are_named() -> None:
    error = _one_line_error(b"PK\x03\x04" + b"\x14\x00" * 20, "referat.docx")
    assert "Office" in error.reason


def test_empty_file() -> None:
    error = _one_line_error(b"", "a.txt")
    assert "empty" in error.reason


def test_unknown_extension_that_decodes_is_text() -> None:
    assert decode_document(DANISH.encode(), "referat.dat").text == DANISH


def test_unknown_extension_that_does_not_decode_is_an_error() -> None:
    _one_line_error(b"\x00\x01\x02\x03garbage", "referat.dat")


def test_text_has_no_page_count() -> None:
    assert decode_document(b"abc", "a.txt").page_count is None


# --- PDF --------------------------------------------------------------------------


def test_pdf_pages_are_joined_with_form_feeds() -> None:
    decoded = decode_document(_pdf(["Punkt 1. Velkomst æøå", "Side 2 – Kræftplan"]), "a.pdf")
    assert decoded.page_count == 2
    first, second = decoded.text.split("\f")
    assert "Punkt 1. Velkomst æøå" in first
    assert "Kræftplan" in second


def test_pdf_is_recognised_by_its_header_without_extension() -> None:
    decoded = decode_document(_pdf(["Punkt 1. Velkomst"]), "upload.bin")
    assert "Punkt 1. Velkomst" in decoded.text


def test_pdf_without_text_layer_looks_scanned() -> None:
    error = _one_line_error(_pdf([None, None]), "scan.pdf")
    assert "no text layer" in error.reason and "scanned" in error.reason


def test_truncated_pdf() -> None:
    data = _pdf(["Punkt 1. Velkomst", "Punkt 2. Eventuelt"])
    error = _one_line_error(data[: len(data) // 2], "cut.pdf")
    assert "truncated" in error.reason


def test_corrupt_pdf() -> None:
    error = _one_line_error(b"%PDF-1.7\n" + b"\x13\x37garbage" * 50 + b"\n%%EOF\n", "bad.pdf")
    assert "PDF" in error.reason


def test_pdf_extension_without_pdf_header() -> None:
    error = _one_line_error(b"just some text", "a.pdf")
    assert "not a PDF" in error.reason


def test_encrypted_pdf_with_a_password_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(["Fortroligt referat"]))))
    writer.encrypt(user_password="hemmelig", owner_password="ejer", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = _one_line_error(buffer.getvalue(), "locked.pdf")
    assert "encrypted" in error.reason


def test_pdf_encrypted_only_against_editing_is_read() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(["Offentligt referat"]))))
    writer.encrypt(user_password="", owner_password="ejer", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Offentligt referat" in decode_document(buffer.getvalue(), "open.pdf").text


def test_text_that_mentions_the_pdf_header_is_still_text() -> None:
    text = "Noter om filformater: en PDF starter med %PDF-1.7 i sin første linje."
    assert decode_document(text.encode(), "noter.txt").text == text


def test_pdf_with_padding_after_its_end_marker_is_read() -> None:
    # An SBSYS export ends with 15 kB of NUL bytes after %%EOF: still a whole PDF.
    data = _pdf(["Punkt 1. Velkomst"]) + b"\x00" * 15_000
    assert "Punkt 1. Velkomst" in decode_document(data, "padded.pdf").text


def test_padding_does_not_hide_a_missing_end_marker() -> None:
    data = _pdf(["Punkt 1. Velkomst", "Punkt 2. Eventuelt"])
    error = _one_line_error(data[: len(data) // 2] + b"\x00" * 15_000, "cut.pdf")
    assert "truncated" in error.reason
