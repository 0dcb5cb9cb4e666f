"""The app's one domain exception and its codes (ours next to the rules' E_* codes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from idchange import rules

# Codes of our own, next to the rules' E_* codes.
E_NOT_SUPPORTED = "E_NOT_SUPPORTED"
E_NOT_PENDING = "E_NOT_PENDING"
E_NOT_DUE = "E_NOT_DUE"
E_NOT_WITHDRAWABLE = "E_NOT_WITHDRAWABLE"
E_NOT_PROCESSING = "E_NOT_PROCESSING"
E_UNKNOWN_LINE = "E_UNKNOWN_LINE"
E_OFFLINE_INVALID = "E_OFFLINE_INVALID"
# Not an error: the hold_reason of an application an operator put on hold.
HELD_BY_OPERATOR = "E_HELD_BY_OPERATOR"

MESSAGES: Mapping[str, Any] = {
    **rules.ERROR_MESSAGES,
    E_NOT_SUPPORTED: _("この契約は ID 数変更のお申し込みに対応していません。"),
    E_NOT_PENDING: _("この申込は処理待ちではありません。"),
    E_NOT_DUE: _("適用できる明細がありません（適用日時または適用期間の前です）。"),
    E_NOT_WITHDRAWABLE: _("この申込は取下できません（取下期限を過ぎたか、処理待ちではありません）。"),
    E_NOT_PROCESSING: _("この申込は処理中ではありません。"),
    E_UNKNOWN_LINE: _("選択されたプランはこの契約にありません。"),
    E_OFFLINE_INVALID: _("削減 ID 数が契約 ID 数を超えているか、対象の明細が不正です。"),
    HELD_BY_OPERATOR: _("運用担当者が保留にしました。"),
}


class IdChangeError(Exception):
    """The one domain exception of this app; ``code`` is an E_* code and
    ``line_id`` the contract line it is about, when it is about one."""

    def __init__(self, code: str, *, line_id: int | None = None) -> None:
        self.code = code
        self.line_id = line_id
        self.message = MESSAGES.get(code, code)
        super().__init__(f"{code}: {self.message}")
