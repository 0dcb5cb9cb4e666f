"""USER-9: the tenant's organization tree, maintained by its admin."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from accounts.models import Organization, OrganizationMembership
from tenants.scoping import operator_scope
from tests.users.users_helpers import audit, submit

URL = "/users/organizations/"


def orgs(tenant) -> list[tuple[str, str | None]]:
    with operator_scope():
        return sorted((o.name, o.parent.name if o.parent else None) for o in Organization.objects.filter(tenant=tenant))


def test_user9_add_organizations_as_a_tree(alice_client, tenant_a):
    assert alice_client.post(URL, {"name": "本社"}).status_code == HTTPStatus.FOUND
    with operator_scope():
        head = Organization.objects.get(name="本社")
    alice_client.post(URL, {"name": "営業部", "parent": head.pk})
    assert orgs(tenant_a) == [("営業部", "本社"), ("本社", None)]
    body = alice_client.get(URL).content.decode()
    assert "depth-0" in body and "depth-1" in body and body.index("本社") < body.index("営業部")
    assert audit("accounts.organization.created")


def test_user9_duplicate_name_under_same_parent_is_refused(alice_client, tenant_a):
    Organization.objects.create(tenant=tenant_a, name="本社")
    response = alice_client.post(URL, {"name": "本社"})
    assert "同じ名前の組織があります" in response.content.decode()
    assert len(orgs(tenant_a)) == 1
    assert "組織名を入力してください。" in alice_client.post(URL, {"name": ""}).content.decode()


def test_user9_rename_and_no_cycles(alice_client, tenant_a):
    head = Organization.objects.create(tenant=tenant_a, name="本社")
    child = Organization.objects.create(tenant=tenant_a, name="営業部", parent=head)
    edit = reverse("users:organization_edit", args=[head.pk])
    response = alice_client.post(edit, {"name": "本店", "parent": child.pk})
    assert "配下の組織を上位組織にはできません" in response.content.decode()
    alice_client.post(edit, {"name": "本店"})
    assert orgs(tenant_a) == [("営業部", "本店"), ("本店", None)]


def test_user9_delete_refused_with_children_and_moves_primary(alice_client, tenant_a, bob):
    head = Organization.objects.create(tenant=tenant_a, name="本社")
    child = Organization.objects.create(tenant=tenant_a, name="営業部", parent=head)
    OrganizationMembership.objects.create(tenant=tenant_a, user=bob, organization=head)
    OrganizationMembership.objects.create(tenant=tenant_a, user=bob, organization=child, is_primary=True)
    body = alice_client.get(reverse("users:organization_delete", args=[head.pk])).content.decode()
    assert "配下に組織がある組織は削除できません" in body
    refused = submit(alice_client, reverse("users:organization_delete", args=[head.pk]), {})
    assert "配下に組織がある組織は削除できません" in refused.content.decode()
    assert len(orgs(tenant_a)) == 2
    submit(alice_client, reverse("users:organization_delete", args=[child.pk]), {})
    assert orgs(tenant_a) == [("本社", None)]
    with operator_scope():
        remaining = list(OrganizationMembership.objects.filter(user=bob))
    assert [(m.organization_id, m.is_primary) for m in remaining] == [(head.pk, True)]


def test_user9_checklist(client, bob_client, alice_client, charlie, tenant_b, db):
    theirs = Organization.objects.create(tenant=tenant_b, name="B本社")
    assert client.get(URL).status_code == HTTPStatus.FOUND
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    for name in ("organization_edit", "organization_delete"):
        assert alice_client.get(reverse(f"users:{name}", args=[theirs.pk])).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(URL, {"name": "X", "parent": theirs.pk}).status_code == HTTPStatus.OK
    assert "B本社" not in alice_client.get(URL).content.decode()
