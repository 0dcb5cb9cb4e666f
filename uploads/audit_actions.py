"""Audit codes of the upload module with their 操作ログ labels, collected by
audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "uploads.file.stored": pgettext_lazy("audit action", "ファイルアップロード"),
    "uploads.file.deleted": pgettext_lazy("audit action", "ファイル削除"),
}

OBJECT_TYPES = {
    "uploads.StoredFile": _("ファイル"),
}
