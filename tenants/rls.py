"""Row-level security on PostgreSQL: the second wall behind the scoped
managers (issue 15; docs/security.md).

* Every ``TenantOwnedModel`` table, and every table whose model opts in with
  ``row_level_security = True`` (a nullable ``tenant``: the outbox, whose
  platform rows have none), gets ENABLE + FORCE ROW LEVEL SECURITY and
  one policy: a row is visible and writable only when its ``tenant_id`` equals
  the session setting ``portal.tenant_id``, or when ``portal.bypass`` is
  ``on`` (operator_scope: Django admin and platform jobs, the one explicit
  bypass path). A row with no tenant is visible only under the bypass. Applied after every ``migrate`` (post_migrate), idempotently,
  so a chapter's table added later gets it the day it is migrated.
* ``tenant_scope`` / ``operator_scope`` set the settings when
  ``PORTAL_ROW_LEVEL_SECURITY`` is on (production). It is off by default so
  the test suite's exact query counts hold; the RLS tests turn it on. The
  settings are session-level (``set_config(..., false)``) and reset when the
  scope ends, because Django runs in autocommit: a transaction-local value
  would be gone after the first statement. The reset in ``finally`` is what
  keeps a pooled connection (CONN_MAX_AGE) from carrying one tenant's value
  into the next request or Celery task.
* Superusers and table owners without FORCE bypass RLS; the application must
  connect as a role that is neither (migrations run as the owner with
  ``portal.bypass=on``).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

POLICY = "portal_tenant_isolation"
_SQL = """
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS {policy} ON {table};
CREATE POLICY {policy} ON {table}
  USING (current_setting('portal.bypass', true) = 'on'
         OR tenant_id = NULLIF(current_setting('portal.tenant_id', true), '')::bigint)
  WITH CHECK (current_setting('portal.bypass', true) = 'on'
         OR tenant_id = NULLIF(current_setting('portal.tenant_id', true), '')::bigint);
"""


def tenant_tables() -> list[str]:
    from django.apps import apps

    from tenants.scoping import TenantOwnedModel

    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if (issubclass(m, TenantOwnedModel) or getattr(m, "row_level_security", False))
        and not m._meta.proxy
        and m._meta.managed
    )


def apply_row_level_security(using: str = "default", **_: Any) -> None:
    """post_migrate: (re)create the policy on every tenant table."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        for table in tenant_tables():
            if table in existing:
                cursor.execute(_SQL.format(table=conn.ops.quote_name(table), policy=POLICY))


def enabled() -> bool:
    return (
        bool(getattr(settings, "PORTAL_ROW_LEVEL_SECURITY", False))
        and connection.vendor == "postgresql"
    )


# Statements that may run on a connection still carrying the last request's
# scope (below): the scope statements themselves, which overwrite it, and the
# narrow user lookups (accounts.services.user_lookup), whose functions set
# their own bypass and return one row whatever the connection carries.
SCOPE_FREE = "/* portal:rls-scope */ "
_CLEAN = ("", "off")


def set_scope(*, tenant_id: int | None, bypass: bool) -> tuple[str, str]:
    """Set the session's settings in one statement; returns the previous
    ones for ``restore`` (clean if the connection still carried the last
    request's scope, which this statement overwrites)."""
    pending = _left_pending(connection)
    connection.portal_rls_depth = getattr(connection, "portal_rls_depth", 0) + 1  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            SCOPE_FREE
            + "SELECT current_setting('portal.tenant_id', true), current_setting('portal.bypass', true),"
            " set_config('portal.tenant_id', %s, false), set_config('portal.bypass', %s, false)",
            [str(tenant_id or ""), "on" if bypass else "off"],
        )
        before = cursor.fetchone()
    if pending:
        # Outside a transaction the overwrite is final; inside one a rollback
        # would bring the left scope back, so the reset stays owed (and is
        # paid by the first statement after this scope, not within it).
        if not connection.in_atomic_block:
            connection.portal_rls_left = None  # type: ignore[attr-defined]
        return _CLEAN
    return (before[0] or "", before[1] or "off")


