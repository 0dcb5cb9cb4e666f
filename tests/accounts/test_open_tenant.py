"""Opening a tenant (AUTH-1, OPS-2, PRE-1)."""

from __future__ import annotations

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccountToken, LoginId, User
from accounts.services.onboarding import open_tenant
from tenants.models import Tenant
from tenants.scoping import operator_scope
from tests.accounts.auth_helpers import audit, outbox


def _open(variant: str = "portal", **overrides):
    fields = {
        "name": "株式会社サンプル",
        "code": "T0009999",
        "admin_email": "Admin@Sample.example.com",
        "admin_last_name": "山田",
        "admin_first_name": "太郎",
        "variant": variant,
        "ordered_service": None,
        "actor": None,
        **overrides,
    }
    return open_tenant(**fields)


def _admin(tenant: Tenant) -> User:
    return User.all_objects.get(tenant=tenant, is_representative=True)


@pytest.mark.parametrize(
    ("variant", "subject"),
    [
        ("portal", "【My KDDI Biz 総合】を申込のお客さまへ 初期設定のお願い"),
        ("order_received", "【My KDDI Biz 総合】申込受付完了のお知らせ"),
        ("service", "KDDIより「LINE WORKS with KDDI」を申込のお客さまへ 初期設定のお願い"),
        ("basic_pack", "【ベーシックパックプラス】サービス開通のご案内"),
    ],
)
def test_each_variant_sends_its_opening_mail(
    services, operator, variant, subject, django_capture_on_commit_callbacks, mailoutbox, settings
):
    """AUTH-1: four opening mails by what was ordered; PRE-1: one sender address."""
    ordered = services["line_works"] if variant == "service" else None
    with django_capture_on_commit_callbacks(execute=True):
        tenant = _open(variant, ordered_service=ordered, actor=operator)
    admin = _admin(tenant)
    assert admin.status == User.Status.PENDING and admin.role == User.Role.ADMIN
    assert admin.email == admin.notification_email == "admin@sample.example.com"
    assert not admin.has_usable_password()
    assert LoginId.objects.get(user=admin).login_id == admin.email
    (message,) = outbox(f"opening_{variant}")
    assert message.subject == subject
    assert message.tenant_id == tenant.pk and message.to == [admin.email]
    assert "/setup/" in message.body and "テナントコード: T0009999" in message.body
    assert AccountToken.objects.filter(user=admin, purpose="setup").count() == 1
    assert mailoutbox[0].subject == subject
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL
    (entry,) = audit("tenants.tenant.opened")
    assert entry.actor_id == operator.pk and entry.tenant_id == tenant.pk
    assert entry.data["variant"] == variant


@override_settings(
    PORTAL_PRODUCT_NAME="My Biz 総合", BASIC_PACK_PRODUCT_NAME="パックZ", PORTAL_CARRIER_NAME="ACME"
)
def test_product_names_are_configuration(services):
    """AUTH-1: product names are configuration, not code."""
    _open("portal")
    _open("basic_pack", code="T0009998", admin_email="b@sample.example.com")
    _open("service", code="T0009997", admin_email="c@sample.example.com", ordered_service=services["bpo_web"])
    assert outbox("opening_portal")[0].subject == "【My Biz 総合】を申込のお客さまへ 初期設定のお願い"
    assert outbox("opening_basic_pack")[0].subject == "【パックZ】サービス開通のご案内"
    assert outbox("opening_service")[0].subject == "ACMEより「BPO-Web」を申込のお客さまへ 初期設定のお願い"


def test_service_variant_needs_a_service(db):
    with pytest.raises(ValidationError) as exc:
        _open("service")
    assert "ordered_service" in exc.value.message_dict
    assert not Tenant.objects.exists()


def test_login_id_in_use_or_duplicate_code_changes_nothing(alice, tenant_a):
    with pytest.raises(ValidationError) as exc:
        _open(admin_email=alice.email.upper())
    assert "admin_email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _open(code=tenant_a.code)
    assert "code" in exc.value.message_dict
    assert Tenant.objects.count() == 1
    assert outbox("opening_portal") == []


def test_management_command_opens_a_tenant(services, operator):
    out = StringIO()
    call_command(
        "open_tenant",
        "--name=株式会社コマンド",
        "--code=T0005555",
        "--admin-email=cmd@example.com",
        "--last-name=佐藤",
        "--first-name=花子",
        "--variant=service",
        "--service=google_workspace",
        f"--actor={operator.email}",
        stdout=out,
    )
    assert "T0005555" in out.getvalue()
    tenant = Tenant.objects.get(code="T0005555")
    assert _admin(tenant).email == "cmd@example.com"
    assert "Google Workspace" in outbox("opening_service")[0].subject
    with pytest.raises(CommandError):
        call_command(
            "open_tenant", "--name=x", "--code=T0005555", "--admin-email=y@example.com",
            "--last-name=a", "--first-name=b", "--variant=portal", stdout=StringIO(),
        )


def test_django_admin_add_is_the_opening_form(operator_client, services):
    """OPS-2: the operator opens a tenant in Django admin."""
    url = reverse("admin:tenants_tenant_add")
    page = operator_client.get(url)
    assert page.status_code == HTTPStatus.OK and "開通通知メール" in page.text
    response = operator_client.post(
        url,
        {
            "name": "株式会社アドミン",
            "code": "T0007777",
            "admin_last_name": "鈴木",
            "admin_first_name": "一郎",
            "admin_email": "boss@admin.example.com",
            "variant": "service",
            "ordered_service": services["emm"].pk,
        },
    )
    tenant = Tenant.objects.get(code="T0007777")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("admin:tenants_tenant_change", args=[tenant.pk])
    assert _admin(tenant).status == User.Status.PENDING
    assert "KDDI EMM" in outbox("opening_service")[0].subject


def test_django_admin_form_shows_errors_and_creates_nothing(operator_client, alice):
    response = operator_client.post(
        reverse("admin:tenants_tenant_add"),
        {"name": "x", "code": "T0001111", "admin_last_name": "a", "admin_first_name": "b",
         "admin_email": alice.email, "variant": "portal"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "すでにユーザ ID として登録されています" in response.text
    assert not Tenant.objects.filter(code="T0001111").exists()


def test_tenant_users_cannot_open_tenants(alice_client):
    """HOME-5: Django admin is for operators only."""
    response = alice_client.get(reverse("admin:tenants_tenant_add"))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response.url


def test_admin_action_resends_the_setup_mail(operator_client, db):
    tenant = _open()
    response = operator_client.post(
        reverse("admin:tenants_tenant_changelist"),
        {"action": "resend_setup_mail", "_selected_action": [tenant.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert len(outbox("account_setup")) == 1
    with operator_scope():
        open_tokens = AccountToken.objects.filter(user=_admin(tenant), revoked_at__isnull=True)
    assert open_tokens.count() == 1


def test_admin_name_and_address_follow_the_user_rules(db):
    """USER-1's rules apply to the representative admin created by the opening."""
    with pytest.raises(ValidationError) as exc:
        _open(admin_last_name="山田Yamada", admin_first_name="", admin_email="x")
    errors = exc.value.message_dict
    assert set(errors) == {"admin_last_name", "admin_first_name", "admin_email"}
    assert "混在" in errors["admin_last_name"][0]
    assert not Tenant.objects.exists()
