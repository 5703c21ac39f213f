"""meetings_word_forms(word): the forms of a Danish word as one tsquery, for search.

The Danish stemmer does not cut every form of a word to one stem: sundhedsvæsen
becomes sundhedsvæs but sundhedsvæsenet sundhedsvæsen, læge læg but lægen læge,
budget budg but budgettet budget. So a query word matches the stems of itself
with the common endings of nouns, verbs and adjectives (definite -en/-et,
plural -e/-er, -ene/-erne, genitive -s) or'ed: 'sundhedsvæs' | 'sundhedsvæsen'.
Each is an exact lexeme, so the GIN index answers with a few posting lists
(a prefix, sundhedsvæs:*, merges the lists of every word it begins). A stop
word gives the empty query, as to_tsquery does, so `&&` drops it.

Called on folded text (meetings_fold), as the vectors are made of folded text.
"""

from django.db import migrations

CREATE = r"""
CREATE FUNCTION meetings_word_forms(word text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN ts_lexize('danish_stem', word) = '{}' THEN to_tsquery('danish', word)
    ELSE (
      SELECT string_agg(DISTINCT quote_literal(form), ' | ')::tsquery
      FROM unnest(ARRAY['', 'e', 'en', 'et', 'er', 'ene', 'erne', 's']) AS ending,
           unnest(ts_lexize('danish_stem', word || ending)) AS form
    )
  END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS meetings_word_forms(text);"


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_search_vector_inline"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
