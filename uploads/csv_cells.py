"""Cells of the CSV files the portal hands out and takes back: the BOM that
makes Excel on Japanese Windows read UTF-8, and the formula guard (OWASP "CSV
injection"). Downloads prefix a cell that a spreadsheet would run with an
apostrophe; uploads strip it again so a download can be edited and uploaded
back unchanged.

Shared by the user CSV (``users.csv``) and the 操作ログ CSV
(``accounts.audit_log``), which are in two chapters that may not import each
other; the web kit's CSV writer (issue 19) is where this belongs next.
"""

from __future__ import annotations

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value: str) -> str:
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
