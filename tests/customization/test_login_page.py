"""専用ログイン URL (ALIAS-1 … ALIAS-3): the alias, its logo, the public page."""

from __future__ import annotations

import threading
import time
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customization import services
from customization.models import Branding
from tenants.models import Tenant
from tenants.scoping import tenant_scope
from tests.customization.helpers import audit_actions, confirm
from tests.customization.images import image_bytes, image_upload, png_of_exact_size, upload
from tests.factories import TEST_PASSWORD

KB = 1024
URL = "customization:login_page"


def post(client, **data):
    data.setdefault("use_alias", "on")
    data.setdefault("logo_choice", "default")
    return client.post(reverse(URL), data)


def save(client, **data):
    page = post(client, **data)
    assert page.templates[0].name == "customization/login_page_confirm.html", page.context[
        "form"
    ].errors
    return confirm(client, URL, page)


def alias_of(tenant):
    tenant.refresh_from_db()
    return tenant.login_alias


def login_logo(tenant):
    with tenant_scope(tenant):
        row = Branding.objects.select_related("login_logo").filter(tenant=tenant).first()
    return row.login_logo if row else None


def test_alias1_set_and_unset(alice_client, tenant_a):
    done = save(alice_client, alias="Acme-Corp.jp")
    assert done.url == reverse(URL)
    assert alias_of(tenant_a) == "acme-corp.jp"  # stored lowercase
    page = alice_client.get(reverse(URL))
    assert "/?tenant_alias=acme-corp.jp" in page.text
    save(alice_client, use_alias="off", alias="")
    assert alias_of(tenant_a) is None
    assert audit_actions() == ["customization.login_page.updated"] * 2


@pytest.mark.parametrize(
    ("alias", "ok"),
    [
        ("abcde", True),
        ("a" * 32, True),
        ("a" * 33, False),
        ("abcd", False),
        (".abcde", False),
        ("abcde.", False),
        ("-abcde", False),
        ("abcde-", False),
        ("ab.c-d", True),
        ("", False),
    ],
)
def test_alias1_edge_cases_through_the_form(alice_client, tenant_a, alias, ok):
    page = post(alice_client, alias=alias)
    confirmed = page.templates[0].name == "customization/login_page_confirm.html"
    assert confirmed is ok
    if not ok:
        assert page.context["form"].errors["alias"]
        assert f'value="{alias}"' in page.text  # the input is kept
    assert alias_of(tenant_a) is None


def test_alias1_unique_across_tenants_case_insensitively(
    alice_client, charlie_client, tenant_a, tenant_b
):
    save(charlie_client, alias="shared-name")
    page = post(alice_client, alias="SHARED-Name")
    assert "既に使用されています" in page.text
    assert alias_of(tenant_a) is None and alias_of(tenant_b) == "shared-name"
    # Its own alias is never "taken" for the tenant itself.
    assert (
        post(charlie_client, alias="Shared-Name").templates[0].name
        == "customization/login_page_confirm.html"
    )


def test_alias1_checked_again_at_completion(alice_client, charlie_client, tenant_a):
    page = post(alice_client, alias="late-comer")
    save(charlie_client, alias="late-comer")  # someone else takes it meanwhile
    done = confirm(alice_client, URL, page)
    assert done.status_code == HTTPStatus.OK and "既に使用されています" in done.text
    assert alias_of(tenant_a) is None


def test_alias1_live_check_endpoint(alice_client, charlie_client):
    save(charlie_client, alias="taken-one")
    check = lambda a: alice_client.get(reverse("customization:alias_check"), {"alias": a}).json()  # noqa: E731
    assert check("free-one")["ok"] is True and "tenant_alias=free-one" in check("free-one")["url"]
    assert check("Taken-One") == {"ok": False, "message": str(services.ALIAS_TAKEN)}
    assert check("abc")["ok"] is False and "5〜32" in check("abc")["message"]
    assert check("-abcde")["ok"] is False


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_alias2_own_image_of_each_format(alice_client, tenant_a, fmt):
    page = post(
        alice_client, alias="logo-test", logo_choice="custom", logo=image_upload(fmt, (160, 48))
    )
    assert page.context["preview_url"]
    confirm(alice_client, URL, page)
    assert login_logo(tenant_a) is not None


