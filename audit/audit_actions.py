"""The audit trail's own codes and object types (audit/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUP = _("運用者")

ACTIONS = {
    # An operator opening a tenant's row in Django admin (audit/context.py).
    "operator.viewed": pgettext_lazy("audit action", "運用者による閲覧"),
}

OBJECT_TYPES = {
    "audit.AuditEntry": _("監査ログ"),
}
