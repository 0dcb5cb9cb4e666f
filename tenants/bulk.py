"""Set-based bulk INSERTs (issue 22): many rows of one table in one statement,
``INSERT INTO t (a, b) SELECT * FROM unnest(%s::type_a[], %s::type_b[])``;
``update_rows`` is the same for UPDATEs of many rows to values of their own.

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
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
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


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Set ``fields`` of many rows, each to its own value, in one statement:
    ``UPDATE t SET f = u.f FROM unnest(%s::pk[], %s::type_f[]) AS u(…)
    WHERE t.id = u.id``. ``rows`` are ``(pk, value, …)`` in the order of
    ``fields``. Cheaper than ``bulk_update``'s CASE with a branch per row
    and than a correlated subquery per row (issue 22); row-level security's
    USING applies as to any UPDATE. Returns the number of rows updated."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        objs = [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows]
        return model._default_manager.bulk_update(objs, [f.name for f in columns[1:]], batch_size=1000)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in columns)
    arrays = ", ".join(f"%s::{'text' if _is_json(f) else f.cast_db_type(connection)}[]" for f in columns)
    sets = ", ".join(
        f"{quote(f.column)} = u.{quote(f.column)}{'::jsonb' if _is_json(f) else ''}" for f in columns[1:]
    )
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS u({names}) "  # noqa: S608  # nosec B608 - identifiers from the model, values bound
        f"WHERE {table}.{pk} = u.{pk}"
    )
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(sql, [_column(f, [row[i] for row in chunk]) for i, f in enumerate(columns)])
            updated += cursor.rowcount
    return updated


def among(ids: Iterable[int]) -> Any:
    """For ``filter(pk__in=among(ids))`` with hundreds of ids (issue 22): the
    ids travel as one array parameter, ``IN (SELECT unnest(%s::bigint[]))``,
    instead of an ``IN (%s, %s, …)`` of one placeholder each, which Django
    prepares value by value and psycopg splits and quotes one by one
    (~0.2 ms a statement of 500 ids, five statements per chunk in the month
    job). PostgreSQL plans it as a join on the key's index. Other databases
    take the list as it is."""
    ids = list(ids)
    if connection.vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", (_array_literal(ids),))


def _is_json(field: models.Field) -> bool:
    return isinstance(field, models.JSONField)


def _column(field: models.Field, values: list[Any]) -> list[Any] | str:
    """One column's parameter: the array as PostgreSQL's own text literal
    (``{"a","b",NULL}``) when every value is of a plain kind, else the list
    for psycopg to adapt. Why: psycopg quotes a list element by element in
    Python (a regex per string), which cost more than the INSERT itself for
    mail bodies (~8 µs a string, issue 22); the literal is built with C
    string methods and bound as one ordinary string parameter, which the
    statement's ``::type[]`` cast parses on the server."""
    if _is_json(field):
        encoder = field.encoder
        values = [None if v is None else json.dumps(v, cls=encoder, ensure_ascii=False) for v in values]
    literal = _array_literal(values)
    return values if literal is None else literal


def _array_literal(values: list[Any]) -> str | None:
    """``values`` as an array literal, or None for a kind not handled here (a
    naive datetime, a float, bytes…: psycopg adapts those as before). Every
    non-NULL element is double-quoted with ``\\`` and ``"`` escaped, the
    array input syntax's only special characters inside quotes, so any
    text (commas, braces, quotes, "NULL") arrives as it was."""
    parts = []
    for v in values:
        kind = type(v)
        if v is None:
            parts.append("NULL")
        elif isinstance(v, str):  # SafeString too
            parts.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif kind is int:  # not bool (type() is exact): PostgreSQL spells it t/f
            parts.append(str(v))
        elif kind is bool:
            parts.append("t" if v else "f")
        elif kind is datetime and v.tzinfo is not None:
            parts.append('"' + v.isoformat() + '"')
        elif kind is date:
            parts.append(v.isoformat())
        else:
            return None
    return "{" + ",".join(parts) + "}"


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
    """Elsewhere than PostgreSQL (SQLite, the demo): ``bulk_create``, whose
    ``pre_save`` gives an ``auto_now``/``auto_now_add`` column the time of
    the insert even when a value was given (no caller here gives one)."""
    objs = model._default_manager.bulk_create(
        [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows], batch_size=1000
    )
    if returning is None:
        return []
    name = model._meta.pk.attname if returning == "pk" else model._meta.get_field(returning).attname
    return [getattr(o, name) for o in objs]
