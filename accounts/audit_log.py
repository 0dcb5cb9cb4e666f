"""操作ログ for tenant admins (issue 15, beyond the manual): the tenant's
audit entries, searchable, 100 a page, and as CSV. Reads only. The words for
action codes and object types come from audit.registry, where each app
declares its own (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import registry
from audit.models import AuditEntry

PAGE_SIZE = 100

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
        self.fields["action"].choices = [("", _("すべて")), *registry.tenant_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("期間（終了）は期間（開始）以降の日付を指定してください。"))
        return data


def search(*, tenant_id: int, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The tenant's entries, newest first, narrowed by the search form."""
    qs = AuditEntry.objects.filter(tenant_id=tenant_id).select_related("actor")
    if hidden := registry.platform_codes():
        qs = qs.exclude(action__in=hidden)
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


CSV_HEADERS = (_("日時"), _("操作者 ID"), _("操作"), _("対象種別"), _("対象"), _("IP アドレス"))


def csv_values(entries: QuerySet[AuditEntry]) -> Iterator[list[str]]:
    """The cells of each entry, for ``web.csv.csv_download`` with CSV_HEADERS."""
    for e in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            registry.action_label(e.action),
            registry.object_type_label(e.object_type),
            e.object_label,
            e.ip_address or "",
        ]
