"""Audit codes of the accounts chapter (identity and the user directory) with
their 操作ログ labels, collected by audit/registry.py."""

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
    "accounts.user.created": pgettext_lazy("audit action", "ユーザ追加"),
    "accounts.user.updated": pgettext_lazy("audit action", "ユーザ変更"),
    "accounts.user.deleted": pgettext_lazy("audit action", "ユーザ削除"),
    "accounts.user.status_changed": pgettext_lazy("audit action", "ステータス変更"),
    "accounts.user.receive_setting_changed": pgettext_lazy("audit action", "受信設定変更"),
    "accounts.user.service_registered": pgettext_lazy("audit action", "サービス登録"),
    "accounts.user.service_changed": pgettext_lazy("audit action", "サービス登録変更"),
    "accounts.user.service_removed": pgettext_lazy("audit action", "サービス登録解除"),
    "accounts.user.exported": pgettext_lazy("audit action", "ユーザ CSV ダウンロード"),
    "accounts.user_import.uploaded": pgettext_lazy("audit action", "ユーザ一括登録アップロード"),
    "accounts.user_import.applied": pgettext_lazy("audit action", "ユーザ一括登録実行"),
    "accounts.organization.created": pgettext_lazy("audit action", "組織追加"),
    "accounts.organization.updated": pgettext_lazy("audit action", "組織変更"),
    "accounts.organization.deleted": pgettext_lazy("audit action", "組織削除"),
}

OBJECT_TYPES = {
    "accounts.User": _("ユーザ"),
    "accounts.Organization": _("組織"),
    "accounts.OrganizationMembership": _("組織所属"),
    "accounts.UserServiceRegistration": _("サービス登録"),
    "accounts.UserImport": _("ユーザ一括追加／変更"),
}
