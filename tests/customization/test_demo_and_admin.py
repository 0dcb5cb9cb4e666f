"""seed_demo's customization, and the operators' removals in Django admin (ALIAS-4)."""

from __future__ import annotations

import io
from http import HTTPStatus

from django.core.management import call_command
from django.urls import reverse

from customization import services
from customization.models import Branding, LinkItem
from tenants.models import Tenant
from tenants.scoping import operator_scope
from tests.customization.helpers import audit_actions, confirm
from tests.customization.images import image_upload


def test_seed_demo_gives_a_logo_two_links_and_an_alias(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    with operator_scope():
        tenant = Tenant.objects.get(code="T0000001")
        branding = Branding.objects.get(tenant=tenant)
        links = list(LinkItem.objects.filter(tenant=tenant))
    assert branding.site_logo_id and branding.login_logo_id
    assert len(links) == 2 and [bool(link.icon_id) for link in links] == [True, False]
    assert tenant.login_alias == "demo-portal"
    page = client.get("/?tenant_alias=demo-portal")
    assert client.get(page.context["login_logo_url"]).status_code == HTTPStatus.OK


def _setup(alice_client):
    page = alice_client.post(reverse("customization:site_logo"), {"logo": image_upload()})
    confirm(alice_client, "customization:site_logo", page)
    page = alice_client.post(
        reverse("customization:login_page"),
        {
            "use_alias": "on",
            "alias": "policy-test",
            "logo_choice": "custom",
            "logo": image_upload(),
        },
    )
    confirm(alice_client, "customization:login_page", page)
    page = alice_client.post(
        reverse("customization:link_add"),
        {"title": "x", "url": "https://x.example/", "icon": image_upload()},
    )
    confirm(alice_client, "customization:link_add", page)


def test_alias4_operator_removes_login_image_site_logo_and_icon(
    alice_client, bob_client, client, operator_client, tenant_a
):
    _setup(alice_client)
    assert client.get("/?tenant_alias=policy-test").context["login_logo_url"]
    with operator_scope():
        branding = Branding.objects.get(tenant=tenant_a)
        link = LinkItem.objects.get(tenant=tenant_a)
    changelist = reverse("admin:customization_branding_changelist")
    assert operator_client.get(changelist).status_code == HTTPStatus.OK
    for action in ("remove_login_logo", "remove_site_logo"):
        # issue 23: through the intermediate page, with a reason
        response = operator_client.post(
            changelist, {"action": action, "_selected_action": [branding.pk], "post": "yes", "reason": "規定違反"}
        )
        assert response.status_code == HTTPStatus.FOUND
    response = operator_client.post(
        reverse("admin:customization_linkitem_changelist"),
        {"action": "remove_icon", "_selected_action": [link.pk], "post": "yes", "reason": "規定違反"},
    )
    assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        branding.refresh_from_db()
        link.refresh_from_db()
    assert branding.login_logo_id is None and branding.site_logo_id is None and link.icon_id is None
    # The tenant falls back to the defaults at once (the cache is cleared).
    assert client.get("/?tenant_alias=policy-test").context["login_logo_url"] is None
    home = bob_client.get(reverse("home"))
    assert home.context["site_logo_url"] is None and "noimage.svg" in home.text
    assert audit_actions()[-3:] == [
        "customization.login_logo.removed_by_operator",
        "customization.site_logo.removed_by_operator",
        "customization.link_icon.removed_by_operator",
    ]


def test_alias4_tenant_admins_have_no_django_admin(alice_client):
    response = alice_client.get(reverse("admin:customization_branding_changelist"))
    assert response.status_code == HTTPStatus.FOUND


def test_alias4_operators_may_view_a_tenants_images_to_judge_them(
    alice_client, operator_client, tenant_a
):
    _setup(alice_client)
    with operator_scope():
        link = LinkItem.objects.select_related("icon").get(tenant=tenant_a)
    assert (
        operator_client.get(reverse("uploads:download", args=[link.icon.key])).status_code
        == HTTPStatus.OK
    )


def test_operator_service_without_image_is_harmless(alice, tenant_a):
    from tenants.scoping import tenant_scope

    with tenant_scope(tenant_a):
        assert services.remove_login_logo(tenant=tenant_a, actor=alice, reason="x") is False
    assert audit_actions() == []  # nothing to remove, nothing changed


def test_alias1_operators_see_but_do_not_edit_the_alias(operator_client, tenant_a):
    """Only the service writes the alias (lowercase, cache cleared)."""
    page = operator_client.get(reverse("admin:tenants_tenant_change", args=[tenant_a.pk]))
    assert page.status_code == HTTPStatus.OK
    assert 'name="login_alias"' not in page.text


def test_screens_in_english_for_an_english_browser(alice_client):
    """i18n: the chapter's screens carry no untranslated Japanese."""
    from tests.portal.test_i18n import EN, JAPANESE, strip_data, visible_text

    for name in (
        "customization:index",
        "customization:links",
        "customization:link_add",
        "customization:site_logo",
        "customization:login_page",
    ):
        page = alice_client.get(reverse(name), **EN)
        text = strip_data(visible_text(page.text), "有栖 アリス", "テナントA株式会社")
        assert not JAPANESE.findall(text), (name, JAPANESE.findall(text)[:10])
