"""Hand-written reads for the busiest pages: model instances from one constant statement.

Composing a queryset costs each request more than running it: the item page's query
took 2.6 ms to compile and 0.4 ms to run (20,000 items; at 1,000,000 the same). A
statement written once runs as it is, and psycopg prepares it after a few runs
(settings.PREPARE_THRESHOLD), so PostgreSQL does not plan it again either. The rows
become the models' own instances (Model.from_db, as the ORM makes them), so templates,
the JSON twins and the rules that read them do not change.

The column lists come from the models' fields, so a new field is read without an edit
here; a field a page never shows is left out by name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections, models

from archive.routing import read_alias


@dataclass(frozen=True)
class Columns:
    """The columns of one model under a table alias, in a select list."""

    model: type[models.Model]
    alias: str
    names: tuple[str, ...]  # attnames, in select-list order

    @classmethod
    def of(cls, model: type[models.Model], alias: str, leave_out: Iterable[str] = ()) -> Columns:
        left_out = set(leave_out)
        fields = [f for f in model._meta.concrete_fields if f.name not in left_out]
        return cls(model, alias, tuple(f.attname for f in fields))

    @property
    def sql(self) -> str:
        columns = {f.attname: f.column for f in self.model._meta.concrete_fields}
        return ", ".join(f'{self.alias}."{columns[name]}"' for name in self.names)

    def __len__(self) -> int:
        return len(self.names)

    def instance(self, values: Sequence) -> models.Model:
        """The model instance of these columns' values (the fields left out are deferred),
        each value converted as the ORM converts it (a JSON field's text parsed)."""
        alias = read_alias()
        connection = connections[alias]
        values = list(values)
        for position, expression, converters in self._converters(connection.vendor):
            for convert in converters:
                values[position] = convert(values[position], expression, connection)
        return self.model.from_db(alias, self.names, values)

    @functools.cache  # noqa: B019 - a handful of Columns, made once at import
    def _converters(self, vendor: str) -> list[tuple[int, models.Expression, list]]:
        """(position, column, converters) of the fields whose values the ORM converts."""
        connection = connections[read_alias()]
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        found = []
        for position, name in enumerate(self.names):
            field = fields[name]
            expression = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(expression)
            converters += field.get_db_converters(connection)
            if converters:
                found.append((position, expression, converters))
        return found


def split(row: Sequence, *parts: Columns) -> tuple[list[models.Model], Sequence]:
    """A row read as `parts` in order: their instances, and the values after them."""
    instances, start = [], 0
    for part in parts:
        instances.append(part.instance(row[start : start + len(part)]))
        start += len(part)
    return instances, row[start:]
