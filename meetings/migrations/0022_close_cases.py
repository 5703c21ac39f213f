"""meetings_close_cases(term, wanted): the case numbers most resembling a term.

Word similarity at 0.45 (search.close_cases says why) needs pg_trgm's threshold set
for the statement: the function's SET clause does that, where the search sent BEGIN,
SET LOCAL, a statement per term and COMMIT (search.close_cases asks for every term
in one statement). `compact %> term` is what the trigram
index answers (word_similarity(term, compact) >= the threshold).
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION meetings_close_cases(term text, wanted int)
RETURNS SETOF meetings_case
LANGUAGE sql STABLE
SET pg_trgm.word_similarity_threshold = 0.45
AS $$
  SELECT * FROM meetings_case
   WHERE compact %> term
   ORDER BY word_similarity(term, compact) DESC, similarity(compact, term) DESC, number DESC
   LIMIT wanted
$$;
"""

REVERSE_SQL = "DROP FUNCTION IF EXISTS meetings_close_cases(text, int);"


class Migration(migrations.Migration):
    dependencies = [("meetings", "0021_search_statements")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
