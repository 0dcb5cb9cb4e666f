"""Input of the area setting (NOTIF-2) and of the operators' notice admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import prefectures as prefs
from notifications.models import Notice, NoticeKind

REGION_CHOICES = [(r.key, r.label) for r in prefs.REGIONS]
REGION_MASKS = {r.key: sum(p.bit for p in r.prefectures) for r in prefs.REGIONS}


class AreaForm(forms.Form):
    """47 prefecture boxes, a 全国 box and a box per region.

    The region and 全国 boxes work without JavaScript: ticking one selects
    all its prefectures here, on the server; the script only mirrors that
    on screen."""

    nationwide = forms.BooleanField(label=_("全国"), required=False)
    regions = forms.MultipleChoiceField(label=_("地域"), choices=REGION_CHOICES, required=False)
    prefectures = forms.MultipleChoiceField(label=_("都道府県"), choices=prefs.CHOICES, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mask = prefs.to_mask(data.get("prefectures") or [])
        for key in data.get("regions") or []:
            mask |= REGION_MASKS[key]
        if data.get("nationwide"):
            mask = prefs.NATIONWIDE
        if not mask:
            raise forms.ValidationError(_("対象エリアを 1 つ以上選択してください。"), code="empty")
        data["mask"] = mask
        return data


class NoticeAdminForm(forms.ModelForm):
    """The notice as an operator writes it: affected prefectures as boxes
    (stored packed), 全国 as one box."""

    nationwide = forms.BooleanField(label=_("全国"), required=False, initial=True)
    affected = forms.MultipleChoiceField(
        label=_("影響エリア"),
        # Grouped by region and shown in columns (admin/css/notices.css),
        # not 47 boxes in one column (issue 23).
        choices=[(r.label, [(p.code, p.name) for p in r.prefectures]) for r in prefs.REGIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("全国でなければ影響を受ける都道府県を選びます（エリア通知対応サービスのみ有効）。"),
    )

    class Meta:
        model = Notice
        fields = ["kind", "service", "target_services", "title", "body", "starts_at", "ends_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            mask = self.instance.prefectures
            self.fields["nationwide"].initial = mask == prefs.NATIONWIDE
            self.fields["affected"].initial = [] if mask == prefs.NATIONWIDE else prefs.codes(mask)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind in (NoticeKind.MAINTENANCE, NoticeKind.OUTAGE) and not data.get("service"):
            self.add_error("service", _("メンテナンス情報・障害情報にはサービスを選択してください。"))
        if kind == NoticeKind.NEWS:
            data["service"] = None
        if not data.get("nationwide") and not data.get("affected"):
            self.add_error("affected", _("全国か、影響を受ける都道府県を 1 つ以上選択してください。"))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("終了日時は開始日時より後にしてください。"))
        return data

    def save(self, commit: bool = True) -> Notice:
        data = self.cleaned_data
        self.instance.prefectures = prefs.NATIONWIDE if data.get("nationwide") else prefs.to_mask(data["affected"])
        return super().save(commit=commit)
