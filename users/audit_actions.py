"""Audit codes of the user directory (users, organizations, service
registrations, CSV) with their 操作ログ labels, collected by
audit/registry.py. The codes keep the ``accounts.`` prefix they had before the
directory left accounts, so older entries still match. The models stay in
accounts, so their object-type names are declared there."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

ACTIONS = {
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
