from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class StoredFile(TenantOwnedModel):
    """One uploaded file of a tenant. The bytes live in the default storage
    under ``name`` (server-made, per-tenant prefix); ``original_name`` is only
    shown. ``attached`` is False while the file is staged between 確認 and 完了;
    staged files older than a day are purged. Chapters point at it with a
    ForeignKey (on_delete CASCADE or SET_NULL); the bytes go when the row goes."""

    key = models.UUIDField(_("キー"), default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("用途"), max_length=64)
    name = models.CharField(_("保存名"), max_length=255)
    original_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(_("種類"), max_length=120)
    size = models.PositiveBigIntegerField(_("サイズ"))
    width = models.PositiveIntegerField(_("幅"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高さ"), null=True, blank=True)
    public = models.BooleanField(_("公開"), default=False)
    attached = models.BooleanField(_("添付済み"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録者"),
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("ファイル")
        verbose_name_plural = _("ファイル")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="uploads_storedfile_tenant_key"),
        ]
        indexes = [
            # The public view finds a logo by key alone; the purge job by age.
            models.Index(fields=["key"], name="uploads_storedfile_key"),
            models.Index(fields=["attached", "created_at"], name="uploads_storedfile_staged"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
