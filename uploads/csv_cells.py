"""Cells of the CSV files the portal hands out and takes back: the BOM that
makes Excel on Japanese Windows read UTF-8, and the formula guard (OWASP "CSV
injection"). Downloads prefix a cell that a spreadsheet would run with an
apostrophe; uploads strip it again so a download can be edited and uploaded
back unchanged.

A value that itself starts with an apostrophe is prefixed too (``'=`` →
``''=``): otherwise it could not be told from a neutralised cell and would
come back without it (issue 21, finding 7). One rule each way: download
prefixes when the value starts with a trigger or an apostrophe, upload removes
one leading apostrophe.

Shared by the user CSV (``users.csv``) and the 操作ログ CSV
(``accounts.audit_log``), which are in two chapters that may not import each
other.
"""

from __future__ import annotations

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
ESCAPE = "'"


def neutralise(value: str) -> str:
    """The cell for ``value``: never starts a formula; ``unneutralise`` gives ``value`` back."""
    if value.startswith((*FORMULA_TRIGGERS, ESCAPE)):
        return ESCAPE + value
    return value


def unneutralise(value: str) -> str:
    """The value of a cell written by ``neutralise`` (or typed by a person:
    a leading apostrophe is Excel's own "this is text" mark, dropped too)."""
    return value.removeprefix(ESCAPE)
