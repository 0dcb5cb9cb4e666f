"""Issue 22: the per-tenant user count kept by database triggers
(accounts/migrations/0007) equals COUNT(*) after every write path, in the
writing transaction, under concurrency and in production's RLS posture; the
unfiltered ユーザ一覧 shows it, filtered lists still count."""

from __future__ import annotations

import threading
from http import HTTPStatus

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TenantUserCount, User
from tenants.models import Tenant
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import TenantFactory, UserFactory
from tests.rls import as_application, ensure_app_role
from tests.users.test_csv_import import apply, latest, make_csv, row, upload
from users import selectors
from users.services import user_deletion

URL = reverse("users:list")


def counter(tenant: Tenant) -> int:
    """The trigger-kept number (no row yet: no user was ever added)."""
    with operator_scope():
        return TenantUserCount.objects.filter(tenant=tenant).values_list("users", flat=True).first() or 0


def counted(tenant: Tenant) -> int:
    return User.all_objects.filter(tenant=tenant).count()


def assert_exact(*tenants: Tenant) -> None:
    for tenant in tenants:
        assert counter(tenant) == counted(tenant), tenant.code


def _new(tenant: Tenant, n: int, prefix: str) -> list[User]:
    return [User(tenant=tenant, email=f"{prefix}{i}@x.example.com", password="!") for i in range(n)]


@pytest.mark.postgres
def test_issue22_counter_follows_every_orm_write_path(tenant_a, tenant_b, alice):
    assert_exact(tenant_a, tenant_b)  # save() (the factory): alice
    User.objects.bulk_create(_new(tenant_a, 30, "a") + _new(tenant_b, 7, "b"))  # one statement, two tenants
    assert (counter(tenant_a), counter(tenant_b)) == (31, 7)
    with tenant_scope(tenant_a):
        # update() of the columns that do not decide: nothing to do.
        User.objects.filter(email__startswith="a1").update(status=User.Status.ACTIVE, affiliation="営業")
        assert_exact(tenant_a, tenant_b)
        alice.last_name = "有栖川"
        alice.save()  # every column in the SET, tenant_id unchanged
        assert_exact(tenant_a, tenant_b)
    with operator_scope():
        # update() that moves users to another tenant (an operator's fix-up).
        User.objects.filter(email__in=["a1@x.example.com", "a2@x.example.com"]).update(tenant=tenant_b)
        assert (counter(tenant_a), counter(tenant_b)) == (29, 9)
        User.objects.get(email="a3@x.example.com").delete()  # one row, with its LoginId cascade
        User.objects.filter(email__startswith="b").delete()  # a queryset across tenants
    assert_exact(tenant_a, tenant_b)
    assert counter(tenant_b) == 2


@pytest.mark.postgres
def test_issue22_the_counter_is_part_of_the_writing_transaction(tenant_a, alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.bulk_create(_new(tenant_a, 5, "r"))
        assert counter(tenant_a) == 6  # seen inside the transaction
        raise RuntimeError("roll back")
    assert counter(tenant_a) == 1 == counted(tenant_a)


@pytest.mark.postgres
def test_issue22_deleting_a_tenant_leaves_no_counter_row(tenant_a, alice, bob):
    with operator_scope():
        tenant_a.delete()
        assert not TenantUserCount.objects.filter(tenant_id=tenant_a.pk).exists()


@pytest.mark.postgres
def test_issue22_import_and_bulk_deletion_keep_the_counter(
    alice_client, alice, bob, tenant_a, django_capture_on_commit_callbacks
):
    upload(alice_client, make_csv(row("new1@a.example.com"), row("new2@a.example.com"), row("new3@a.example.com")))
    with django_capture_on_commit_callbacks(execute=True):
        apply(alice_client, latest())
    assert counter(tenant_a) == 5 == counted(tenant_a)
    with tenant_scope(tenant_a):
        ids = list(User.objects.filter(email__startswith="new").values_list("pk", flat=True))
        user_deletion.delete_users(tenant=tenant_a, actor=alice, user_ids=ids)
    assert counter(tenant_a) == 2 == counted(tenant_a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issue22_concurrent_inserts_of_one_tenant_both_count():
    """Two transactions add users to one tenant at the same time: the second
    waits on the counter row and adds to the committed value."""
    tenant = TenantFactory(code="TC000001")
    UserFactory(tenant=tenant, email="first@c.example.com")
    inside = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            inside.wait(10)
            with transaction.atomic():
                User.objects.bulk_create(_new(tenant, 3, "t2-"))  # blocks until the first commits
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        User.objects.bulk_create(_new(tenant, 4, "t1-"))
        inside.set()
        thread.join(0.5)  # the second is now waiting on the counter row
        assert thread.is_alive()
    thread.join(10)
    assert not errors
    assert counter(tenant) == 8 == counted(tenant)


@pytest.mark.postgres
def test_issue22_counter_under_row_level_security_as_the_plain_role(tenant_a, tenant_b, alice):
    """Production's posture: the trigger writes the counter row as the plain
    role, admitted by the counter table's own policy (tenant_id)."""
    with connection.cursor() as cursor:
        ensure_app_role(cursor)
    with as_application():
        with tenant_scope(tenant_a):
            User.objects.bulk_create(_new(tenant_a, 3, "p"))
            User.objects.filter(email="p0@x.example.com").delete()
            assert selectors.user_total(tenant=tenant_a) == 3
            # The counter table is behind the wall like every tenant table.
            assert list(TenantUserCount.objects.values_list("tenant_id", flat=True)) == [tenant_a.pk]
        with tenant_scope(tenant_b):
            User.objects.bulk_create(_new(tenant_b, 2, "q"))
            assert selectors.user_total(tenant=tenant_b) == 2
    assert_exact(tenant_a, tenant_b)


def test_issue22_user_total_is_the_tenants_count_on_any_database(tenant_a, tenant_b, alice, bob):
    """On SQLite (no triggers) it counts; on PostgreSQL it reads the counter."""
    User.objects.bulk_create(_new(tenant_b, 4, "b"))
    with tenant_scope(tenant_a):
        assert selectors.user_total(tenant=tenant_a) == 2
    with tenant_scope(tenant_b):
        assert selectors.user_total(tenant=tenant_b) == 4


@pytest.mark.postgres
def test_issue22_unfiltered_list_reads_the_counter_filtered_lists_count(alice_client, tenant_a, alice):
    User.objects.bulk_create(_new(tenant_a, 120, "l"))
    with CaptureQueriesContext(connection) as plain:
        response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK and response.context["paginator"].count == 121
    sql = [q["sql"] for q in plain.captured_queries]
    assert any("accounts_tenantusercount" in s for s in sql)
    assert not any("COUNT(*)" in s and "accounts_user" in s for s in sql)
    with CaptureQueriesContext(connection) as searched:
        response = alice_client.get(URL, {"q": "l1"})
    assert response.context["paginator"].count == 31  # l1, l10…l19, l100…l119
    assert any("COUNT(*)" in q["sql"] for q in searched.captured_queries)
