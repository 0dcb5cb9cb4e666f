"""Operators' side of ID-count changes (Django admin; OPS-1, IDC-9, IDC-11).

Every state change goes through ``idchange.services``; the admin only
collects input and reports the service's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from idchange import clock
from idchange.models import (
    BusinessDayOverride,
    ContractLine,
    IdChangeApplication,
    IdChangeApplicationLine,
    IdCountLedger,
    OfflineReduction,
)
from idchange.services.apply import apply_id_change, apply_window_lines
from idchange.services.errors import E_OFFLINE_INVALID, MESSAGES, IdChangeError
from idchange.services.hold import hold_id_change
from idchange.services.lines import add_contract_line
from idchange.services.offline_reductions import (
    cancel_offline_reduction,
    reflect_offline_reduction,
    register_offline_reduction,
)
from idchange.services.processing import mark_processing_finished


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _service_action(
    name: str, service: Callable[..., Any], target: str, description: str, done_label: str
) -> Callable[..., None]:
    """An admin action that calls ``service(<target>=row, actor=…, now=…)`` for
    each selected row; a row the service refuses gets its message, the others
    go ahead."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        now = clock.now()
        ok = 0
        for obj in queryset:
            try:
                service(**{target: obj}, actor=request.user, now=now)
                ok += 1
            except IdChangeError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        if ok:
            modeladmin.message_user(request, f"{done_label}: {ok}", messages.SUCCESS)

    action.__name__ = name  # the action's key in the changelist form
    # Acting on a row is a change, not a read (issue 21: the view permission
    # alone used to offer every action).
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(BusinessDayOverride)
class BusinessDayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_open", "note", "updated_at"]
    list_filter = ["is_open"]
    search_fields = ["note"]
    date_hierarchy = "date"


class LedgerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IdCountLedger
    fk_name = "line"
    fields = ["created_at", "count", "delta", "reason", "application", "actor", "effective_at"]
    readonly_fields = fields
    extra = 0
    ordering = ["-id"]


