"""meetings.search._local_setting: a PostgreSQL setting for a block of statements only.

Transactional tests, kept out of tests/test_search.py, whose module-wide archive is
one open transaction.
"""

from __future__ import annotations

import pytest

from meetings import search as searching


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("nested", [False, True])
def test_a_local_setting_ends_with_its_block_in_or_out_of_a_transaction(nested):
    from contextlib import ExitStack

    from django.db import connection, transaction

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            return cursor.fetchone()[0]

    with ExitStack() as outer:
        if nested:
            outer.enter_context(transaction.atomic())
        with searching._local_setting("enable_seqscan", "off"):
            assert setting() == "off"
        assert setting() == "on"
        with pytest.raises(ZeroDivisionError), searching._local_setting("enable_seqscan", "off"):
            1 / 0  # noqa: B018
        assert setting() == "on"