def test_alias2_80kb_exactly_passes_and_80kb_plus_1_byte_is_refused(alice_client, tenant_a):
    ok = post(
        alice_client,
        alias="size-test",
        logo_choice="custom",
        logo=upload(png_of_exact_size(80 * KB), "l.png"),
    )
    assert ok.templates[0].name == "customization/login_page_confirm.html"
    refused = post(
        alice_client,
        alias="size-test",
        logo_choice="custom",
        logo=upload(png_of_exact_size(80 * KB + 1), "l.png"),
    )
    assert refused.context["form"].errors["logo"]
    assert 'value="size-test"' in refused.text
    assert login_logo(tenant_a) is None and alias_of(tenant_a) is None


@pytest.mark.parametrize(
    ("data", "name"), [(image_bytes("BMP"), "l.png"), (b"GIF89a broken", "l.gif")]
)
def test_alias2_wrong_or_broken_images_are_refused(alice_client, tenant_a, data, name):
    page = post(alice_client, alias="bad-image", logo_choice="custom", logo=upload(data, name))
    assert page.context["form"].errors["logo"]
    assert login_logo(tenant_a) is None


def test_alias2_custom_without_an_image_asks_for_one(alice_client):
    page = post(alice_client, alias="no-image", logo_choice="custom")
    assert "ロゴ画像を選択してください" in page.text


def test_alias4_the_page_states_the_image_policy(alice_client):
    page = alice_client.get(reverse(URL))
    for text in (
        "機密情報・個人情報などを含む画像",
        "著作権・肖像権・商標権の侵害",
        "公序良俗に反する画像",
        "どなたでも表示",
    ):
        assert text in page.text


def test_alias3_the_alias_url_shows_the_logo_to_anyone_and_logs_in(
    alice_client, client, tenant_a, bob
):
    save(
        alice_client, alias="Bob-Company", logo_choice="custom", logo=image_upload("PNG", (160, 48))
    )
    logo = login_logo(tenant_a)
    page = client.get("/?tenant_alias=bob-company")
    assert page.status_code == HTTPStatus.OK
    logo_url = page.context["login_logo_url"]
    assert str(logo.key) in logo_url and f'src="{logo_url}"' in page.text
    assert tenant_a.name not in page.text  # nothing of the tenant but the logo
    assert client.get(logo_url).status_code == HTTPStatus.OK  # public, no login
    # The second step still shows it; the login is the plain one.
    assert client.post(reverse("accounts:login"), {"login_id": bob.email}).url == reverse(
        "accounts:login_password"
    )
    assert logo_url in client.get(reverse("accounts:login_password")).text
    assert client.post(
        reverse("accounts:login_password"), {"password": TEST_PASSWORD}
    ).url == reverse("home")


def test_alias3_case_of_the_url_does_not_matter(alice_client, client):
    save(alice_client, alias="caseless", logo_choice="custom", logo=image_upload())
    assert client.get("/?tenant_alias=CaseLess").context["login_logo_url"]


def test_alias3_unknown_alias_is_the_plain_login_without_saying_so(client, db):
    plain = client.get("/")
    unknown = client.get("/?tenant_alias=no-such-tenant")
    assert unknown.status_code == HTTPStatus.OK
    assert unknown.context["login_logo_url"] is None
    assert "img/logo.svg" in unknown.text
    assert "存在" not in unknown.text and "見つかりません" not in unknown.text
    assert plain.templates[0].name == unknown.templates[0].name


def test_alias3_alias_without_own_image_shows_the_default(alice_client, client):
    save(alice_client, alias="default-logo")
    assert client.get("/?tenant_alias=default-logo").context["login_logo_url"] is None


