"""The exact number of a tenant's users, kept by the database (issue 22).

The ユーザ一覧 shows 全 N 件 for the whole tenant; ``COUNT(*)`` over the
tenant's index entries grows with the tenant (4 ms at 100,000 users, 42 ms
at a million). This row holds the same number, maintained by triggers on
``accounts_user`` in the transaction of the write (migration 0007): every
path that adds, moves or removes a user (``save``, ``bulk_create``,
``update()`` of ``tenant_id``, ``delete``, imports, cascades) goes through
them, which no Python-side cache could promise. Python never writes it.

On databases without the triggers (the SQLite demo) the row is not used;
``users.selectors.user_total`` counts instead.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class TenantUserCount(TenantOwnedModel):
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("テナント")
    )
    users = models.BigIntegerField(_("ユーザ数"), default=0)

    class Meta:
        verbose_name = _("ユーザ数")
        verbose_name_plural = _("ユーザ数")

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.users}"
