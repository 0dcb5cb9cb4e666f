"""Going through 確認 as a browser does (issue 19): post the input, read the
確認 page's form (hidden fields, staged-file keys and the one-time token),
post it back. Every chapter's tests use these instead of forging ``stage``."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from web.submission import TOKEN_FIELD


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and a.get("type") == "hidden" and a.get("name") and self.forms:
            self.forms[-1].setdefault(a["name"], []).append(a.get("value") or "")


def confirm_fields(response: Any) -> dict[str, list[str]]:
    """The hidden fields of the 確認 page's form (the one with the token)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    found = [f for f in parser.forms if TOKEN_FIELD in f]
    assert found, f"no 確認 page ({response.status_code}): {response.content.decode()[:3000]}"
    return found[0]


def confirm_then_complete(client: Any, url: str, data: dict[str, Any], **extra: Any) -> tuple[Any, Any]:
    """入力 → 確認 → 完了: returns (the 確認 page, the 完了 response)."""
    confirm = client.post(url, data)
    return confirm, complete(client, url, confirm, **extra)


def complete(client: Any, url: str, confirm: Any, **extra: Any) -> Any:
    """Press 完了 on a 確認 page (again, for Back + 完了)."""
    return client.post(url, {**confirm_fields(confirm), **extra})


def back(client: Any, url: str, confirm: Any) -> Any:
    """Press 戻る on a 確認 page."""
    return client.post(url, {**confirm_fields(confirm), "back": "1"})
