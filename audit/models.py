from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedManager


class AuditEntry(models.Model):
    """Who did what to which object, in which tenant (append-only).

    ``tenant`` is NULL only for platform events with no tenant (an operator
    editing the service catalogue). Reads are scoped like any tenant table;
    the operator's view in Django admin leaves the scope explicitly.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("テナント"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作者"),
    )
    # Kept as text too: the entry must still say who it was after deletion.
    actor_label = models.CharField(_("操作者 ID"), max_length=254, blank=True)
    action = models.CharField(_("操作"), max_length=80)
    object_type = models.CharField(_("対象種別"), max_length=80, blank=True)
    object_id = models.CharField(_("対象 ID"), max_length=64, blank=True)
    object_label = models.CharField(_("対象"), max_length=254, blank=True)
    data = models.JSONField(_("詳細"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP アドレス"), null=True, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    objects = TenantScopedManager()
    # PostgreSQL row-level security as on every tenant table (tenants/rls.py):
    # a platform event (no tenant) is visible only under the bypass; record()
    # writes each entry in its own tenant's scope (issue 20).
    row_level_security = True

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_tenant_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
