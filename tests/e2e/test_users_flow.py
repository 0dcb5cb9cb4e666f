"""The user administration walk (USER-1 … USER-6, SVC-2, CONTRACT-2) in a real browser.

add a user → find them by search → sort → download CSV → upload a CSV with
one bad row (error shown, nothing changed) → fix and apply → register a
service for a user → change the representative admin.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect

from accounts.models import User
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.e2e.conftest import ARTIFACTS, login

HEADER = "ユーザID,姓,名,姓カナ,名カナ,所属,権限,サービス利用電話番号,通知先メールアドレス,代表組織"


def _user(email: str) -> User | None:
    with operator_scope():
        return User.objects.filter(email=email).first()


def test_user_administration_walk(page, demo, screenshot, tmp_path: Path):
    login(page, "admin@demo.example.com", "DemoPass2026")

    # USER-1: ユーザ追加 → 確認 → 完了.
    page.goto("/users/add/")
    page.get_by_label("姓 必須", exact=True).fill("山本")
    page.get_by_label("名 必須", exact=True).fill("五郎")
    page.get_by_label("姓（カナ）").fill("ヤマモト")
    page.get_by_label("名（カナ）").fill("ゴロウ")
    page.get_by_label("所属").fill("企画部")
    page.get_by_label("管理者", exact=True).check()
    page.get_by_label("ユーザ ID（メールアドレス） 必須").fill("yamamoto@demo.example.com")
    page.get_by_label("通知先メールアドレス 必須").fill("yamamoto@demo.example.com")
    page.get_by_label("ユーザが設定").check()
    expect(page.get_by_label("パスワード", exact=True)).to_be_hidden()  # only for 管理者が設定
    screenshot("users-add")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="ユーザ追加確認")).to_be_visible()
    screenshot("users-add-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="ユーザ追加完了")).to_be_visible()
    expect(page.get_by_role("link", name="引き続きユーザ追加")).to_be_visible()
    screenshot("users-add-done")
    done_url = page.url
    assert _user("yamamoto@demo.example.com").status == User.Status.PENDING

    # Issue 19: the browser's Back shows 確認 again; 完了 once more adds nobody
    # and mails nobody, and links to the first 完了's page.
    page.go_back()
    expect(page.get_by_role("heading", name="ユーザ追加確認")).to_be_visible()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="この操作はすでに完了しています")).to_be_visible()
    expect(page.get_by_role("link", name="登録した内容を表示")).to_have_attribute("href", urlparse(done_url).path)
    screenshot("users-add-already-done")
    with operator_scope():
        assert User.objects.filter(email="yamamoto@demo.example.com").count() == 1
        setup_mails = OutboxMessage.objects.filter(template="account_setup")
        assert [m.to for m in setup_mails if "yamamoto@demo.example.com" in m.to] == [["yamamoto@demo.example.com"]]

    # USER-2: find them by search.
    page.goto("/users/")
    page.get_by_label("ユーザ ID/姓名").fill("山本")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("link", name="yamamoto@demo.example.com")).to_be_visible()
    expect(page.get_by_text("全 1 件")).to_be_visible()
    screenshot("users-search")
    page.get_by_role("link", name="詳細検索に切り替え").click()
    page.get_by_label("ユーザ ID/姓名").fill("")
    page.get_by_label("権限").select_option(label="管理者")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_text("全 3 件")).to_be_visible()  # admin, suzuki, yamamoto
    screenshot("users-search-detail")

    # USER-4: sort by 姓名, then toggle to descending.
    page.get_by_role("link", name="クリア").click()
    page.get_by_role("link", name="姓名").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("姓名▲")
    page.get_by_role("link", name="姓名").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_text("姓名▼")
    screenshot("users-list-sorted")

    # USER-5: download all users' CSV.
    page.get_by_text("ダウンロード", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("link", name="全ユーザ情報 CSV").click()
    downloaded = Path(info.value.path()).read_bytes()
    assert downloaded.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert b"yamamoto@demo.example.com" in downloaded

    # USER-6: one bad row → errors, nothing changed.
    bad = tmp_path / "users.csv"
    bad.write_text(
        HEADER + "\r\n"
        "kato@demo.example.com,加藤,六郎,カトウ,ロクロウ,営業部,ユーザ,0311112222,kato@demo.example.com,\r\n"
        "ito@demo.example.com,伊藤伊藤伊藤伊藤伊藤伊,七郎,イトウ,シチロウ,営業部,ユーザ,,ito@demo.example.com,\r\n",
        encoding="cp932",
    )
    page.goto("/users/")
    page.get_by_text("一括処理", exact=True).click()
    page.get_by_role("link", name="ユーザ一括追加／変更 CSV アップロード").click()
    expect(page.get_by_role("heading", name="ユーザ一括追加／変更")).to_be_visible()
    screenshot("users-import")
    page.get_by_label("CSV ファイル 必須").set_input_files(str(bad))
    page.get_by_role("button", name="検証").click()
    expect(page.get_by_text("エラーが 1 件あります")).to_be_visible()
    expect(page.get_by_role("cell", name="姓は全角 10 文字以内で入力してください。")).to_be_visible()
    screenshot("users-import-errors")
    assert _user("kato@demo.example.com") is None

    # Fix and apply.
    good = tmp_path / "users-fixed.csv"
    good.write_text(bad.read_text(encoding="cp932").replace("伊藤伊藤伊藤伊藤伊藤伊", "伊藤"), encoding="cp932")
    page.get_by_role("link", name="再アップロード").click()
    page.get_by_label("CSV ファイル 必須").set_input_files(str(good))
    page.get_by_role("button", name="検証").click()
    expect(page.get_by_text("検証が完了しました。エラーはありません。")).to_be_visible()
    screenshot("users-import-valid")
    page.get_by_role("button", name="反映").click()
    expect(page.get_by_text("反映が完了しました。追加 2 件、変更 0 件。")).to_be_visible()
    screenshot("users-import-done")
    assert _user("kato@demo.example.com").status == User.Status.PENDING
    assert _user("ito@demo.example.com").last_name == "伊藤"

    # SVC-2: register BPO-Web for the added user.
    page.goto("/users/")
    page.get_by_role("link", name="kato@demo.example.com").click()
    page.get_by_role("link", name="サービス情報").click()
    screenshot("users-services")
    page.get_by_role("link", name="BPO-Web").click()
    expect(page.get_by_role("heading", name="サービス登録（入力）: BPO-Web")).to_be_visible()
    expect(page.get_by_label("BPO-Web ユーザ ID")).to_have_value("kato@demo.example.com")
    page.get_by_role("button", name="確認").click()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("BPO-Web を登録しました。")).to_be_visible()
    expect(page.get_by_text("登録済")).to_be_visible()
    screenshot("users-services-registered")

    # USER-7 / NOTIF-1: the other tabs.
    page.get_by_role("link", name="基本情報").click()
    expect(page.get_by_role("button", name="初期設定依頼メール送信")).to_be_visible()
    screenshot("users-detail")
    page.get_by_role("link", name="受信設定").click()
    page.get_by_role("link", name="お知らせを設定").click()
    page.get_by_label("受信しない").check()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("お知らせの受信設定を変更しました。")).to_be_visible()
    screenshot("users-receive")
    assert _user("kato@demo.example.com").receive_news is False

    # CONTRACT-2: change the representative admin to the admin added above.
    page.get_by_role("link", name="契約情報").click()
    expect(page.get_by_role("heading", name="契約情報")).to_be_visible()
    screenshot("contract")
    page.get_by_role("link", name="変更").click()
    page.get_by_label("変更後の管理者 必須").select_option(label="鈴木 次郎（suzuki@demo.example.com）")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="代表管理者変更確認")).to_be_visible()
    screenshot("contract-representative-confirm")
    page.get_by_label("現在のパスワード").fill("DemoPass2026")  # issue 21: the admin's password again
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("代表管理者を 鈴木 次郎（suzuki@demo.example.com）に変更しました。")).to_be_visible()
    screenshot("contract-representative-done")
    assert _user("suzuki@demo.example.com").is_representative
    assert not _user("admin@demo.example.com").is_representative


def test_bulk_delete_keeps_selection_and_explains_skips(page, demo, screenshot):
    """USER-5/USER-8: boxes ticked (saved by users.js), then 選択ユーザを削除 skips
    the logged-in user and says why."""
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.goto("/users/")
    page.get_by_label("admin@demo.example.com を選択").check()
    page.get_by_label("tanaka@demo.example.com を選択").check()
    expect(page.get_by_text("2 件選択中")).to_be_visible()
    page.goto("/users/?sort=-email")  # a plain link: the selection was already saved
    expect(page.get_by_label("tanaka@demo.example.com を選択")).to_be_checked()
    screenshot("users-list-selected")
    page.get_by_text("一括処理", exact=True).click()
    page.get_by_role("button", name="選択ユーザを削除").click()
    expect(page.get_by_text("対象外: ログイン中のユーザは削除できません。")).to_be_visible()
    screenshot("users-bulk-delete-confirm")
    page.get_by_role("button", name="削除").click()
    expect(page.get_by_text("admin@demo.example.com: ログイン中のユーザは削除できません。")).to_be_visible()
    screenshot("users-bulk-delete-result")
    assert _user("tanaka@demo.example.com") is None
    assert _user("admin@demo.example.com") is not None


def test_organizations_tree(page, demo, screenshot):
    """USER-9: add organizations as a tree, shown indented."""
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.goto("/users/organizations/")
    page.get_by_label("組織名 必須").fill("本社")
    page.get_by_role("button", name="追加").click()
    page.get_by_label("組織名 必須").fill("営業部")
    page.get_by_label("上位組織").select_option(label="本社")
    page.get_by_role("button", name="追加").click()
    expect(page.get_by_text("組織「営業部」を追加しました。")).to_be_visible()
    screenshot("users-organizations")
    page.goto("/users/add/")
    page.get_by_label("営業部").check()
    expect(page.get_by_label("代表組織")).to_be_visible()
    page.get_by_role("group", name="組織").screenshot(path=str(ARTIFACTS / "users-add-orgs.png"))


def test_representative_change_with_one_admin_offers_user_add(page, transactional_db, screenshot):
    """CONTRACT-2: fewer than two admins → a <dialog> (keyboard: Esc closes, focus
    returns) offering はい → ユーザ追加."""
    from tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(name="ひとり管理株式会社")
    UserFactory(tenant=tenant, email="solo@one.example.com", role=User.Role.ADMIN, is_representative=True,
                password="SoloPass2026")
    login(page, "solo@one.example.com", "SoloPass2026")
    page.goto("/contract/")
    change = page.get_by_role("link", name="変更")
    change.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name="はい")).to_be_focused()
    screenshot("contract-no-admin-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(change).to_be_focused()
    change.click()
    dialog.get_by_role("link", name="はい").click()
    expect(page.get_by_role("heading", name="ユーザ追加")).to_be_visible()
