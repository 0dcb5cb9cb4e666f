"""The user CSV format (USER-5, USER-6): one format for download and upload.

Encoding: downloads are UTF-8 with a BOM, which Excel on Japanese Windows
opens correctly (without the BOM it assumes CP932 and garbles the text).
Uploads accept UTF-8 with or without BOM and Shift_JIS/CP932 (what Excel
writes when a Japanese user saves "CSV (コンマ区切り)"). Anything else — UTF-16
(Excel's "Unicode テキスト"), NUL bytes, broken UTF-8, a binary file — is
refused with the line at fault, before anything is stored (``decode``).

Formulas: a cell starting with = + - @ TAB CR or NUL would be run by a
spreadsheet; downloads prefix such cells with an apostrophe (OWASP "CSV
injection"), and uploads strip that apostrophe again so a download can be
edited and uploaded back unchanged, every string included (issue 21,
finding 7; ``web.csv``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.models import field_rules as v
from web.csv import BOM, csv_lines, unneutralise

MAX_ERRORS = 1000

# (header, attribute) in file order.
COLUMNS: list[tuple[Any, str]] = [
    (gettext_lazy("ユーザID"), "email"),
    (gettext_lazy("姓"), "last_name"),
    (gettext_lazy("名"), "first_name"),
    (gettext_lazy("姓カナ"), "last_name_kana"),
    (gettext_lazy("名カナ"), "first_name_kana"),
    (gettext_lazy("所属"), "affiliation"),
    (gettext_lazy("権限"), "role"),
    (gettext_lazy("サービス利用電話番号"), "phone_number"),
    (gettext_lazy("通知先メールアドレス"), "notification_email"),
    (gettext_lazy("代表組織"), "organization"),
]
# Download-only columns: facts the portal keeps, not data an upload sets
# (issue 24: the two-step status). An upload ignores them, so a downloaded
# file still goes back up unchanged.
EXPORT_ONLY: list[tuple[Any, str]] = [(gettext_lazy("2段階認証"), "two_step")]
ROLE_LABELS = {User.Role.ADMIN: "管理者", User.Role.USER: "ユーザ"}
ROLE_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}


def headers() -> list[str]:
    return [str(h) for h, _a in COLUMNS]


def export_headers() -> list[str]:
    return headers() + [str(h) for h, _a in EXPORT_ONLY]


def export_values(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """The cells of each exported user (``rows`` are dicts by attribute),
    for ``web.csv.csv_download`` with ``headers()``."""
    attrs = [a for _h, a in COLUMNS + EXPORT_ONLY]
    for values in rows:
        values["role"] = ROLE_LABELS.get(values["role"], values["role"])
        yield [values.get(a) or "" for a in attrs]


def export_rows(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The user CSV's encoded lines (``web.csv``), as the download streams them."""
    return csv_lines(export_headers(), export_values(rows))


