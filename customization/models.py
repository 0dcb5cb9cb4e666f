"""Link collection (ch. 10) and the tenant's branding (ch. 11, 12).

The dedicated login alias itself lives on ``tenants.Tenant.login_alias`` (a
global table, unique portal-wide); these rows hold the tenant's images,
stored through the shared upload module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class LinkItem(TenantOwnedModel):
    """One icon of the home's リンク集 (LINK-1 … LINK-3). Never edited after
    registration (the manual): only added and deleted."""

    title = models.CharField(_("リンクタイトル"), max_length=50)
    url = models.URLField(_("リンク URL"), max_length=2000)
    icon = models.ForeignKey(
        "uploads.StoredFile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("アイコン画像"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("リンク集")
        verbose_name_plural = _("リンク集")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="customization_link_tenant")]

    def __str__(self) -> str:
        return self.title


class Branding(TenantOwnedModel):
    """The tenant's images: the header's site logo (LOGO-*) and the dedicated
    login URL's logo (ALIAS-2). One row per tenant; NULL means the default."""

    site_logo = models.ForeignKey(
        "uploads.StoredFile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("サイトロゴ"),
    )
    login_logo = models.ForeignKey(
        "uploads.StoredFile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ログイン画面のロゴ画像"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("画面カスタマイズ設定")
        verbose_name_plural = _("画面カスタマイズ設定")
        # Operators' image review (ALIAS-4, issue 21; group 画像審査): open a
        # tenant's logo or link icon under /files/, and remove one.
        permissions = [
            ("download_tenant_image", _("テナントの画像をダウンロードできる")),
            ("remove_tenant_image", _("テナントの画像を削除できる")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="customization_branding_one_per_tenant")
        ]

    def __str__(self) -> str:
        return str(self.tenant)
