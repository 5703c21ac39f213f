"""The admin pages the project templates itself, in a real browser: the upload, an
import run, a document held for review with its versions, a decision and the changes
between two versions. axe finds nothing on any of them."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from meetings.importing import Metadata, run_upload
from meetings.models import ImportRun, SourceDocument

from .test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    DESKTOP,
    axe_script,
    axe_violations,
    browser,
    shoot,
)
from .test_document_identity import DOUBTFUL, MARCH, minutes_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests",
    ),
]


@pytest.fixture
def staff_archive(transactional_db, live_server):
    User.objects.create_superuser("redaktoer", "r@example.org", "hemmeligt-kodeord")
    stated = Metadata(body="Teknisk udvalg")
    run_upload(minutes_text(MARCH, "Vejplan", "Udsat.").encode(), "r.txt", stated, started_by="x")
    run_upload(
        minutes_text(MARCH, "Vejplan", "Godkendt.").encode(), "r.txt", stated, started_by="x"
    )
    run_upload(DOUBTFUL.encode(), "tvivl.txt", Metadata(body="Udvalget"), started_by="x")
    return live_server.url


def test_the_projects_admin_pages_pass_axe(browser, axe_script, staff_archive):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP, locale="da-DK")
    page.goto(f"{staff_archive}{reverse('admin:login')}")
    page.get_by_label("Brugernavn").fill("redaktoer")
    page.get_by_label("Adgangskode").fill("hemmeligt-kodeord")
    page.get_by_role("button", name="Log ind").click()

    revised = SourceDocument.objects.get(file_name="r.txt")
    held = SourceDocument.objects.get(file_name="tvivl.txt")
    pages = {
        "upload": reverse("admin:meetings_importrun_upload"),
        "runs": reverse("admin:meetings_importrun_changelist"),
        "run": reverse("admin:meetings_importrun_change", args=[ImportRun.objects.first().pk]),
        "documents": reverse("admin:meetings_sourcedocument_changelist"),
        "held document": reverse("admin:meetings_sourcedocument_change", args=[held.pk]),
        "publish": reverse(
            "admin:meetings_sourcedocument_publish", args=[held.pk, held.versions.get().pk]
        ),
        "changes": reverse(
            "admin:meetings_sourcedocument_changes",
            args=[revised.pk, revised.versions.get(number=2).pk],
        ),
        "meetings": reverse("admin:meetings_meeting_changelist"),
    }
    found = {}
    for name, path in pages.items():
        response = page.goto(f"{staff_archive}{path}")
        assert response.status == 200, name
        violations = axe_violations(page, axe_script)
        if violations:
            found[name] = violations
        shoot(page, f"admin-{name.replace(' ', '-')}")
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
    page.close()
