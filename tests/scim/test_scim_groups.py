"""SCIM Groups (issue 25): one group per contracted service; membership is
the service registration (SVC-1). More than the contracted ID count is
refused with a SCIM error saying so, and the tenant's admins get a mail
suggesting an ID-count change (IDC)."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import UserServiceRegistration
from audit.models import AuditEntry
from tenants.scoping import tenant_scope
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def registered(contract):
    with tenant_scope(contract.tenant_id):
        return set(UserServiceRegistration.objects.filter(contract=contract).values_list("user_id", flat=True))


def test_groups_are_the_contracted_services(scim_a, contracts_a):
    listed = scim_a.get("Groups").json()
    assert listed["totalResults"] == 4
    names = {g["displayName"] for g in listed["Resources"]}
    assert "Google Workspace" in {contracts_a["google_workspace"].service.name} | names
    gw = contracts_a["google_workspace"]
    found = scim_a.get(f'Groups?filter=displayName eq "{gw.service.name}"').json()
    assert [g["id"] for g in found["Resources"]] == [str(gw.pk)]
    assert scim_a.get(f"Groups/{gw.pk}").json()["members"] == []
    slim = scim_a.get("Groups?excludedAttributes=members").json()
    assert all("members" not in g for g in slim["Resources"])


def test_entra_add_and_remove_members(scim_a, contracts_a, bob, alice):
    """Microsoft's documented group PATCH: Add members by value, Remove
    members by value."""
    gw = contracts_a["google_workspace"]
    add = {"schemas": [PATCH], "Operations": [{"op": "Add", "path": "members", "value": [{"value": str(bob.pk)}, {"value": str(alice.pk)}]}]}
    response = scim_a.patch(f"Groups/{gw.pk}", add)
    assert response.status_code == 200, response.content
    assert registered(gw) == {bob.pk, alice.pk}
    remove = {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": "members", "value": [{"value": str(bob.pk)}]}]}
    assert scim_a.patch(f"Groups/{gw.pk}", remove).status_code == 200
    assert registered(gw) == {alice.pk}
    with tenant_scope(gw.tenant_id):
        actions = list(AuditEntry.objects.filter(actor_label="SCIM: Entra ID").values_list("action", flat=True))
    assert "accounts.user.service_registered" in actions and "accounts.user.service_removed" in actions


def test_okta_member_filter_remove_and_put(scim_a, contracts_a, bob, alice):
    """Okta: remove with ``members[value eq "…"]``; PUT replaces the members."""
    ms = contracts_a["microsoft_365"]
    put = scim_a.put(f"Groups/{ms.pk}", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": ms.service.name, "members": [{"value": str(bob.pk)}, {"value": str(alice.pk)}]})
    assert put.status_code == 200 and registered(ms) == {bob.pk, alice.pk}
    remove = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{bob.pk}"]'}]}
    assert scim_a.patch(f"Groups/{ms.pk}", remove).status_code == 200
    assert registered(ms) == {alice.pk}
    # Okta's displayName-and-members replace without a path.
    both = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"id": str(ms.pk), "displayName": ms.service.name, "members": [{"value": str(bob.pk)}]}}]}
    assert scim_a.patch(f"Groups/{ms.pk}", both).status_code == 200
    assert registered(ms) == {bob.pk}


def test_id_count_exceeded_is_refused_and_admins_are_mailed(scim_a, contracts_a, tenant_a, alice, django_capture_on_commit_callbacks):
    """IDC: 契約 ID 数 2, three members asked → nothing registered, a SCIM
    error in Japanese, one mail to the admins suggesting an ID-count change."""
    gw = contracts_a["google_workspace"]
    gw.id_count = 2
    gw.save(update_fields=["id_count"])
    users = UserFactory.create_batch(3, tenant=tenant_a)
    add = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": str(u.pk)} for u in users]}]}
    with django_capture_on_commit_callbacks(execute=True):
        response = scim_a.patch(f"Groups/{gw.pk}", add)
    assert response.status_code == 400
    body = response.json()
    assert body["scimType"] == "invalidValue"
    assert "契約 ID 数（2）を超えるため" in body["detail"] and "ID 数変更申込" in body["detail"]
    assert registered(gw) == set()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.mail_to]
    assert "契約 ID 数を超える" in mail.outbox[0].subject
    assert "/idchange/" in mail.outbox[0].body
    with tenant_scope(tenant_a):
        assert AuditEntry.objects.filter(action="scim.id_count.exceeded").count() == 1
    # Within the count it works.
    ok = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": str(u.pk)} for u in users[:2]]}]}
    assert scim_a.patch(f"Groups/{gw.pk}", ok).status_code == 200
    assert registered(gw) == {u.pk for u in users[:2]}


def test_groups_cannot_be_created_or_deleted(scim_a, contracts_a):
    gw = contracts_a["google_workspace"]
    again = scim_a.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": gw.service.name})
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    unknown = scim_a.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Slack"})
    assert unknown.status_code == 400 and "ご契約中のサービス" in unknown.json()["detail"]
    refused = scim_a.delete(f"Groups/{gw.pk}")
    assert refused.status_code == 400 and refused.json()["scimType"] == "mutability"


def test_group_list_query_count_is_constant(scim_a, contracts_a, tenant_a, django_assert_num_queries):
    scim_a.get("Groups")
    with django_assert_num_queries(4):  # token, count, page, members
        assert scim_a.get("Groups").status_code == 200
    gw = contracts_a["google_workspace"]
    for u in UserFactory.create_batch(5, tenant=tenant_a):
        UserServiceRegistration.objects.create(tenant=tenant_a, user=u, contract=gw)
    with django_assert_num_queries(4):
        assert scim_a.get("Groups").status_code == 200


def test_the_id_count_mail_goes_once_an_hour_per_contract(scim_a, contracts_a, tenant_a, django_capture_on_commit_callbacks):
    gw = contracts_a["google_workspace"]
    gw.id_count = 1
    gw.save(update_fields=["id_count"])
    users = UserFactory.create_batch(2, tenant=tenant_a)
    add = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": str(u.pk)} for u in users]}]}
    with django_capture_on_commit_callbacks(execute=True):
        assert scim_a.patch(f"Groups/{gw.pk}", add).status_code == 400
        assert scim_a.patch(f"Groups/{gw.pk}", add).status_code == 400
    assert len(mail.outbox) == 1
