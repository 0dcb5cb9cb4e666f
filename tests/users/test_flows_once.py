"""Every 確認 → 完了 of the user directory goes through the web kit (issue 19):
the same token posted twice changes once — one object or change, one set of
mails, one audit entry — and the second answer is 「この操作はすでに完了しています」
with a link to the first result; a 完了 without a token shows 確認 again and
changes nothing; 戻る from 確認 keeps the fields.

One table of flows (USER-1, USER-7, USER-8, USER-6, USER-9, SVC-2,
CONTRACT-2), each with its URL, its input and what it changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Organization, User, UserServiceRegistration
from tenants.scoping import operator_scope
from tests.factories import TEST_PASSWORD, ContractFactory, ServiceFactory, UserFactory
from tests.users.users_helpers import add_data, audit, outbox
from tests.web.flow import confirm_fields

ALREADY = "この操作はすでに完了しています"
STALE = "もう一度「完了」を押してください"


def _count(model: Any, **filters: Any) -> int:
    with operator_scope():
        return model.objects.filter(**filters).count()


def _select(client: Any, users: list[User]) -> None:
    ids = ",".join(str(u.pk) for u in users)
    client.post(reverse("users:list_action"), {"page_ids": ids, "selected": [u.pk for u in users], "action": "save"})


@dataclass
class Flow:
    """``prepare(ctx)`` sets the scene and returns (url, input); ``state()``
    is what the flow changes, compared before and after; ``audit_action``
    the entry it writes; ``mail`` the outbox template it queues, if any."""

    prepare: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
    state: Callable[[dict[str, Any]], Any]
    audit_action: str
    mail: str | None = None
    result: Callable[[dict[str, Any]], str] | None = None
    # What 完了 posts besides the 確認 page's hidden fields (CONTRACT-2: the
    # admin's password again, issue 21).
    done: dict[str, str] = field(default_factory=dict)


def _add(ctx):
    return reverse("users:add"), add_data()


def _edit(ctx):
    bob = ctx["bob"]
    data = {**add_data(email=bob.email, notification_email=bob.notification_email, last_name=bob.last_name,
                       first_name=bob.first_name, role=bob.role, affiliation="総務部")}
    data.pop("password_method")
    return reverse("users:edit", args=[bob.pk]), data


def _delete(ctx):
    return reverse("users:delete", args=[ctx["bob"].pk]), {}


def _bulk(kind):
    def prepare(ctx):
        carol = UserFactory(tenant=ctx["tenant_a"], email="carol@a.example.com")
        _select(ctx["client"], [ctx["alice"], ctx["bob"], carol])
        return reverse(f"users:bulk_{kind}"), {}

    return prepare


def _service_register(ctx):
    service = ServiceFactory(code="custom", name="カスタム", user_fields=[
        {"name": "account", "label": "アカウント名", "required": True},
        {"name": "uid", "label": "利用者 ID", "auto": True},
    ])
    contract = ContractFactory(tenant=ctx["tenant_a"], service=service, number="A-custom")
    return reverse("users:service_register", args=[ctx["bob"].pk, contract.pk]), {"f_account": "bob01"}


def _service_remove(ctx):
    contract = ContractFactory(tenant=ctx["tenant_a"], service=ctx["services"]["bpo_web"], number="A-bpo")
    UserServiceRegistration.objects.create(tenant=ctx["tenant_a"], user=ctx["bob"], contract=contract)
    return reverse("users:service_remove", args=[ctx["bob"].pk, contract.pk]), {}


def _organization_delete(ctx):
    org = Organization.objects.create(tenant=ctx["tenant_a"], name="営業部")
    return reverse("users:organization_delete", args=[org.pk]), {}


def _representative(ctx):
    dora = UserFactory(tenant=ctx["tenant_a"], email="dora@a.example.com", role=User.Role.ADMIN)
    return reverse("contract:representative_change"), {"new_admin": dora.pk}


def _users(ctx):
    with operator_scope():
        return sorted(User.objects.filter(tenant=ctx["tenant_a"]).values_list("email", "affiliation"))


FLOWS = {
    "USER-1 ユーザ追加": Flow(
        _add, _users, "accounts.user.created", mail="account_setup",
        result=lambda ctx: reverse("users:add_done", args=[User.objects.get(email="hanako@a.example.com").pk]),
    ),
    "USER-7 基本情報の変更": Flow(
        _edit, _users, "accounts.user.updated", result=lambda ctx: reverse("users:detail", args=[ctx["bob"].pk])
    ),
    "USER-8 ユーザ削除": Flow(_delete, _users, "accounts.user.deleted", result=lambda ctx: reverse("users:list")),
    "USER-8 選択ユーザを削除": Flow(
        _bulk("delete"), _users, "accounts.user.deleted", result=lambda ctx: reverse("users:bulk_delete_done")
    ),
    "USER-6 選択ユーザのパスワードリセット": Flow(
        _bulk("password_reset"), lambda ctx: len(outbox()), "accounts.password_reset.requested",
        mail="password_reset", result=lambda ctx: reverse("users:bulk_password_reset_done"),
    ),
    "SVC-2 サービス登録": Flow(
        _service_register, lambda ctx: _count(UserServiceRegistration), "accounts.user.service_registered",
        result=lambda ctx: reverse("users:services", args=[ctx["bob"].pk]),
    ),
    "SVC-2 サービス登録の削除": Flow(
        _service_remove, lambda ctx: _count(UserServiceRegistration), "accounts.user.service_removed",
        result=lambda ctx: reverse("users:services", args=[ctx["bob"].pk]),
    ),
    "USER-9 組織の削除": Flow(
        _organization_delete, lambda ctx: _count(Organization), "accounts.organization.deleted",
        result=lambda ctx: reverse("users:organizations"),
    ),
    "CONTRACT-2 代表管理者変更": Flow(
        _representative,
        lambda ctx: _count(User, tenant=ctx["tenant_a"], is_representative=True, email="dora@a.example.com"),
        "tenants.representative.changed", result=lambda ctx: reverse("contract:detail"),
        done={"current_password": TEST_PASSWORD},
    ),
}


@pytest.fixture
def ctx(alice_client, alice, bob, tenant_a, services):
    return {"client": alice_client, "alice": alice, "bob": bob, "tenant_a": tenant_a, "services": services}


@pytest.mark.parametrize("name", FLOWS)
def test_issue19_same_token_twice_changes_once(name, ctx, django_capture_on_commit_callbacks, mailoutbox):
    """戻る and 完了 again (or a double click): one change, one set of mails,
    one audit entry, and the 完了-already page linking to the first result."""
    flow, client = FLOWS[name], ctx["client"]
    url, data = flow.prepare(ctx)
    before = flow.state(ctx)
    fields = {**confirm_fields(client.post(url, data)), **flow.done}
    assert fields, "the 確認 page carries a token"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, fields)
    assert first.status_code == HTTPStatus.FOUND
    after = flow.state(ctx)
    assert after != before
    entries = len(audit(flow.audit_action))
    mails = len(mailoutbox)
    rows = len(outbox(flow.mail)) if flow.mail else 0
    assert entries >= 1
    assert (mails >= 1 and rows >= 1) if flow.mail else (mails == 0 and rows == 0)

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, fields)
    assert second.status_code == HTTPStatus.OK
    body = second.content.decode()
    assert ALREADY in body
    with operator_scope():
        result = flow.result(ctx)
    assert first.url.split("?")[0] == result
    assert f'href="{first.url}"' in body
    assert flow.state(ctx) == after
    assert len(audit(flow.audit_action)) == entries
    assert len(mailoutbox) == mails
    assert (len(outbox(flow.mail)) if flow.mail else 0) == rows


@pytest.mark.parametrize("name", FLOWS)
def test_issue19_complete_without_token_shows_confirm_again_and_changes_nothing(name, ctx, mailoutbox):
    flow, client = FLOWS[name], ctx["client"]
    url, data = flow.prepare(ctx)
    before = flow.state(ctx)
    fields = {**confirm_fields(client.post(url, data)), **flow.done}
    fields.pop("submission_token")
    response = client.post(url, fields)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert STALE in body
    assert 'name="submission_token"' in body  # 確認 again, with a fresh token
    assert flow.state(ctx) == before
    assert audit(flow.audit_action) == []
    assert mailoutbox == [] and outbox() == []
    # The fresh token completes it.
    assert client.post(url, {**confirm_fields(response), **flow.done}).status_code == HTTPStatus.FOUND
    assert flow.state(ctx) != before


@pytest.mark.parametrize(
    "name", ["USER-7 基本情報の変更", "SVC-2 サービス登録", "CONTRACT-2 代表管理者変更"]
)
def test_issue19_back_from_confirm_keeps_the_input(name, ctx):
    """戻る posts the 確認 page's fields back: the input page shows them again."""
    flow, client = FLOWS[name], ctx["client"]
    url, data = flow.prepare(ctx)
    before = flow.state(ctx)
    fields = {**confirm_fields(client.post(url, data)), **flow.done}
    body = client.post(url, {**fields, "back": "1"}).content.decode()
    assert "確認" in body and 'name="submission_token"' not in body
    for key, value in data.items():
        if key in ("role", "login_condition", "new_admin"):
            continue  # radios and selects: checked below
        assert f'value="{value}"' in body, key
    if "new_admin" in data:
        assert f'value="{data["new_admin"]}" selected' in body
    assert flow.state(ctx) == before


