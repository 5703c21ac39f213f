"""The agenda systems' PDFs in the archive: published whole, one meeting whatever the form.

Issue 20 found no body read from a PDF's header, so the same minutes imported as a PDF
and as `pdftotext` text of it became separate meetings of "ukendt organ". The
documents are third-party files read where they lie (../shared/systems); these tests
skip without them or without poppler's `pdftotext`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from meetings.importing import Metadata, import_file
from meetings.models import AgendaItem, Meeting, SourceDocument

SYSTEMS = Path(__file__).resolve().parents[1].parent / "shared" / "systems"
MINUTES = [
    "aarhus_byraad_referat_2025-08-27",
    "ballerup_sundheds_forebyggelsesudvalget_referat_2012-12-04",
    "syddjurs_puk_ekstraordinaert_referat_2013-06-20",
    "aarhus_moedesystemgruppen_referat_2016-10-06",
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (SYSTEMS / "docs").is_dir(), reason=f"the systems documents are not at {SYSTEMS}"
    ),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is missing"),
]


def gold_meeting(stem: str) -> dict:
    return json.loads((SYSTEMS / "gold" / f"{stem}.json").read_text(encoding="utf-8"))["meetings"][
        0
    ]


def pdftotext(pdf: Path, target: Path, *options: str) -> Path:
    subprocess.run(["pdftotext", *options, str(pdf), str(target)], check=True)
    return target


@pytest.mark.parametrize("stem", MINUTES)
def test_a_pdf_and_its_texts_are_one_meeting_of_the_named_body_in_three_versions(stem, tmp_path):
    pdf = SYSTEMS / "docs" / f"{stem}.pdf"
    files = [
        pdf,
        pdftotext(pdf, tmp_path / f"{stem}.layout.txt", "-layout"),
        pdftotext(pdf, tmp_path / f"{stem}.raw.txt"),
    ]
    outcomes = [import_file(path, Metadata()) for path in files]
    # The texts are new versions of the same meeting's minutes (issue 19's identity rule).
    assert [result.outcome for result in outcomes] == ["created", "replaced", "replaced"], [
        result.message for result in outcomes
    ]
    gold = gold_meeting(stem)
    meeting = Meeting.objects.select_related("body").get()
    assert (meeting.body.name, meeting.date.isoformat()) == (gold["body"], gold["date"])
    document = SourceDocument.objects.get(status=SourceDocument.PUBLISHED)
    assert document.versions.count() == 3
    shown = AgendaItem.objects.filter(meeting=meeting, is_current=True)
    assert {item.kind for item in shown} == {gold["kind"]}
    assert sorted(item.label for item in shown) == sorted(
        str(item["number"]) for item in gold["items"]
    )
