"""The view checklist for メール通知サービス設定 (NOTIF-2), the i list
(HOME-3) and マニュアル (HOME-4): works, login, another tenant → 404,
ユーザ where an admin is needed → 403, bad input keeps the input, changes
nothing and says why in Japanese; constant queries at two data sizes."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import UserServiceRegistration
from audit.models import AuditEntry
from mail.models import OutboxMessage
from notifications import prefectures as prefs
from notifications import selectors
from notifications.models import AreaSetting, NoticeKind, ServiceManual
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory
from tests.notifications.conftest import HOKKAIDO, TOKYO, set_area_row
from tests.web.flow import done_data, submit_through_confirm, token_from


def unread(user) -> int:
    with tenant_scope(user.tenant_id):
        return selectors.unread_count(user)


def info(user) -> list:
    with tenant_scope(user.tenant_id):
        return list(selectors.information(user))


def area_url(service) -> str:
    return reverse("notifications:area_edit", args=[service.pk])


def stored_area(tenant, service) -> int | None:
    with operator_scope():
        row = AreaSetting.objects.filter(tenant=tenant, service=service).first()
    return row.prefectures if row else None


# --- メール通知サービス設定 (NOTIF-2) ----------------------------------------


def test_notif2_list_shows_each_area_service_with_its_setting(alice_client, ether_a, services, tenant_a):
    ContractFactory(tenant=tenant_a, service=services["google_workspace"])
    response = alice_client.get(reverse("notifications:areas"))
    assert response.status_code == HTTPStatus.OK
    assert "イーサエコノミーの対象エリア設定" in response.text
    assert "全国" in response.text and "初期設定" in response.text  # the default
    assert "Google Workspace" not in response.text  # not area-capable


def test_notif2_tick_confirm_complete(alice_client, alice, ether_a, ether, tenant_a):
    url = area_url(ether)
    page = alice_client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert page.text.count('name="prefectures"') == 47
    for region in ("北海道・東北", "関東", "中部", "近畿", "中国", "四国", "九州・沖縄"):
        assert region in page.text
    confirm = alice_client.post(url, {"prefectures": ["01", "13"]})
    assert confirm.status_code == HTTPStatus.OK
    assert "北海道、東京都" in confirm.text and "完了" in confirm.text
    assert stored_area(tenant_a, ether) is None  # 確認 changes nothing
    done = alice_client.post(url, done_data({"prefectures": ["01", "13"]}, token_from(confirm)))
    assert done.status_code == HTTPStatus.FOUND
    assert stored_area(tenant_a, ether) == HOKKAIDO | TOKYO
    assert "北海道、東京都" in alice_client.get(done.url).text
    listing = alice_client.get(reverse("notifications:areas")).text
    assert "北海道、東京都" in listing and "初期設定" not in listing
    with operator_scope():
        entry = AuditEntry.objects.get(action="notifications.area.changed")
    assert entry.tenant_id == tenant_a.pk and entry.data["after"] == ["01", "13"]
    assert len(entry.data["before"]) == 47


def test_notif2_region_and_nationwide_boxes_work_without_javascript(alice_client, ether_a, ether, tenant_a):
    url = area_url(ether)
    submit_through_confirm(alice_client, url, {"regions": ["shikoku"], "prefectures": ["01"]})
    assert prefs.codes(stored_area(tenant_a, ether)) == ["01", "36", "37", "38", "39"]
    submit_through_confirm(alice_client, url, {"nationwide": "on"})
    assert stored_area(tenant_a, ether) == prefs.NATIONWIDE
    assert "全国" in alice_client.get(reverse("notifications:areas")).text


def test_notif2_nothing_ticked_is_a_clear_error_and_changes_nothing(alice_client, ether_a, ether, tenant_a):
    set_area_row(tenant_a, ether, TOKYO)
    response = alice_client.post(area_url(ether), {"stage": "done", "prefectures": [], "regions": ["bogus"]})
    assert response.status_code == HTTPStatus.OK
    assert "対象エリアを 1 つ以上選択してください。" in response.text
    assert stored_area(tenant_a, ether) == TOKYO


def test_notif2_bad_input_keeps_what_was_ticked(alice_client, ether_a, ether):
    response = alice_client.post(area_url(ether), {"prefectures": ["13", "99"]})
    assert response.status_code == HTTPStatus.OK
    assert 'value="13" checked' in response.text  # kept
    assert "正しく選択してください" in response.text or "選択" in response.text


def test_notif2_back_returns_to_the_boxes_as_ticked(alice_client, ether_a, ether):
    response = alice_client.post(area_url(ether), {"back": "1", "prefectures": ["47"]})
    assert 'value="47" checked' in response.text and 'value="13" checked' not in response.text


def test_notif2_uncontracted_or_not_area_service_is_404(alice_client, ether, services, charlie):
    ContractFactory(tenant=charlie.tenant, service=ether)  # another tenant's contract
    assert alice_client.get(area_url(ether)).status_code == HTTPStatus.NOT_FOUND
    gw = services["google_workspace"]
    ContractFactory(tenant=charlie.tenant, service=gw)
    assert alice_client.get(area_url(gw)).status_code == HTTPStatus.NOT_FOUND


def test_notif2_a_user_gets_403_and_login_is_required(bob_client, client, ether_a, ether):
    for url in (reverse("notifications:areas"), area_url(ether), reverse("notifications:area_done", args=[ether.pk])):
        assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
        assert client.get(url).status_code == HTTPStatus.FOUND
    assert bob_client.post(area_url(ether), {"stage": "done", "nationwide": "on"}).status_code == HTTPStatus.FORBIDDEN


def test_notif2_edit_accepts_only_get_and_post(alice_client, ether_a, ether):
    assert alice_client.put(area_url(ether)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert alice_client.delete(area_url(ether)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def _area_counts(tenant) -> tuple[int, int, int]:
    with operator_scope():
        return (
            AreaSetting.objects.filter(tenant=tenant).count(),
            OutboxMessage.objects.filter(tenant_id=tenant.pk).count(),
            AuditEntry.objects.filter(tenant=tenant, action="notifications.area.changed").count(),
        )


def test_notif2_back_and_complete_again_changes_once(
    alice_client, ether_a, ether, tenant_a, django_capture_on_commit_callbacks
):
    """NOTIF-2 (issue 19): the same 確認 page's 完了 twice: one change, one
    audit entry, no mail, and 「この操作はすでに完了しています」 linking to 完了."""
    url = area_url(ether)
    with django_capture_on_commit_callbacks(execute=True):
        first, posted = submit_through_confirm(alice_client, url, {"prefectures": ["13"]})
        # Back twice, another area ticked on the input page, but 完了 pressed
        # on the old 確認 page again: nothing changes.
        second = alice_client.post(url, {**posted, "prefectures": ["01"]})
    assert first.status_code == HTTPStatus.FOUND
    assert second.status_code == HTTPStatus.OK
    assert "この操作はすでに完了しています" in second.text
    assert f'href="{first.url}"' in second.text
    assert stored_area(tenant_a, ether) == TOKYO
    assert _area_counts(tenant_a) == (1, 0, 1)


def test_notif2_complete_without_a_token_shows_confirm_again(alice_client, ether_a, ether, tenant_a):
    response = alice_client.post(area_url(ether), {"stage": "done", "prefectures": ["13"]})
    assert response.status_code == HTTPStatus.OK
    assert "対象エリア設定（確認）" in response.text and "もう一度「完了」を押してください" in response.text
    assert 'name="submission_token"' in response.text
    assert stored_area(tenant_a, ether) is None
    assert _area_counts(tenant_a) == (0, 0, 0)


def test_notif2_back_from_confirm_keeps_the_ticks(alice_client, ether_a, ether):
    confirm = alice_client.post(area_url(ether), {"regions": ["shikoku"]})
    assert "徳島県、香川県、愛媛県、高知県" in confirm.text
    back = alice_client.post(area_url(ether), {"back": "1", "prefectures": ["36", "37", "38", "39"]})
    for code in ("36", "37", "38", "39"):
        assert f'value="{code}" checked' in back.text
    assert 'value="13" checked' not in back.text


# --- i (HOME-3) -------------------------------------------------------------


def test_home3_list_newest_first_unread_marked_and_opening_marks_read(
    bob_client, bob, alice, ether_a, make_notice, publish
):
    first = publish(make_notice(NoticeKind.MAINTENANCE, title="一つ目"))
    second = publish(make_notice(NoticeKind.NEWS, title="二つ目"))
    response = bob_client.get(reverse("notifications:information"))
    assert response.status_code == HTTPStatus.OK
    assert response.text.index("二つ目") < response.text.index("一つ目")
    assert response.text.count("未読") >= 2
    assert unread(bob) == 2
    menu = {str(i["label"]): i for i in response.context["global_menu"]}
    assert menu["i"]["badge"] == 2
    detail = bob_client.get(reverse("notifications:information_detail", args=[first.pk]))
    assert detail.status_code == HTTPStatus.OK and "一つ目" in detail.text
    bob_client.get(reverse("notifications:information_detail", args=[first.pk]))  # twice: one row
    assert unread(bob) == 1
    assert unread(alice) == 2  # per user
    assert [p.pk for p in info(bob) if not p.is_read] == [second.pk]


def test_home3_receive_setting_off_still_shows_that_kind_in_i(bob, alice, ether_a, make_notice, publish):
    """Issue 23: turning 障害情報 mail off stops the mail, not the notice in
    the portal — bob sees in i what alice sees."""
    publish(make_notice(NoticeKind.OUTAGE))
    publish(make_notice(NoticeKind.NEWS))
    bob.receive_outage = False
    bob.save()
    assert sorted(p.kind for p in info(bob)) == sorted(p.kind for p in info(alice))
    assert {p.kind for p in info(bob)} == {NoticeKind.OUTAGE, NoticeKind.NEWS}
    assert unread(bob) == 2


def test_home3_another_tenants_item_is_404(charlie_client, charlie, alice, ether_a, make_notice, publish):
    publication = publish(make_notice())  # tenant B does not contract イーサエコノミー
    response = charlie_client.get(reverse("notifications:information_detail", args=[publication.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert unread(charlie) == 0


def test_home3_login_required(client, db):
    assert client.get(reverse("notifications:information")).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("size", [1, 12])
def test_home3_list_and_menu_count_take_constant_queries(
    bob_client, alice, ether_a, make_notice, publish, django_assert_num_queries, size
):
    for _ in range(size):
        publish(make_notice(NoticeKind.NEWS))
    bob_client.get(reverse("notifications:information"))  # warm the cached header logo
    # session, user, page count, page rows, the board entry's EXISTS for a
    # ユーザ (HOME-2). Issue 22: the menu count comes from the cache and the
    # session, renewed less than a minute ago, is not saved (was 9).
    with django_assert_num_queries(5):
        assert bob_client.get(reverse("notifications:information")).status_code == HTTPStatus.OK


# --- マニュアル (HOME-4) ------------------------------------------------------


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def manuals(ether, services, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    link = ServiceManual.objects.create(service=ether, title="イーサエコノミー 操作マニュアル", url="https://example.com/ether.pdf")
    pdf = ServiceManual(service=ether, title="設定ガイド")
    pdf.file.save("guide.pdf", ContentFile(PDF), save=True)
    other = ServiceManual.objects.create(service=services["emm"], title="EMM マニュアル", url="https://example.com/emm")
    return link, pdf, other


def test_home4_lists_the_manuals_of_contracted_services(alice_client, ether_a, manuals):
    response = alice_client.get(reverse("notifications:manuals"))
    assert response.status_code == HTTPStatus.OK
    assert "イーサエコノミー 操作マニュアル" in response.text and "設定ガイド" in response.text
    assert "EMM マニュアル" not in response.text


def test_home4_pdf_download_and_tenancy(alice_client, charlie_client, bob_client, ether_a, manuals):
    _link, pdf, other = manuals
    url = reverse("notifications:manual_file", args=[pdf.pk])
    response = alice_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert charlie_client.get(url).status_code == HTTPStatus.NOT_FOUND  # B does not contract it
    # bob is not registered to イーサエコノミー: its manual is not his (404, like a missing one).
    assert bob_client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_home4_a_user_reads_the_manuals_of_the_services_registered_to_them(bob_client, bob, ether_a, manuals):
    """Issue 23 / manual §5.1 (マニュアル: ユーザ ○): users got 403."""
    _link, pdf, _other = manuals
    response = bob_client.get(reverse("notifications:manuals"))
    assert response.status_code == HTTPStatus.OK
    assert "設定ガイド" not in response.text and "ご利用中のサービスはありません。" in response.text
    UserServiceRegistration.objects.create(tenant=bob.tenant, user=bob, contract=ether_a)
    response = bob_client.get(reverse("notifications:manuals"))
    assert "イーサエコノミー 操作マニュアル" in response.text and "設定ガイド" in response.text
    assert "EMM マニュアル" not in response.text
    download = bob_client.get(reverse("notifications:manual_file", args=[pdf.pk]))
    assert download.status_code == HTTPStatus.OK and b"".join(download.streaming_content) == PDF


def test_home4_manuals_require_login(client, manuals):
    assert client.get(reverse("notifications:manuals")).status_code == HTTPStatus.FOUND


def test_home2_the_user_home_has_its_common_functions(bob_client):
    text = bob_client.get(reverse("home")).text
    assert "共通機能" in text and reverse("notifications:manuals") in text
    assert "請求書サイト" not in text


def test_home1_admin_home_links_to_manuals_and_billing(alice_client):
    text = alice_client.get(reverse("home")).text
    assert reverse("notifications:manuals") in text and "請求書サイト" in text


def test_seed_demo_fills_the_i_list_and_the_area(db, django_capture_on_commit_callbacks):
    """The demo shows HOME-3 and NOTIF-2 with content, once however often it runs."""
    import io

    from django.core.management import call_command

    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    user = User.all_objects.get(email="user@demo.example.com")
    assert unread(user) == 2
    with operator_scope():
        area = AreaSetting.objects.get(tenant=user.tenant)
    assert prefs.describe(area.prefectures) == "茨城県、栃木県、群馬県、埼玉県、千葉県、東京都、神奈川県"
    with operator_scope():
        assert OutboxMessage.objects.filter(template="notice", to=["user@demo.example.com"]).count() == 2


def test_home1_home2_menu_has_area_settings_for_admins_and_i_for_everyone(alice_client, bob_client):
    """HOME-1: サービス → メール通知サービス設定 for admins; HOME-2: users see i too."""
    admin_menu = alice_client.get(reverse("home")).context["global_menu"]
    services_entry = next(i for i in admin_menu if str(i["label"]) == "サービス")
    assert "メール通知サービス設定" in [str(c["label"]) for c in services_entry["children"]]
    user_labels = [str(i["label"]) for i in bob_client.get(reverse("home")).context["global_menu"]]
    assert user_labels[-1] == "i" and "サービス" not in user_labels
