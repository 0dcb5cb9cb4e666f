"""画面カスタマイズ設定 in a real browser (LOGO-1, LINK-1 … LINK-3, ALIAS-1 … ALIAS-3).

An admin sets a site logo and sees it in the header; adds a link whose icon
arrives by drag and drop and a user sees it on the home; sets a dedicated
login URL with its logo, and a logged-out browser at that URL sees the logo
and logs in.
"""

from __future__ import annotations

import base64
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login


def _png(path: Path, size: tuple[int, int], color: str, text: str) -> Path:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).text((8, size[1] // 3), text, fill="white")
    image.save(path, format="PNG")
    return path


def _loaded(locator) -> bool:
    """The image has (or, after waiting, gets) real pixels."""
    width = locator.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(resolve => {
            img.addEventListener("load", () => resolve(img.naturalWidth));
            img.addEventListener("error", () => resolve(0));
        })"""
    )
    return width > 0


def _drop_file(page, selector: str, data: bytes, name: str) -> None:
    """A real drop event carrying a DataTransfer with the file."""
    transfer = page.evaluate_handle(
        """([b64, name]) => {
            const bin = atob(b64);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: "image/png"}));
            return dt;
        }""",
        [base64.b64encode(data).decode(), name],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_customization_walk(page, browser, live_server, demo, screenshot, tmp_path: Path):
    login(page, "admin@demo.example.com", "DemoPass2026")

    # The menu entry and the manual's three 設定.
    page.get_by_text("サービス", exact=True).click()
    page.get_by_role("link", name="画面カスタマイズ設定").click()
    expect(page.get_by_role("heading", name="画面カスタマイズ設定")).to_be_visible()
    screenshot("customization-index")

    # LOGO-1: a logo by the picker → プレビュー → 確認 (the header shows it) → 完了.
    before_src = page.locator(".site-logo img").get_attribute("src")
    page.get_by_role("link", name="グローバルメニュー 設定").click()
    logo = _png(tmp_path / "new-logo.png", (300, 60), "#b42318", "NEW LOGO E2E")
    page.get_by_label("ロゴ画像").set_input_files(str(logo))
    expect(page.locator("[data-dropzone-preview]")).to_be_visible()
    screenshot("customization-logo-preview")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("button", name="完了")).to_be_visible()
    staged_src = page.locator(".site-logo img").get_attribute("src")
    assert staged_src != before_src and _loaded(page.locator(".site-logo img"))
    screenshot("customization-logo-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("サイトロゴを設定しました。")).to_be_visible()
    header_logo = page.locator(".site-logo img")
    assert header_logo.get_attribute("src") == staged_src and _loaded(header_logo)
    box = header_logo.bounding_box()
    assert box and round(box["height"]) == 40  # scaled to the header's fixed height
    screenshot("customization-logo-done")
    header_logo.click()
    expect(page).to_have_url(f"{live_server.url}/home/")

    # LINK-1: 追加 with an icon dropped onto the drop zone.
    page.goto("/customization/links/")
    page.get_by_role("link", name="追加").click()
    page.get_by_label("リンクタイトル").fill("E2E リンク")
    page.get_by_label("リンク URL").fill("https://e2e.example.com/")
    icon = _png(tmp_path / "icon.png", (96, 96), "#1a7f37", "ICON")
    _drop_file(page, "[data-dropzone-area]", icon.read_bytes(), "icon.png")
    expect(page.locator("[data-dropzone-name]")).to_have_text("icon.png")
    expect(page.locator("[data-dropzone-preview]")).to_be_visible()
    screenshot("customization-link-drop")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("https://e2e.example.com/")).to_be_visible()
    assert _loaded(page.get_by_alt_text("アイコン画像プレビュー"))
    screenshot("customization-link-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("リンクを追加しました。")).to_be_visible()
    screenshot("customization-links")

    # ALIAS-1, ALIAS-2: する, the alias checked as typed, own image, 確認, 完了.
    page.goto("/customization/login/")
    page.get_by_label("する", exact=True).check()
    alias = page.get_by_label("お客さま専用 URL")
    alias.fill("ab")
    expect(page.locator("[data-alias-status]")).to_contain_text("5〜32")
    alias.fill("E2E-Company.jp")
    expect(page.locator("[data-alias-status]")).to_contain_text("利用できます")
    page.get_by_label("独自の画像を利用する").check()
    login_logo = _png(tmp_path / "login.png", (200, 48), "#0b5cab", "E2E LOGIN")
    page.get_by_label("ロゴ画像").set_input_files(str(login_logo))
    expect(page.get_by_text("機密情報・個人情報などを含む画像")).to_be_visible()
    screenshot("customization-login-input")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("/?tenant_alias=e2e-company.jp")).to_be_visible()
    screenshot("customization-login-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("ログイン画面の設定を変更しました。")).to_be_visible()

    # LINK-3: a user sees the icon on the home and it opens the URL safely.
    user_context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    user_page = user_context.new_page()
    login(user_page, "user@demo.example.com", "DemoPass2026")
    link = user_page.get_by_role("link", name="E2E リンク")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    assert _loaded(link.locator("img"))
    assert _loaded(user_page.locator(".site-logo img"))
    user_page.screenshot(path=str(ARTIFACTS / "customization-user-home.png"), full_page=True)
    user_context.close()

    # ALIAS-3: logged out, the alias URL shows the logo; the login is the same.
    anon = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    anon_page = anon.new_page()
    anon_page.goto("/?tenant_alias=E2E-Company.jp")
    card_logo = anon_page.locator(".login-card__logo img")
    assert "/public/" in card_logo.get_attribute("src") and _loaded(card_logo)
    anon_page.screenshot(path=str(ARTIFACTS / "customization-alias-login.png"), full_page=True)
    anon_page.get_by_label("ユーザ ID").fill("user@demo.example.com")
    anon_page.get_by_role("button", name="次へ").click()
    assert _loaded(anon_page.locator(".login-card__logo img"))
    anon_page.get_by_label("パスワード").fill("DemoPass2026")
    anon_page.get_by_role("button", name="ログイン").click()
    expect(anon_page).to_have_url(f"{live_server.url}/home/")
    anon.close()
