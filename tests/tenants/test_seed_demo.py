from __future__ import annotations

import io

from django.core.management import call_command

from accounts.models import User
from tenants.models import Contract, Tenant
from tenants.scoping import operator_scope


def test_seed_demo_is_idempotent_and_creates_the_fixed_interface(db):
    """DESIGN.md "Interfaces others rely on": demo tenant, logins and contracts."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert "admin@demo.example.com" in out.getvalue()
    with operator_scope():
        tenant = Tenant.objects.get(name="デモ株式会社")
        admin = User.objects.get(email="admin@demo.example.com")
        assert admin.tenant == tenant and admin.is_representative and admin.check_password("DemoPass2026")
        assert User.objects.get(email="user@demo.example.com").role == User.Role.USER
        assert User.objects.get(email="operator@demo.example.com").is_superuser
        codes = set(Contract.objects.filter(tenant=tenant).values_list("service__code", flat=True))
    assert {"google_workspace", "microsoft_365", "line_works", "emm", "ether_economy", "bpo_web"} <= codes
    assert Tenant.objects.count() == 1
