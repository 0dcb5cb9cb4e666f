"""Issue 23 (smaller ones), ALIAS-4: an operator's removal of a tenant's image
is not one click. The admin action shows an intermediate page asking for a
reason; only the confirmed POST with a reason removes the image, records the
reason in the tenant's 操作ログ (operator as actor) and mails the tenant's
admins."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from audit.registry import action_label
from customization.models import Branding, LinkItem
from tenants.scoping import operator_scope
from tests.accounts.auth_helpers import outbox
from tests.customization.helpers import confirm
from tests.customization.images import image_upload
from tests.factories import UserFactory

BRANDING = "admin:customization_branding_changelist"
LINKS = "admin:customization_linkitem_changelist"
REASON = "公序良俗に反する画像のため（利用規約 第 5 条）"


@pytest.fixture
def images(alice_client, tenant_a):
    page = alice_client.post(reverse("customization:site_logo"), {"logo": image_upload()})
    confirm(alice_client, "customization:site_logo", page)
    page = alice_client.post(reverse("customization:login_page"), {"use_alias": "on", "alias": "removal-test", "logo_choice": "custom", "logo": image_upload()})
    confirm(alice_client, "customization:login_page", page)
    page = alice_client.post(reverse("customization:link_add"), {"title": "社内ポータル", "url": "https://x.example/", "icon": image_upload()})
    confirm(alice_client, "customization:link_add", page)
    with operator_scope():
        return {"branding": Branding.objects.get(tenant=tenant_a), "link": LinkItem.objects.get(tenant=tenant_a)}


def _removals() -> list[AuditEntry]:
    with operator_scope():
        return list(AuditEntry.objects.filter(action__endswith="removed_by_operator").order_by("pk"))


def test_issue23_the_action_asks_first_and_removes_nothing(operator_client, images):
    branding = images["branding"]
    response = operator_client.post(reverse(BRANDING), {"action": "remove_site_logo", "_selected_action": [branding.pk]})
    assert response.status_code == HTTPStatus.OK
    assert "削除の理由" in response.text and 'name="reason"' in response.text
    assert 'name="post" value="yes"' in response.text and f'value="{branding.pk}"' in response.text
    assert str(branding.tenant) in response.text
    with operator_scope():
        branding.refresh_from_db()
    assert branding.site_logo_id is not None and _removals() == [] and outbox("image_removed_by_operator") == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_issue23_a_reason_is_required(operator_client, images, reason):
    branding = images["branding"]
    response = operator_client.post(
        reverse(BRANDING), {"action": "remove_login_logo", "_selected_action": [branding.pk], "post": "yes", "reason": reason}
    )
    assert response.status_code == HTTPStatus.OK
    assert "削除の理由を入力してください。" in response.text
    with operator_scope():
        branding.refresh_from_db()
    assert branding.login_logo_id is not None and _removals() == []


def test_issue23_the_reason_goes_to_the_log_and_the_admins(operator_client, operator, alice, tenant_a, images):
    """Each of the three removals: an audit entry in the tenant's trail with
    the operator and the reason, and a mail to each active admin of the
    tenant (alice, and a second admin at her 通知先), none to users or other
    tenants."""
    second = UserFactory(tenant=tenant_a, email="admin2@a.example.com", role=User.Role.ADMIN, notification_email="notice2@a.example.com")
    UserFactory(tenant=tenant_a, email="paused@a.example.com", role=User.Role.ADMIN, status=User.Status.SUSPENDED)
    UserFactory(tenant=tenant_a, email="user@a.example.com", role=User.Role.USER)
    branding, link = images["branding"], images["link"]
    for changelist, action, pk in ((BRANDING, "remove_site_logo", branding.pk), (BRANDING, "remove_login_logo", branding.pk), (LINKS, "remove_icon", link.pk)):
        response = operator_client.post(
            reverse(changelist), {"action": action, "_selected_action": [pk], "post": "yes", "reason": f"  {REASON}  "}
        )
        assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        branding.refresh_from_db()
        link.refresh_from_db()
    assert branding.site_logo_id is None and branding.login_logo_id is None and link.icon_id is None
    entries = _removals()
    assert [e.action for e in entries] == [
        "customization.site_logo.removed_by_operator",
        "customization.login_logo.removed_by_operator",
        "customization.link_icon.removed_by_operator",
    ]
    for entry in entries:
        assert entry.tenant_id == tenant_a.pk and entry.actor == operator
        assert entry.data["reason"] == REASON
        assert action_label(entry.action) != entry.action  # declared with a label
    mails = outbox("image_removed_by_operator")
    assert len(mails) == 6
    assert sorted({tuple(m.to) if isinstance(m.to, list) else (m.to,) for m in mails}) == sorted(
        {(alice.mail_to,), (second.mail_to,)}
    )
    assert all(m.tenant_id == tenant_a.pk for m in mails)
    bodies = [m.body for m in mails]
    assert all(REASON in body and tenant_a.name in body for body in bodies)
    assert any("サイトロゴ" in b for b in bodies) and any("専用ログイン URL のロゴ" in b for b in bodies)
    assert any("リンク「社内ポータル」のアイコン" in b for b in bodies)
    assert "サイトロゴ" in mails[0].subject


def test_issue23_nothing_to_remove_mails_nobody(operator_client, images, tenant_a):
    link = images["link"]
    data = {"action": "remove_icon", "_selected_action": [link.pk], "post": "yes", "reason": REASON}
    operator_client.post(reverse(LINKS), data)
    operator_client.post(reverse(LINKS), data)  # the icon is gone already
    assert len(_removals()) == 1
    assert len(outbox("image_removed_by_operator")) == 1  # alice once



def test_issue23_the_tenants_audit_log_shows_the_reason(operator_client, alice_client, images):
    link = images["link"]
    operator_client.post(reverse(LINKS), {"action": "remove_icon", "_selected_action": [link.pk], "post": "yes", "reason": REASON})
    page = alice_client.get(reverse("auditlog:list"))
    assert page.status_code == HTTPStatus.OK
    assert "運用者によるリンクアイコン削除" in page.text
    assert f"理由: {REASON}" in page.text