def test_alias3_changed_logo_and_alias_invalidate_the_cache(alice_client, client, tenant_a):
    save(alice_client, alias="first-name", logo_choice="custom", logo=image_upload())
    first = client.get("/?tenant_alias=first-name").context["login_logo_url"]
    save(alice_client, alias="first-name", logo_choice="custom", logo=image_upload("GIF"))
    second = client.get("/?tenant_alias=first-name").context["login_logo_url"]
    assert first and second and first != second
    assert client.get(first).status_code == HTTPStatus.NOT_FOUND  # the replaced image is gone
    save(alice_client, alias="second-name", logo_choice="custom")  # keep the image, new alias
    assert client.get("/?tenant_alias=first-name").context["login_logo_url"] is None
    assert client.get("/?tenant_alias=second-name").context["login_logo_url"] == second
    save(alice_client, alias="second-name", logo_choice="default")
    assert client.get("/?tenant_alias=second-name").context["login_logo_url"] is None


def test_alias3_cached_alias_page_reads_nothing_of_customization(alice_client, client):
    save(alice_client, alias="query-count", logo_choice="custom", logo=image_upload())
    client.get("/?tenant_alias=query-count")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/?tenant_alias=query-count").status_code == HTTPStatus.OK
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "customization_" not in tables and "tenants_tenant" not in tables
    with CaptureQueriesContext(connection) as plain:
        client.get("/")
    assert len(ctx.captured_queries) == len(plain.captured_queries)  # the session's, nothing more


def test_alias_checklist_bad_post_changes_nothing(alice_client, tenant_a):
    page = alice_client.post(reverse(URL), {"use_alias": "maybe", "logo_choice": "custom"})
    assert page.status_code == HTTPStatus.OK and page.context["form"].errors
    assert alias_of(tenant_a) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_alias1_race_two_tenants_taking_one_alias_ends_with_one_winner(
    tenant_a, tenant_b, alice, charlie
):
    """Two connections: A saves the alias and holds its transaction open; B
    passes the pre-check (A is not committed), blocks on the unique index,
    then loses with the form's message, not a 500."""
    a_saved = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def first():
        try:
            with tenant_scope(tenant_a), transaction.atomic():
                services.set_login_page(
                    tenant=tenant_a, actor=alice, alias="Race-Alias", logo=services.KEEP
                )
                a_saved.set()
                release.wait(10)
            outcome["a"] = "ok"
        finally:
            connections.close_all()

    def second():
        a_saved.wait(10)
        try:
            with tenant_scope(tenant_b):
                services.set_login_page(
                    tenant=tenant_b, actor=charlie, alias="race-alias", logo=services.KEEP
                )
            outcome["b"] = "ok"
        except ValidationError as exc:
            outcome["b"] = exc.message_dict["alias"][0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    a_saved.wait(10)
    time.sleep(0.5)  # let B reach the unique index and wait on A
    release.set()
    for t in threads:
        t.join(20)
    # The threads speak the default language (ja) whatever this one has active.
    assert outcome["a"] == "ok" and "既に使用されています" in outcome["b"]
    assert Tenant.objects.get(pk=tenant_a.pk).login_alias == "race-alias"
    assert Tenant.objects.get(pk=tenant_b.pk).login_alias is None


def test_alias2_back_from_confirm_keeps_the_input_and_the_chosen_image(alice_client, tenant_a):
    page = post(alice_client, alias="go-back", logo_choice="custom", logo=image_upload())
    back = confirm(alice_client, URL, page, extra={"back": "1"})
    assert back.templates[0].name == "customization/login_page.html"
    assert 'value="go-back"' in back.text
    assert page.context["staged_key"] in back.context["current_logo_url"]
    assert alias_of(tenant_a) is None
    # 完了 from the input page again uses the carried image.
    again = post(
        alice_client, alias="go-back", logo_choice="custom", staged_key=page.context["staged_key"]
    )
    confirm(alice_client, URL, again)
    assert login_logo(tenant_a) is not None
