"""AgendaItem.is_current: the row pages show per meeting and item number, stored.

The search trigger now fires only when a column the vector reads is written,
so flipping is_current (here on every row, and in each import on the rows a
document outranks or gives back) never recomputes a search vector.
"""

from django.db import migrations, models

TRIGGER_ON_VECTOR_COLUMNS = """
DROP TRIGGER meetings_item_search_vector ON meetings_agendaitem;
CREATE TRIGGER meetings_item_search_vector
  BEFORE INSERT OR UPDATE OF
    access, title, recommendation, decision, sections, other_case_numbers, search_vector
  ON meetings_agendaitem
  FOR EACH ROW EXECUTE FUNCTION meetings_item_search_vector();
"""

TRIGGER_ON_EVERY_UPDATE = """
DROP TRIGGER meetings_item_search_vector ON meetings_agendaitem;
CREATE TRIGGER meetings_item_search_vector
  BEFORE INSERT OR UPDATE ON meetings_agendaitem
  FOR EACH ROW EXECUTE FUNCTION meetings_item_search_vector();
"""

# The ranking the pages used to compute per request: minutes over agenda ("minutes" >
# "agenda" as text), then the newest row.
MARK_CURRENT = """
UPDATE meetings_agendaitem SET is_current = true
WHERE id IN (
  SELECT DISTINCT ON (meeting_id, number) id FROM meetings_agendaitem
  ORDER BY meeting_id, number, kind DESC, id DESC
);
SET CONSTRAINTS ALL IMMEDIATE;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_ordered_sections"),
    ]

    operations = [
        migrations.RunSQL(TRIGGER_ON_VECTOR_COLUMNS, TRIGGER_ON_EVERY_UPDATE),
        migrations.AddField(
            model_name="agendaitem",
            name="is_current",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunSQL(MARK_CURRENT, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="agendaitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True)),
                fields=("meeting", "number"),
                name="item_current_once_per_number",
            ),
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=models.Index(
                condition=models.Q(
                    ("access", "public"),
                    ("is_current", True),
                    models.Q(("decision", ""), _negated=True),
                ),
                fields=["meeting", "number"],
                name="item_current_decisions",
            ),
        ),
    ]