def template_bytes() -> bytes:
    """The upload template: the header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerow(
        [
            "yamada@example.com",
            "山田",
            "太郎",
            "ヤマダ",
            "タロウ",
            "営業部",
            "ユーザ",
            "0312345678",
            "yamada@example.com",
            "",
        ]
    )
    return (BOM + out.getvalue()).encode("utf-8")


ENCODINGS_ACCEPTED = gettext_lazy("UTF-8（BOM あり・なし）または Shift_JIS（CP932）")


def _line_at(content: bytes, position: int) -> int:
    return content.count(b"\n", 0, position) + 1


def _looks_like_utf16(content: bytes) -> bool:
    """A UTF-16 BOM, or many NULs, all at even or all at odd offsets (the
    high bytes of the ASCII commas, line ends and addresses every CSV has);
    a stray NUL in a UTF-8 file is not that."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = content[0::2].count(0), content[1::2].count(0)
    return (even == 0) != (odd == 0) and even + odd >= max(2, len(content) // 20)


def decode(content: bytes) -> str:
    """UTF-8 (BOM optional) first, then CP932; anything else is refused with
    a ``ValidationError`` naming the accepted encodings and the line at fault.

    NUL bytes are refused outright: no CSV of users holds one, PostgreSQL's
    text and JSON columns cannot store one, and they are what UTF-16 and
    binary files are full of."""
    if _looks_like_utf16(content):
        raise ValidationError(
            _("UTF-16（Unicode テキスト）のファイルは読み込めません。%(accepted)s で保存し直してください。"),
            code="encoding",
            params={"accepted": ENCODINGS_ACCEPTED},
        )
    if (nul := content.find(b"\0")) >= 0:
        raise ValidationError(
            _("%(line)d 行目に NUL 文字があります。CSV ファイルではないか、壊れています。"
              "%(accepted)s の CSV ファイルを選択してください。"),
            code="encoding",
            params={"line": _line_at(content, nul), "accepted": ENCODINGS_ACCEPTED},
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    # Valid UTF-8 multi-byte text before the bad byte: a UTF-8 file with a
    # broken character, not a Shift_JIS one (whose Japanese is never UTF-8).
    if not content[:utf8_error].isascii():
        raise ValidationError(
            _("%(line)d 行目に UTF-8 として読めない文字があります。%(accepted)s で保存し直してください。"),
            code="encoding",
            params={"line": _line_at(content, utf8_error), "accepted": ENCODINGS_ACCEPTED},
        )
    try:
        return content.decode("cp932")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("%(line)d 行目の文字コードを判別できません。%(accepted)s で保存し直してください。"),
            code="encoding",
            params={"line": _line_at(content, exc.start), "accepted": ENCODINGS_ACCEPTED},
        ) from None


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    line: int
    data: dict[str, str]


@dataclass
class Parsed:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse(content: bytes) -> Parsed:
    """Decode and split into rows keyed by attribute; checks only the shape."""
    result = Parsed()
    try:
        text = decode(content)
    except ValidationError as exc:
        result.errors.append(RowError((exc.params or {}).get("line", 1), "", exc.messages[0]))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _parse_rows(reader, result)
    except csv.Error:
        # A field over the csv module's limit, a stray quote at the end …:
        # the file's shape, said as such (was a server error; issue 15).
        result.rows.clear()
        result.errors.append(
            RowError(
                reader.line_num or 1,
                "",
                _("CSV の形式が正しくありません（%(line)d 行目付近）。")
                % {"line": reader.line_num or 1},
            )
        )
        return result


def _parse_rows(reader: Any, result: Parsed) -> Parsed:
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "", _("ファイルが空です。")))
        return result
    header = [h.strip() for h in header]
    expected = headers()
    if set(expected) - set(header):
        # The headers follow the UI language (docs/i18n.md): a file downloaded
        # in English may be parsed in Japanese (by a worker, or another admin).
        # Read a complete header row of any UI language as the current one.
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                candidate = headers()
            if not set(candidate) - set(header):
                header = [expected[candidate.index(h)] if h in candidate else h for h in header]
                break
    missing = [h for h in expected if h not in header]
    ignored = {str(h) for h, _a in EXPORT_ONLY}
    unknown = [h for h in header if h and h not in expected and h not in ignored]
    if missing or unknown:
        if missing:
            result.errors.append(
                RowError(1, "", _("列が足りません: %(cols)s") % {"cols": "、".join(missing)})
            )
        if unknown:
            result.errors.append(
                RowError(1, "", _("不明な列があります: %(cols)s") % {"cols": "、".join(unknown)})
            )
        return result
    index = {h: header.index(h) for h in expected}
    attrs = dict(COLUMNS)
    by_header = {str(h): a for h, a in attrs.items()}
    line = reader.line_num
    for raw in reader:
        start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue  # blank lines (Excel leaves some at the end)
        if len(raw) > len(header):
            result.errors.append(RowError(start, "", _("列の数が多すぎます。")))
            continue
        raw = raw + [""] * (len(header) - len(raw))
        data = {by_header[h]: unneutralise(raw[i].strip()) for h, i in index.items()}
        result.rows.append(ParsedRow(start, data))
    return result


def header_of(attr: str) -> str:
    return next(str(h) for h, a in COLUMNS if a == attr)


def validate_fields(data: dict[str, str]) -> list[tuple[str, str]]:
    """The USER-1 rules on one row: ``[(column header, message), …]``."""
    errors: list[tuple[str, str]] = []

    def check(attr: str, rule: Any, **kwargs: Any) -> None:
        try:
            rule(data.get(attr, ""), **kwargs)
        except ValidationError as exc:
            errors.append((header_of(attr), exc.messages[0]))

    check("email", v.validate_mail_address, label=_("ユーザ ID"))
    check("last_name", v.validate_person_name, label=_("姓"))
    check("first_name", v.validate_person_name, label=_("名"))
    check("last_name_kana", v.validate_kana, label=_("姓（カナ）"))
    check("first_name_kana", v.validate_kana, label=_("名（カナ）"))
    check("affiliation", v.validate_affiliation)
    check("phone_number", v.validate_phone)
    check("notification_email", v.validate_mail_address, label=_("通知先メールアドレス"))
    if data.get("role", "") not in ROLE_BY_LABEL:
        errors.append(
            (header_of("role"), _("権限は「管理者」または「ユーザ」を入力してください。"))
        )
    return errors
