"""Audit codes of two-step verification (issue 24) with their 操作ログ
labels, collected by audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUP = _("2段階認証")

ACTIONS = {
    "mfa.totp.enrolled": pgettext_lazy("audit action", "認証アプリ登録"),
    "mfa.totp.removed": pgettext_lazy("audit action", "認証アプリ削除"),
    "mfa.passkey.added": pgettext_lazy("audit action", "パスキー登録"),
    "mfa.passkey.removed": pgettext_lazy("audit action", "パスキー削除"),
    "mfa.recovery.generated": pgettext_lazy("audit action", "リカバリーコード発行"),
    "mfa.recovery.used": pgettext_lazy("audit action", "リカバリーコード使用"),
    "mfa.verify.succeeded": pgettext_lazy("audit action", "2段階認証成功"),
    "mfa.factors.reset": pgettext_lazy("audit action", "2段階認証リセット"),
    "mfa.policy.changed": pgettext_lazy("audit action", "2段階認証ポリシー変更"),
}

OBJECT_TYPES = {
    "mfa.MfaPolicy": _("2段階認証ポリシー"),
    # Django admin's view of users for two-step support (the same rows as accounts.User).
    "mfa.TwoStepUser": _("2段階認証（ユーザ）"),
}
