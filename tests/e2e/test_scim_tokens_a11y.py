"""The SCIM token pages in a real browser (issue 25): create through 確認
and 完了 (the token shown once), the list, revoke; axe finds nothing
serious or critical on any of them (the rules of test_accessibility.py)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login
from tests.e2e.test_accessibility import ADMIN, PASSWORD, Findings, a11y_page  # noqa: F401 - the fixture


def test_token_pages_have_no_serious_axe_violations(a11y_page, demo):  # noqa: F811
    page = a11y_page
    found = Findings()
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")

    page.goto("/scim-tokens/")
    expect(page.get_by_role("heading", name="SCIM プロビジョニング")).to_be_visible()
    found.check(page, "SCIM トークン一覧 (empty)")
    page.get_by_role("link", name="トークン作成").click()
    found.check(page, "トークン作成")
    page.get_by_role("button", name="確認").click()  # empty: the error is shown
    expect(page.get_by_text("トークン名を入力してください。").first).to_be_visible()
    found.check(page, "トークン作成 with errors")
    page.get_by_label("トークン名").fill("Microsoft Entra ID")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="トークン作成 確認")).to_be_visible()
    found.check(page, "トークン作成 確認")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="トークン作成 完了")).to_be_visible()
    token = page.get_by_label("トークン").input_value()
    assert token.startswith("scim_")
    found.check(page, "トークン作成 完了")
    # The page this test drives (the `screenshot` fixture shoots the default `page`, blank here).
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scim-token-created.png"), full_page=True)

    page.get_by_role("link", name="トークン一覧へ").click()
    expect(page.get_by_role("cell", name="Microsoft Entra ID", exact=True)).to_be_visible()
    assert token not in page.content()
    found.check(page, "SCIM トークン一覧")
    page.get_by_role("link", name="失効 Microsoft Entra ID").click()
    found.check(page, "トークン失効")
    page.get_by_role("button", name="失効").click()
    expect(page.get_by_text("失効しました")).to_be_visible()
    found.check(page, "SCIM トークン一覧 after revoke")

    print(found.report())
    assert found.blocking == 0, "axe violations (serious/critical fail):\n" + found.report()
