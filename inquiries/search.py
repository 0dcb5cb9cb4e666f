"""How the FAQ search reads text (issue 23): people type ＩＤ数, ﾊﾟｽﾜｰﾄﾞ or
代表管理者変更 and expect the entry 「ID 数…」「パスワード…」「代表管理者が
変更できない」.

Query and stored text are normalised the same way: NFKC (full- and
half-width letters, digits and kana agree; ﾊﾟ becomes パ), case folded, and
white space removed (the manual writes 「ID 数」 with a space, people do not).
Words of the query (split on spaces, full-width ones too) must all match.

A word matches a text when it is a substring of it (what the trigram index
serves) or, for words of three characters or more, when most of its
two-character pieces are in the text: 「代表管理者変更」 shares 5 of its 6
pieces with 「代表管理者が変更できない」, the particle が being the only
difference. That fuzzy pass runs only when the exact one finds nothing.
"""

from __future__ import annotations

import unicodedata

# Share of a word's two-character pieces the text must hold (5 of 6 passes,
# 4 of 6 does not: 「パスワード変更」 must not find every パスワード entry's
# neighbour).
FUZZY_COVERAGE = 0.8
FUZZY_MIN_LENGTH = 3


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def query_words(query: str) -> list[str]:
    """The query's words, normalised; empty ones dropped."""
    words = (normalize(w) for w in unicodedata.normalize("NFKC", query).split())
    return [w for w in words if w]


def _bigrams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


def fuzzy_match(word: str, text: str) -> bool:
    """``word`` in ``text`` but for a particle or two (both normalised)."""
    if word in text:
        return True
    if len(word) < FUZZY_MIN_LENGTH:
        return False
    pieces = _bigrams(word)
    found = sum(1 for p in pieces if p in text)
    return found / len(pieces) >= FUZZY_COVERAGE
