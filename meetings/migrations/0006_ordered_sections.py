"""AgendaItem.sections becomes an ordered list of {"heading", "text"}.

A jsonb object keeps no key order, so the rows stored before this migration
have lost their documents' section order. It is recovered the way the item
page used to recover it: each heading is looked up in the document's stored
text from the item's first line on; headings not found follow in stored order.

The search vector function reads the list (same weights: Resumé B with the
recommendation and decision, the other sections C); converting the rows fires
the search trigger, which recomputes every converted item's vector.
meetings_sections_text() gives all of an item's section text in order, for
other SQL (search snippets) to use.
"""

import unicodedata

from django.db import migrations, models

VECTOR_FROM_LIST = r"""
CREATE FUNCTION meetings_sections_text(sections jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT string_agg(s.section ->> 'text', E'\n' ORDER BY s.n)
  FROM jsonb_array_elements(
         CASE WHEN jsonb_typeof(sections) = 'array' THEN sections ELSE '[]' END
       ) WITH ORDINALITY AS s(section, n)
$$;

-- Title A; recommendation, decision and Resumé B; the other sections C (the
-- Indstilling/Beslutning sections repeat B); case numbers A. Text is capped so
-- no item can exceed the 1 MB tsvector limit.
CREATE OR REPLACE FUNCTION meetings_item_vector(
  title text, recommendation text, decision text, sections jsonb, case_numbers text[]
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  WITH s AS (
    SELECT x.section ->> 'heading' AS heading, x.section ->> 'text' AS text, x.n
    FROM jsonb_array_elements(
           CASE WHEN jsonb_typeof(sections) = 'array' THEN sections ELSE '[]' END
         ) WITH ORDINALITY AS x(section, n)
  )
  SELECT
    setweight(to_tsvector('danish', meetings_fold(left(coalesce(title, ''), 10000))), 'A')
    || setweight(to_tsvector('danish', meetings_fold(left(concat_ws(E'\n',
         recommendation, decision,
         (SELECT string_agg(s.text, E'\n' ORDER BY s.n) FROM s WHERE s.heading = 'Resumé')
       ), 200000))), 'B')
    || setweight(to_tsvector('danish', meetings_fold(left(coalesce(
         (SELECT string_agg(s.text, E'\n' ORDER BY s.n) FROM s
           WHERE s.heading NOT IN ('Resumé', 'Indstilling', 'Beslutning', 'Beslutninger')),
         ''), 400000))), 'C')
    || setweight(to_tsvector('simple', meetings_case_terms(case_numbers)), 'A')
$$;
"""

VECTOR_FROM_OBJECT = r"""
DROP FUNCTION IF EXISTS meetings_sections_text(jsonb);

CREATE OR REPLACE FUNCTION meetings_item_vector(
  title text, recommendation text, decision text, sections jsonb, case_numbers text[]
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT
    setweight(to_tsvector('danish', meetings_fold(left(coalesce(title, ''), 10000))), 'A')
    || setweight(to_tsvector('danish', meetings_fold(left(concat_ws(E'\n',
         recommendation, decision,
         CASE WHEN jsonb_typeof(sections) = 'object' THEN sections ->> 'Resumé' END), 200000))), 'B')
    || setweight(to_tsvector('danish', meetings_fold(left(coalesce(
         CASE WHEN jsonb_typeof(sections) = 'object' THEN
           (SELECT string_agg(s.value, E'\n' ORDER BY s.key)
              FROM jsonb_each_text(sections) AS s
             WHERE s.key NOT IN ('Resumé', 'Indstilling', 'Beslutning', 'Beslutninger'))
         END, ''), 400000))), 'C')
    || setweight(to_tsvector('simple', meetings_case_terms(case_numbers)), 'A')
$$;

UPDATE meetings_agendaitem SET search_vector = NULL;
-- Fire the deferred checks the updates queued: the constraint is added back next.
SET CONSTRAINTS ALL IMMEDIATE;
"""

LIST_TO_OBJECT = """
UPDATE meetings_agendaitem SET sections = (
  SELECT coalesce(jsonb_object_agg(s ->> 'heading', s -> 'text'), '{}'::jsonb)
  FROM jsonb_array_elements(sections) AS s)
WHERE jsonb_typeof(sections) = 'array';
"""


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _in_document_order(sections, lines, start):
    """The stored sections as a list, ordered by where each heading stands in the text."""
    wanted = {_fold(heading) for heading in sections}
    found = {}
    for index in range(max(start - 1, 0), len(lines)):
        folded = _fold(lines[index].strip().rstrip(":").rstrip())
        if folded in wanted and folded not in found:
            found[folded] = index
            if len(found) == len(wanted):
                break
    headings = sorted(sections, key=lambda h: found.get(_fold(h), len(lines) + 1))
    return [{"heading": heading, "text": sections[heading]} for heading in headings]


def objects_to_lists(apps, schema_editor):
    SourceDocument = apps.get_model("meetings", "SourceDocument")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for document in SourceDocument.objects.only("text").iterator(chunk_size=100):
        lines = document.text.split("\n") if document.text else []
        rows = list(AgendaItem.objects.filter(document=document).only("sections", "line"))
        for row in rows:
            if isinstance(row.sections, dict):
                row.sections = _in_document_order(row.sections, lines, row.line or 1)
        AgendaItem.objects.bulk_update(rows, ["sections"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_document_text_data"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="agendaitem",
            name="confidential_item_keeps_no_content",
        ),
        migrations.RunSQL(VECTOR_FROM_LIST, VECTOR_FROM_OBJECT),
        migrations.RunPython(objects_to_lists, migrations.RunPython.noop),
        migrations.RunSQL(migrations.RunSQL.noop, LIST_TO_OBJECT),
        migrations.AlterField(
            model_name="agendaitem",
            name="sections",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddConstraint(
            model_name="agendaitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("access", "confidential"), _negated=True),
                    models.Q(
                        ("decision", ""),
                        ("handler", ""),
                        ("recommendation", ""),
                        ("recommended_by", ""),
                        ("title", ""),
                        ("links", []),
                        ("other_case_numbers", []),
                        ("sections", []),
                    ),
                    _connector="OR",
                ),
                name="confidential_item_keeps_no_content",
            ),
        ),
    ]
