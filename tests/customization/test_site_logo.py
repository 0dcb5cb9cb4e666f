"""サイトロゴ (LOGO-1 … LOGO-3): the header's logo slot."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from customization.models import Branding
from tenants.scoping import tenant_scope
from tests.customization.helpers import audit_actions, confirm
from tests.customization.images import (
    image_bytes,
    image_upload,
    png_bomb,
    png_of_exact_size,
    upload,
)

MB = 1024 * 1024


def choose(client, file):
    return client.post(reverse("customization:site_logo"), {"logo": file})


def set_logo(client, file):
    page = choose(client, file)
    assert page.templates[0].name == "customization/site_logo_confirm.html", page.context[
        "form"
    ].errors
    return confirm(client, "customization:site_logo", page)


def current_logo(tenant):
    with tenant_scope(tenant):
        row = Branding.objects.select_related("site_logo").filter(tenant=tenant).first()
    return row.site_logo if row else None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_logo1_each_allowed_format_becomes_the_header_logo(alice_client, bob_client, tenant_a, fmt):
    page = choose(alice_client, image_upload(fmt, (240, 40)))
    # 確認: the header itself shows the new logo (the manual's 左上 preview).
    staged = page.context["site_logo_url"]
    assert f'src="{staged}"' in page.text
    assert current_logo(tenant_a) is None
    done = confirm(alice_client, "customization:site_logo", page)
    assert done.url == reverse("customization:site_logo")
    logo = current_logo(tenant_a)
    assert logo is not None
    home = bob_client.get(reverse("home"))
    header_logo = home.context["site_logo_url"]
    assert str(logo.key) in header_logo
    # Clicking the logo goes home; members can load it.
    assert f'<a class="site-logo" href="{reverse("home")}"' in home.text
    assert bob_client.get(header_logo).status_code == HTTPStatus.OK
    assert audit_actions() == ["customization.site_logo.set"]


def test_logo1_aspect_1_to_6_is_accepted_and_1_to_6_01_refused(alice_client, tenant_a):
    assert (
        choose(alice_client, image_upload("PNG", (600, 100))).templates[0].name
        == "customization/site_logo_confirm.html"
    )
    refused = choose(alice_client, image_upload("PNG", (601, 100)))
    assert refused.templates[0].name == "customization/site_logo.html"
    assert "1:6" in refused.context["form"].errors["logo"][0]


def test_logo1_1mb_exactly_passes_and_1mb_plus_1_byte_is_refused(alice_client):
    ok = choose(alice_client, upload(png_of_exact_size(MB), "logo.png", "image/png"))
    assert ok.templates[0].name == "customization/site_logo_confirm.html"
    refused = choose(alice_client, upload(png_of_exact_size(MB + 1), "logo.png", "image/png"))
    assert refused.context["form"].errors["logo"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes("GIF"), "logo.png"),  # a GIF behind .png
        (image_bytes("BMP"), "logo.jpg"),  # a BMP behind .jpg
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.png"),
        (image_bytes("JPEG", (300, 60))[:200], "logo.jpg"),  # broken
        (png_bomb(), "bomb.png"),  # decompression bomb
    ],
    ids=["gif-as-png", "bmp-as-jpg", "svg-as-png", "broken", "bomb"],
)
def test_logo3_refused_files_keep_the_old_logo_and_say_why(alice_client, tenant_a, data, name):
    set_logo(alice_client, image_upload("PNG", (200, 50)))
    before = current_logo(tenant_a)
    page = choose(alice_client, upload(data, name, "image/png"))
    assert page.status_code == HTTPStatus.OK
    assert page.templates[0].name == "customization/site_logo.html"
    assert page.context["form"].errors["logo"]
    assert "変更前のサイトロゴ" in page.text
    assert current_logo(tenant_a) == before
    assert str(before.key) in page.context["site_logo_url"]


def test_logo3_an_expired_staged_image_keeps_the_old_logo(alice_client, tenant_a):
    set_logo(alice_client, image_upload())
    before = current_logo(tenant_a)
    response = alice_client.post(
        reverse("customization:site_logo"),
        {"staged_key": "00000000-0000-0000-0000-000000000000", "stage": "done"},
    )
    assert "有効期限" in response.text
    assert current_logo(tenant_a) == before


def test_logo1_a_new_logo_replaces_the_cached_one(alice_client, bob_client, tenant_a):
    set_logo(alice_client, image_upload("PNG", (200, 50)))
    first = bob_client.get(reverse("home")).context["site_logo_url"]
    set_logo(alice_client, image_upload("GIF", (200, 50)))
    second = bob_client.get(reverse("home")).context["site_logo_url"]
    assert first != second and str(current_logo(tenant_a).key) in second


def test_logo2_default_image_restores_the_default_logo(alice_client, bob_client, tenant_a):
    set_logo(alice_client, image_upload())
    assert bob_client.get(reverse("home")).context["site_logo_url"]
    ask = alice_client.get(reverse("customization:site_logo_reset"))
    assert "よろしいですか" in ask.text and current_logo(tenant_a) is not None  # asks first
    response = alice_client.post(reverse("customization:site_logo_reset"))
    assert response.url == reverse("customization:site_logo")
    assert current_logo(tenant_a) is None
    home = bob_client.get(reverse("home"))
    assert home.context["site_logo_url"] is None and "img/logo.svg" in home.text
    assert audit_actions() == ["customization.site_logo.set", "customization.site_logo.reset"]


def test_logo1_logo_required_message(alice_client):
    page = alice_client.post(reverse("customization:site_logo"), {})
    assert "ロゴ画像を選択してください" in page.text


def test_logo1_another_tenants_header_keeps_its_own_logo(alice_client, charlie_client):
    set_logo(alice_client, image_upload())
    assert charlie_client.get(reverse("home")).context["site_logo_url"] is None


def test_logo1_the_header_logo_costs_no_query_once_cached(
    alice_client, bob_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_logo(alice_client, image_upload())
    bob_client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        bob_client.get(reverse("home"))
    assert not [q for q in ctx.captured_queries if "customization_branding" in q["sql"]]
