"""The one narrow path to a user before any tenant scope exists (issue 20;
docs/security.md, "The narrow login path").

Under PostgreSQL row-level security ``accounts_user`` shows a connection only
its tenant's users (operators, with no tenant, only under the bypass). Two
reads come before any tenant is known: the login by login ID and the
session's user on each request (and the mail links, which carry a token that
names the user). They go through two ``SECURITY DEFINER`` functions, each
returning at most **one** user row, for a login ID or for a primary key; the
caller learns the user's tenant from it and continues inside that tenant's
scope (``user_scope``), or ``operator_scope()`` for an operator.

Without row-level security (SQLite, or ``PORTAL_ROW_LEVEL_SECURITY`` off) the
same two calls are plain ORM lookups with the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

from accounts.models import User
from tenants import rls
from tenants.models import Tenant
from tenants.scoping import row_scope

BY_LOGIN_ID = "portal_user_by_login_id"
BY_PK = "portal_user_by_pk"

# ``SET portal.bypass = on`` lasts for the function's own statement only
# (PostgreSQL restores it on return), so the caller gets the one row and no
# bypass. ``FORCE ROW LEVEL SECURITY`` applies to the owner too, which is why
# the function sets it rather than relying on SECURITY DEFINER alone. The
# search_path is fixed and the table schema-qualified, so no object a caller
# creates can stand in for one the function uses.
_FUNCTIONS = """
CREATE OR REPLACE FUNCTION {schema}.{by_login_id}(p_login_id text)
RETURNS SETOF {schema}.accounts_user
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET portal.bypass = 'on'
AS $$ SELECT * FROM {schema}.accounts_user
      WHERE upper(email::text) = upper(p_login_id) ORDER BY id LIMIT 1 $$;
CREATE OR REPLACE FUNCTION {schema}.{by_pk}(p_user_id bigint)
RETURNS SETOF {schema}.accounts_user
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET portal.bypass = 'on'
AS $$ SELECT * FROM {schema}.accounts_user WHERE id = p_user_id $$;
"""


def install_functions(using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """post_migrate: (re)create the two functions, owned by the role that
    migrates (the tables' owner). Idempotent, like the policies."""
    conn = connections[using]
    if conn.vendor != "postgresql" or User._meta.db_table not in conn.introspection.table_names():
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = conn.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(_FUNCTIONS.format(schema=schema, by_login_id=BY_LOGIN_ID, by_pk=BY_PK))


def user_by_login_id(login_id: str) -> User | None:
    """The user with this login ID (case-insensitive), its tenant loaded."""
    login_id = (login_id or "").strip()
    if not login_id:
        return None
    if not rls.enabled():
        return User.all_objects.select_related("tenant").filter(email__iexact=login_id).first()
    return _through(BY_LOGIN_ID, login_id)


def user_by_pk(pk: Any) -> User | None:
    """The user with this primary key (the session's), its tenant loaded."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not rls.enabled():
        return User.all_objects.select_related("tenant").filter(pk=pk).first()
    return _through(BY_PK, pk)


@contextmanager
def user_scope(user: User) -> Iterator[None]:
    """Continue with a user found through this path: inside its tenant's
    scope, or ``operator_scope()`` for an operator (no statement when the
    current scope already covers it)."""
    with row_scope(user.tenant_id):
        yield


def _through(function: str, param: Any) -> User | None:
    """One statement: the function's row and its tenant (the tenants table
    is not tenant-owned), as ``select_related("tenant")`` would."""
    user_fields = User._meta.concrete_fields
    tenant_fields = Tenant._meta.concrete_fields
    qn = connection.ops.quote_name
    columns = [f"u.{qn(f.column)}" for f in user_fields] + [f"t.{qn(f.column)}" for f in tenant_fields]
    # Only identifiers are formatted in (the model's columns, one of the two
    # function names above); the value is a bound parameter.
    # SCOPE_FREE: the function sets its own bypass, so it needs no reset of
    # a scope the last request left on the connection (tenants/rls.py).
    sql = rls.SCOPE_FREE + f"SELECT {', '.join(columns)} FROM {function}(%s) u LEFT JOIN {qn(Tenant._meta.db_table)} t ON t.id = u.tenant_id"  # noqa: S608, E501  # nosec B608 - identifiers only, see above
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    user = _from_db(User, row[: len(user_fields)])
    tenant = _from_db(Tenant, row[len(user_fields) :]) if row[len(user_fields)] is not None else None
    User._meta.get_field("tenant").set_cached_value(user, tenant)
    return user  # type: ignore[return-value]


def _from_db(model: type[Model], values: Sequence[Any]) -> Model:
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def save_last_login(sender: Any, user: User, **kwargs: Any) -> None:
    """user_logged_in: Django's ``update_last_login``, in the user's scope
    (login runs before the request has one)."""
    from django.contrib.auth.models import update_last_login

    with user_scope(user):
        update_last_login(sender, user, **kwargs)


def in_token_users_scope[T](func: Callable[..., T]) -> Callable[..., T]:
    """For the services that complete a mail link (``token=``, found before
    any scope): run them in the scope of the link's user."""

    @wraps(func)
    def wrapper(*args: Any, token: Any, **kwargs: Any) -> T:
        with user_scope(token.user):
            return func(*args, token=token, **kwargs)

    return wrapper
