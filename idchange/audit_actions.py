"""Audit codes of the ID-count chapter with their 操作ログ labels, collected
by audit/registry.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "idchange.application.submitted": pgettext_lazy("audit action", "ID 数変更申込"),
    "idchange.application.withdrawn": pgettext_lazy("audit action", "ID 数変更申込取消"),
    "idchange.application.processed": pgettext_lazy("audit action", "ID 数変更処理"),
    "idchange.application.held": pgettext_lazy("audit action", "ID 数変更保留"),
    "idchange.application.applied": pgettext_lazy("audit action", "ID 数変更適用"),
    "idchange.application.partially_applied": pgettext_lazy("audit action", "ID 数変更一部適用"),
    "idchange.offline_reduction.registered": pgettext_lazy("audit action", "オフライン減数登録"),
    "idchange.offline_reduction.reflected": pgettext_lazy("audit action", "オフライン減数反映"),
    "idchange.offline_reduction.cancelled": pgettext_lazy("audit action", "オフライン減数取消"),
}

OBJECT_TYPES = {
    "idchange.IdChangeApplication": _("ID 数変更申込"),
    "idchange.IdChangeApplicationLine": _("ID 数変更申込明細"),
    "idchange.OfflineReduction": _("年契約 ID 数削減（営業経由）"),
    "idchange.ContractLine": _("契約明細"),
    "idchange.IdCountLedger": _("ID 数台帳"),
}
