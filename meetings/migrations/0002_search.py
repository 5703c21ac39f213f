"""Full-text and case-number search, maintained by the database itself.

Why triggers and not a GENERATED column for AgendaItem.search_vector: the
vector holds the item's own case numbers, which live in meetings_itemcase /
meetings_case, and a generated column may only read its own row. So a BEFORE
trigger on the item computes the vector from one IMMUTABLE SQL function, and
statement-level triggers on meetings_itemcase (transition tables, one UPDATE
per statement, not per row) recompute it for the items whose links changed.
Whatever Django writes into the column is overwritten.

Accent folding: meetings_fold() folds é→e, ü→u, ö→o ... with the unaccent
rules, but hides æ, ø, å (and Æ, Ø, Å) from unaccent behind private-use
characters first and restores them after, because unaccent would turn
"bæredygtig" into "baeredygtig" and "sø" into "so". The same function is
applied to documents (here) and to queries (meetings/search.py). The
danish configuration itself is left untouched.

Changing meetings_item_vector later: replace the function in a new
migration and run `UPDATE meetings_agendaitem SET search_vector = NULL`
(the trigger recomputes every row).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

FUNCTIONS = r"""
CREATE FUNCTION meetings_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT translate(
    unaccent('unaccent', translate(t, 'æøåÆØÅ', U&'\E000\E001\E002\E003\E004\E005')),
    U&'\E000\E001\E002\E003\E004\E005', 'æøåÆØÅ')
$$;

-- Words a case number can be searched by, for the 'simple' configuration:
-- EMN-2024-00917 -> "emn202400917 202400917 00917"; 10/2562 -> "10/2562".
-- The danish parser splits EMN-2024-00917 into emn, -2024, -00917 (and drops
-- MOD as a stop word), so the number is never indexed in its printed form.
CREATE FUNCTION meetings_case_terms(numbers text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(string_agg(concat_ws(' ', x.compact, x.parts[1] || x.parts[2], x.parts[2]), ' '), '')
  FROM unnest(numbers) AS n(number),
       LATERAL (
         SELECT lower(regexp_replace(n.number, '[^[:alnum:]/]', '', 'g')) AS compact,
                regexp_match(n.number, '^[[:alpha:]]+-(\d{4})-(\d+)$') AS parts
       ) AS x
$$;

-- Title A; recommendation, decision and Resumé B; the other sections C (the
-- Indstilling/Beslutning sections repeat B); case numbers A. Text is capped so
-- no item can exceed the 1 MB tsvector limit.
CREATE FUNCTION meetings_item_vector(
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

CREATE FUNCTION meetings_item_search_vector() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF NEW.access <> 'public' THEN
    NEW.search_vector := NULL;  -- a confidential item is never a hit
  ELSE
    NEW.search_vector := meetings_item_vector(
      NEW.title, NEW.recommendation, NEW.decision, NEW.sections,
      NEW.other_case_numbers::text[] || ARRAY(
        SELECT c.number::text FROM meetings_itemcase ic
        JOIN meetings_case c ON c.id = ic.case_id
        WHERE ic.item_id = NEW.id ORDER BY c.number));
  END IF;
  RETURN NEW;
END
$$;

-- Touching the item re-runs its BEFORE trigger, the one place the vector is computed.
CREATE FUNCTION meetings_itemcase_refresh_items() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE meetings_agendaitem SET search_vector = NULL
     WHERE id IN (SELECT item_id FROM new_links);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE meetings_agendaitem SET search_vector = NULL
     WHERE id IN (SELECT item_id FROM old_links);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER meetings_item_search_vector
  BEFORE INSERT OR UPDATE ON meetings_agendaitem
  FOR EACH ROW EXECUTE FUNCTION meetings_item_search_vector();
CREATE TRIGGER meetings_itemcase_insert_refresh
  AFTER INSERT ON meetings_itemcase REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION meetings_itemcase_refresh_items();
CREATE TRIGGER meetings_itemcase_delete_refresh
  AFTER DELETE ON meetings_itemcase REFERENCING OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION meetings_itemcase_refresh_items();
CREATE TRIGGER meetings_itemcase_update_refresh
  AFTER UPDATE ON meetings_itemcase REFERENCING NEW TABLE AS new_links OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION meetings_itemcase_refresh_items();

UPDATE meetings_agendaitem SET search_vector = NULL;
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS meetings_itemcase_update_refresh ON meetings_itemcase;
DROP TRIGGER IF EXISTS meetings_itemcase_delete_refresh ON meetings_itemcase;
DROP TRIGGER IF EXISTS meetings_itemcase_insert_refresh ON meetings_itemcase;
DROP TRIGGER IF EXISTS meetings_item_search_vector ON meetings_agendaitem;
DROP FUNCTION IF EXISTS meetings_itemcase_refresh_items();
DROP FUNCTION IF EXISTS meetings_item_search_vector();
DROP FUNCTION IF EXISTS meetings_item_vector(text, text, text, jsonb, text[]);
DROP FUNCTION IF EXISTS meetings_case_terms(text[]);
DROP FUNCTION IF EXISTS meetings_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.AddField(
            model_name="agendaitem",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="compact",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower(
                    models.Func(
                        models.F("number"),
                        models.Value("[^[:alnum:]/]"),
                        models.Value(""),
                        models.Value("g"),
                        function="regexp_replace",
                    )
                ),
                output_field=models.CharField(max_length=40),
            ),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.AddIndex(
            model_name="agendaitem",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="item_search_vector_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["compact"], name="case_compact_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
