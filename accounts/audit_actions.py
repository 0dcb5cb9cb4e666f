"""Audit codes of identity (login, passwords, setup, the own notification
address) with their 操作ログ labels, collected by audit/registry.py. The user
directory's codes are declared by users/audit_actions.py (they keep their
``accounts.`` prefix: entries recorded before the split still match)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "accounts.login.succeeded": pgettext_lazy("audit action", "ログイン"),
    "accounts.login.failed": pgettext_lazy("audit action", "ログイン失敗"),
    "accounts.login.refused": pgettext_lazy("audit action", "ログイン拒否"),
    "accounts.logout": pgettext_lazy("audit action", "ログアウト"),
    "accounts.user.locked": pgettext_lazy("audit action", "アカウントロック"),
    "accounts.user.unlocked": pgettext_lazy("audit action", "アカウントロック解除"),
    "accounts.password.changed": pgettext_lazy("audit action", "パスワード変更"),
    "accounts.password.set": pgettext_lazy("audit action", "管理者によるパスワード設定"),
    "accounts.password_reset.requested": pgettext_lazy("audit action", "パスワード再設定メール送信"),
    "accounts.password_reset.completed": pgettext_lazy("audit action", "パスワード再設定"),
    "accounts.setup_mail.sent": pgettext_lazy("audit action", "初期登録メール送信"),
    "accounts.setup.completed": pgettext_lazy("audit action", "初期登録完了"),
    "accounts.notification_email.change_requested": pgettext_lazy("audit action", "通知先メールアドレス変更申請"),
    "accounts.notification_email.changed": pgettext_lazy("audit action", "通知先メールアドレス変更"),
}

OBJECT_TYPES = {
    "accounts.User": _("ユーザ"),
    "accounts.Organization": _("組織"),
    "accounts.OrganizationMembership": _("組織所属"),
    "accounts.UserServiceRegistration": _("サービス登録"),
    "accounts.UserImport": _("ユーザ一括追加／変更"),
    "accounts.TenantUserCount": _("ユーザ数"),
}
