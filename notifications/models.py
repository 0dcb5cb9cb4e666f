from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import prefectures as prefs
from tenants.scoping import TenantOwnedModel


class AreaSetting(TenantOwnedModel):
    """メール通知サービス設定 (NOTIF-2): the prefectures whose outage and
    maintenance notices of one area-capable service the tenant receives.

    Tenant-wide, one row per (tenant, service); no row means 全国, the
    default until an admin changes it. ``prefectures`` is the packed set of
    ``notifications.prefectures`` (one bit per prefecture)."""

    service = models.ForeignKey(
        "tenants.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("サービス")
    )
    prefectures = models.BigIntegerField(_("対象エリア"), default=prefs.NATIONWIDE)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新者"),
    )

    class Meta:
        verbose_name = _("メール通知サービス設定")
        verbose_name_plural = _("メール通知サービス設定")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "service"], name="area_setting_unique_service"),
            models.CheckConstraint(condition=models.Q(prefectures__gt=0), name="area_setting_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {prefs.describe(self.prefectures)}"


class NoticeKind(models.TextChoices):
    """The three kinds of the receive settings (NOTIF-1): each maps to one
    boolean on the user."""

    NEWS = "news", _("お知らせ")
    MAINTENANCE = "maintenance", _("メンテナンス情報")
    OUTAGE = "outage", _("障害情報")


# The user's receive setting that governs each kind (accounts.User, NOTIF-1).
RECEIVE_FIELD: dict[str, str] = {
    NoticeKind.NEWS: "receive_news",
    NoticeKind.MAINTENANCE: "receive_maintenance",
    NoticeKind.OUTAGE: "receive_outage",
}


class Notice(models.Model):
    """What an operator writes in Django admin (a platform table): a
    maintenance or outage notice of one service for some prefectures, or a
    piece of news (お知らせ) for every tenant or the tenants of chosen services.

    Editing a notice sends nothing; each 公開 / 訂正 / 復旧 is a
    ``Publication`` that snapshots the text and the audience."""

    kind = models.CharField(_("種別"), max_length=12, choices=NoticeKind)
    service = models.ForeignKey(
        "tenants.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("サービス"),
        help_text=_("メンテナンス情報・障害情報の対象サービス。"),
    )
    prefectures = models.BigIntegerField(_("影響エリア"), default=prefs.NATIONWIDE)
    # お知らせ only: empty = every tenant; otherwise tenants contracting one of them.
    target_services = models.ManyToManyField(
        "tenants.Service",
        blank=True,
        related_name="+",
        verbose_name=_("対象サービス（お知らせ）"),
        help_text=_("お知らせを送るテナントの契約サービス。空欄なら全テナント。"),
    )
    title = models.CharField(_("タイトル"), max_length=200)
    body = models.TextField(_("本文"))
    starts_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("お知らせ・障害・メンテナンス情報")
        verbose_name_plural = _("お知らせ・障害・メンテナンス情報")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="news") | models.Q(service__isnull=False),
                name="notice_service_required",
            ),
            models.CheckConstraint(condition=models.Q(prefectures__gt=0), name="notice_area_not_empty"),
        ]

    def __str__(self) -> str:
        return f"[{self.get_kind_display()}] {self.title}"

    @property
    def area_label(self) -> str:
        return prefs.describe(self.prefectures)


class Publication(models.Model):
    """One 公開 of a notice: the text and audience as mailed (a platform table).

    The first is 公開; 訂正 (corrections) and 復旧 (recovery) are later
    publications of the same notice that mail again. ``sequence`` comes from
    the form the operator saw, so a double submit hits the unique constraint
    instead of mailing twice; 公開 and 復旧 happen once per notice."""

    class Revision(models.TextChoices):
        INITIAL = "initial", _("公開")
        CORRECTION = "correction", _("訂正")
        RECOVERY = "recovery", _("復旧")

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="publications", verbose_name=_("お知らせ")
    )
    sequence = models.PositiveIntegerField(_("版"))
    revision = models.CharField(_("区分"), max_length=12, choices=Revision)
    kind = models.CharField(_("種別"), max_length=12, choices=NoticeKind)
    service = models.ForeignKey(
        "tenants.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("サービス")
    )
    prefectures = models.BigIntegerField(_("影響エリア"))
    target_service_ids = models.JSONField(_("対象サービス（お知らせ）"), default=list, blank=True)
    title = models.CharField(_("タイトル"), max_length=200)
    body = models.TextField(_("本文"))
    starts_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    published_at = models.DateTimeField(_("公開日時"), default=timezone.now, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公開者"),
    )
    tenant_count = models.PositiveIntegerField(_("対象テナント数"), default=0)

    class Meta:
        verbose_name = _("公開履歴")
        verbose_name_plural = _("公開履歴")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "sequence"], name="publication_unique_sequence"),
            models.UniqueConstraint(
                fields=["notice"], condition=models.Q(revision="initial"), name="publication_one_initial"
            ),
            models.UniqueConstraint(
                fields=["notice"], condition=models.Q(revision="recovery"), name="publication_one_recovery"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_prefix}{self.title}"

    @property
    def subject_prefix(self) -> str:
        """【障害情報】, plus 【訂正】 or 【復旧】 for a later publication."""
        prefix = f"【{NoticeKind(self.kind).label}】"
        if self.revision != self.Revision.INITIAL:
            prefix += f"【{self.Revision(self.revision).label}】"
        return prefix

    @property
    def area_label(self) -> str:
        return prefs.describe(self.prefectures)


class Delivery(TenantOwnedModel):
    """A publication reaching one tenant: written for every matching tenant
    when it is published (so the i list knows who was eligible, at
    publication time), claimed once by the tenant's fan-out task.

    One row per (publication, tenant), not per user: 1,000 tenants of
    100,000 users cost 1,000 rows here; the users' part (active, receive
    setting) is read from accounts.User when mailing and when listing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        DONE = "done", _("送信済")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("公開履歴")
    )
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.PENDING)
    mail_count = models.PositiveIntegerField(_("送信数"), default=0)
    delivered_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("配信")
        verbose_name_plural = _("配信")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "publication"], name="delivery_unique_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} → {self.tenant_id}"


class InformationRead(TenantOwnedModel):
    """A user opened one item of the i list (HOME-3): one row per read, so
    unread is "delivered to my tenant and no row here"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("ユーザ")
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name=_("公開履歴")
    )
    read_at = models.DateTimeField(_("既読日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("既読")
        verbose_name_plural = _("既読")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "publication"], name="information_read_once"),
        ]


class ServiceManual(models.Model):
    """マニュアル (HOME-4): a manual of one service, a link or a PDF the
    operator uploads in Django admin. A platform table: the carrier owns
    manuals, every tenant contracting the service sees them."""

    service = models.ForeignKey(
        "tenants.Service", on_delete=models.CASCADE, related_name="manuals", verbose_name=_("サービス")
    )
    title = models.CharField(_("タイトル"), max_length=200)
    url = models.URLField(_("URL"), blank=True)
    file = models.FileField(_("PDF ファイル"), upload_to="manuals/%Y/", blank=True)
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("マニュアル")
        verbose_name_plural = _("マニュアル")
        ordering = ["service__display_order", "display_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="manual_url_or_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.title}"
