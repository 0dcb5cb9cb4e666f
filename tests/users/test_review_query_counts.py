"""Pages that list rows cost a constant number of queries (no N+1): the
organization tree (USER-9), 契約情報 (CONTRACT-1), a user's サービス情報 tab
(SVC-1), the bulk-delete confirmation (USER-8) and its result."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from accounts.models import Organization, OrganizationMembership, User
from tests.factories import ContractFactory, ServiceFactory, UserFactory
from tests.web.flow import confirm_fields


def _count(client, url, django_assert_max_num_queries, method="get", data=None):
    client.get(reverse("home"))  # warm the session
    with django_assert_max_num_queries(200) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    return len(ctx.captured_queries)


def test_user9_organization_tree_query_count_is_constant(alice_client, tenant_a, django_assert_max_num_queries):
    url = reverse("users:organizations")
    counts = []
    for n, prefix in ((2, "s"), (30, "l")):
        parent = None
        for i in range(n):
            org = Organization.objects.create(tenant=tenant_a, name=f"{prefix}組織{i}", parent=parent)
            user = UserFactory(tenant=tenant_a, email=f"{prefix}{i}@a.example.com")
            OrganizationMembership.objects.create(tenant=tenant_a, user=user, organization=org, is_primary=True)
            parent = org if i % 3 else None
        counts.append(_count(alice_client, url, django_assert_max_num_queries))
    assert counts[0] == counts[1]


def test_contract1_page_query_count_is_constant(alice_client, tenant_a, django_assert_max_num_queries):
    url = reverse("contract:detail")
    counts = []
    for n, prefix in ((1, "s"), (15, "l")):
        for i in range(n):
            UserFactory(tenant=tenant_a, email=f"{prefix}admin{i}@a.example.com", role=User.Role.ADMIN)
            ContractFactory(tenant=tenant_a, service=ServiceFactory(code=f"{prefix}svc{i}"), number=f"{prefix}-{i}")
        counts.append(_count(alice_client, url, django_assert_max_num_queries))
    assert counts[0] == counts[1]


def test_svc1_services_tab_query_count_is_constant(alice_client, tenant_a, bob, django_assert_max_num_queries):
    url = reverse("users:services", args=[bob.pk])
    counts = []
    for n, prefix in ((1, "s"), (15, "l")):
        for i in range(n):
            ContractFactory(tenant=tenant_a, service=ServiceFactory(code=f"{prefix}svc{i}"), number=f"{prefix}-{i}")
        counts.append(_count(alice_client, url, django_assert_max_num_queries))
    assert counts[0] == counts[1]


def _select(client, users):
    ids = ",".join(str(u.pk) for u in users)
    client.post(reverse("users:list_action"), {"page_ids": ids, "selected": [u.pk for u in users], "action": "save"})


def test_user8_bulk_delete_query_count_is_constant(alice_client, tenant_a, django_assert_max_num_queries):
    """確認, 完了 (the token's row, the delete) and the result page each cost
    the same with 2 and 40 users."""
    url = reverse("users:bulk_delete")
    confirm, complete, result = [], [], []
    for n, prefix in ((2, "s"), (40, "l")):
        users = [UserFactory(tenant=tenant_a, email=f"{prefix}{i}@a.example.com") for i in range(n)]
        _select(alice_client, users)
        confirm.append(_count(alice_client, url, django_assert_max_num_queries))
        fields = confirm_fields(alice_client.get(url))
        complete.append(_count(alice_client, url, django_assert_max_num_queries, method="post", data=fields))
        result.append(_count(alice_client, reverse("users:bulk_delete_done"), django_assert_max_num_queries))
    assert confirm[0] == confirm[1]
    assert complete[0] == complete[1]
    assert result[0] == result[1]


def test_user8_bulk_delete_audits_each_deleted_user(alice_client, alice, tenant_a):
    from tests.users.users_helpers import audit, submit, user_by_email

    users = [UserFactory(tenant=tenant_a, email=f"d{i}@a.example.com") for i in range(3)]
    _select(alice_client, [*users, alice])
    submit(alice_client, reverse("users:bulk_delete"), {})
    assert sorted(e.object_label for e in audit("accounts.user.deleted")) == [u.email for u in users]
    assert all(user_by_email(u.email) is None for u in users)
    assert user_by_email(alice.email) is not None


def test_user9_organization_delete_reassigns_primaries_in_constant_queries(
    alice_client, tenant_a, django_assert_max_num_queries
):
    """Deleting an organization that is the 代表組織 of many users gives each
    another of their organizations as 代表組織, without queries per user."""
    counts = []
    for n, prefix in ((2, "s"), (30, "l")):
        gone = Organization.objects.create(tenant=tenant_a, name=f"{prefix}消える組織")
        stays = Organization.objects.create(tenant=tenant_a, name=f"{prefix}残る組織")
        users = [UserFactory(tenant=tenant_a, email=f"{prefix}m{i}@a.example.com") for i in range(n)]
        for user in users:
            OrganizationMembership.objects.create(tenant=tenant_a, user=user, organization=gone, is_primary=True)
            OrganizationMembership.objects.create(tenant=tenant_a, user=user, organization=stays, is_primary=False)
        url = reverse("users:organization_delete", args=[gone.pk])
        fields = confirm_fields(alice_client.get(url))
        counts.append(_count(alice_client, url, django_assert_max_num_queries, method="post", data=fields))
        from tenants.scoping import tenant_scope

        with tenant_scope(tenant_a.pk):
            assert OrganizationMembership.objects.filter(
                user__in=users, organization=stays, is_primary=True
            ).count() == n
    assert counts[0] == counts[1]
