from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class UserImport(TenantOwnedModel):
    """One ユーザ一括追加／変更 CSV upload (USER-6).

    The file is kept in the database so that a background worker on another
    machine can read it by primary key; the dry-run result (errors, counts)
    and the progress live here too so the progress page can poll them.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("検証中")
        INVALID = "invalid", _("エラーあり")
        VALID = "valid", _("検証完了")
        APPLYING = "applying", _("反映中")
        DONE = "done", _("反映完了")
        FAILED = "failed", _("失敗")

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="user_imports", verbose_name=_("テナント")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("実行者")
    )
    filename = models.CharField(_("ファイル名"), max_length=255)
    content = models.BinaryField(_("ファイル"))
    status = models.CharField(_("状態"), max_length=12, choices=Status, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("処理済み行数"), default=0)
    to_add = models.PositiveIntegerField(_("追加件数"), default=0)
    to_change = models.PositiveIntegerField(_("変更件数"), default=0)
    # [{"line": 3, "column": "姓", "message": "…"}, …], capped (see csv.MAX_ERRORS).
    errors = models.JSONField(_("エラー"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("エラー件数"), default=0)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("ユーザ一括追加／変更")
        verbose_name_plural = _("ユーザ一括追加／変更")
        constraints = [models.UniqueConstraint(fields=["tenant", "id"], name="user_import_tenant_id")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.APPLYING)

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
