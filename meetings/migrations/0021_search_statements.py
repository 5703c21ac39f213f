"""Two functions that let a search page say in one statement what took several.

- meetings_estimated_rows(statements): the planner's row estimate of each statement
  (EXPLAIN), in one round trip instead of one per estimate.
- meetings_candidates_by_index(statement): a search's candidate rows read with
  enable_seqscan off for that statement only (the function's SET clause), where the
  search sent BEGIN, set_config, the statement and COMMIT.

Both run SQL that meetings/search.py composes (its values inlined as literals by
psycopg), never text from a user.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION meetings_estimated_rows(statements text[]) RETURNS float8[]
-- Volatile: PostgreSQL runs EXPLAIN in no other kind of function (it reads nothing but plans).
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  statement text;
  plan json;
  estimates float8[] := '{}';
BEGIN
  FOREACH statement IN ARRAY statements LOOP
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || statement INTO plan;
    estimates := estimates || (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  END LOOP;
  RETURN estimates;
END
$$;

CREATE OR REPLACE FUNCTION meetings_candidates_by_index(statement text)
RETURNS TABLE (id bigint, kind text, decided boolean, rank real, body_id bigint, date date)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
AS $$
BEGIN
  -- The statement's columns are the candidates' (search._candidate_rows), in order.
  RETURN QUERY EXECUTE
    'SELECT r.id::bigint, r.kind::text, r.decided::boolean, r.rank::real, r.body_id::bigint,'
    ' r.date::date FROM (' || statement || ') AS r(id, kind, decided, rank, body_id, date)';
END
$$;
"""

REVERSE_SQL = """
DROP FUNCTION IF EXISTS meetings_candidates_by_index(text);
DROP FUNCTION IF EXISTS meetings_estimated_rows(text[]);
"""


class Migration(migrations.Migration):
    dependencies = [("meetings", "0020_case_compact_reversed")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
