"""Accessibility of the portal's main pages in a real browser (WCAG 2 A/AA).

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0, used by tests only and never
served) runs on each page with the wcag2a/wcag2aa rule tags (plus wcag21a/aa,
wcag22aa and best-practice, which the pages also pass); any finding of impact
"serious" or "critical" fails the test, listing every finding.

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
    """axe-core's violations on the current page (the rule tags in TAGS)."""
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


# axe 4 no longer reports duplicate ids nor aria-describedby pointing nowhere
# (a description that is silently not read); checked here directly.
IDREFS = """() => {
    const problems = [];
    const seen = {};
    for (const e of document.querySelectorAll('[id]')) {
        if (seen[e.id]) problems.push('duplicate id #' + e.id);
        seen[e.id] = true;
    }
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage']) {
        for (const e of document.querySelectorAll('[' + attr + ']')) {
            for (const ref of e.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(ref)) problems.push(`${e.tagName.toLowerCase()}#${e.id} ${attr} -> missing #${ref}`);
            }
        }
    }
    for (const e of document.querySelectorAll('label[for]')) {
        if (!document.getElementById(e.htmlFor)) problems.push(`label for=${e.htmlFor} -> missing`);
    }
    return problems;
}"""


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
        for problem in page.evaluate(IDREFS):
            self.lines.append(f"[{name}] idref (serious): {problem}")
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
    # Only the exact page is the current one (ユーザ一覧's /users/ is a prefix of this URL).
    current = page.get_by_role("navigation", name="グローバルメニュー").locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("ユーザ追加")
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
    page.get_by_role("button", name="確認").click()  # nothing entered: the errors are shown
    found.check(page, "ID 数変更申込（入力） with errors")

    page.goto("/no-such-page/")
    found.check(page, "404 (logged in)")

    page.context.clear_cookies()
    login(page, USER, PASSWORD)
    page.wait_for_url("**/home/")
    found.check(page, "user home")
    page.goto("/account/password/")
    found.check(page, "パスワード変更")
    page.get_by_role("button", name="変更").click()  # nothing entered: the errors are shown
    found.check(page, "パスワード変更 with errors")

    page.context.clear_cookies()
    page.goto("/no-such-page/")
    found.check(page, "404 (anonymous)")

    print(found.report())
    assert found.blocking == 0, "axe violations (serious/critical fail):\n" + found.report()


# --- Keyboard only -----------------------------------------------------------

FOCUSED = """() => {
    const e = document.activeElement;
    const label = e.labels && e.labels.length ? e.labels[0].innerText.trim() : '';
    const s = getComputedStyle(e);
    return {
        tag: e.tagName.toLowerCase(), text: (e.innerText || '').trim(), name: e.name || '',
        label: label, checked: !!e.checked,
        shadow: s.boxShadow, outline: s.outlineStyle, outlineColor: s.outlineColor,
    };
}"""


def _focused(page) -> dict:
    return page.evaluate(FOCUSED)


def _tab_to(page, matches, *, what: str, limit: int = 80) -> dict:
    """Presses Tab until the focused element ``matches``; fails after ``limit`` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
        seen.append(f"{focused['tag']}:{focused['text'] or focused['name']}")
    raise AssertionError(f"Tab never reached {what}; went through {seen}")


def _assert_focus_visible(focused: dict) -> None:
    """A focus indicator is painted: a box-shadow ring or a non-transparent outline."""
    ring = focused["shadow"] not in ("", "none")
    outline = focused["outline"] != "none" and focused["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    assert ring or outline, f"no visible focus indicator on {focused}"


def _type_into(page, name: str, text: str) -> None:
    _tab_to(page, lambda f: f["name"] == name, what=f"the {name} field")
    page.keyboard.type(text)


def _choose_radio(page, name: str, label: str) -> None:
    """Tab into a radio group, then arrow keys to the wanted choice and Space."""
    focused = _tab_to(page, lambda f: f["name"] == name, what=f"the {name} radios")
    for _ in range(6):
        if focused["label"] == label:
            break
        page.keyboard.press("ArrowDown")
        focused = _focused(page)
    assert focused["label"] == label, focused
    page.keyboard.press("Space")
    assert _focused(page)["checked"]


def test_keyboard_only_reaches_user_add_confirm_through_the_global_menu(page, demo, screenshot):
    """AUTH-5 login, the global menu (<details>) and USER-1's 確認 step with Tab/Enter/Space/arrows only."""
    page.goto("/")
    assert _focused(page)["name"] == "login_id"  # autofocus: typing can start at once
    page.keyboard.type(ADMIN)
    page.keyboard.press("Enter")
    expect(page.get_by_label("パスワード")).to_be_visible()
    assert _focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home/")
    first = _tab_to(page, lambda f: f["tag"] == "a", what="the first link")
    assert first["text"] == "本文へスキップ"  # the skip link comes first and is shown on focus
    _assert_focus_visible(first)
    screenshot("a11y-keyboard-skip-link")

    summary = _tab_to(page, lambda f: f["tag"] == "summary" and f["text"].startswith("ユーザ"), what="the ユーザ menu")
    _assert_focus_visible(summary)
    page.keyboard.press("Enter")  # opens the <details>
    expect(page.get_by_role("link", name="ユーザ追加")).to_be_visible()
    page.keyboard.press("Escape")  # static/js/menu.js: closes it, focus back on the summary
    expect(page.get_by_role("link", name="ユーザ追加")).to_be_hidden()
    assert _focused(page)["text"] == summary["text"]
    page.keyboard.press("Space")  # opens it again
    expect(page.get_by_role("link", name="ユーザ追加")).to_be_visible()
    link = _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "ユーザ追加", what="ユーザ追加", limit=5)
    _assert_focus_visible(link)
    screenshot("a11y-keyboard-menu")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ユーザ追加", exact=True)).to_be_visible()

    _type_into(page, "last_name", "山本")
    _type_into(page, "first_name", "五郎")
    _type_into(page, "email", "yamamoto@demo.example.com")
    _type_into(page, "notification_email", "yamamoto@demo.example.com")
    _choose_radio(page, "password_method", "ユーザが設定")
    button = _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "確認", what="the 確認 button")
    _assert_focus_visible(button)
    screenshot("a11y-keyboard-confirm-button")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="ユーザ追加確認")).to_be_visible()
    done = _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "完了", what="the 完了 button")
    _assert_focus_visible(done)
    page.keyboard.press("Enter")  # 完了 posts the 確認 page's one-time token (issue 19)
    expect(page.get_by_role("heading", name="ユーザ追加完了")).to_be_visible()


def test_pages_reflow_at_320_css_pixels(page, demo):
    """WCAG 1.4.10: at 320 px (1280 px at 400 % zoom) nothing scrolls sideways but wide tables."""
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    page.set_viewport_size({"width": 320, "height": 700})
    for path in ("/home/", "/users/", "/users/add/", "/contract/", "/idchange/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide at a 320px viewport"
    # Issue 23: the menu collapses behind メニュー; opened, it spans the width.
    page.get_by_role("button", name="メニュー").click()
    nav = page.get_by_role("navigation", name="グローバルメニュー").bounding_box()
    assert nav["width"] > 200  # labels readable
