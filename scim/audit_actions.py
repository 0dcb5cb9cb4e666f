"""Audit codes of SCIM provisioning (issue 25) with their 操作ログ labels,
collected by audit/registry.py. Changes a directory makes through SCIM are
recorded by the user directory's own codes (accounts.user.*) with the token
as the actor (操作者 「SCIM: <token name>」)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    "scim.token.created": pgettext_lazy("audit action", "SCIM トークン作成"),
    "scim.token.revoked": pgettext_lazy("audit action", "SCIM トークン失効"),
    "scim.user.external_id_set": pgettext_lazy("audit action", "SCIM 外部 ID 設定"),
    "scim.id_count.exceeded": pgettext_lazy("audit action", "SCIM 契約 ID 数超過"),
}

OBJECT_TYPES = {
    "scim.ScimToken": _("SCIM トークン"),
    "scim.ScimUser": _("SCIM ユーザ"),
}
