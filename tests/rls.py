"""Production's database posture for tests (issue 15, docs/security.md):
``PORTAL_ROW_LEVEL_SECURITY`` on and the connection ``SET ROLE`` to a role
that is neither owner nor superuser. One place for the RLS tests, the
application-posture tests and ``make test-rls`` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test import override_settings

APP_ROLE = "portal_app_rls_test"


def ensure_app_role(cursor: Any, role: str = APP_ROLE) -> str:
    """The plain role, with the application's privileges on every table.
    Inside a test's transaction the GRANTs roll back with it: once per test
    (repeated GRANTs in one transaction bloat the catalog)."""
    cursor.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$;"
    )
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return role


@contextmanager
def as_application(role: str = APP_ROLE, *, logged: bool = True) -> Iterator[None]:
    """The block runs as production: RLS on, the connection as ``role``.
    ``logged=False`` switches on the driver's own cursor, so the switch does
    not count in Django's query log (the harness's statements, not the page's)."""
    connection.ensure_connection()
    with override_settings(PORTAL_ROW_LEVEL_SECURITY=True), (
        connection.cursor() if logged else connection.connection.cursor()
    ) as cursor:
        cursor.execute(f"SET ROLE {role}")
        try:
            yield
        finally:
            cursor.execute("RESET ROLE")