def restore(previous: tuple[str, str]) -> None:
    _scope_ended()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                SCOPE_FREE
                + "SELECT set_config('portal.tenant_id', %s, false), set_config('portal.bypass', %s, false)",
                list(previous),
            )
    except DatabaseError:
        # An aborted transaction refuses even this: the connection must not
        # be reused with the old value, so it is dropped (outside atomic) or
        # left to the rollback that follows (inside, which undoes settings
        # made in it; those made before it stay and the close is deferred).
        if not connection.in_atomic_block:
            connection.close()
        else:
            connection.needs_rollback = True


# --- One statement per request (issue 22) ------------------------------------
#
# A request's scope (tenants.middleware) is set by one statement and not
# reset when the middleware returns: the connection is marked as carrying it.
# The rest of that same request (the outer middlewares' response phase: the
# session save, a streamed body) runs with its own tenant's settings; when the
# request has finished (``request_finished``) the reset is owed to the next
# statement that is not SCOPE_FREE. The next request's own scope statement
# overwrites it (so a tenant's request costs one statement, not two); anything
# else first gets the reset (``_pay_reset``, an execute wrapper on every
# connection), so nothing outside a scope — a later anonymous request, a
# middleware before the scope — ever sees the last request's rows. The mark
# names the driver's connection it was made on: a reconnected connection
# starts clean and owes nothing.


def leave_for_next_request(previous: tuple[str, str]) -> None:
    """End a request's outermost scope without a statement (see above); a
    nested scope, whose previous settings are not clean, restores them."""
    if previous != _CLEAN or connection.in_atomic_block or connection.connection is None:
        restore(previous)
        return
    _scope_ended()
    connection.portal_rls_left = connection.connection  # type: ignore[attr-defined]
    connection.portal_rls_owed = False  # type: ignore[attr-defined]


def request_finished(**_: Any) -> None:
    """request_finished: what the request left is owed from now on."""
    if getattr(connection, "portal_rls_left", None) is not None:
        connection.portal_rls_owed = True  # type: ignore[attr-defined]


def _scope_ended() -> None:
    connection.portal_rls_depth = max(getattr(connection, "portal_rls_depth", 0) - 1, 0)  # type: ignore[attr-defined]


def _left_pending(conn: Any) -> bool:
    left = getattr(conn, "portal_rls_left", None)
    return left is not None and left is conn.connection


# The session store's own statements (Django's ORM on ``django_session``,
# which has no tenant and no policy) are scope-free too: the next request
# loads its session before its scope exists. Only a statement whose every
# table reference is that table, with no comma join, qualifies.
_SESSION_TABLE = "django_session"
_TABLE_REFS = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE|USING)\s+"?(\w+)"?', re.IGNORECASE)
_QUALIFIERS = re.compile(r'"(\w+)"\.')


def _scope_free(sql: Any) -> bool:
    if not isinstance(sql, str):
        return False
    if sql.startswith(SCOPE_FREE):
        return True
    if f'"{_SESSION_TABLE}"' not in sql:
        return False
    after_from = re.split(r'\bFROM\s+"django_session"', sql, maxsplit=1, flags=re.IGNORECASE)
    if len(after_from) == 2:  # no second FROM item (a comma join), parentheses aside
        rest = after_from[1]
        while "(" in rest and (stripped := re.sub(r"\([^()]*\)", "", rest)) != rest:
            rest = stripped
        if "," in rest:
            return False
    return set(_TABLE_REFS.findall(sql)) == {_SESSION_TABLE} and set(_QUALIFIERS.findall(sql)) <= {_SESSION_TABLE}


def _pay_reset(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    conn = context["connection"]
    if (
        _left_pending(conn)
        and getattr(conn, "portal_rls_owed", False)  # the request that left it has finished
        and not getattr(conn, "portal_rls_depth", 0)  # within a scope: its own settings hold
        and not _scope_free(sql)
    ):
        if not conn.in_atomic_block:  # as in set_scope: a rollback would undo it
            conn.portal_rls_left = None
        with conn.cursor() as cursor:
            cursor.execute(
                SCOPE_FREE + "SELECT set_config('portal.tenant_id', '', false), set_config('portal.bypass', 'off', false)"
            )
    return execute(sql, params, many, context)


def install_reset_wrapper(sender: Any = None, connection: Any = None, **_: Any) -> None:
    """connection_created: the wrapper first in the list, so a caller's own
    ``execute_wrapper()`` block (which pops the last one) is undisturbed."""
    if connection is not None and connection.vendor == "postgresql" and _pay_reset not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _pay_reset)