@admin.register(ContractLine)
class ContractLineAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "tenant", "item", "nce", "follows_plan", "id_count", "unit_price"]
    list_filter = ["item", "nce", "follows_plan", "contract__service"]
    search_fields = ["name", "contract__number", "tenant__name", "tenant__code"]
    list_select_related = ["contract", "tenant"]
    autocomplete_fields = ["contract", "parent"]
    inlines = [LedgerInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        return self.inlines if obj else []  # a new line has no history yet

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["contract", "item", "name", "nce", "parent", "follows_plan", "unit_price", "display_order"]
        return [*fields, "id_count"] if obj else [*fields, "initial_count"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The count changes only through the ledger (applications, offline
        # reductions), never by editing it here.
        return ["contract", "id_count"] if obj else []

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["fields"] = [f for f in self.get_fields(request) if f != "initial_count"]
            form = super().get_form(request, obj, **kwargs)
            return type(
                "ContractLineAddForm",
                (form,),
                {"initial_count": forms.IntegerField(label=_("ID 数"), min_value=0, initial=0)},
            )
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request: HttpRequest, obj: ContractLine, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        line = add_contract_line(
            contract=obj.contract,
            name=obj.name,
            item=obj.item,
            count=form.cleaned_data["initial_count"],
            unit_price=obj.unit_price,
            nce=obj.nce,
            parent=obj.parent,
            follows_plan=obj.follows_plan,
            display_order=obj.display_order,
            now=clock.now(),
        )
        obj.pk = line.pk
        obj.tenant_id = line.tenant_id


@admin.register(IdCountLedger)
class IdCountLedgerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "tenant", "line", "count", "delta", "reason", "application", "actor"]
    list_filter = ["reason", "line__contract__service"]
    search_fields = ["line__name", "line__contract__number", "tenant__name", "application__receipt_number"]
    list_select_related = ["tenant", "line", "application", "actor"]
    date_hierarchy = "created_at"


class ApplicationLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IdChangeApplicationLine
    fields = [
        "name", "item", "count_before", "delta", "unit_price", "effective_at",
        "window_start", "window_end", "converted_to_next_month", "applied_at",
    ]
    readonly_fields = fields
    extra = 0


@admin.register(IdChangeApplication)
class IdChangeApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "receipt_number", "tenant", "contract", "status", "target", "effective_at",
        "window_end", "next_due_at", "hold_reason", "created_at",
    ]
    list_filter = ["status", "hold_reason", "target", "converted_to_next_month", "contract__service"]
    search_fields = ["receipt_number", "tenant__name", "tenant__code", "applicant_email", "contract__number"]
    list_select_related = ["tenant", "contract"]
    date_hierarchy = "created_at"
    inlines = [ApplicationLineInline]
    actions = [
        _service_action(
            "mark_processing_finished",
            mark_processing_finished,
            "application",
            _("KDDI 内部処理完了にする（処理中 → 完了）"),
            _("処理完了にしました"),
        ),
        _service_action(
            "apply_window_lines",
            apply_window_lines,
            "application",
            _("EMM・アドオンの明細を適用する（適用期間内）"),
            _("適用しました"),
        ),
        # Also how an operator releases an application the job held.
        _service_action(
            "apply_due_now",
            apply_id_change,
            "application",
            _("適用日時を過ぎた明細を今すぐ適用する"),
            _("適用しました"),
        ),
        # The customer sees 保留中; what they must do is written in the
        # application's 「お客さまへのご案内（保留中）」 (saving it holds too).
        _service_action(
            "hold", hold_id_change, "application", _("保留にする（処理待ちのまま止める）"), _("保留にしました")
        ),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Only the note to the customer is written here, through hold_id_change.
        editable = {"hold_note"} if obj is not None and obj.status == IdChangeApplication.Status.PENDING else set()
        return [f.name for f in self.model._meta.fields if f.name not in editable]

    def save_model(self, request: HttpRequest, obj: IdChangeApplication, form: Any, change: bool) -> None:
        if "hold_note" not in form.changed_data:
            return
        try:
            hold_id_change(application=obj, actor=request.user, now=clock.now(), note=obj.hold_note)
        except IdChangeError as exc:
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)


def _clean_offline_reduction(form: forms.ModelForm) -> dict[str, Any]:
    data = forms.ModelForm.clean(form)
    line, reduce_by = data.get("line"), data.get("reduce_by")
    if line is not None and reduce_by is not None:
        if reduce_by >= line.id_count:
            form.add_error("reduce_by", MESSAGES[E_OFFLINE_INVALID])
        elif OfflineReduction.objects.filter(
            contract_id=line.contract_id, status=OfflineReduction.Status.PENDING
        ).exists():
            form.add_error(None, MESSAGES["E_LOCKED_OFFLINE_REDUCTION"])
    return data


@admin.register(OfflineReduction)
class OfflineReductionAdmin(admin.ModelAdmin):
    list_display = ["contract", "tenant", "line", "reduce_by", "status", "created_at", "reflected_at"]
    list_filter = ["status", "contract__service"]
    search_fields = ["contract__number", "tenant__name", "tenant__code", "note"]
    list_select_related = ["contract", "tenant", "line"]
    autocomplete_fields = ["line"]
    actions = [
        _service_action(
            "reflect",
            reflect_offline_reduction,
            "reduction",
            _("システムに反映する（契約 ID 数を減らしロックを解除）"),
            _("反映しました"),
        ),
        _service_action(
            "cancel", cancel_offline_reduction, "reduction", _("取り消す（ロックを解除）"), _("取り消しました")
        ),
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["line", "reduce_by", "note"]
        return ["contract", "line", "reduce_by", "note", "status", "created_at", "reflected_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            # Refuse in the form what the service would refuse.
            return type("OfflineReductionAddForm", (form,), {"clean": _clean_offline_reduction})
        return form

    def save_model(self, request: HttpRequest, obj: OfflineReduction, form: Any, change: bool) -> None:
        if change:
            return
        created = register_offline_reduction(
            line=obj.line,
            reduce_by=obj.reduce_by,
            note=obj.note,
            actor=request.user,
            now=clock.now(),
        )
        obj.pk = created.pk
        obj.contract_id = created.contract_id
        obj.tenant_id = created.tenant_id


@admin.register(IdChangeApplicationLine)
class IdChangeApplicationLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "application", "tenant", "name", "item", "count_before", "delta", "effective_at",
        "window_end", "applied_at",
    ]
    list_filter = ["item", "converted_to_next_month", "application__status"]
    search_fields = ["application__receipt_number", "name", "tenant__name", "tenant__code"]
    list_select_related = ["application", "tenant"]
