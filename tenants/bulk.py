"""Set-based bulk INSERTs (issue 22): many rows of one table in one statement,
``INSERT INTO t (a, b) SELECT * FROM unnest(%s::type_a[], %s::type_b[])``.

One array parameter per column, whatever the number of rows: no model
instance per row, no SQL compiled per row, and — unlike COPY — an ordinary
INSERT, so row-level security's WITH CHECK applies to every row (the
policy of tenants/rls.py) and the statement runs in the caller's transaction
and scope like any other. ``RETURNING`` gives the new ids in the order of the
rows (PostgreSQL inserts the rows of ``unnest`` in their order; Django's own
``bulk_create`` on PostgreSQL relies on the same).

The ground floor (imports no app of ours), so audit, mail and every chapter
use the same helper. The values are what the database takes: ints, strings,
booleans, aware datetimes, None; a JSON column takes a Python value (dumped
here with the field's encoder). Columns left out get their field's default,
computed once per call (``auto_now_add``: now), so a per-row default (a
random token) must be given explicitly. Other databases (SQLite in the demo)
fall back to ``bulk_create``: same rows, same return value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000  # rows per statement: bounded parameter size, and memory


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: str | None = "pk",
) -> list[Any]:
    """Insert ``rows`` (tuples in the order of ``fields``, attribute names such
    as ``tenant_id``) into ``model``'s table. Returns the ``returning``
    column's values in row order (the new ids by default), or [] with
    ``returning=None``."""
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    defaults = _defaults(model, {f.attname for f in given})
    columns = given + [f for f, _value in defaults]
    extra = tuple(value for _f, value in defaults)
    if connection.vendor != "postgresql":
        return _fallback(model, columns, [tuple(r) + extra for r in rows], returning)
    back = meta.pk if returning in (None, "pk") else meta.get_field(returning)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in columns)
    # JSON travels as text and is cast in the SELECT: psycopg has no array
    # of jsonb adapter for client-side binding.
    arrays = ", ".join(f"%s::{'text' if _is_json(f) else f.cast_db_type(connection)}[]" for f in columns)
    selects = ", ".join(f"{quote(f.column)}::jsonb" if _is_json(f) else quote(f.column) for f in columns)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608  # nosec B608 - identifiers from the model, values bound
        f"SELECT {selects} FROM unnest({arrays}) AS u({names})"
    )
    if returning is not None:
        sql += f" RETURNING {quote(back.column)}"
    out: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params = [
                _column(field, [row[i] for row in chunk] if i < len(given) else [extra[i - len(given)]] * len(chunk))
                for i, field in enumerate(columns)
            ]
            cursor.execute(sql, params)
            if returning is not None:
                out += [r[0] for r in cursor.fetchall()]
    return out


def _is_json(field: models.Field) -> bool:
    return isinstance(field, models.JSONField)


def _column(field: models.Field, values: list[Any]) -> list[Any]:
    if _is_json(field):
        encoder = field.encoder
        return [None if v is None else json.dumps(v, cls=encoder, ensure_ascii=False) for v in values]
    return values


def _defaults(model: type[models.Model], given: set[str]) -> list[tuple[models.Field, Any]]:
    """(field, value) for the concrete columns not given: the field's default
    once for all rows (``auto_now``/``auto_now_add``: one ``now``)."""
    now = timezone.now()
    out = []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out.append((field, now))
        elif field.has_default():
            out.append((field, field.get_default()))
        elif field.null:
            continue  # NULL, the column's own default
        elif field.has_db_default():
            continue
        elif field.empty_strings_allowed:
            out.append((field, ""))  # as Django's own INSERT writes a blank text field
        else:
            raise ValueError(f"{model._meta.label}.{field.attname} needs a value (no default)")
    return out


def _fallback(
    model: type[models.Model], columns: list[models.Field], rows: list[tuple], returning: str | None
) -> list[Any]:
    objs = model._default_manager.bulk_create(
        [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows], batch_size=1000
    )
    if returning is None:
        return []
    name = model._meta.pk.attname if returning == "pk" else model._meta.get_field(returning).attname
    return [getattr(o, name) for o in objs]
