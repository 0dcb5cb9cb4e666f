"""Audit codes of the bulletin board with their 操作ログ labels, collected by
audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "bulletin.article.created": pgettext_lazy("audit action", "記事追加"),
    "bulletin.article.deleted": pgettext_lazy("audit action", "記事削除"),
    "bulletin.article.reordered": pgettext_lazy("audit action", "記事並び替え"),
    "bulletin.article.mailed": pgettext_lazy("audit action", "記事メール通知送信"),
    "bulletin.category.created": pgettext_lazy("audit action", "カテゴリ追加"),
    "bulletin.category.deleted": pgettext_lazy("audit action", "カテゴリ削除"),
    "bulletin.category.reordered": pgettext_lazy("audit action", "カテゴリ並び替え"),
}

OBJECT_TYPES = {
    "bulletin.Article": _("掲示板記事"),
    "bulletin.Category": _("掲示板カテゴリ"),
    "bulletin.Attachment": _("添付ファイル"),
}
