"""What staff decide about a document's versions: publish or drop a held one, withdraw.

Each decision is one transaction and is recorded on the version (who, when,
why). Withdrawing takes a document's items off every public page, search,
feed and export at once (they are deleted from the live tables; the version
keeps its record, not its text). Publishing goes through the importer's own
publish(), so a held parse is stored exactly as an import would store it.

This module never writes items itself, and never keeps a withdrawn text.
"""

from __future__ import annotations

import difflib

from django.db import transaction
from django.utils import timezone

from . import page_cache, parsing, persons
from .importing import publish, refresh_current, remove_orphan_meetings
from .models import AgendaItem, DocumentVersion, SourceDocument, item_key


class VersionError(Exception):
    """A decision that does not apply to this version (say, publishing a shown one)."""


def publish_held(version: DocumentVersion, *, by: str) -> None:
    """Staff publish a held version: it becomes the one the pages show."""
    with transaction.atomic():
        version = _locked(version)
        if version.state != DocumentVersion.HELD:
            raise VersionError(f"version {version.number} is not held for review")
        document = version.document
        parsed = parsing.ParsedDocument.from_dict(version.parsed, version.text.split("\n"))
        for meeting in parsed.meetings:
            for item in meeting.items:
                if item_key(item.number) is None:  # 1.1.1, 3a: no row can hold the number
                    raise VersionError(f"item {item.number} has a number the archive cannot store")
        _supersede_current(document)
        _record(version, by, "")
        # The held bytes were not kept; the stored text stands in for them.
        publish(document, version, parsed, None)
        page_cache.archive_changed()


def drop_held(version: DocumentVersion, *, by: str, reason: str) -> None:
    """Staff drop a held version: it is never published; its text and parse go."""
    with transaction.atomic():
        version = _locked(version)
        if version.state != DocumentVersion.HELD:
            raise VersionError(f"version {version.number} is not held for review")
        _record(version, by, reason, state=DocumentVersion.DROPPED)
        document = version.document
        if (
            document.status == SourceDocument.HELD
            and not document.versions.exclude(state=DocumentVersion.DROPPED).exists()
        ):
            # A document that was never published and now has nothing left to review.
            document.text, document.content = "", None
            document.status = SourceDocument.WITHDRAWN
            document.save(update_fields=["text", "content", "status"])


def withdraw_version(version: DocumentVersion, *, by: str, reason: str) -> None:
    """Take one version off the archive. When it is the one shown, the newest earlier
    version that still may be shown is shown again; when none is, the document goes."""
    with transaction.atomic():
        version = _locked(version)
        if version.state in (DocumentVersion.WITHDRAWN, DocumentVersion.DROPPED):
            raise VersionError(f"version {version.number} is withdrawn already")
        was_shown = version.state == DocumentVersion.CURRENT
        _record(version, by, reason, state=DocumentVersion.WITHDRAWN)
        if not was_shown:
            return
        document = version.document
        earlier = (
            document.versions.filter(state=DocumentVersion.SUPERSEDED)
            .exclude(parsed=None)
            .order_by("-number")
            .first()
        )
        if earlier is None:
            _take_down(document)
        else:
            parsed = parsing.ParsedDocument.from_dict(earlier.parsed, earlier.text.split("\n"))
            publish(document, earlier, parsed, None)
        page_cache.archive_changed()


def withdraw_document(document: SourceDocument, *, by: str, reason: str) -> None:
    """Take the whole document off the archive: every version withdrawn, every item gone."""
    with transaction.atomic():
        document = SourceDocument.objects.select_for_update().get(pk=document.pk)
        for version in document.versions.exclude(
            state__in=[DocumentVersion.WITHDRAWN, DocumentVersion.DROPPED]
        ):
            _record(version, by, reason, state=DocumentVersion.WITHDRAWN)
        _take_down(document)
        page_cache.archive_changed()


def changes(older: DocumentVersion, newer: DocumentVersion) -> list[str]:
    """What changed between two versions' stored texts, as a unified diff's lines."""
    return list(
        difflib.unified_diff(
            older.text.splitlines(),
            newer.text.splitlines(),
            fromfile=f"v{older.number} {older.file_name}",
            tofile=f"v{newer.number} {newer.file_name}",
            lineterm="",
            n=2,
        )
    )


def _take_down(document: SourceDocument) -> None:
    meetings = list(document.meetings.all())
    AgendaItem.objects.filter(document=document).delete()
    document.meetings.clear()
    document.status = SourceDocument.WITHDRAWN
    document.text, document.content = "", None
    document.save(update_fields=["status", "text", "content"])
    remove_orphan_meetings(meetings)
    refresh_current([meeting.pk for meeting in meetings if meeting.pk])
    persons.refresh_people([meeting.pk for meeting in meetings if meeting.pk])


def _supersede_current(document: SourceDocument) -> None:
    document.versions.filter(state=DocumentVersion.CURRENT).update(state=DocumentVersion.SUPERSEDED)


def _locked(version: DocumentVersion) -> DocumentVersion:
    return DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)


def _record(version: DocumentVersion, by: str, reason: str, state: str | None = None) -> None:
    version.decided_at = timezone.now()
    version.decided_by = by
    version.decision_reason = reason
    fields = ["decided_at", "decided_by", "decision_reason"]
    if state:
        version.state = state
        fields.append("state")
        if state in (DocumentVersion.WITHDRAWN, DocumentVersion.DROPPED):
            # The record stays (hash, times, who and why); what it said does not.
            version.text, version.parsed = "", None
            fields += ["text", "parsed"]
    version.save(update_fields=fields)
