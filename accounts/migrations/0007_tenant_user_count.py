"""The per-tenant user count kept by triggers (issue 22, docs/performance.md).

Plain SQL in a migration rather than django-pgtrigger: three small triggers
need no dependency, and this is how the trigram index of 0005 is installed.

* INSERT and DELETE: statement-level triggers with transition tables, so a
  ``bulk_create`` of 10,000 users is one aggregated upsert, not 10,000.
* UPDATE: a row-level trigger on ``tenant_id`` whose WHEN clause is checked
  by the server without calling the function, so ordinary saves (which SET
  every column) cost nothing; only a user moved to another tenant counts.
  (Transition tables cannot be combined with a column list.)
* Decrements are UPDATEs only, never inserts: a tenant being deleted (its
  counter row may go first in Django's cascade) gets no phantom row.
* The function runs as the invoker. The counter table has a ``tenant_id``
  and the standard RLS policy (tenants/rls.py); the trigger only writes the
  row of the tenant whose user row the same statement wrote, so under a
  tenant scope (or the operator bypass) the policy admits it. An update that
  moves no user writes nothing, so saves outside any scope (login) are fine.
* The row is locked by the upsert until the transaction ends: concurrent
  writers of one tenant's users serialize on it (READ COMMITTED re-reads the
  committed value), so the count stays exact.
* Not caught: TRUNCATE (tests' flush truncates both tables together).

Every user counts: the list's total is all of the tenant's users, whatever
their status, so ``tenant_id`` is the only column that decides.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


INSTALL = """
CREATE OR REPLACE FUNCTION accounts_user_count_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO accounts_tenantusercount AS c (tenant_id, users)
    SELECT tenant_id, count(*) FROM new_rows WHERE tenant_id IS NOT NULL
    GROUP BY tenant_id ORDER BY tenant_id
  ON CONFLICT (tenant_id) DO UPDATE SET users = c.users + EXCLUDED.users;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_user_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts_tenantusercount AS c SET users = c.users - d.n
    FROM (SELECT tenant_id, count(*) AS n FROM old_rows WHERE tenant_id IS NOT NULL
          GROUP BY tenant_id) AS d
   WHERE c.tenant_id = d.tenant_id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_user_count_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.tenant_id IS NOT NULL THEN
    UPDATE accounts_tenantusercount SET users = users - 1 WHERE tenant_id = OLD.tenant_id;
  END IF;
  IF NEW.tenant_id IS NOT NULL THEN
    INSERT INTO accounts_tenantusercount AS c (tenant_id, users) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET users = c.users + 1;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS user_count_inserted ON accounts_user;
CREATE TRIGGER user_count_inserted AFTER INSERT ON accounts_user
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION accounts_user_count_inserted();

DROP TRIGGER IF EXISTS user_count_deleted ON accounts_user;
CREATE TRIGGER user_count_deleted AFTER DELETE ON accounts_user
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION accounts_user_count_deleted();

DROP TRIGGER IF EXISTS user_count_moved ON accounts_user;
CREATE TRIGGER user_count_moved AFTER UPDATE OF tenant_id ON accounts_user
  FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION accounts_user_count_moved();

-- The users that exist already (in the same transaction as the triggers).
INSERT INTO accounts_tenantusercount (tenant_id, users)
  SELECT tenant_id, count(*) FROM accounts_user WHERE tenant_id IS NOT NULL GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET users = EXCLUDED.users;
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS user_count_inserted ON accounts_user;
DROP TRIGGER IF EXISTS user_count_deleted ON accounts_user;
DROP TRIGGER IF EXISTS user_count_moved ON accounts_user;
DROP FUNCTION IF EXISTS accounts_user_count_inserted();
DROP FUNCTION IF EXISTS accounts_user_count_deleted();
DROP FUNCTION IF EXISTS accounts_user_count_moved();
"""


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL)


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_list_sort_indexes"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantUserCount",
            fields=[
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="tenants.tenant",
                        verbose_name="テナント",
                    ),
                ),
                ("users", models.BigIntegerField(default=0, verbose_name="ユーザ数")),
            ],
            options={
                "verbose_name": "ユーザ数",
                "verbose_name_plural": "ユーザ数",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
