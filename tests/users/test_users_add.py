"""USER-1: ユーザ追加 → 確認 → 完了 (→ 引き続きユーザ追加)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Organization, User
from tests.factories import UserFactory
from tests.users.users_helpers import (
    add_data,
    audit,
    login_id_exists,
    memberships,
    outbox,
    submit,
    user_by_email,
    user_count,
)
from tests.web.flow import confirm_fields

URL = "/users/add/"


def confirm(client, **changes):
    """入力 → 確認 → 完了 with the token the 確認 page carries."""
    return submit(client, URL, add_data(**changes))


def test_user1_add_page_works(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for label in ("ユーザ追加", "姓名（カナ）", "サービス利用電話番号", "通知先メールアドレス", "パスワード設定方法",
                  "ユーザが設定", "管理者が設定", "初回ログイン時にパスワードを強制的に変更させる", "確認"):
        assert label in body


def test_user1_requires_login(client, db):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/?next=")


def test_user1_requires_admin(bob_client):
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(URL, {**add_data(), "stage": "done"}).status_code == HTTPStatus.FORBIDDEN
    assert not user_by_email("hanako@a.example.com")


def test_user1_input_shows_confirmation_and_stores_nothing(alice_client, tenant_a):
    before = user_count(tenant_a)
    response = alice_client.post(URL, add_data())
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "ユーザ追加確認" in body and "完了" in body and "hanako@a.example.com" in body
    assert user_count(tenant_a) == before


def test_user1_user_sets_password_creates_pending_user_and_sends_setup_mail(
    alice_client, alice, tenant_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(alice_client)
    user = user_by_email("hanako@a.example.com")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("users:add_done", args=[user.pk])
    assert user.tenant_id == tenant_a.pk
    assert user.status == User.Status.PENDING
    assert not user.has_usable_password()
    assert (user.last_name_kana, user.affiliation, user.phone_number) == ("ヤマダ", "営業部", "0312345678")
    assert login_id_exists("hanako@a.example.com")
    mails = outbox("account_setup")
    assert [m.to for m in mails] == [["hanako.notify@a.example.com"]]
    assert [m.to for m in mailoutbox] == [["hanako.notify@a.example.com"]]
    assert audit("accounts.user.created", object_id=str(user.pk))[0].actor_id == alice.pk

    done = alice_client.get(response.url)
    assert "引き続きユーザ追加" in done.content.decode()


def test_user1_admin_sets_password_active_no_mail_and_force_change(alice_client, mailoutbox):
    response = confirm(
        alice_client, password_method="admin", password="Start2026pass", force_password_change="on", role="admin"
    )
    assert response.status_code == HTTPStatus.FOUND
    user = user_by_email("hanako@a.example.com")
    assert user.status == User.Status.ACTIVE
    assert user.role == User.Role.ADMIN
    assert user.check_password("Start2026pass")
    assert user.must_change_password is True
    assert outbox("account_setup") == []
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "8 文字以上"),
        ("onlyletters", "英字と数字"),
        ("パスワード12345", "使用できない文字"),
        ("", "パスワードを入力してください。"),
    ],
)
def test_user1_admin_set_password_follows_auth4(alice_client, tenant_a, password, message):
    before = user_count(tenant_a)
    response = confirm(alice_client, password_method="admin", password=password)
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert user_count(tenant_a) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", "山" * 11, "全角 10 文字以内"),
        ("first_name", "a" * 31, "半角英字 30 文字以内"),
        ("last_name", "山田a", "混在"),
        ("last_name", "", "姓を入力してください。"),
        ("last_name_kana", "やまだ", "全角カタカナ"),
        ("affiliation", "a" * 51, "50 文字以内"),
        ("phone_number", "1" * 16, "15 文字以内"),
        ("email", "a" * 122 + "@ex.jp", "127 文字以内"),
        ("notification_email", "a@b", "5 文字以上"),
    ],
)
def test_user1_bad_input_keeps_input_and_adds_nothing(alice_client, tenant_a, field, value, message):
    before = user_count(tenant_a)
    response = confirm(alice_client, **{field: value})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert message in body
    assert "営業部" in body or field == "affiliation"  # the other input is kept
    assert user_count(tenant_a) == before


def test_user1_edge_values_are_accepted(alice_client):
    response = confirm(
        alice_client, last_name="山" * 10, first_name="a" * 30, last_name_kana="ア" * 20,
        email="a" * 121 + "@ex.jp", affiliation="a" * 50, phone_number="1" * 15,
    )
    assert response.status_code == HTTPStatus.FOUND
    assert user_by_email("a" * 121 + "@ex.jp") is not None


def test_user1_login_id_is_unique_across_the_portal(alice_client, charlie, tenant_a):
    before = user_count(tenant_a)
    response = confirm(alice_client, email="CHARLIE@b.example.com")
    assert response.status_code == HTTPStatus.OK
    assert "このユーザ ID は既に使用されています。" in response.content.decode()
    assert user_count(tenant_a) == before


def test_user1_organizations_with_one_representative(alice_client, tenant_a):
    sales = Organization.objects.create(tenant=tenant_a, name="営業部")
    tokyo = Organization.objects.create(tenant=tenant_a, name="東京", parent=sales)
    response = confirm(alice_client, organizations=[sales.pk, tokyo.pk], primary_organization=tokyo.pk)
    assert response.status_code == HTTPStatus.FOUND
    rows = memberships(user_by_email("hanako@a.example.com"))
    assert {(m.organization_id, m.is_primary) for m in rows} == {(sales.pk, False), (tokyo.pk, True)}


def test_user1_other_tenants_organization_is_not_a_choice(alice_client, tenant_a, tenant_b):
    Organization.objects.create(tenant=tenant_a, name="営業部")
    theirs = Organization.objects.create(tenant=tenant_b, name="B社営業")
    response = confirm(alice_client, organizations=[theirs.pk])
    assert response.status_code == HTTPStatus.OK
    assert "B社営業" not in response.content.decode()
    assert user_by_email("hanako@a.example.com") is None


def test_user1_add_done_of_other_tenant_is_404(alice_client, charlie):
    assert alice_client.get(reverse("users:add_done", args=[charlie.pk])).status_code == HTTPStatus.NOT_FOUND


def test_user1_back_button_returns_to_input(alice_client, tenant_a):
    """戻る from 確認 (issue 19): the input page again, every field kept."""
    fields = confirm_fields(alice_client.post(URL, add_data(organizations=[], password_method="admin",
                                                            password="Start2026pass", force_password_change="on")))
    response = alice_client.post(URL, {**fields, "back": "1"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "ユーザ追加確認" not in body and "ユーザ追加" in body
    for value in ("山田", "花子", "ヤマダ", "ハナコ", "営業部", "0312345678", "hanako@a.example.com",
                  "hanako.notify@a.example.com", "Start2026pass"):
        assert f'value="{value}"' in body
    assert re.search(r'name="password_method" value="admin"[^>]*checked', body)
    assert re.search(r'name="force_password_change"[^>]*checked', body)
    assert user_by_email("hanako@a.example.com") is None


def test_user1_factory_user_is_not_duplicated(alice_client, tenant_a):
    UserFactory(tenant=tenant_a, email="dup@a.example.com")
    response = confirm(alice_client, email="dup@a.example.com")
    assert "このユーザ ID は既に使用されています。" in response.content.decode()


# --- issue 23: addresses typed with the Japanese IME on -------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ｈａｎａｋｏ＠ａ．ｅｘａｍｐｌｅ．ｃｏｍ", "hanako@a.example.com"),  # all full-width
        ("hanako＠a.example.com", "hanako@a.example.com"),  # only the ＠
        ("　Hanako@A.example.com　", "hanako@a.example.com"),  # full-width spaces around, upper case
    ],
)
def test_issue23_user1_full_width_login_id_is_normalised(alice_client, typed, stored):
    """USER-1, issue 23: NFKC before the rules, so the ID the admin meant is stored (lower-case)."""
    response = confirm(alice_client, email=typed, notification_email="ｎｏｔｉｆｙ＠ａ．ｅｘａｍｐｌｅ．ｃｏｍ")
    assert response.status_code == HTTPStatus.FOUND
    user = user_by_email(stored)
    assert user is not None and user.notification_email == "notify@a.example.com"
    assert login_id_exists(stored)


def test_issue23_user1_confirm_shows_the_normalised_address(alice_client):
    body = alice_client.post(URL, add_data(email="ｈａｎａｋｏ＠ａ．ｅｘａｍｐｌｅ．ｃｏｍ")).content.decode()
    assert "ユーザ追加確認" in body
    summary = body[body.index('<dl class="details">'):]
    assert "<dd>hanako@a.example.com</dd>" in summary and "ｈａｎａｋｏ" not in summary


@pytest.mark.parametrize(
    ("field", "typed", "hint"),
    [
        ("email", "はなこ@a.example.com", "使用できない文字: は な こ"),
        ("notification_email", "hanako a@example.com", "使用できない文字: 空白"),
        ("email", "ｈａｎａｋｏ．ａ．ｅｘａｍｐｌｅ．ｃｏｍ", "（例: taro.yamada@example.co.jp）"),
    ],
)
def test_issue23_user1_still_invalid_address_gets_a_japanese_hint(alice_client, tenant_a, field, typed, hint):
    before = user_count(tenant_a)
    response = confirm(alice_client, **{field: typed})
    assert response.status_code == HTTPStatus.OK
    assert hint in response.content.decode()
    assert user_count(tenant_a) == before


@pytest.mark.django_db
def test_issue21_login_id_checks_are_throttled_per_admin(alice_client, settings):
    """The add form must say 「このユーザ ID は既に使用されています」 (an admin
    needs it), which also tells whether an ID exists anywhere in the portal:
    each admin gets LOGIN_ID_CHECKS_PER_ADMIN checks an hour, then a message."""
    settings.LOGIN_ID_CHECKS_PER_ADMIN = 3
    url = reverse("users:add")
    bodies = [
        alice_client.post(url, {"email": f"probe{i}@elsewhere.example.com"}).content.decode() for i in range(4)
    ]
    assert all("ユーザ ID の確認が 1 時間の上限に達しました" not in b for b in bodies[:3])
    assert "ユーザ ID の確認が 1 時間の上限に達しました" in bodies[3]
