"""Audit codes about a tenant and its contracts, with their 操作ログ labels
(collected by audit/registry.py; tenants may not import audit, so data only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "tenants.tenant.opened": pgettext_lazy("audit action", "テナント開設"),
    "tenants.representative.changed": pgettext_lazy("audit action", "代表管理者変更"),
}

OBJECT_TYPES = {
    "tenants.Tenant": _("テナント"),
    "tenants.Contract": _("契約"),
    "tenants.Service": _("サービス"),
}
