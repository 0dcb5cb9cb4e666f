"""操作ログ for tenant admins (issue 15, beyond the manual): the tenant's
audit entries, searchable, 100 a page, and as CSV. Reads only."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from uploads.csv_cells import BOM, neutralise

PAGE_SIZE = 100

# Action codes in Japanese; an unknown code (a chapter added later) shows as is.
ACTION_LABELS: dict[str, Any] = {
    "accounts.login.succeeded": _("ログイン"),
    "accounts.login.failed": _("ログイン失敗"),
    "accounts.login.refused": _("ログイン拒否"),
    "accounts.logout": _("ログアウト"),
    "accounts.notification_email.change_requested": _("通知先メールアドレス変更申請"),
    "accounts.notification_email.changed": _("通知先メールアドレス変更"),
    "accounts.organization.created": _("組織追加"),
    "accounts.organization.updated": _("組織変更"),
    "accounts.organization.deleted": _("組織削除"),
    "accounts.password.changed": _("パスワード変更"),
    "accounts.password_reset.requested": _("パスワード再設定メール送信"),
    "accounts.password_reset.completed": _("パスワード再設定"),
    "accounts.setup.completed": _("初期登録完了"),
    "accounts.setup_mail.sent": _("初期登録メール送信"),
    "accounts.user.created": _("ユーザ追加"),
    "accounts.user.updated": _("ユーザ変更"),
    "accounts.user.deleted": _("ユーザ削除"),
    "accounts.user.exported": _("ユーザ CSV ダウンロード"),
    "accounts.user.locked": _("アカウントロック"),
    "accounts.user.unlocked": _("アカウントロック解除"),
    "accounts.user.status_changed": _("ステータス変更"),
    "accounts.user.receive_setting_changed": _("受信設定変更"),
    "accounts.user.service_registered": _("サービス登録"),
    "accounts.user.service_removed": _("サービス登録解除"),
    "accounts.user_import.uploaded": _("ユーザ一括登録アップロード"),
    "accounts.user_import.applied": _("ユーザ一括登録実行"),
    "idchange.application.submitted": _("ID 数変更申込"),
    "idchange.application.withdrawn": _("ID 数変更申込取消"),
    "idchange.application.applied": _("ID 数変更適用"),
    "idchange.application.partially_applied": _("ID 数変更一部適用"),
    "idchange.application.held": _("ID 数変更保留"),
    "idchange.application.processed": _("ID 数変更処理"),
    "idchange.offline_reduction.registered": _("オフライン減数登録"),
    "idchange.offline_reduction.reflected": _("オフライン減数反映"),
    "idchange.offline_reduction.cancelled": _("オフライン減数取消"),
    "tenants.representative.changed": _("代表管理者変更"),
    "tenants.tenant.opened": _("テナント開設"),
    "operator.viewed": _("運用者による閲覧"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("操作者 ID"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("操作"), required=False)
    date_from = forms.DateField(
        label=_("期間（開始）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("期間（終了）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("すべて"))] + [
            (k, v) for k, v in ACTION_LABELS.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("期間（終了）は期間（開始）以降の日付を指定してください。"))
        return data


def search(*, tenant_id: int, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The tenant's entries, newest first, narrowed by the search form."""
    qs = AuditEntry.objects.filter(tenant_id=tenant_id).select_related("actor")
    if filters.get("user"):
        qs = qs.filter(actor_label__icontains=filters["user"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=datetime.combine(filters["date_from"], time.min, tz))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lte=datetime.combine(filters["date_to"], time.max, tz))
    return qs.order_by("-created_at", "-id")


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADERS = (_("日時"), _("操作者 ID"), _("操作"), _("対象種別"), _("対象"), _("IP アドレス"))


def csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[bytes]:
    """UTF-8 with BOM, formula-neutralised (as the user CSV), streamed."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield (BOM + writer.writerow([str(h) for h in CSV_HEADERS])).encode("utf-8")
    for e in entries.iterator(chunk_size=2000):
        values = [
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            action_label(e.action),
            e.object_type,
            e.object_label,
            e.ip_address or "",
        ]
        yield writer.writerow([neutralise(str(v)) for v in values]).encode("utf-8")
