"""Audit codes of the screen customization chapter with their 操作ログ
labels, collected by audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "customization.link.added": pgettext_lazy("audit action", "リンク追加"),
    "customization.link.deleted": pgettext_lazy("audit action", "リンク削除"),
    "customization.site_logo.set": pgettext_lazy("audit action", "サイトロゴ設定"),
    "customization.site_logo.reset": pgettext_lazy("audit action", "サイトロゴをデフォルト画像へ設定"),
    "customization.login_page.updated": pgettext_lazy("audit action", "専用ログイン URL 設定"),
    "customization.login_logo.set": pgettext_lazy("audit action", "専用ログイン URL のロゴ設定"),
    # The carrier's measures (ALIAS-4) are listed for the tenant to see.
    "customization.site_logo.removed_by_operator": pgettext_lazy("audit action", "運用者によるサイトロゴ削除"),
    "customization.login_logo.removed_by_operator": pgettext_lazy(
        "audit action", "運用者による専用ログイン URL のロゴ削除"
    ),
    "customization.link_icon.removed_by_operator": pgettext_lazy("audit action", "運用者によるリンクアイコン削除"),
}

OBJECT_TYPES = {
    "customization.LinkItem": _("リンク"),
    "customization.Branding": _("画面カスタマイズ設定"),
}
