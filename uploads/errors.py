"""Every refusal as one ValidationError with a code and a Japanese message
naming the rule, so forms show it as is and tests assert the code."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "empty": _("ファイルが空です"),
    "kind_not_allowed": _("ファイルの形式が許可されていません（許可: %(allowed)s）"),
    "too_large": _("ファイルサイズが上限（%(limit)s）を超えています"),
    "mismatch": _("ファイルの内容が拡張子（.%(extension)s）と一致しません"),
    "corrupt": _("ファイルが壊れているか、形式が正しくありません（.%(extension)s）"),
    "archive_bomb": _("ファイルの展開後のサイズが大きすぎます"),
    "macros": _("マクロを含むファイルはアップロードできません"),
    "active_content": _("HTML やスクリプトを含むファイルはアップロードできません"),
    "archive_path": _("ファイル内のパス名が不正です（「..」や絶対パスは使えません）"),
    "nested_archive": _("ファイルの中に別の圧縮ファイルを含むものはアップロードできません"),
    "xml_dtd": _("DTD や実体宣言を含むファイルはアップロードできません"),
    "text_binary": _("テキストファイルにバイナリデータが含まれています"),
    "text_encoding": _("テキストの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"),
    "too_many_pixels": _("画像の画素数が多すぎます（上限: %(limit)s 画素）"),
    "image_broken": _("画像ファイルが壊れています"),
    "too_many_files": _("添付できるファイルは %(limit)s 個までです"),
}


def refuse(code: str, **params: Any) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)
