"""Tenants, the service catalogue and contracts.

``Tenant`` and ``Service`` are platform tables (operators own them). A
contract belongs to one tenant and is scoped like every tenant row.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel

alias_validator = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]{3,30})[A-Za-z0-9]$",
    _(
        "お客さま専用 URL は半角英数字 5〜32 文字で入力してください（. と - は先頭・末尾以外に使えます）。"
    ),
)


class Tenant(models.Model):
    """A customer company. A global table: the tenant code and the dedicated
    login alias must be unique portal-wide, so they live here, not on a
    sharded tenant table."""

    name = models.CharField(_("会社名"), max_length=100)
    code = models.CharField(_("テナントコード"), max_length=20, unique=True)
    # The dedicated login URL alias (ALIAS-1); NULL while unused so that the
    # unique index ignores tenants without one.
    login_alias = models.CharField(
        _("お客さま専用 URL"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[alias_validator],
    )
    is_active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("テナント")
        verbose_name_plural = _("テナント")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Service(models.Model):
    """The carrier's service catalogue, as data (operators edit it)."""

    class Kind(models.TextChoices):
        GOOGLE_WORKSPACE = "google_workspace", "Google Workspace"
        MICROSOFT_365 = "microsoft_365", "Microsoft 365 with KDDI"
        LINE_WORKS = "line_works", "LINE WORKS with KDDI"
        EMM = "emm", "KDDI EMM powered by Omnissa Workspace ONE"
        OTHER = "other", _("その他")

    code = models.SlugField(_("サービスコード"), max_length=40, unique=True)
    name = models.CharField(_("サービス名"), max_length=100)
    kind = models.CharField(_("種別"), max_length=30, choices=Kind, default=Kind.OTHER)
    supports_id_change = models.BooleanField(_("ID 数変更対応"), default=False)
    supports_area_notices = models.BooleanField(_("エリア通知対応"), default=False)
    supports_trouble_inquiry = models.BooleanField(_("障害お問い合わせ対応"), default=False)
    # Individual per-user fields of the service (SVC-2), as a list of
    # {"name", "label", "required", "auto"} dicts; operators edit it.
    user_fields = models.JSONField(_("ユーザ個別項目"), default=list, blank=True)
    manual_url = models.URLField(_("マニュアル URL"), blank=True)
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("サービス")
        verbose_name_plural = _("サービス")
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return self.name


class Contract(TenantOwnedModel):
    """One contracted service of a tenant (契約番号 per service)."""

    class Term(models.TextChoices):
        MONTHLY = "monthly", _("月契約")
        ANNUAL = "annual", _("年契約")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("テナント")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("サービス")
    )
    number = models.CharField(_("契約番号"), max_length=40)
    plan = models.CharField(_("プラン"), max_length=100, blank=True)
    term = models.CharField(_("契約種別"), max_length=10, choices=Term, default=Term.MONTHLY)
    id_count = models.PositiveIntegerField(_("契約 ID 数"), null=True, blank=True)
    renewal_base_date = models.DateField(_("更新基準日"), null=True, blank=True)
    unit_price = models.PositiveIntegerField(_("単価（円/ID・月）"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("契約")
        verbose_name_plural = _("契約")
        ordering = ["service__display_order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="contract_unique_number"),
            models.CheckConstraint(
                condition=~models.Q(term="annual") | models.Q(renewal_base_date__isnull=False),
                name="contract_annual_has_renewal_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.number}"