@pytest.mark.parametrize(
    ("name", "back_to"),
    [
        ("USER-8 ユーザ削除", lambda ctx: reverse("users:detail", args=[ctx["bob"].pk])),
        ("USER-8 選択ユーザを削除", lambda ctx: reverse("users:list")),
        ("SVC-2 サービス登録の削除", lambda ctx: reverse("users:services", args=[ctx["bob"].pk])),
        ("USER-9 組織の削除", lambda ctx: reverse("users:organizations")),
    ],
)
def test_issue19_back_from_a_deletion_confirm_goes_where_it_came_from(name, back_to, ctx):
    flow, client = FLOWS[name], ctx["client"]
    url, data = flow.prepare(ctx)
    before = flow.state(ctx)
    fields = confirm_fields(client.get(url))
    response = client.post(url, {**fields, "back": "1"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.split("?")[0] == back_to(ctx)
    assert flow.state(ctx) == before


def test_user8_bulk_complete_acts_on_the_confirmed_users_not_a_later_selection(ctx):
    """The 確認 page carries who it listed; selecting others in another tab
    before 完了 does not change whom 完了 deletes."""
    client, tenant_a = ctx["client"], ctx["tenant_a"]
    url, _data = FLOWS["USER-8 選択ユーザを削除"].prepare(ctx)
    fields = confirm_fields(client.get(url))
    dan = UserFactory(tenant=tenant_a, email="dan@a.example.com")
    _select(client, [dan])
    client.post(url, fields)
    with operator_scope():
        emails = set(User.objects.filter(tenant=tenant_a).values_list("email", flat=True))
    assert "dan@a.example.com" in emails and "bob@a.example.com" not in emails and "carol@a.example.com" not in emails


def test_user8_bulk_ids_of_another_tenant_are_ignored(ctx, charlie):
    """Hidden fields are user input: an id of another tenant's user is not deleted."""
    client = ctx["client"]
    url, _data = FLOWS["USER-8 選択ユーザを削除"].prepare(ctx)
    fields = confirm_fields(client.get(url))
    fields["users"] = [f"{fields['users'][0]},{charlie.pk}"]
    client.post(url, fields)
    with operator_scope():
        assert User.objects.filter(pk=charlie.pk).exists()


def test_user1_hidden_fields_are_validated_again_at_complete(ctx):
    """An edited hidden field at 完了 is checked like the input: the input page with the error, no user."""
    client = ctx["client"]
    url, data = _add(ctx)
    fields = confirm_fields(client.post(url, data))
    fields["email"] = ["not-an-address"]
    response = client.post(url, fields)
    assert response.status_code == HTTPStatus.OK
    assert "メールアドレスの形式" in response.content.decode()
    with operator_scope():
        assert not User.objects.filter(email="hanako@a.example.com").exists()


def test_user6_bulk_result_page_reloads_without_mailing_again(ctx, django_capture_on_commit_callbacks, mailoutbox):
    client = ctx["client"]
    url, _data = FLOWS["USER-6 選択ユーザのパスワードリセット"].prepare(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, confirm_fields(client.get(url)))
    sent = len(mailoutbox)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            body = client.get(done.url).content.decode()
        assert "パスワード再設定メールを送信したユーザ" in body
    assert len(mailoutbox) == sent
