"""A contract never moves to another tenant in Django admin: its lines,
applications and user registrations are the first tenant's rows (tenancy)."""

from __future__ import annotations

from django.urls import reverse

from tenants.models import Contract
from tenants.scoping import operator_scope


def test_operator_cannot_move_a_contract_to_another_tenant(operator_client, contracts_a, tenant_a, tenant_b):
    contract = contracts_a["emm"]
    url = reverse("admin:tenants_contract_change", args=[contract.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    operator_client.post(
        url,
        {"tenant": tenant_b.pk, "service": contract.service_id, "number": contract.number, "plan": contract.plan,
         "term": contract.term, "id_count": contract.id_count or 10, "unit_price": contract.unit_price or 100},
    )
    with operator_scope():
        assert Contract.objects.get(pk=contract.pk).tenant_id == tenant_a.pk


def test_operator_can_still_add_a_contract_for_a_tenant(operator_client, tenant_b, services):
    resp = operator_client.post(
        reverse("admin:tenants_contract_add"),
        {"tenant": tenant_b.pk, "service": services["emm"].pk, "number": "B-new", "plan": "P", "term": "monthly",
         "id_count": 5, "unit_price": 100},
    )
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    with operator_scope():
        assert Contract.objects.get(number="B-new").tenant_id == tenant_b.pk


def test_operator_cannot_move_a_user_to_another_tenant(operator_client, bob, tenant_a, tenant_b):
    """A user's memberships, registrations and applications stay in the first
    tenant: the user's tenant is read-only in Django admin."""
    from accounts.models import User

    url = reverse("admin:accounts_user_change", args=[bob.pk])
    assert operator_client.get(url).status_code == 200
    operator_client.post(
        url,
        {"tenant": tenant_b.pk, "role": bob.role, "status": bob.status, "last_name": bob.last_name,
         "first_name": bob.first_name, "notification_email": bob.notification_email or "bob@a.example.com",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )
    assert User.all_objects.get(pk=bob.pk).tenant_id == tenant_a.pk


def test_operator_cannot_leave_a_tenant_without_its_representative(operator_client, alice, tenant_a):
    """CONTRACT-2: exactly one representative per tenant, changed by its admin."""
    from accounts.models import User

    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = operator_client.post(
        url,
        {"tenant": tenant_a.pk, "role": alice.role, "status": alice.status, "last_name": alice.last_name, "first_name": alice.first_name,
         "notification_email": alice.notification_email or "alice@a.example.com",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},  # is_representative unticked
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.all_objects.get(pk=alice.pk).is_representative


def test_operator_cannot_delete_a_representative_in_django_admin(operator_client, alice, bob):
    """USER-8 holds in Django admin too: one by one and with 削除 of a selection."""
    from accounts.models import User

    response = operator_client.post(reverse("admin:accounts_user_delete", args=[alice.pk]), {"post": "yes"})
    assert response.status_code == 403
    operator_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [alice.pk, bob.pk], "post": "yes"},
    )
    # Django refuses the whole selection and names the object it may not delete.
    assert User.all_objects.filter(pk=alice.pk).exists()
