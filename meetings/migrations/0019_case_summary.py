"""Each case's summary for the list of cases, kept by the database.

The list showed each case's count of shown items and its first and last meeting
date by aggregating every item on every request: 75.7 ms of statements at 20,000
items, 270.6 ms at 100,000 (bench/scale_bench.py), so it would pass the web's
statement timeout at millions. Now the case row holds them, and statement-level
triggers recompute them for the cases a statement touched: a link between an
item and a case added, removed or moved, or an item whose being shown (current,
public) or meeting date changed. Every writer (importer, versions, corrections,
migrations, hand-written SQL) is covered without knowing of it.
"""

from django.db import migrations, models

REFRESH_SQL = """
CREATE FUNCTION meetings_refresh_cases(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE meetings_case AS c
       SET shown_items = s.n, first_date = s.first, last_date = s.last
      FROM (
        SELECT t.id, agg.n, agg.first, agg.last
          FROM unnest(ids) AS t(id)
          CROSS JOIN LATERAL (
            SELECT count(*) AS n, min(i.meeting_date) AS first, max(i.meeting_date) AS last
              FROM meetings_itemcase AS ic
              JOIN meetings_agendaitem AS i ON i.id = ic.item_id
             WHERE ic.case_id = t.id AND i.is_current AND i.access = 'public'
          ) AS agg
      ) AS s
     WHERE c.id = s.id
       AND (c.shown_items, c.first_date, c.last_date) IS DISTINCT FROM (s.n, s.first, s.last)
$$;

CREATE FUNCTION meetings_links_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(SELECT DISTINCT case_id FROM new_links));
    RETURN NULL;
END $$;

CREATE FUNCTION meetings_links_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(SELECT DISTINCT case_id FROM old_links));
    RETURN NULL;
END $$;

CREATE FUNCTION meetings_links_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(
        SELECT case_id FROM old_links UNION SELECT case_id FROM new_links));
    RETURN NULL;
END $$;

CREATE FUNCTION meetings_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(
        SELECT DISTINCT ic.case_id
          FROM new_items AS n
          JOIN old_items AS o ON o.id = n.id
          JOIN meetings_itemcase AS ic ON ic.item_id = n.id
         WHERE (o.is_current, o.access, o.meeting_date)
               IS DISTINCT FROM (n.is_current, n.access, n.meeting_date)));
    RETURN NULL;
END $$;

CREATE FUNCTION meetings_items_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(
        SELECT DISTINCT ic.case_id FROM new_items AS n
          JOIN meetings_itemcase AS ic ON ic.item_id = n.id));
    RETURN NULL;
END $$;

CREATE FUNCTION meetings_items_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_refresh_cases(ARRAY(
        SELECT DISTINCT ic.case_id FROM old_items AS o
          JOIN meetings_itemcase AS ic ON ic.item_id = o.id));
    RETURN NULL;
END $$;

-- Foreign keys are checked at commit (Django makes them deferrable), and the importer
-- inserts an item's case links before the item itself: both orders are covered.
CREATE TRIGGER case_summary_items_added AFTER INSERT ON meetings_agendaitem
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION meetings_items_added();
CREATE TRIGGER case_summary_items_removed AFTER DELETE ON meetings_agendaitem
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION meetings_items_removed();
CREATE TRIGGER case_summary_links_added AFTER INSERT ON meetings_itemcase
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION meetings_links_added();
CREATE TRIGGER case_summary_links_removed AFTER DELETE ON meetings_itemcase
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION meetings_links_removed();
CREATE TRIGGER case_summary_links_moved AFTER UPDATE ON meetings_itemcase
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_links_moved();
CREATE TRIGGER case_summary_items_changed AFTER UPDATE ON meetings_agendaitem
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_items_changed();

SELECT meetings_refresh_cases(ARRAY(SELECT id FROM meetings_case));
"""

REMOVE_SQL = """
DROP TRIGGER case_summary_items_removed ON meetings_agendaitem;
DROP TRIGGER case_summary_items_added ON meetings_agendaitem;
DROP TRIGGER case_summary_items_changed ON meetings_agendaitem;
DROP TRIGGER case_summary_links_moved ON meetings_itemcase;
DROP TRIGGER case_summary_links_removed ON meetings_itemcase;
DROP TRIGGER case_summary_links_added ON meetings_itemcase;
DROP FUNCTION meetings_items_removed();
DROP FUNCTION meetings_items_added();
DROP FUNCTION meetings_items_changed();
DROP FUNCTION meetings_links_moved();
DROP FUNCTION meetings_links_removed();
DROP FUNCTION meetings_links_added();
DROP FUNCTION meetings_refresh_cases(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0018_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="first_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="last_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="shown_items",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.OrderBy(models.F("last_date"), descending=True, nulls_last=True),
                models.F("number"),
                condition=models.Q(("shown_items__gt", 0)),
                name="case_list_order",
            ),
        ),
        migrations.RunSQL(REFRESH_SQL, REMOVE_SQL),
    ]
