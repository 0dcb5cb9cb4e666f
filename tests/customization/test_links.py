"""リンク集 (LINK-1 … LINK-3): 追加 → 確認 → 完了, NoImage, 削除, the home."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customization import services
from customization.models import LinkItem
from tenants.scoping import operator_scope, tenant_scope
from tests.customization.helpers import audit_actions, confirm
from tests.customization.images import image_bytes, image_upload, png_of_exact_size, upload

MB = 1024 * 1024


def add(client, **data):
    return client.post(reverse("customization:link_add"), data)


def links_of(tenant):
    with tenant_scope(tenant):
        return list(LinkItem.objects.select_related("icon"))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_link1_add_with_an_icon_of_each_allowed_format(alice_client, tenant_a, fmt):
    page = add(
        alice_client, title="社内ポータル", url="https://intra.example.com/", icon=image_upload(fmt)
    )
    assert page.status_code == HTTPStatus.OK
    assert page.templates[0].name == "customization/link_confirm.html"
    assert "完了" in page.text and page.context["preview_url"]
    assert links_of(tenant_a) == []  # nothing but the staged image before 完了
    done = confirm(alice_client, "customization:link_add", page)
    assert done.url == reverse("customization:links")
    [link] = links_of(tenant_a)
    assert (link.title, link.url) == ("社内ポータル", "https://intra.example.com/")
    assert link.icon is not None and link.icon.attached
    assert audit_actions() == ["customization.link.added"]


def test_link2_without_an_icon_the_home_shows_noimage(alice_client, bob_client, tenant_a):
    page = add(alice_client, title="勤怠", url="http://kintai.example.com/")
    assert "noimage.svg" in page.text
    confirm(alice_client, "customization:link_add", page)
    home = bob_client.get(reverse("home"))
    assert "noimage.svg" in home.text and "勤怠" in home.text


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "ftp://x.example.com/"]
)
def test_link1_other_schemes_are_refused_and_the_input_is_kept(alice_client, tenant_a, url):
    page = add(alice_client, title="危険", url=url)
    assert page.templates[0].name == "customization/link_add.html"
    assert "http:// または https://" in page.text
    assert 'value="危険"' in page.text
    assert links_of(tenant_a) == []


def test_link1_the_service_refuses_a_bad_scheme_even_past_the_form(alice, tenant_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_link(tenant=tenant_a, actor=alice, title="x", url="javascript:alert(1)")


def test_link1_icon_of_1mb_exactly_passes_and_1mb_plus_1_byte_is_refused(alice_client, tenant_a):
    ok = add(
        alice_client,
        title="a",
        url="https://a.example/",
        icon=upload(png_of_exact_size(MB), "a.png", "image/png"),
    )
    assert ok.templates[0].name == "customization/link_confirm.html"
    too_big = add(
        alice_client,
        title="b",
        url="https://b.example/",
        icon=upload(png_of_exact_size(MB + 1), "b.png", "image/png"),
    )
    assert too_big.templates[0].name == "customization/link_add.html"
    assert too_big.context["form"].errors["icon"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes("BMP"), "icon.png"),  # a BMP behind a .png
        (b"%PDF-1.4 not an image", "icon.jpg"),
        (image_bytes("PNG")[:60], "icon.png"),  # broken (truncated)
    ],
)
def test_link1_wrong_or_broken_files_are_refused_with_a_message(alice_client, tenant_a, data, name):
    page = add(
        alice_client, title="x", url="https://x.example/", icon=upload(data, name, "image/png")
    )
    assert page.templates[0].name == "customization/link_add.html"
    assert page.context["form"].errors["icon"]
    assert links_of(tenant_a) == []


def test_link1_a_staged_key_of_another_tenant_is_refused(alice_client, charlie_client, tenant_a):
    theirs = add(charlie_client, title="c", url="https://c.example/", icon=image_upload())
    response = alice_client.post(
        reverse("customization:link_add"),
        {
            "title": "x",
            "url": "https://x.example/",
            "staged_key": theirs.context["staged_key"],
            "stage": "done",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "有効期限" in response.text
    assert links_of(tenant_a) == []


def test_link1_back_from_confirm_keeps_the_input(alice_client):
    page = add(alice_client, title="戻る確認", url="https://back.example/", icon=image_upload())
    back = confirm(alice_client, "customization:link_add", page, extra={"back": "1"})
    assert back.templates[0].name == "customization/link_add.html"
    assert 'value="戻る確認"' in back.text and back.context["preview_url"]


def test_link2_delete_asks_then_deletes_with_the_icon(alice_client, tenant_a):
    confirm(
        alice_client,
        "customization:link_add",
        add(alice_client, title="消す", url="https://d.example/", icon=image_upload()),
    )
    [link] = links_of(tenant_a)
    url = reverse("customization:link_delete", args=[link.pk])
    page = alice_client.get(url)
    assert "よろしいですか" in page.text and link.pk == links_of(tenant_a)[0].pk
    assert alice_client.post(url).url == reverse("customization:links")
    assert links_of(tenant_a) == []
    assert audit_actions() == ["customization.link.added", "customization.link.deleted"]


def test_link2_there_is_no_edit(alice_client):
    assert not any("edit" in p.name for p in __import__("customization.urls").urls.urlpatterns)


def test_link3_every_member_sees_the_icons_and_links_open_safely(
    alice_client, bob_client, charlie_client
):
    confirm(
        alice_client,
        "customization:link_add",
        add(alice_client, title="共有", url="https://share.example/", icon=image_upload()),
    )
    home = bob_client.get(reverse("home"))
    assert 'href="https://share.example/"' in home.text
    assert 'rel="noopener noreferrer"' in home.text and 'target="_blank"' in home.text
    icon_src = home.context["home_links"][0].icon_url
    assert bob_client.get(icon_src).status_code == HTTPStatus.OK  # a member may load the icon
    assert "共有" not in charlie_client.get(reverse("home")).text  # not another tenant's
    assert charlie_client.get(icon_src).status_code == HTTPStatus.NOT_FOUND


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


def test_link3_the_home_runs_constant_queries(alice, bob_client, tenant_a):
    """One query for the links and the header logo on a cold cache, none
    once cached; the same at 1 and at 11 links."""
    services.add_link(tenant=tenant_a, actor=alice, title="1", url="https://1.example/")
    # Issue 22: the login's first request stamps the session and counts the
    # i badge; another page takes that (and caches the logo) first.
    bob_client.get(reverse("notifications:information"))
    cold_one, warm_one = _home_queries(bob_client), _home_queries(bob_client)
    for n in range(2, 12):
        services.add_link(tenant=tenant_a, actor=alice, title=str(n), url=f"https://{n}.example/")
    cold_many, warm_many = _home_queries(bob_client), _home_queries(bob_client)
    assert cold_one == cold_many == warm_one + 1
    assert warm_one == warm_many


# The view checklist (COMMON.md): login, another tenant → 404, ユーザ → 403, POST-only.


ADMIN_PAGES = [
    "customization:index",
    "customization:links",
    "customization:link_add",
    "customization:site_logo",
    "customization:login_page",
    "customization:alias_check",
    "customization:site_logo_reset",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_checklist_pages_need_login_and_an_admin(client, alice_client, bob_client, name):
    url = reverse(name)
    assert client.get(url).status_code == HTTPStatus.FOUND
    assert reverse("accounts:login") in client.get(url).url
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert alice_client.get(url).status_code == HTTPStatus.OK


def test_checklist_operators_have_no_tenant_pages(operator_client):
    assert operator_client.get(reverse("customization:index")).status_code == HTTPStatus.NOT_FOUND


def test_checklist_delete_another_tenants_link_is_404(alice, tenant_a, charlie_client, bob_client):
    link = services.add_link(tenant=tenant_a, actor=alice, title="A", url="https://a.example/")
    url = reverse("customization:link_delete", args=[link.pk])
    assert charlie_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert charlie_client.post(url).status_code == HTTPStatus.NOT_FOUND
    assert bob_client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert len(links_of(tenant_a)) == 1


def test_checklist_the_live_check_is_get_only(alice_client):
    assert (
        alice_client.post(reverse("customization:alias_check")).status_code
        == HTTPStatus.METHOD_NOT_ALLOWED
    )


def test_link1_required_fields_have_japanese_messages(alice_client, tenant_a):
    page = add(alice_client, title="", url="")
    assert page.context["form"].errors["title"] and page.context["form"].errors["url"]
    assert "必須" in page.text
    with operator_scope():
        assert LinkItem.objects.count() == 0
