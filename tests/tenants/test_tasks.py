"""A task run for tenant A sees nothing of tenant B (TenantTask)."""

from __future__ import annotations

import pytest
from celery import shared_task

from accounts.models import User
from tenants.tasks import TenantTask


@shared_task(base=TenantTask)
def visible_login_ids(*, tenant_id: int) -> list[str]:
    return sorted(User.objects.values_list("email", flat=True))


def test_task_for_tenant_a_sees_only_tenant_a(alice, bob, charlie):
    result = visible_login_ids.delay(tenant_id=alice.tenant_id).get()
    assert result == [alice.email, bob.email]
    assert charlie.email not in result


def test_task_requires_a_tenant_id(alice):
    with pytest.raises(TypeError):
        visible_login_ids.apply(kwargs={}).get()
