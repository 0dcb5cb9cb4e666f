"""The CSV files the portal hands out and takes back (issue 19: one writer
for the user and the 操作ログ downloads): the BOM that makes Excel on
Japanese Windows read UTF-8, and the formula guard (OWASP "CSV injection"). Downloads prefix a cell that a spreadsheet would run with an
apostrophe; uploads strip it again so a download can be edited and uploaded
back unchanged.

A value that itself starts with an apostrophe is prefixed too (``'=`` →
``''=``): otherwise it could not be told from a neutralised cell and would
come back without it (issue 21, finding 7). One rule each way: download
prefixes when the value starts with a trigger or an apostrophe, upload removes
one leading apostrophe.

``csv_download`` streams a download: the header and rows written with every
cell neutralised, lines sent in chunks of a few hundred (far fewer socket
writes than one a row), as an attachment that is not cached.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

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


class _Echo:
    """A file whose write returns the line: csv.writer without a buffer."""

    def write(self, value: str) -> str:
        return value


CHUNK_ROWS = 500


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """UTF-8 lines with a BOM, every cell neutralised (None is empty)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield (BOM + writer.writerow([str(h) for h in header])).encode("utf-8")
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([neutralise("" if v is None else str(v)) for v in row]))
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def csv_download(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, name: str) -> StreamingHttpResponse:
    """The streamed attachment ``<name>_<YYYYmmddHHMMSS>.csv``, not cached."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}_{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
