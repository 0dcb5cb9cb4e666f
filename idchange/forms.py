from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from idchange import rules
from idchange.models import ContractLine, IdChangeApplication
from tenants.models import Contract

TARGET_LABELS = dict(IdChangeApplication.Target.choices)
# Errors about one line's count, shown next to that line's field.
COUNT_CODES = frozenset(
    {
        rules.E_DELTA_INVALID,
        rules.E_REDUCTION_NOT_SUPPORTED,
        rules.E_ANNUAL_REDUCTION_OFFLINE_ONLY,
        rules.E_NCE_REDUCTION_OFFLINE_ONLY,
        rules.E_RESULT_BELOW_ONE,
        rules.E_RESULT_NEGATIVE,
        rules.E_ALL_PLANS_ZERO,
        rules.E_OPTION_EXCEEDS_PLAN,
        "E_UNKNOWN_LINE",
    }
)


class IdChangeForm(forms.Form):
    """ID 数変更申込（入力）: one count per editable line, 変更希望月 and the
    agreement. Only the months ``allowed_targets`` gives now are offered."""

    error_messages = {
        "no_change": rules.ERROR_MESSAGES[rules.E_DELTA_INVALID],
        "invalid_number": _("増減 ID 数は半角数字で入力してください（削減はマイナス）。"),
    }

    target = forms.ChoiceField(
        label=_("変更希望月"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("変更希望月を選択してください。"),
            "invalid_choice": _("選択された変更希望月は現在お申し込みいただけません。"),
        },
    )
    agree = forms.BooleanField(
        label=_("利用規約に同意する"),
        error_messages={"required": _("利用規約に同意してください。")},
    )

    def __init__(
        self, *args: Any, contract: Contract, lines: list[ContractLine], targets: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.lines = [line for line in lines if line.is_editable]
        single = len(self.lines) == 1
        fields: dict[str, forms.Field] = {}
        for line in self.lines:
            fields[self.field_name(line)] = forms.IntegerField(
                label=line.name if not single else _("増減 ID 数"),
                required=single,
                min_value=-100_000,
                max_value=100_000,
                error_messages={
                    "required": _("増減 ID 数を入力してください。"),
                    "invalid": self.error_messages["invalid_number"],
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "idc-delta"}),
            )
        # Count fields first, then the month and the agreement (the manual's order).
        self.fields = {**fields, "target": self.fields["target"], "agree": self.fields["agree"]}
        self.fields["target"].choices = [(t, TARGET_LABELS[t]) for t in targets]
        if len(targets) == 1:
            self.fields["target"].initial = targets[0]

    @staticmethod
    def field_name(line: ContractLine) -> str:
        return f"line_{line.pk}"

    def line_fields(self) -> list[tuple[ContractLine, forms.BoundField]]:
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.lines and not any(data.get(self.field_name(line)) for line in self.lines):
            first = self.field_name(self.lines[0])
            if first not in self.errors:
                self.add_error(first, forms.ValidationError(self.error_messages["no_change"], code="no_change"))
        return data

    def changes(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line))
        }

    def add_service_error(self, code: str, message: str, line_id: int | None) -> None:
        """Show a service error next to what it is about."""
        if code in (rules.E_THIS_MONTH_CLOSED, rules.E_OUTSIDE_ORDER_HOURS):
            self.add_error("target", forms.ValidationError(message, code=code))
        elif code in COUNT_CODES and any(line.pk == line_id for line in self.lines):
            self.add_error(f"line_{line_id}", forms.ValidationError(message, code=code))
        else:
            self.add_error(None, forms.ValidationError(message, code=code))
