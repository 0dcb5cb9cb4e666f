"""Fixtures of お問い合わせ: tenant A contracts the three services that take
trouble inquiries (with the default forms); tenant B contracts only BPO-Web."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from inquiries.demo import ensure_trouble_forms
from inquiries.models import Inquiry, InquiryMessage
from tenants.models import Service
from tests.factories import ContractFactory, login_verified

# Stored files go to a temporary MEDIA_ROOT; messages are asserted in Japanese.
from tests.uploads.conftest import japanese, media  # noqa: F401  (autouse fixtures)


@pytest.fixture
def trouble_services(services) -> dict[str, Service]:
    ensure_trouble_forms()
    return services


@pytest.fixture
def contracts_trouble_a(tenant_a, trouble_services):
    return {
        code: ContractFactory(tenant=tenant_a, service=trouble_services[code], number=f"A-{code}")
        for code in ("ether_economy", "emm", "bpo_web", "google_workspace")
    }


@pytest.fixture
def contracts_trouble_b(tenant_b, trouble_services):
    return {"bpo_web": ContractFactory(tenant=tenant_b, service=trouble_services["bpo_web"], number="B-bpo")}


@pytest.fixture
def ether(trouble_services) -> Service:
    return trouble_services["ether_economy"]


@pytest.fixture
def make_inquiry(contracts_trouble_a) -> Callable[..., Inquiry]:
    """An inquiry row written directly (the services are tested on their own)."""

    def make(*, user, service=None, subject="通信できない", status=Inquiry.Status.RECEIVED, **fields) -> Inquiry:
        service = service or contracts_trouble_a["ether_economy"].service
        fields.setdefault("contact_email", user.email)
        if status == Inquiry.Status.RESOLVED:
            fields.setdefault("resolved_at", timezone.now())
        return Inquiry.objects.create(
            tenant_id=user.tenant_id,
            service=service,
            subject=subject,
            answers=[{"label": "回線 ID", "value": "EE-1"}],
            status=status,
            created_by=user,
            **fields,
        )

    return make


@pytest.fixture
def add_message() -> Callable[..., InquiryMessage]:
    def add(inquiry: Inquiry, *, body: str, author=None, from_staff: bool = False) -> InquiryMessage:
        return InquiryMessage.objects.create(
            tenant_id=inquiry.tenant_id, inquiry=inquiry, body=body, author=author, from_staff=from_staff
        )

    return add


@pytest.fixture
def staff_client(operator) -> Client:
    client = Client()
    login_verified(client, operator)
    return client
