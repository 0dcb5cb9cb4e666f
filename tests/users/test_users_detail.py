"""ユーザ詳細: 基本情報 (USER-7), deletion guards (USER-8), サービス情報 (SVC-1/2), 受信設定 (NOTIF-1)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import User, UserServiceRegistration
from tenants.scoping import operator_scope
from tests.factories import UserFactory
from tests.users.users_helpers import (
    add_data,
    audit,
    login_id_exists,
    outbox,
    submit,
    user_by_email,
)


def registrations(user: User) -> list[UserServiceRegistration]:
    with operator_scope():
        return list(UserServiceRegistration.objects.filter(user=user))


def url(name: str, user: User, *args) -> str:
    return reverse(f"users:{name}", args=[user.pk, *args])


# --- checklist for every detail URL ---------------------------------------------

GET_VIEWS = ["detail", "edit", "status", "delete", "services", "receive"]
POST_VIEWS = ["unlock", "password_reset", "setup_mail"]


@pytest.mark.parametrize("name", GET_VIEWS)
def test_user7_detail_pages_work(alice_client, bob, name):
    assert alice_client.get(url(name, bob)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_user7_detail_pages_check_tenant(alice_client, charlie, name):
    method = alice_client.post if name in POST_VIEWS else alice_client.get
    assert method(url(name, charlie)).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_user7_detail_pages_require_admin(bob_client, alice, name):
    method = bob_client.post if name in POST_VIEWS else bob_client.get
    assert method(url(name, alice)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", GET_VIEWS)
def test_user7_detail_pages_require_login(client, bob, name):
    response = client.get(url(name, bob))
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/?next=")


@pytest.mark.parametrize("name", POST_VIEWS)
def test_user7_actions_reject_get(alice_client, bob, name):
    assert alice_client.get(url(name, bob)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_user7_detail_shows_tabs_and_actions(alice_client, bob):
    body = alice_client.get(url("detail", bob)).content.decode()
    for label in ("基本情報", "サービス情報", "受信設定", "編集", "ステータス変更", "パスワードリセット", "削除"):
        assert label in body


# --- 基本情報の変更 ----------------------------------------------------------------


def edit_data(user: User, **changes) -> dict:
    data = add_data(email=user.email, notification_email=user.notification_email, last_name=user.last_name,
                    first_name=user.first_name, role=user.role)
    data.pop("password_method")
    return {**data, **changes}


def test_user7_edit_confirm_then_save(alice_client, alice, bob):
    response = alice_client.post(url("edit", bob), edit_data(bob, affiliation="総務部"))
    assert "基本情報の変更確認" in response.content.decode()
    bob.refresh_from_db()
    assert bob.affiliation == ""
    response = submit(alice_client, url("edit", bob), edit_data(bob, affiliation="総務部"))
    assert response.status_code == HTTPStatus.FOUND
    bob.refresh_from_db()
    assert bob.affiliation == "総務部"
    assert audit("accounts.user.updated", object_id=str(bob.pk))[0].data["changed"]["affiliation"] == ["", "総務部"]


def test_user7_edit_login_id_moves_the_global_entry(alice_client, bob):
    submit(alice_client, url("edit", bob), edit_data(bob, email="bobby@a.example.com"))
    assert user_by_email("bobby@a.example.com").pk == bob.pk
    assert login_id_exists("bobby@a.example.com") and not login_id_exists("bob@a.example.com")


def test_user7_edit_bad_input_changes_nothing(alice_client, bob, charlie):
    response = submit(alice_client, url("edit", bob), edit_data(bob, email=charlie.email))
    assert "このユーザ ID は既に使用されています。" in response.content.decode()
    response = submit(alice_client, url("edit", bob), edit_data(bob, last_name="山" * 11))
    assert "全角 10 文字以内" in response.content.decode()
    bob.refresh_from_db()
    assert (bob.email, bob.last_name) == ("bob@a.example.com", "坊")


def test_user7_representative_cannot_become_user(alice_client, alice):
    response = submit(alice_client, url("edit", alice), edit_data(alice, role="user"))
    assert "代表管理者の権限はユーザに変更できません" in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == User.Role.ADMIN


# --- status, unlock, mails --------------------------------------------------------


def test_user7_suspend_and_reactivate(alice_client, bob, bob_client):
    assert bob_client.get("/home/").status_code == HTTPStatus.OK
    response = alice_client.post(url("status", bob), {"status": "suspended"})
    assert response.status_code == HTTPStatus.FOUND
    bob.refresh_from_db()
    assert bob.status == User.Status.SUSPENDED
    assert audit("accounts.user.status_changed", object_id=str(bob.pk))[0].data == {"from": "active", "to": "suspended"}
    alice_client.post(url("status", bob), {"status": "active"})
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE


def test_user7_cannot_suspend_oneself(alice_client, alice):
    response = alice_client.post(url("status", alice), {"status": "suspended"})
    assert "ログイン中のユーザは一時停止できません。" in response.content.decode()
    alice.refresh_from_db()
    assert alice.status == User.Status.ACTIVE


def test_user7_bad_status_is_refused(alice_client, bob):
    response = alice_client.post(url("status", bob), {"status": "locked"})
    assert response.status_code == HTTPStatus.OK
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE


def test_user7_unlock(alice_client, bob):
    with operator_scope():
        User.objects.filter(pk=bob.pk).update(status=User.Status.LOCKED)
    response = alice_client.post(url("unlock", bob), follow=True)
    assert "アカウントロックを解除しました。" in response.content.decode()
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE


def test_user7_unlock_of_unlocked_user_says_so(alice_client, bob):
    response = alice_client.post(url("unlock", bob), follow=True)
    assert "アカウントロック中ではありません" in response.content.decode()


def test_user7_password_reset_mail(alice_client, bob, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url("password_reset", bob), follow=True)
    assert "パスワード再設定メールを送信しました。" in response.content.decode()
    assert [m.to for m in outbox("password_reset")] == [[bob.notification_email]]
    assert len(mailoutbox) == 1


def test_user7_setup_mail_resend(alice_client, tenant_a, django_capture_on_commit_callbacks, mailoutbox):
    pending = UserFactory(tenant=tenant_a, email="p@a.example.com", status=User.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url("setup_mail", pending), follow=True)
    assert "初期設定依頼メールを送信しました。" in response.content.decode()
    assert [m.to for m in outbox("account_setup")] == [["p@a.example.com"]]
    assert len(mailoutbox) == 1


def test_user7_setup_mail_refused_for_active_user(alice_client, bob):
    response = alice_client.post(url("setup_mail", bob), follow=True)
    assert "初期設定が完了しているユーザには送信できません。" in response.content.decode()
    assert outbox("account_setup") == []


# --- deletion (USER-8) -------------------------------------------------------------


def test_user8_delete_with_confirmation(alice_client, bob):
    body = alice_client.get(url("delete", bob)).content.decode()
    assert "削除すると元に戻せません" in body and "button--danger" in body
    response = submit(alice_client, url("delete", bob), {})
    assert response.status_code == HTTPStatus.FOUND
    assert user_by_email("bob@a.example.com") is None
    assert not login_id_exists("bob@a.example.com")
    assert audit("accounts.user.deleted")[0].object_label == "bob@a.example.com"


def test_user8_cannot_delete_oneself(alice_client, tenant_a):
    other_admin = UserFactory(tenant=tenant_a, email="admin2@a.example.com", role=User.Role.ADMIN)
    from django.test import Client

    client = Client()
    client.force_login(other_admin)
    body = client.get(url("delete", other_admin)).content.decode()
    assert "ログイン中のユーザは削除できません。" in body
    submit(client, url("delete", other_admin), {})
    assert user_by_email("admin2@a.example.com") is not None


def test_user8_cannot_delete_the_representative(alice_client, alice, tenant_a):
    other_admin = UserFactory(tenant=tenant_a, email="admin2@a.example.com", role=User.Role.ADMIN)
    from django.test import Client

    client = Client()
    client.force_login(other_admin)
    body = client.get(url("delete", alice)).content.decode()
    assert "代表管理者は削除できません。" in body
    submit(client, url("delete", alice), {})
    assert user_by_email("alice@a.example.com") is not None


def _select(client, users):
    ids = ",".join(str(u.pk) for u in users)
    client.post(reverse("users:list_action"), {"page_ids": ids, "selected": [u.pk for u in users], "action": "save"})


def test_user8_bulk_delete_skips_self_and_representative_and_says_why(alice_client, alice, bob, tenant_a):
    carol = UserFactory(tenant=tenant_a, email="carol@a.example.com")
    _select(alice_client, [alice, bob, carol])
    body = alice_client.get(reverse("users:bulk_delete")).content.decode()
    assert "ログイン中のユーザは削除できません。" in body
    response = submit(alice_client, reverse("users:bulk_delete"), {})
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("users:bulk_delete_done")
    body = alice_client.get(response.url).content.decode()
    assert "削除したユーザ（2 件）" in body and "処理しなかったユーザ（1 件）" in body
    assert "alice@a.example.com: ログイン中のユーザは削除できません。" in body
    assert user_by_email("bob@a.example.com") is None and user_by_email("carol@a.example.com") is None
    assert user_by_email("alice@a.example.com") is not None
    assert alice_client.session["users:selected"] == []


def test_user8_bulk_delete_names_the_representative(tenant_a, alice, bob):
    admin2 = UserFactory(tenant=tenant_a, email="admin2@a.example.com", role=User.Role.ADMIN)
    from django.test import Client

    client = Client()
    client.force_login(admin2)
    _select(client, [alice, bob])
    body = client.get(submit(client, reverse("users:bulk_delete"), {}).url).content.decode()
    assert "alice@a.example.com: 代表管理者は削除できません。" in body
    assert user_by_email("alice@a.example.com") is not None and user_by_email("bob@a.example.com") is None


def test_user6_bulk_password_reset(alice_client, alice, bob, tenant_a, django_capture_on_commit_callbacks):
    suspended = UserFactory(tenant=tenant_a, email="s@a.example.com", status=User.Status.SUSPENDED)
    _select(alice_client, [bob, suspended])
    assert "パスワード再設定メール" in alice_client.get(reverse("users:bulk_password_reset")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = submit(alice_client, reverse("users:bulk_password_reset"), {})
    body = alice_client.get(done.url).content.decode()
    assert [m.to for m in outbox("password_reset")] == [[bob.notification_email]]
    assert "s@a.example.com: 一時停止中のユーザ" in body


def test_user6_bulk_without_selection_goes_back(alice_client):
    response = alice_client.get(reverse("users:bulk_delete"), follow=True)
    assert "ユーザを選択してください。" in response.content.decode()


# --- サービス情報 (SVC-1, SVC-2) ---------------------------------------------------


@pytest.fixture
def bpo(tenant_a, services):
    from tests.factories import ContractFactory

    return ContractFactory(tenant=tenant_a, service=services["bpo_web"], number="A-bpo")


def test_svc1_services_tab_lists_contracts_with_state(alice_client, bob, contracts_a, bpo, tenant_a):
    UserServiceRegistration.objects.create(tenant=tenant_a, user=bob, contract=contracts_a["emm"])
    body = alice_client.get(url("services", bob)).content.decode()
    assert "BPO-Web" in body and "Google Workspace" in body and "A-bpo" in body
    assert body.count("登録済") == 1 and body.count(">未登録<") == 4


def test_svc2_register_with_auto_filled_field(alice_client, alice, bob, bpo):
    form = alice_client.get(url("service_register", bob, bpo.pk)).content.decode()
    assert "サービス登録（入力）" in form and "BPO-Web ユーザ ID" in form and "自動入力されます" in form
    assert 'value="bob@a.example.com" readonly' in form
    confirm = alice_client.post(url("service_register", bob, bpo.pk), {}).content.decode()
    assert "サービス登録（確認）" in confirm and "完了" in confirm
    response = submit(alice_client, url("service_register", bob, bpo.pk), {})
    assert response.status_code == HTTPStatus.FOUND
    reg = registrations(bob)[0]
    assert reg.values == {"bpo_user_id": "bob@a.example.com"}
    assert "登録済" in alice_client.get(url("services", bob)).content.decode()
    assert audit("accounts.user.service_registered")[0].data["service"] == "bpo_web"


def test_svc2_required_individual_field(alice_client, bob, tenant_a, services):
    from tests.factories import ContractFactory, ServiceFactory

    svc = ServiceFactory(code="custom", name="カスタム", user_fields=[
        {"name": "account", "label": "アカウント名", "required": True, "auto": False}])
    contract = ContractFactory(tenant=tenant_a, service=svc, number="A-custom")
    response = submit(alice_client, url("service_register", bob, contract.pk), {"f_account": ""})
    assert "アカウント名を入力してください。" in response.content.decode()
    assert registrations(bob) == []
    submit(alice_client, url("service_register", bob, contract.pk), {"f_account": "bob01"})
    assert registrations(bob)[0].values == {"account": "bob01"}
    # Change it.
    submit(alice_client, url("service_register", bob, contract.pk), {"f_account": "bob02"})
    assert registrations(bob)[0].values == {"account": "bob02"}
    assert audit("accounts.user.service_changed")


def test_svc2_remove_registration(alice_client, bob, bpo, tenant_a):
    UserServiceRegistration.objects.create(tenant=tenant_a, user=bob, contract=bpo)
    assert "登録を削除します" in alice_client.get(url("service_remove", bob, bpo.pk)).content.decode()
    submit(alice_client, url("service_remove", bob, bpo.pk), {})
    assert registrations(bob) == []
    assert audit("accounts.user.service_removed")


def test_svc2_other_tenants_contract_is_404(alice_client, bob, charlie, services):
    from tests.factories import ContractFactory

    theirs = ContractFactory(tenant=charlie.tenant, service=services["bpo_web"], number="B-bpo")
    assert alice_client.get(url("service_register", bob, theirs.pk)).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(url("service_register", bob, theirs.pk), {"stage": "done"}).status_code == 404
    assert alice_client.get(url("service_remove", bob, bpo_missing := theirs.pk)).status_code == 404
    assert bpo_missing


# --- 受信設定 (NOTIF-1) -------------------------------------------------------------


def test_notif1_receive_settings_tab(alice_client, bob):
    body = alice_client.get(url("receive", bob)).content.decode()
    for label in ("お知らせ", "メンテナンス情報", "障害情報", "受信する", "設定"):
        assert label in body


@pytest.mark.parametrize(("kind", "field"), [("news", "receive_news"), ("maintenance", "receive_maintenance"),
                                             ("outage", "receive_outage")])
def test_notif1_set_receive_off_and_on(alice_client, bob, kind, field):
    page = alice_client.get(url("receive_edit", bob, kind)).content.decode()
    assert "受信しない" in page and "完了" in page
    response = alice_client.post(url("receive_edit", bob, kind), {"value": "0"})
    assert response.status_code == HTTPStatus.FOUND
    bob.refresh_from_db()
    assert getattr(bob, field) is False
    assert audit("accounts.user.receive_setting_changed")[0].data == {kind: False}
    alice_client.post(url("receive_edit", bob, kind), {"value": "1"})
    bob.refresh_from_db()
    assert getattr(bob, field) is True


def test_notif1_bad_input(alice_client, bob):
    response = alice_client.post(url("receive_edit", bob, "news"), {})
    assert "受信する、または受信しないを選択してください。" in response.content.decode()
    assert alice_client.get(url("receive_edit", bob, "other")).status_code == HTTPStatus.NOT_FOUND


def test_notif1_requires_admin_and_tenant(bob_client, alice_client, alice, charlie):
    assert bob_client.get(url("receive_edit", alice, "news")).status_code == HTTPStatus.FORBIDDEN
    assert alice_client.post(url("receive_edit", charlie, "news"), {"value": "0"}).status_code == 404
    charlie.refresh_from_db()
    assert charlie.receive_news is True


def test_user7_activating_a_locked_user_unlocks_it(alice_client, bob):
    with operator_scope():
        User.objects.filter(pk=bob.pk).update(status=User.Status.LOCKED)
    alice_client.post(url("status", bob), {"status": "active"})
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE
    assert audit("accounts.user.unlocked", object_id=str(bob.pk))
