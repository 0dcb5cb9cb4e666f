"""Browser tests: Playwright driving Debian's Chromium against a live server.

``make test`` first runs scripts/ensure_browser.sh, which installs Debian's
Chromium (as root) or Playwright's own; the tests launch whichever exists.
When neither could be installed they are skipped with that reason (and
``.ci/run``, which allows no skip, fails).
Screenshots of each flow land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test import testcases

# Playwright's sync API runs an event loop in this thread; the test itself
# still talks to the database synchronously, which Django must allow.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
NO_BROWSER_REASON = (
    "no Chromium: scripts/ensure_browser.sh could neither apt-get install chromium "
    "(needs root) nor run `playwright install chromium`"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _OneRequestAtATimeServer(WSGIServer):
    """The live server on the SQLite default, where the test database lives in
    memory and every server thread shares the test's one connection (Django
    passes it as ``connections_override``). Two requests at once — a page and
    its image, a download beside a session save — then interleave savepoints
    on that connection ("no such savepoint") and break the rest of the run.
    Served one request at a time they cannot; Django answers
    ``Connection: close`` from a non-threaded server, so the browser is never
    stuck behind a kept-alive connection. PostgreSQL keeps the threaded server.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


class _LiveServerThread(testcases.LiveServerThread):
    def _create_server(self, connections_override=None):
        if connections_override:  # an in-memory SQLite database is shared
            return _OneRequestAtATimeServer(
                (self.host, self.port), testcases.QuietWSGIRequestHandler, allow_reuse_address=False
            )
        return super()._create_server(connections_override=connections_override)


# pytest-django's live_server looks the class up here when it starts.
testcases.LiveServerThread = _LiveServerThread


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (the contexts' 10 s): on a loaded
    # 2-core machine a page after a keyboard navigation took longer than
    # expect's own 5 s default. What is asserted is unchanged.
    expect.set_options(timeout=10_000)
    with sync_playwright() as pw:
        if Path(CHROMIUM).exists():
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        elif Path(pw.chromium.executable_path).exists():  # `playwright install chromium`
            browser = pw.chromium.launch(headless=True, args=CHROMIUM_ARGS)
        else:
            pytest.skip(NO_BROWSER_REASON)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo data of ``manage.py seed_demo`` (DESIGN.md interfaces)."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def login(page, login_id: str, password: str, totp_secret: str | None = None) -> None:
    """The two-step login as a person does it (AUTH-5); with ``totp_secret``
    also the second factor's code (issue 24; operators always have one)."""
    page.goto("/")
    page.get_by_label("ユーザ ID").fill(login_id)
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    if totp_secret:
        enter_totp(page, totp_secret)


def enter_totp(page, secret: str) -> None:
    """The verification page's code, computed as an authenticator app does."""
    import pyotp

    page.get_by_label("確認コード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認").click()


def give_operator_totp(email: str) -> str:
    """A confirmed authenticator app for an operator created in a test."""
    from django.utils import timezone

    from accounts.models import User
    from mfa.models import TotpDevice

    secret = "E2EOPERATORTOTPKEY234567"
    TotpDevice.objects.create(
        user=User.all_objects.get(email=email), secret=secret, confirmed_at=timezone.now()
    )
    return secret
