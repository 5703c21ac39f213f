"""CSV exports of items (search hits, decisions) as Danish spreadsheets open them.

Danish Excel splits a CSV on semicolons (the comma is the decimal sign) and
reads UTF-8 only after a byte-order mark. Links are absolute, so a row still
leads to its item once the file has left the site; every item's case numbers
have a column of their own.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from .models import AgendaItem, ItemCase

# At most this many rows in one file: an export is one bounded read.
ROW_LIMIT = 5000

HEADER = ["titel", "dato", "organ", "art", "punkt", "sagsnumre", "beslutning", "url"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: make it text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def case_numbers(items: Sequence[AgendaItem]) -> dict[int, list[str]]:
    """Each item's case numbers, in order, in one query."""
    numbers: dict[int, list[str]] = defaultdict(list)
    rows = ItemCase.objects.filter(item_id__in=[item.pk for item in items])
    for item_id, number in rows.order_by("case__number").values_list("item_id", "case__number"):
        numbers[item_id].append(number)
    return numbers


def items_csv(request: HttpRequest, items: Sequence[AgendaItem], file_name: str) -> HttpResponse:
    """Public items (their meeting and body loaded) as a CSV file to download."""
    items = list(items)
    cases = case_numbers(items)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in items:
        meeting = item.meeting
        row = [
            item.title,
            meeting.date.isoformat() if meeting.date else "",
            meeting.body.name if meeting.body else "",
            item.get_kind_display(),
            item.label,
            ", ".join(cases.get(item.pk, [])),
            item.decision,
            request.build_absolute_uri(item.get_absolute_url()),
        ]
        writer.writerow([csv_cell(value) for value in row])
    return response
