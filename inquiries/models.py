"""お問い合わせ (manual ch. 14 and its FAQ chapter; INQ-1..INQ-9).

Global tables the carrier's operators maintain in Django admin (the same for
every tenant): the FAQ (``FaqCategory``, ``FaqEntry``) and the per-service
trouble forms (``TroubleFormField``, one row per field of a service's form).

Tenant tables: ``GeneralInquiry`` (a message to the customer centre, stored
and mailed), ``Inquiry`` (a trouble inquiry about one contracted service,
with a status), its thread of ``InquiryMessage`` rows and their
``InquiryAttachment`` rows (each points at one file of the upload module).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel


class FaqCategory(models.Model):
    """A heading of よくあるご質問 (INQ-9)."""

    name = models.CharField(_("カテゴリ名"), max_length=100)
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("よくあるご質問のカテゴリ")
        verbose_name_plural = _("よくあるご質問のカテゴリ")
        ordering = ["display_order", "pk"]

    def __str__(self) -> str:
        return self.name


class FaqEntry(models.Model):
    """One question and its answer. The keyword search (inquiries/search.py)
    matches the normalised texts kept beside them (NFKC, case folded, no
    spaces), written on every save; on PostgreSQL a GIN trigram index serves
    the substring match (migration 0006), so Japanese needs no word splitting."""

    category = models.ForeignKey(
        FaqCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("カテゴリ")
    )
    question = models.TextField(_("質問"))
    answer = models.TextField(_("回答"))
    display_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_published = models.BooleanField(_("公開"), default=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    # What the search reads: the question alone (ranked first) and both texts.
    question_search = models.TextField(editable=False, default="")
    text_search = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("よくあるご質問")
        verbose_name_plural = _("よくあるご質問")
        ordering = ["category__display_order", "category_id", "display_order", "pk"]

    def __str__(self) -> str:
        return self.question[:60]

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        from inquiries.search import normalize

        self.question_search = normalize(self.question)
        self.text_search = normalize(f"{self.question}\n{self.answer}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"question", "answer"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "question_search", "text_search"}
        super().save(*args, **kwargs)


class TroubleFormField(models.Model):
    """One field of a service's （障害）お問い合わせ form (INQ-2): forms differ
    per service and are data. 件名 and 連絡先メールアドレス are always asked
    and are not rows here."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("1 行テキスト")
        TEXTAREA = "textarea", _("複数行テキスト")
        SELECT = "select", _("プルダウン")
        RADIO = "radio", _("ラジオボタン")
        CHECKBOXES = "checkboxes", _("チェックボックス（複数選択）")
        DATE = "date", _("日付")
        DATETIME = "datetime", _("日時")

    CHOICE_TYPES = {FieldType.SELECT, FieldType.RADIO, FieldType.CHECKBOXES}

    service = models.ForeignKey(
        "tenants.Service",
        on_delete=models.CASCADE,
        related_name="trouble_form_fields",
        verbose_name=_("サービス"),
    )
    label = models.CharField(_("項目名"), max_length=100)
    field_type = models.CharField(
        _("入力形式"), max_length=20, choices=FieldType, default=FieldType.TEXT
    )
    choices = models.TextField(
        _("選択肢"), blank=True, help_text=_("プルダウン・ラジオボタン・チェックボックスの選択肢を 1 行に 1 つ")
    )
    required = models.BooleanField(_("必須"), default=False)
    help_text = models.CharField(_("説明"), max_length=200, blank=True)
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("障害問い合わせフォームの項目")
        verbose_name_plural = _("障害問い合わせフォームの項目")
        ordering = ["service__display_order", "service_id", "display_order", "pk"]

    def __str__(self) -> str:
        return f"{self.service} / {self.label}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class GeneralInquiry(TenantOwnedModel):
    """（一般）お問い合わせ (INQ-1): stored, mailed to the customer centre; the
    sender gets a receipt."""

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="general_inquiries",
        verbose_name=_("テナント"),
    )
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("お問い合わせ内容"))
    contact_email = models.EmailField(_("連絡先メールアドレス"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("送信者"),
    )
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("一般のお問い合わせ")
        verbose_name_plural = _("一般のお問い合わせ")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    @property
    def number(self) -> str:
        """The 問い合わせ番号 the staff console shows and searches (issue 23)."""
        return f"{self.pk:08d}" if self.pk else ""


class Inquiry(TenantOwnedModel):
    """A （障害）お問い合わせ about one of the tenant's services (INQ-2..INQ-7).

    ``answers`` keeps the filled-in service form as ``[{"label", "value"}]``:
    a snapshot, so an operator editing the form later does not change what
    the customer sent."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("受付")
        ANSWERED = "answered", _("回答済")
        RESOLVED = "resolved", _("解決済")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="inquiries",
        verbose_name=_("テナント"),
    )
    service = models.ForeignKey(
        "tenants.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("サービス")
    )
    subject = models.CharField(_("件名"), max_length=200)
    contact_email = models.EmailField(_("連絡先メールアドレス"))
    answers = models.JSONField(_("入力内容"), default=list, blank=True)
    status = models.CharField(
        _("ステータス"), max_length=10, choices=Status, default=Status.RECEIVED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("問い合わせ者"),
    )
    created_at = models.DateTimeField(_("問い合わせ日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("解決日時"), null=True, blank=True)
    # Set by the retention job once the attachments are gone (INQ-7): the
    # job's claim, so a rerun skips the inquiry.
    attachments_purged_at = models.DateTimeField(_("添付ファイル削除日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("障害問い合わせ")
        verbose_name_plural = _("障害問い合わせ")
        ordering = ["-created_at", "-pk"]
        # The staff console (/staff/inquiries/) reads with view_inquiry and
        # answers with this one (issue 21; group 問い合わせ対応).
        permissions = [("answer_inquiry", _("問い合わせに回答できる"))]
        indexes = [
            models.Index(fields=["tenant", "service", "-created_at"], name="inquiry_list"),
            models.Index(fields=["resolved_at"], name="inquiry_resolved",
                         condition=models.Q(attachments_purged_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | models.Q(resolved_at__isnull=False),
                name="inquiry_resolved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        """The 問い合わせ番号 shown to people."""
        return f"{self.pk:08d}" if self.pk else ""

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.RESOLVED

    @property
    def status_label(self) -> str:
        """``get_status_display()``, which rebuilds the choices' dict on every
        call: ~30 µs a row of a 100-row list (issue 22)."""
        try:
            return str(self.Status(self.status).label)
        except ValueError:
            return self.status


class InquiryMessage(TenantOwnedModel):
    """One message of the thread, from the customer (カスタマーアカウント) or
    from the carrier's staff (スタッフアカウント)."""

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="inquiry_messages",
        verbose_name=_("テナント"),
    )
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("問い合わせ")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("送信者"),
    )
    from_staff = models.BooleanField(_("スタッフからの送信"), default=False)
    body = models.TextField(_("メッセージ"))
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("問い合わせメッセージ")
        verbose_name_plural = _("問い合わせメッセージ")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:40]


class InquiryAttachment(TenantOwnedModel):
    """A file of the inquiry itself (``message`` empty) or of one message; the
    bytes and their checks belong to the upload module's ``StoredFile``. The
    row goes with its file (CASCADE), e.g. when the retention job deletes it."""

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="inquiry_attachments",
        verbose_name=_("テナント"),
    )
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("問い合わせ")
    )
    message = models.ForeignKey(
        InquiryMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("メッセージ"),
    )
    file = models.ForeignKey(
        "uploads.StoredFile", on_delete=models.CASCADE, related_name="+", verbose_name=_("ファイル")
    )

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")
        ordering = ["pk"]
        # What an operator needs to download one under /files/ (issue 21).
        permissions = [("download_inquiryattachment", _("添付ファイルをダウンロードできる"))]
        constraints = [
            # One link per file; with the tenant, as every unique constraint here.
            models.UniqueConstraint(fields=["tenant", "file"], name="inquiry_attachment_unique_file"),
        ]

    def __str__(self) -> str:
        return self.file.original_name

    @property
    def name(self) -> str:
        return self.file.original_name

    @property
    def size(self) -> int:
        return self.file.size

    @property
    def url(self) -> str:
        return reverse("uploads:download", args=[self.file.key])
