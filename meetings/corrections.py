"""Staff corrections of an item: its title, case numbers, decision and access.

A correction is recorded on the item (who and when; the admin's history keeps
what changed). Closing an item is the archive's one confidentiality rule
applied by hand: the item keeps number, access and title, and its content goes
from every document of its meeting (rows, stored texts, versions, original
bytes), as when minutes close an item.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import importing, persons, words
from .models import CONFIDENTIAL, AgendaItem, Case, ItemCase
from .parsing.text import normalise_case_number


def parse_case_numbers(text: str) -> list[str]:
    """Case numbers as staff type them (comma, semicolon or line separated), normalised."""
    pieces = (piece.strip() for piece in text.replace(";", ",").replace("\n", ",").split(","))
    return list(dict.fromkeys(normalise_case_number(piece) for piece in pieces if piece))


@transaction.atomic
def correct_item(
    item: AgendaItem,
    *,
    title: str,
    decision: str,
    access: str,
    case_numbers: Iterable[str],
    by: str,
) -> AgendaItem:
    """Apply staff's correction to the item (and, closing it, to its meeting's documents)."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    stamp = {"corrected_at": timezone.now(), "corrected_by": by}
    if access == CONFIDENTIAL:
        if item.access != CONFIDENTIAL:
            importing.purge_closed_elsewhere(
                item.meeting, {(item.number, item.sub)}, {(item.number, item.sub): title}, keep=None
            )
        AgendaItem.objects.filter(pk=item.pk).update(title=title, **stamp)
    else:
        words.register([title, decision])  # their parts, before the trigger reads them
        AgendaItem.objects.filter(pk=item.pk).update(title=title, decision=decision, **stamp)
        _set_cases(item, case_numbers)
    # A closed item's handler is no one's any more: the meeting's people follow the rows.
    persons.refresh_people([item.meeting_id])
    item.refresh_from_db()
    item.save(update_fields=["corrected_at"])  # the signal that renews the cached pages
    return item


def _set_cases(item: AgendaItem, numbers: Iterable[str]) -> None:
    numbers = list(dict.fromkeys(numbers))
    Case.objects.bulk_create([Case(number=n) for n in sorted(numbers)], ignore_conflicts=True)
    cases = Case.objects.filter(number__in=numbers)
    ItemCase.objects.filter(item=item).exclude(case__in=cases).delete()
    ItemCase.objects.bulk_create(
        [ItemCase(item=item, case=case) for case in cases], ignore_conflicts=True
    )
