"""ID-count change data (manual ch. 7; IDC-1..IDC-12).

* ``BusinessDayOverride``: a global table (the carrier's calendar), not a tenant's.
* ``ContractLine``: what a contract's ID count is made of. A Google Workspace,
  LINE WORKS or EMM contract has one plan line; Microsoft 365 has plans,
  options (each belongs to a plan) and add-ons. A Google Workspace add-on tool
  is a line whose count follows the plan (IDC-12).
* ``IdCountLedger``: append-only history of every line's count.
* ``IdChangeApplication`` and its ``IdChangeApplicationLine`` rows: the
  applications customers make (受付番号, status, timing from ``rules.decide``).
* ``OfflineReduction``: an annual-contract reduction made through sales,
  entered by an operator; while pending it locks the contract (IDC-9).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.scoping import TenantOwnedModel


class BusinessDayOverride(models.Model):
    """A date forced open or closed on top of weekends, holidays and the
    year-end closure (IDC-8). Global: the carrier's calendar is the same for
    every tenant. Edited by operators in Django admin; ``business_days.overrides()``
    caches the whole table and is cleared when a row is saved or deleted."""

    date = models.DateField(_("日付"), unique=True)
    is_open = models.BooleanField(
        _("営業日にする"), help_text=_("チェックあり: 営業日 / チェックなし: 休業日")
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("営業日の例外")
        verbose_name_plural = _("営業日の例外")
        ordering = ["-date"]

    def __str__(self) -> str:
        state = _("営業日") if self.is_open else _("休業日")
        return f"{self.date:%Y-%m-%d} {state}"


class ContractLine(TenantOwnedModel):
    """One countable item of a contract, with its monthly unit price.

    Microsoft 365 plans the customer has not contracted yet are lines with a
    count of 0 (labelled 未契約): the operator lists which plans a contract may
    add, and an application can then add IDs to them (manual 7.2).
    """

    class Item(models.TextChoices):
        PLAN = "plan", _("プラン")
        OPTION = "option", _("オプション")
        ADDON = "addon", _("アドオン")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="contract_lines",
        verbose_name=_("テナント"),
    )
    contract = models.ForeignKey(
        "tenants.Contract", on_delete=models.CASCADE, related_name="lines", verbose_name=_("契約")
    )
    item = models.CharField(_("種類"), max_length=10, choices=Item, default=Item.PLAN)
    name = models.CharField(_("名称"), max_length=120)
    # Microsoft 365 【新プログラム】 (NCE): no online reduction (IDC-5).
    nce = models.BooleanField(_("【新プログラム】"), default=False)
    # An option belongs to a plan; its count may not exceed that plan's.
    parent = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="options",
        verbose_name=_("対象プラン"),
    )
    # Google Workspace add-on tools: the count follows the plan's (IDC-12)
    # and is never applied for on its own.
    follows_plan = models.BooleanField(_("プランに連動"), default=False)
    unit_price = models.PositiveIntegerField(_("単価（円/ID・月）"), default=0)
    # Denormalised cache of the latest ledger row, updated in the same
    # transaction as the row (see IdCountLedger).
    id_count = models.PositiveIntegerField(_("ID 数"), default=0)
    display_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("契約明細")
        verbose_name_plural = _("契約明細")
        ordering = ["contract_id", "display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="contractline_tenant_id"),
            models.UniqueConstraint(
                fields=["tenant", "contract", "name"], name="contractline_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(item="option") | Q(parent__isnull=True),
                name="contractline_only_options_have_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # An option's 対象プラン is a plan of the same contract: a parent of
        # another contract (or tenant) would compare counts across tenants.
        if self.parent_id is not None:
            parent = self.parent
            if parent.contract_id != self.contract_id or parent.item != self.Item.PLAN:
                raise ValidationError({"parent": _("対象プランには同じ契約のプランを指定してください。")})

    @property
    def is_editable(self) -> bool:
        """Lines a customer applies for directly (add-on tools follow the plan)."""
        return not self.follows_plan


class IdCountLedger(TenantOwnedModel):
    """Append-only history of a contract line's ID count.

    Why a ledger and not just a number (as Zulip's ``LicenseLedger``): the
    count changes through several doors — the apply job, an operator applying
    an EMM/add-on line within its window, an offline annual reduction, the
    initial contract — and billing and support need to know what the count
    was at any instant and *why* it changed. Rows are never updated or
    deleted; the current count of a line is its latest row (highest id).

    ``ContractLine.id_count`` and ``tenants.Contract.id_count`` (the sum of the
    plan lines) are denormalised caches of the latest rows, written in the
    same transaction as each new row, so list pages stay one cheap query.
    """

    class Reason(models.TextChoices):
        INITIAL = "initial", _("契約時")
        APPLICATION = "application", _("ID 数変更申込")
        FOLLOW_PLAN = "follow_plan", _("プラン連動")
        OFFLINE_REDUCTION = "offline_reduction", _("年契約 ID 数削減（営業経由）")
        OPERATOR = "operator", _("運用者による修正")

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("テナント")
    )
    line = models.ForeignKey(
        ContractLine, on_delete=models.RESTRICT, related_name="ledger", verbose_name=_("契約明細")
    )
    count = models.PositiveIntegerField(_("ID 数"))
    delta = models.IntegerField(_("増減"))
    reason = models.CharField(_("理由"), max_length=20, choices=Reason)
    application = models.ForeignKey(
        "IdChangeApplication",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="ledger_rows",
        verbose_name=_("申込"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作者"),
    )
    effective_at = models.DateTimeField(_("適用日時"), default=timezone.now)
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("ID 数台帳")
        verbose_name_plural = _("ID 数台帳")
        ordering = ["line_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="idcountledger_tenant_id"),
            # One application changes a line once, even if applied twice.
            models.UniqueConstraint(
                fields=["tenant", "application", "line"],
                condition=Q(application__isnull=False),
                name="idcountledger_once_per_application",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "line", "-id"], name="idcountledger_latest")]

    def __str__(self) -> str:
        return f"{self.line} {self.count} ({self.delta:+d})"


IN_FLIGHT = ("pending", "processing")


class IdChangeApplication(TenantOwnedModel):
    """One ID-count change application (変更申込) of a contract.

    Status: 処理待ち (waiting to be applied; withdrawable until
    ``withdrawable_until``) → 処理中 (applied; the carrier's internal
    processing runs, the contract takes no new application) → 完了 (an
    operator marked the processing finished). 取下 ends it early.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("処理待ち")
        PROCESSING = "processing", _("処理中")
        DONE = "done", _("完了")
        # Context: the same word is the 取下 button; in English the state reads "Withdrawn".
        WITHDRAWN = "withdrawn", pgettext_lazy("application status", "取下")

    class Target(models.TextChoices):
        THIS_MONTH = "this_month", _("当月")
        NEXT_MONTH = "next_month", _("翌月")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="id_change_applications",
        verbose_name=_("テナント"),
    )
    contract = models.ForeignKey(
        "tenants.Contract",
        on_delete=models.CASCADE,
        related_name="id_change_applications",
        verbose_name=_("契約"),
    )
    receipt_number = models.CharField(_("受付番号"), max_length=20)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("申込者"),
    )
    # Kept as text: mails and the detail page still need it if the user goes.
    applicant_email = models.EmailField(_("申込者メールアドレス"), max_length=127)
    target = models.CharField(_("変更希望月"), max_length=12, choices=Target)
    effective_month = models.DateField(_("適用月"))
    converted_to_next_month = models.BooleanField(_("翌月扱い"), default=False)
    status = models.CharField(
        _("ステータス"), max_length=12, choices=Status, default=Status.PENDING
    )
    # Earliest instant an unapplied line becomes due (the job's index);
    # NULL once every line is applied or the application is withdrawn.
    next_due_at = models.DateTimeField(_("次回適用予定"), null=True, blank=True)
    effective_at = models.DateTimeField(_("適用日時"), null=True, blank=True)
    window_start = models.DateTimeField(_("適用期間（開始）"), null=True, blank=True)
    window_end = models.DateTimeField(_("適用期間（終了）"), null=True, blank=True)
    withdrawable_until = models.DateTimeField(_("取下期限"), null=True, blank=True)
    next_possible_at = models.DateTimeField(_("次回申込可能（目安）"), null=True, blank=True)
    price_delta = models.IntegerField(_("増減金額（円/月）"), default=0)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)
    applied_at = models.DateTimeField(_("適用済日時"), null=True, blank=True)
    processed_at = models.DateTimeField(_("処理完了日時"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("取下日時"), null=True, blank=True)
    # Set by the job when a due application fails its re-check at apply time
    # (an E_* code, e.g. a count that moved under it): the job skips it from
    # then on and an operator decides (their 適用 clears it once it passes).
    # Still 処理待ち, so the contract stays locked meanwhile.
    hold_reason = models.CharField(_("要確認（適用できない理由）"), max_length=40, blank=True)
    held_at = models.DateTimeField(_("要確認日時"), null=True, blank=True)
    # What the customer must do while it is held, written by the operator;
    # shown to the customer with the status 保留中 (issue 9).
    hold_note = models.CharField(_("お客さまへのご案内（保留中）"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ID 数変更申込")
        verbose_name_plural = _("ID 数変更申込")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="idchangeapp_tenant_id"),
            models.UniqueConstraint(
                fields=["tenant", "receipt_number"], name="idchangeapp_unique_receipt"
            ),
            # IDC-9, enforced by the database as well as by the row lock: a
            # double submit can never leave two applications in flight.
            models.UniqueConstraint(
                fields=["tenant", "contract"],
                condition=Q(status__in=IN_FLIGHT),
                name="idchangeapp_one_in_flight",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_due_at"],
                condition=Q(status="pending"),
                name="idchangeapp_due",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def is_in_flight(self) -> bool:
        return self.status in IN_FLIGHT

    @property
    def is_held(self) -> bool:
        """Held (by the job or an operator): still 処理待ち for the rules, but
        nothing happens until an operator releases it."""
        return self.status == self.Status.PENDING and bool(self.hold_reason)

    @property
    def customer_status(self) -> tuple[str, str]:
        """(badge key, label) as the customer sees it: 保留中 while held."""
        if self.is_held:
            return "held", str(_("保留中"))
        return self.status, str(self.get_status_display())

    def can_withdraw(self, now: datetime) -> bool:
        return (
            self.status == self.Status.PENDING
            and self.withdrawable_until is not None
            and now < self.withdrawable_until
        )


class IdChangeApplicationLine(TenantOwnedModel):
    """One line of an application: the change of one contract line, with the
    timing ``rules.decide`` gave it at submission."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("テナント")
    )
    application = models.ForeignKey(
        IdChangeApplication, on_delete=models.CASCADE, related_name="lines", verbose_name=_("申込")
    )
    contract_line = models.ForeignKey(
        ContractLine, on_delete=models.RESTRICT, related_name="+", verbose_name=_("契約明細")
    )
    item = models.CharField(_("種類"), max_length=10, choices=ContractLine.Item)
    name = models.CharField(_("名称"), max_length=120)
    count_before = models.PositiveIntegerField(_("変更前 ID 数"))
    delta = models.IntegerField(_("増減 ID 数"))
    unit_price = models.PositiveIntegerField(_("単価（円/ID・月）"))
    effective_month = models.DateField(_("適用月"))
    converted_to_next_month = models.BooleanField(_("翌月扱い"), default=False)
    effective_at = models.DateTimeField(_("適用日時"), null=True, blank=True)
    window_start = models.DateTimeField(_("適用期間（開始）"), null=True, blank=True)
    window_end = models.DateTimeField(_("適用期間（終了）"), null=True, blank=True)
    applied_at = models.DateTimeField(_("適用済日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("ID 数変更申込明細")
        verbose_name_plural = _("ID 数変更申込明細")
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="idchangeappline_tenant_id"),
            models.UniqueConstraint(
                fields=["tenant", "application", "contract_line"],
                name="idchangeappline_unique_line",
            ),
            models.CheckConstraint(condition=~Q(delta=0), name="idchangeappline_nonzero"),
            models.CheckConstraint(
                condition=Q(effective_at__isnull=False) | Q(window_end__isnull=False),
                name="idchangeappline_has_timing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.delta:+d}"

    @property
    def count_after(self) -> int:
        return self.count_before + self.delta

    @property
    def price_delta(self) -> int:
        return self.delta * self.unit_price

    @property
    def due_at(self) -> datetime | None:
        """Immediate kinds at their instant; window kinds at the window end
        at the latest (an operator may apply them earlier inside the window)."""
        return self.effective_at or self.window_end


class OfflineReduction(TenantOwnedModel):
    """An annual-contract reduction ordered through sales (IDC-3, IDC-9).

    An operator enters it; while it is pending the contract takes no online
    application. Reflecting it appends the ledger rows and frees the contract.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("反映待ち")
        REFLECTED = "reflected", _("反映済")
        CANCELLED = "cancelled", _("取消")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="offline_reductions",
        verbose_name=_("テナント"),
    )
    contract = models.ForeignKey(
        "tenants.Contract",
        on_delete=models.CASCADE,
        related_name="offline_reductions",
        verbose_name=_("契約"),
    )
    line = models.ForeignKey(
        ContractLine, on_delete=models.RESTRICT, related_name="+", verbose_name=_("契約明細")
    )
    reduce_by = models.PositiveIntegerField(_("削減 ID 数"))
    note = models.CharField(_("備考"), max_length=200, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    reflected_at = models.DateTimeField(_("反映日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("年契約 ID 数削減（営業経由）")
        verbose_name_plural = _("年契約 ID 数削減（営業経由）")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id"], name="offlinereduction_tenant_id"),
            models.UniqueConstraint(
                fields=["tenant", "contract"],
                condition=Q(status="pending"),
                name="offlinereduction_one_pending",
            ),
            models.CheckConstraint(condition=Q(reduce_by__gte=1), name="offlinereduction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} -{self.reduce_by}"
