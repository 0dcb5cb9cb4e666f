"""tenants/bulk.py: set-based INSERTs of many rows in one statement (issue 22)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from idchange.models import IdCountLedger
from mail.models import OutboxMessage
from tenants import bulk
from tenants.bulk import insert_rows
from tenants.scoping import operator_scope, tenant_scope
from tests.rls import as_application, ensure_app_role

pytestmark = pytest.mark.django_db

OUTBOX = ("tenant_id", "template", "to", "subject", "body", "html_body", "from_email")


def _outbox(tenant_id, n):
    return [(tenant_id, "t", [f"u{i}@example.com"], f"件名 {i}", f"本文 {i}\n<&>", "", "from@example.com")
            for i in range(n)]


def test_rows_come_back_in_order_with_defaults_and_json(tenant_a):
    with operator_scope():
        ids = insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 3))
        rows = list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk"))
    assert ids == sorted(ids) and len(ids) == 3
    assert [r.subject for r in rows] == ["件名 0", "件名 1", "件名 2"]
    assert rows[1].to == ["u1@example.com"] and rows[1].body == "本文 1\n<&>"
    # Defaults of the fields left out: status, attempts, blank text, created_at.
    assert rows[0].status == "pending" and rows[0].attempts == 0 and rows[0].last_error == ""
    assert rows[0].created_at is not None and rows[0].claimed_until is None


@pytest.mark.postgres  # the statement shape of the unnest() INSERT; SQLite takes bulk_create's path
def test_one_statement_per_chunk_and_none_for_no_rows(tenant_a, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 10)
    with operator_scope(), CaptureQueriesContext(connection) as ctx:
        assert insert_rows(OutboxMessage, OUTBOX, []) == []
        ids = insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 25))
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3 and len(ids) == 25 and len(set(ids)) == 25


def test_returning_none_and_null_values(tenant_a):
    with tenant_scope(tenant_a.pk):
        out = insert_rows(
            AuditEntry, ("tenant_id", "actor_id", "action", "data", "ip_address"),
            [(tenant_a.pk, None, "x.y", {"a": [1, "二"]}, None), (tenant_a.pk, None, "x.y", {}, "192.0.2.1")],
            returning=None,
        )
        rows = list(AuditEntry.objects.filter(action="x.y").order_by("pk"))
    assert out == []
    assert [r.data for r in rows] == [{"a": [1, "二"]}, {}]
    assert [r.ip_address for r in rows] == [None, "192.0.2.1"]


def test_a_required_field_left_out_is_refused(tenant_a):
    with pytest.raises(ValueError, match="line_id needs a value"), tenant_scope(tenant_a.pk):
        insert_rows(IdCountLedger, ("tenant_id", "count", "delta", "reason"), [(tenant_a.pk, 1, 1, "initial")])


@pytest.mark.postgres
def test_row_level_security_checks_every_row(tenant_a, tenant_b):
    """Unlike COPY, the INSERT passes the policy's WITH CHECK: as the plain
    role in tenant A's scope, rows of tenant A go in, a row of B is refused."""
    with connection.cursor() as cursor:
        ensure_app_role(cursor)
    with as_application(), tenant_scope(tenant_a.pk):
        ids = insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 2))
        assert len(ids) == 2
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 2) + _outbox(tenant_b.pk, 1))
        assert OutboxMessage.objects.count() == 2


def test_text_arrives_as_written_whatever_its_characters(tenant_a):
    """The columns travel as array literals (issue 22): quotes, backslashes,
    braces, commas, "NULL", blanks and newlines come back unchanged, and None
    is NULL."""
    nasty = ['a"b', "c\\d", "{e,f}", "NULL", "", " g ", "h\ni", "'j'", "\\\"k\\", "日本語,「」"]
    rows = [(tenant_a.pk, "t", [s], s, s, s, "from@example.com") for s in nasty]
    with operator_scope():
        ids = insert_rows(OutboxMessage, OUTBOX, rows)
        back = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=ids)}
    assert [(back[i].subject, back[i].body, back[i].to) for i in ids] == [(s, s, [s]) for s in nasty]


@pytest.mark.postgres  # the array literals' encoding; SQLite's fallback is bulk_create (see _fallback)
def test_datetimes_and_nulls_keep_their_values(tenant_a):
    at = datetime(2026, 6, 1, 0, 0, 0, 123456, tzinfo=timezone(timedelta(hours=9)))
    with operator_scope():
        ids = insert_rows(
            AuditEntry, ("tenant_id", "actor_id", "action", "data", "ip_address", "created_at"),
            [(tenant_a.pk, None, "x.z", {"n": -3, "b": True}, "192.0.2.1", at),
             (tenant_a.pk, None, "x.z", {}, None, at.astimezone(UTC))],
        )
        rows = [AuditEntry.objects.get(pk=i) for i in ids]
    assert [r.created_at for r in rows] == [at, at]
    assert rows[0].data == {"n": -3, "b": True} and rows[0].ip_address == "192.0.2.1"
    assert rows[1].data == {} and rows[1].ip_address is None


def test_array_literal_spells_plain_kinds_and_leaves_the_rest_to_psycopg():
    assert bulk._array_literal([True, False, None, 7, -1]) == "{t,f,NULL,7,-1}"
    assert bulk._array_literal([date(2026, 6, 1)]) == "{2026-06-01}"
    assert bulk._array_literal(['a"\\b']) == '{"a\\"\\\\b"}'
    assert bulk._array_literal([datetime(2026, 6, 1)]) is None  # naive: psycopg decides
    assert bulk._array_literal([1.5]) is None


def test_update_rows_sets_each_row_its_own_value_in_one_statement(tenant_a):
    from tenants.bulk import update_rows

    with operator_scope():
        ids = insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 3))
        with CaptureQueriesContext(connection) as ctx:
            assert update_rows(OutboxMessage, ("subject", "attempts"), [(ids[0], 'a"b', 2), (ids[2], "c", 5)]) == 2
        rows = {m.pk: (m.subject, m.attempts) for m in OutboxMessage.objects.filter(pk__in=ids)}
    assert rows == {ids[0]: ('a"b', 2), ids[1]: ("件名 1", 0), ids[2]: ("c", 5)}
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    assert update_rows(OutboxMessage, ("subject",), []) == 0


def test_among_filters_by_one_array_parameter(tenant_a):
    from tenants.bulk import among

    with operator_scope():
        ids = insert_rows(OutboxMessage, OUTBOX, _outbox(tenant_a.pk, 4))
        with CaptureQueriesContext(connection) as ctx:
            found = list(OutboxMessage.objects.filter(pk__in=among([ids[1], ids[3]])).values_list("pk", flat=True))
            none = list(OutboxMessage.objects.filter(pk__in=among([])))
    assert sorted(found) == [ids[1], ids[3]] and none == []
    if connection.vendor == "postgresql":
        assert "unnest" in ctx.captured_queries[0]["sql"]
