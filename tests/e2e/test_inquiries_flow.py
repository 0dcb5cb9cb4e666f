"""お問い合わせ in the browser (INQ-2..INQ-6, INQ-8, INQ-9): a user files a
trouble inquiry with an attachment; an operator answers with an attachment in
the staff console; the user follows the mail's link, logs in, replies and
resolves; a further message is refused."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from PIL import Image
from playwright.sync_api import expect

from inquiries.models import Inquiry
from mail.models import OutboxMessage
from portal.management.commands.seed_demo import DEMO_OPERATOR_TOTP_SECRET
from tenants.scoping import operator_scope
from tests.e2e.conftest import login

USER = "user@demo.example.com"
OPERATOR = "operator@demo.example.com"
PASSWORD = "DemoPass2026"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    screen = tmp_path / "エラー画面.png"
    Image.new("RGB", (320, 200), (200, 30, 30)).save(screen, format="PNG")
    log = tmp_path / "回答ログ.txt"
    log.write_text("2026-05-20 09:30 link down\n", encoding="utf-8")
    return screen, log


def test_trouble_inquiry_answered_replied_and_resolved(page, demo, screenshot, tmp_path):
    screen, log = _files(tmp_path)

    # The user opens お問い合わせ: the FAQ first, searchable (INQ-9).
    login(page, USER, PASSWORD)
    page.get_by_role("navigation", name="グローバルメニュー").get_by_role("link", name="お問い合わせ").click()
    expect(page.get_by_role("heading", name="よくあるご質問")).to_be_visible()
    page.get_by_label("キーワード").fill("ログイン画面")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_text("操作中にログイン画面に戻ってしまった。")).to_be_visible()
    screenshot("inquiries-faq-search")

    # （障害）お問い合わせ: pick the service, fill its form (INQ-2).
    page.get_by_role("navigation", name="お問い合わせメニュー").get_by_role("link", name="（障害）お問い合わせ", exact=True).click()
    expect(page.get_by_role("heading", name="障害問い合わせ（入力）")).to_be_visible()
    page.get_by_label("イーサエコノミー").check()
    page.get_by_role("button", name="確認").click()
    page.get_by_label("件名").fill("ログインできない拠点がある")
    expect(page.get_by_text("こちらのご質問が参考になるかもしれません")).to_be_visible()  # suggestions beside the form
    page.get_by_label("回線 ID").fill("EE-0001-003")
    page.get_by_label("設置場所（拠点名）").fill("大阪支店")
    page.get_by_label("通信できない").check()
    page.get_by_label("発生日時").fill("2026-05-20T09:30")
    page.get_by_label("一部の部署").check()
    page.get_by_label("障害内容").fill("大阪支店だけ朝から通信できません。")
    page.get_by_label("添付ファイル").set_input_files(str(screen))
    screenshot("inquiries-trouble-input")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="障害問い合わせ（確認）")).to_be_visible()
    expect(page.get_by_text("エラー画面.png")).to_be_visible()
    screenshot("inquiries-trouble-confirm")
    page.get_by_role("button", name="完了").click()

    # 完了 → the service's 状況/履歴 (INQ-3).
    expect(page.get_by_role("heading", name="障害問い合わせ一覧")).to_be_visible()
    expect(page.get_by_text("お問い合わせを受け付けました。")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="ログインできない拠点がある")
    expect(row.get_by_text("受付")).to_be_visible()
    screenshot("inquiries-history")
    with operator_scope():
        inquiry = Inquiry.objects.latest("pk")
    page.context.clear_cookies()

    # The operator answers in the staff console, with a file (INQ-8).
    login(page, OPERATOR, PASSWORD, totp_secret=DEMO_OPERATOR_TOTP_SECRET)
    page.goto("/staff/inquiries/")
    page.get_by_label("ステータス").select_option("received")
    page.get_by_label("件名").fill("拠点")  # issue 23: the console searches by subject too
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="ログインできない拠点がある").click()
    expect(page.get_by_role("heading", name="問い合わせ詳細（スタッフ）")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("エラー画面.png"))).to_be_visible()
    page.get_by_role("textbox", name="メッセージ").fill("大阪支店の回線設定を修正しました。ログを添付します。")
    page.get_by_label("添付ファイル").set_input_files(str(log))
    page.get_by_role("button", name="回答").click()
    expect(page.get_by_text("回答を送信しました。")).to_be_visible()
    screenshot("inquiries-staff-answered")
    page.context.clear_cookies()

    # The contact address got a mail whose link opens the detail after login (INQ-5).
    with operator_scope():
        mail = OutboxMessage.objects.filter(template="inquiry_answered").latest("pk")
    assert mail.to == [USER]
    link = re.search(r"https?://\S+/inquiries/\d+/", mail.body).group(0)
    page.goto(urlparse(link).path)  # the live server's address, not PORTAL_BASE_URL
    expect(page.get_by_label("ユーザ ID")).to_be_visible()
    page.get_by_label("ユーザ ID").fill(USER)
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="問い合わせ詳細")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/inquiries/{inquiry.pk}/$"))
    thread = page.get_by_role("region", name="メッセージの履歴")
    expect(thread.get_by_text("スタッフアカウント")).to_be_visible()
    expect(thread.get_by_role("link", name=re.compile("回答ログ.txt"))).to_be_visible()
    screenshot("inquiries-detail-answered")

    # The user replies (back to 受付), then resolves (INQ-4, INQ-6).
    page.get_by_role("textbox", name="メッセージ").fill("直りました。ありがとうございました。")
    page.get_by_role("button", name="送信").click()
    expect(page.get_by_text("メッセージを送信しました。")).to_be_visible()
    expect(page.get_by_role("region", name="問い合わせ内容").get_by_text("受付", exact=True)).to_be_visible()
    screenshot("inquiries-detail-replied")
    page.get_by_role("link", name="ステータスを解決済みにする").click()
    expect(page.get_by_text("メッセージ送信やステータス変更はできなくなります")).to_be_visible()
    screenshot("inquiries-resolve-confirm")
    page.get_by_role("button", name="解決済みにする").click()
    expect(page.get_by_text("ステータスを解決済みにしました。")).to_be_visible()
    expect(page.get_by_text(re.compile(r"添付ファイルは \d{4}/\d{2}/\d{2} に削除されます"))).to_be_visible()
    expect(page.get_by_role("textbox", name="メッセージ")).to_have_count(0)
    screenshot("inquiries-detail-resolved")

    # A further message, crafted by hand, is refused by the service.
    page.evaluate(
        """(url) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = url;
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').cloneNode();
            const body = document.createElement('input');
            body.name = 'body';
            body.value = 'もう一件';
            form.append(token, body);
            document.body.append(form);
            form.submit();
        }""",
        f"/inquiries/{inquiry.pk}/message/",
    )
    expect(page.get_by_text("この問い合わせは解決済みのため")).to_be_visible()
    screenshot("inquiries-further-message-refused")
    with operator_scope():
        assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.RESOLVED
        assert not inquiry.messages.filter(body="もう一件").exists()
