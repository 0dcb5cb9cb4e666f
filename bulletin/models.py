"""社内向け掲示板 (manual ch. 9; BBS-1 … BBS-5): categories and articles.

Order is data: ``position`` ascending is what every user sees (BBS-4). Each
tenant has exactly one default category, お知らせ (BBS-2), created with the
tenant; it cannot be deleted or renamed, and its articles are never moved:
a new article always takes the smallest position of its category, so the
お知らせ articles stay newest first without a second ordering rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel

DEFAULT_CATEGORY_NAME = "お知らせ"


class Category(TenantOwnedModel):
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="bulletin_categories", verbose_name=_("テナント")
    )
    name = models.CharField(_("カテゴリ名"), max_length=30)
    # お知らせ: one per tenant, never deleted or renamed.
    is_default = models.BooleanField(_("お知らせカテゴリ"), default=False)
    position = models.IntegerField(_("表示順"), default=0)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("掲示板カテゴリ")
        verbose_name_plural = _("掲示板カテゴリ")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="bulletin_category_unique_name"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_default=True), name="bulletin_one_default_category"
            ),
            models.UniqueConstraint(fields=["tenant", "id"], name="bulletin_category_tenant_id"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(TenantOwnedModel):
    """One post. The fan-out of its notice mail (BBS-5) keeps its progress
    here: ``mail_cursor`` is the last user id already mailed, moved in the
    same transaction as the outbox rows of each batch, so a batch that runs
    twice (a retried task, the sweep) finds its users already done."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="bulletin_articles", verbose_name=_("テナント")
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="articles", verbose_name=_("カテゴリ")
    )
    title = models.CharField(_("タイトル"), max_length=100)
    body = models.TextField(_("本文"), max_length=5000)
    position = models.IntegerField(_("表示順"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録者"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    notify = models.BooleanField(_("メール通知"), default=False)
    mail_cursor = models.BigIntegerField(_("送信済みユーザ ID"), default=0)
    mail_count = models.PositiveIntegerField(_("送信数"), default=0)
    mail_done_at = models.DateTimeField(_("送信完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("掲示板記事")
        verbose_name_plural = _("掲示板記事")
        ordering = ["position", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="bulletin_article_tenant_id"),
        ]
        indexes = [
            models.Index(fields=["tenant", "category", "position"], name="bulletin_article_order"),
            # The sweep's "fan-outs not finished" lookup.
            models.Index(
                fields=["created_at"],
                condition=models.Q(notify=True, mail_done_at__isnull=True),
                name="bulletin_article_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attachment(TenantOwnedModel):
    """A file of an article (BBS-1). The bytes and their checks belong to the
    shared upload module; this row only says which article shows the file.
    Deleting the StoredFile (``uploads.services.delete_files``) removes this
    row with it; the article's delete service does that first."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="bulletin_attachments", verbose_name=_("テナント")
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("記事")
    )
    file = models.ForeignKey(
        "uploads.StoredFile", on_delete=models.CASCADE, related_name="+", verbose_name=_("ファイル")
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")
        ordering = ["position", "pk"]
        constraints = [
            # One file belongs to one article.
            models.UniqueConstraint(fields=["tenant", "file"], name="bulletin_attachment_unique_file"),
        ]

    def __str__(self) -> str:
        return str(self.file_id)
