"""Keep each item's search vector in its row, not in the TOAST table.

An item's row is often over PostgreSQL's 2 kB TOAST threshold (its text
sections), and with the default storage the search vector (about 1.3 kB) was
moved out of the row with the text. Every search tests and ranks vectors row
by row (the index narrows, the row decides: prefixes, phrases, ts_rank_cd),
so each row tested cost a look-up in the TOAST index and its chunks: a
two-word search at 1,000,000 items read 24,800 buffers and took 35 ms. With
STORAGE MAIN the long text goes out first and the vector stays in the row:
2,500 buffers, 19 ms (EXPLAIN ANALYZE of that query on the bench database).

SET STORAGE only applies to rows written afterwards, so the table is
rewritten (VACUUM FULL, which cannot run in a transaction: this migration is
not atomic). On a large archive that holds the table for the rewrite, about a
minute per million items on a 2-core machine; on a new one it is instant.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("meetings", "0008_page_cache"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE meetings_agendaitem ALTER COLUMN search_vector SET STORAGE MAIN",
            "ALTER TABLE meetings_agendaitem ALTER COLUMN search_vector SET STORAGE EXTENDED",
        ),
        migrations.RunSQL("VACUUM FULL meetings_agendaitem", migrations.RunSQL.noop),
    ]
