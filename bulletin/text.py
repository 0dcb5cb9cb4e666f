"""本文 is plain text (BBS-1): shown with its line breaks and with http(s)
URLs turned into links; nothing the admin typed is ever taken as HTML."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString

# ASCII URL characters only: Japanese text often runs straight into a URL
# (「詳細はhttps://example.com/をご覧ください」), so the link stops at the
# first non-ASCII character rather than at whitespace. Only http and https:
# never javascript: or data:.
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
TRAILING = ".,:;!?'\")]"


def _split_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end and url[end - 1] in TRAILING:
        # Keep a closing parenthesis that belongs to the URL (Wikipedia style).
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def render_plain_text(text: str) -> SafeString:
    """Escape ``text``, link its URLs (rel="noopener noreferrer"), keep line breaks."""
    out: list[str] = []
    pos = 0
    for match in URL_RE.finditer(text):
        url, rest = _split_trailing(match.group(0))
        if "://" not in url or url.endswith("://"):
            continue
        out.append(escape(text[pos : match.start()]))
        out.append(f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{escape(url)}</a>')
        out.append(escape(rest))
        pos = match.end()
    out.append(escape(text[pos:]))
    html = "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>\n")
    # Safe: every piece of the admin's text went through escape() above; the
    # only markup is the <a> and <br> this function writes itself.
    return SafeString(html)  # nosec B703
