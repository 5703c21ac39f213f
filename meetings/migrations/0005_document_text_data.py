"""Fill SourceDocument.text by re-parsing the stored bytes, and drop the bytes of every
document with a confidential item (by the stored items or the new parse).

The blanking is copied from meetings.importing.withheld_text as it was when this
migration was written, so later changes there do not change what this one did. A
document whose bytes no longer parse keeps an empty text (its page says the text
cannot be shown). Re-parsing costs about the time of an import: fine for the
archives that exist when this runs.
"""

import bisect

from django.db import migrations


def withheld_text(parsed) -> str:
    lines = list(parsed.lines)
    items = [item for meeting in parsed.meetings for item in meeting.items]
    starts = sorted({item.line for item in items if item.line})
    for item in items:
        if not item.is_confidential:
            continue
        if not item.line:
            return "\n" * max(len(lines) - 1, 0)
        following = bisect.bisect_right(starts, item.line)
        end = starts[following] if following < len(starts) else len(lines) + 1
        span = slice(item.line - 1, end - 1)
        lines[span] = [""] * len(lines[span])
    return "\n".join(lines)


def fill_text(apps, schema_editor):
    from meetings.parsing import ParseError, parse_document

    SourceDocument = apps.get_model("meetings", "SourceDocument")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    confidential = set(
        AgendaItem.objects.filter(access="confidential").values_list("document_id", flat=True)
    )
    for pk in list(SourceDocument.objects.values_list("pk", flat=True)):
        document = SourceDocument.objects.only("file_name", "content").get(pk=pk)
        if document.content is None:
            continue
        try:
            parsed = parse_document(bytes(document.content), document.file_name)
        except ParseError:
            parsed = None
        text = withheld_text(parsed) if parsed else ""
        if parsed and any(i.is_confidential for m in parsed.meetings for i in m.items):
            confidential.add(pk)
        changes = {"text": text}
        if pk in confidential:
            changes["content"] = None
        SourceDocument.objects.filter(pk=pk).update(**changes)


def keep_bytes_not_null(apps, schema_editor):
    # Going back, the column is NOT NULL again; the dropped bytes are gone for good.
    SourceDocument = apps.get_model("meetings", "SourceDocument")
    SourceDocument.objects.filter(content__isnull=True).update(content=b"")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_document_text"),
    ]

    operations = [
        migrations.RunPython(fill_text, keep_bytes_not_null),
    ]
