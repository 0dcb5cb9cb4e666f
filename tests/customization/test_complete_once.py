"""LINK-1, LOGO-1, ALIAS-1/ALIAS-2 with the web kit (issue 19): a 完了 never
runs twice. The same 確認 token posted again (Back and 完了, a second tab)
changes nothing more: one link / logo / setting, one audit entry, no mail,
and the 完了-already page linking to where the first 完了 led."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from customization.models import LinkItem
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.customization.helpers import audit_actions
from tests.customization.images import image_upload
from tests.web import flow
from uploads.models import StoredFile
from web.submission import TOKEN_FIELD

ALREADY = "この操作はすでに完了しています"

FLOWS = {
    "link": (
        "customization:link_add",
        lambda: {"title": "社内ポータル", "url": "https://intra.example.com/", "icon": image_upload()},
        ["customization.link.added"],
        "customization/link_confirm.html",
    ),
    "site_logo": (
        "customization:site_logo",
        lambda: {"logo": image_upload("PNG", (240, 40))},
        ["customization.site_logo.set"],
        "customization/site_logo_confirm.html",
    ),
    "login_page": (
        "customization:login_page",
        lambda: {"use_alias": "on", "alias": "once-only", "logo_choice": "custom", "logo": image_upload("PNG", (200, 48))},
        ["customization.login_page.updated", "customization.login_logo.set"],
        "customization/login_page_confirm.html",
    ),
}


def _files():
    with operator_scope():
        return list(StoredFile.objects.values_list("attached", flat=True))


def _mails() -> int:
    with operator_scope():
        return OutboxMessage.objects.count()


@pytest.mark.parametrize("name", FLOWS)
def test_link1_logo1_alias1_same_token_twice_changes_once(alice_client, tenant_a, name):
    url_name, data, actions, _template = FLOWS[name]
    url = reverse(url_name)
    confirm, done = flow.confirm_then_complete(alice_client, url, data())
    assert done.status_code == HTTPStatus.FOUND, confirm.context["form"].errors
    again = flow.complete(alice_client, url, confirm)
    assert again.status_code == HTTPStatus.OK
    assert ALREADY in again.text and "有効期限" not in again.text
    assert f'href="{done.url}"' in again.text
    assert audit_actions() == actions
    assert _files() == [True]  # the one staged image, attached once
    assert _mails() == 0
    if name == "link":
        with tenant_scope(tenant_a):
            assert LinkItem.objects.count() == 1


@pytest.mark.parametrize("name", FLOWS)
def test_link1_logo1_alias1_missing_token_shows_confirm_again(alice_client, name):
    url_name, data, _action, template = FLOWS[name]
    url = reverse(url_name)
    fields = flow.confirm_fields(alice_client.post(url, data()))
    del fields[TOKEN_FIELD]
    response = alice_client.post(url, fields)
    assert response.status_code == HTTPStatus.OK
    assert response.templates[0].name == template
    assert "もう一度「完了」を押してください" in response.text
    assert audit_actions() == [] and _files() == [False]
    assert flow.complete(alice_client, url, response).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("name", ["link", "login_page"])
def test_link1_alias2_back_keeps_fields_and_the_staged_image(alice_client, name):
    url_name, data, _action, _template = FLOWS[name]
    url = reverse(url_name)
    confirm = alice_client.post(url, data())
    back = flow.back(alice_client, url, confirm)
    key = confirm.context["staged_key"]
    assert f'name="staged_key" value="{key}"' in back.text
    assert 'value="社内ポータル"' in back.text or 'value="once-only"' in back.text
    # 確認 again from the input without choosing the image again.
    again = alice_client.post(url, {k: v for k, v in flow.confirm_fields(confirm).items() if k not in ("stage", TOKEN_FIELD)})
    assert again.context["staged_key"] == key
