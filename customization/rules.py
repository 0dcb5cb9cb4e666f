"""The chapter's rules as pure functions (ch. 10–12): no database, no clock.

The forms, the services and the tests all read these, so a rule is stated
once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

# ALIAS-1: 半角英数字 5〜32 文字; "." and "-" anywhere but first and last.
ALIAS_MIN, ALIAS_MAX = 5, 32
_ALIAS_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?", re.ASCII)

# LOGO-1: 「縦横比を 1:6 以内に収めてください」. The header shows the logo at a
# fixed height, so the ratio bounds how far an image may stretch from square:
# the long side at most six times the short side, in either orientation
# (600×100 and 100×600 pass, 601×100 does not). Integers only, so 1:6 exactly
# is never lost to floating point.
LOGO_MAX_RATIO = 6

# LINK-1: a link leaves the portal for a web page; any other scheme
# (javascript:, data:, file:, vbscript: …) is refused.
LINK_SCHEMES = frozenset({"http", "https"})


class RuleError(ValueError):
    """A broken rule, with the Japanese message the form shows."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


def normalize_alias(raw: str) -> str:
    """The alias as stored: lowercase (unique portal-wide case-insensitively).
    Raises RuleError if it breaks ALIAS-1."""
    alias = (raw or "").strip()
    if not ALIAS_MIN <= len(alias) <= ALIAS_MAX:
        raise RuleError(_("お客さま専用 URL は半角英数字 5〜32 文字で入力してください。"))
    if not _ALIAS_RE.fullmatch(alias):
        raise RuleError(
            _(
                "お客さま専用 URL に使えるのは半角英数字と、先頭・末尾以外のドット(.)・ハイフン(-)です。"
            )
        )
    return alias.lower()


def aspect_within_limit(width: int, height: int) -> bool:
    """LOGO-1: the long side at most LOGO_MAX_RATIO times the short side."""
    if width <= 0 or height <= 0:
        return False
    return max(width, height) <= LOGO_MAX_RATIO * min(width, height)


def check_link_url(raw: str) -> str:
    """LINK-1: an absolute http(s) URL with a host. Raises RuleError."""
    url = (raw or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        raise RuleError(
            _("リンク URL は http:// または https:// で始まる URL を入力してください。")
        )
    return url
