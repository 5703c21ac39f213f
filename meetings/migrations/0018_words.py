"""Words: the vocabulary table, compound parts and spelling variants in the vectors,
case numbers also without their serial's zeros.

meetings_word (meetings.words) holds every word of the public items with its compound
parts, split in Python by the Danish hunspell dictionary when an import registers it.
meetings_word_extras(text) gives, for a text, the parts of its words found there and
each word's other spelling of å/æ/ø (aa/ae/oe, ä/ö) and back (Aarhus -> århus, åbningstid
-> aabningstid). The item vector adds them with weight D after all the whole words: a
part or a variant matches below any whole word (title A, recommendation and decision B,
sections C, all unchanged), so the exact spelling ranks first and no whole-word hit or
position moves. Words not yet registered (an item written outside an import) simply have
no parts until the next registration of that word.

meetings_case_terms adds each number's serial without its leading zeros
(EMN-2025-003383 -> emn20253383, 20253383; 24-006786 -> 246786; 2011-29298 as is), which
is the term search looks a typed number up by (meetings.search.parse_query), so a number
is found however many zeros were typed.

Registering the words of an existing archive runs the splitter over its vocabulary
(about 4 ms a long word), then every vector is recomputed (as migration 0006 did).
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

SQL = r"""
CREATE FUNCTION meetings_word_extras(t text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  -- The distinct lower-case words, as the 'simple' configuration reads them (3x faster
  -- than splitting with a regular expression).
  WITH words AS (
    SELECT x AS word FROM unnest(tsvector_to_array(to_tsvector('simple', t))) AS x
    WHERE length(x) >= 3
  ), variants AS (
    SELECT w.word, v.one, replace(replace(replace(v.one, 'aa', 'å'), 'ae', 'æ'), 'oe', 'ø') AS two
    FROM words AS w,
         LATERAL (SELECT replace(replace(replace(replace(replace(
           w.word, 'æ', 'ae'), 'ø', 'oe'), 'å', 'aa'), 'ä', 'ae'), 'ö', 'oe') AS one) AS v
    WHERE w.word ~ '[æøåäö]|aa|ae|oe'
  )
  SELECT concat_ws(' ',
    (SELECT string_agg(m.parts, ' ') FROM meetings_word AS m
      WHERE m.word IN (SELECT word FROM words WHERE length(word) >= 8) AND m.parts <> ''),
    (SELECT string_agg(concat_ws(' ',
        CASE WHEN one <> word THEN one END, CASE WHEN two <> word AND two <> one THEN two END), ' ')
      FROM variants))
$$;

CREATE OR REPLACE FUNCTION meetings_case_terms(numbers text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(string_agg(concat_ws(' ', x.compact, x.parts[1] || x.parts[2], x.parts[2],
           lower(y.parts[1]) || y.parts[2] || y.serial, CASE WHEN y.parts[1] <> '' THEN y.parts[2] || y.serial END),
         ' '), '')
  FROM unnest(numbers) AS n(number),
       LATERAL (
         SELECT lower(regexp_replace(n.number, '[^[:alnum:]/]', '', 'g')) AS compact,
                regexp_match(n.number, '^[[:alpha:]]+-(\d{4})-(\d+)$') AS parts
       ) AS x,
       LATERAL (
         SELECT p AS parts, coalesce(nullif(ltrim(p[3], '0'), ''), '0') AS serial
         FROM regexp_match(n.number, '^([[:alpha:]]*)-?(\d{4}|\d{2})-(\d+)$') AS p
       ) AS y
$$;

-- As migration 0006's, with the extras of the whole text (weight D) at the end.
CREATE OR REPLACE FUNCTION meetings_item_vector(
  title text, recommendation text, decision text, sections jsonb, case_numbers text[]
) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  WITH s AS (
    SELECT x.section ->> 'heading' AS heading, x.section ->> 'text' AS text, x.n
    FROM jsonb_array_elements(
           CASE WHEN jsonb_typeof(sections) = 'array' THEN sections ELSE '[]' END
         ) WITH ORDINALITY AS x(section, n)
  ), parts AS (
    SELECT left(coalesce(title, ''), 10000) AS title,
           left(concat_ws(E'\n', recommendation, decision,
             (SELECT string_agg(s.text, E'\n' ORDER BY s.n) FROM s WHERE s.heading = 'Resumé')
           ), 200000) AS main,
           left(coalesce(
             (SELECT string_agg(s.text, E'\n' ORDER BY s.n) FROM s
               WHERE s.heading NOT IN ('Resumé', 'Indstilling', 'Beslutning', 'Beslutninger')),
             ''), 400000) AS other
  )
  SELECT
    setweight(to_tsvector('danish', meetings_fold(p.title)), 'A')
    || setweight(to_tsvector('danish', meetings_fold(p.main)), 'B')
    || setweight(to_tsvector('danish', meetings_fold(p.other)), 'C')
    || setweight(to_tsvector('simple', meetings_case_terms(case_numbers)), 'A')
    || setweight(to_tsvector('danish', meetings_fold(
         meetings_word_extras(concat_ws(E'\n', p.title, p.main, p.other)))), 'D')
  FROM parts AS p
$$;
"""

REVERSE_SQL = r"""
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

CREATE OR REPLACE FUNCTION meetings_case_terms(numbers text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(string_agg(concat_ws(' ', x.compact, x.parts[1] || x.parts[2], x.parts[2]), ' '), '')
  FROM unnest(numbers) AS n(number),
       LATERAL (
         SELECT lower(regexp_replace(n.number, '[^[:alnum:]/]', '', 'g')) AS compact,
                regexp_match(n.number, '^[[:alpha:]]+-(\d{4})-(\d+)$') AS parts
       ) AS x
$$;

DROP FUNCTION IF EXISTS meetings_word_extras(text);
"""


def register_words(apps, schema_editor):
    """The words of every public item, then every vector recomputed with their parts."""
    from meetings import words

    AgendaItem = apps.get_model("meetings", "AgendaItem")
    batch: list[str] = []
    items = AgendaItem.objects.filter(access="public").values_list(
        "title", "recommendation", "decision", "sections"
    )
    for title, recommendation, decision, sections in items.iterator(chunk_size=500):
        texts = [s.get("text", "") for s in sections if isinstance(s, dict)]
        if isinstance(sections, dict):
            texts = [str(v) for v in sections.values()]
        batch.append("\n".join([title, recommendation, decision, *texts]))
        if len(batch) >= 500:
            words.register(batch)
            batch = []
    words.register(batch)
    schema_editor.execute("UPDATE meetings_agendaitem SET search_vector = NULL")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0017_item_sub"),
    ]

    operations = [
        migrations.CreateModel(
            name="Word",
            fields=[
                ("word", models.CharField(max_length=60, primary_key=True, serialize=False)),
                ("parts", models.CharField(blank=True, default="", max_length=400)),
                ("uses", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["word"], name="word_trgm", opclasses=["gin_trgm_ops"]
                    )
                ],
            },
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.RunPython(register_words, migrations.RunPython.noop),
    ]
