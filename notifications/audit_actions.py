"""Audit codes of the notices chapter with their 操作ログ labels, collected
by audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "notifications.area.changed": pgettext_lazy("audit action", "対象エリア変更"),
}

# Publishing is the carrier's act on its own notice (no tenant's entry):
# services/notices.py records notifications.notice.<Publication.Revision>.
PLATFORM_ACTIONS = {
    "notifications.notice.initial": pgettext_lazy("audit action", "お知らせ公開"),
    "notifications.notice.correction": pgettext_lazy("audit action", "お知らせ訂正"),
    "notifications.notice.recovery": pgettext_lazy("audit action", "お知らせ復旧"),
}

OBJECT_TYPES = {
    "notifications.AreaSetting": _("メール通知サービス設定"),
    "notifications.Notice": _("お知らせ・障害・メンテナンス情報"),
    "notifications.Publication": _("公開履歴"),
    "notifications.Delivery": _("配信"),
    "notifications.InformationRead": _("既読"),
}
