from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants.models import Contract, Service, Tenant
from tenants.services import OpeningVariant, TenantError, open_tenant, resend_opening_setup


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["service", "number", "plan", "term", "id_count", "renewal_base_date", "unit_price"]
    autocomplete_fields = ["service"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "login_alias", "is_active", "created_at"]
    search_fields = ["code", "name", "login_alias"]
    list_filter = ["is_active"]
    inlines = [ContractInline]
    # Opening a tenant (OPS-2, AUTH-1): "add" is the opening form, so a tenant
    # never exists without its representative admin and opening mail.
    actions = ["resend_setup_mail"]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        return open_tenant_admin_view(self, request)

    @admin.action(description=_("代表管理者に初期設定メールを再送"))
    def resend_setup_mail(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        sent = 0
        for tenant in queryset:
            try:
                resend_opening_setup(tenant=tenant, actor=request.user)
            except TenantError as exc:
                self.message_user(request, f"{tenant}: {exc}", messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request, _("%(count)d 件の初期設定メールを送信しました。") % {"count": sent}
            )


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "supports_id_change",
        "supports_area_notices",
        "supports_trouble_inquiry",
        "display_order",
    ]
    list_filter = [
        "kind",
        "supports_id_change",
        "supports_area_notices",
        "supports_trouble_inquiry",
    ]
    search_fields = ["code", "name"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "tenant", "service", "plan", "term", "id_count", "renewal_base_date"]
    list_filter = ["service", "term"]
    search_fields = ["number", "tenant__name", "tenant__code"]
    list_select_related = ["tenant", "service"]
    autocomplete_fields = ["tenant", "service"]

    def get_readonly_fields(self, request: HttpRequest, obj: Contract | None = None) -> list[str]:
        # A contract's lines, applications and user registrations belong to
        # its tenant: moving it would leave them pointing across tenants.
        return [*super().get_readonly_fields(request, obj), *(["tenant"] if obj else [])]


class OpenTenantForm(forms.Form):
    """The operator's テナント開通 form (OPS-2)."""

    name = forms.CharField(label=_("会社名"), max_length=100)
    code = forms.CharField(label=_("テナントコード"), max_length=20)
    admin_last_name = forms.CharField(label=_("代表管理者 姓"), max_length=30)
    admin_first_name = forms.CharField(label=_("代表管理者 名"), max_length=30)
    admin_email = forms.EmailField(
        label=_("代表管理者 メールアドレス（ユーザ ID・通知先）"), max_length=127
    )
    variant = forms.ChoiceField(label=_("開通通知メール"), choices=OpeningVariant.choices)
    ordered_service = forms.ModelChoiceField(
        label=_("申込サービス"),
        queryset=Service.objects.all(),
        required=False,
        help_text=_("「他サービス申込」のとき、メール件名に表示するサービス"),
    )


def open_tenant_admin_view(model_admin: TenantAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = OpenTenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = open_tenant(**form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            model_admin.message_user(
                request,
                _("%(tenant)s を開通し、%(email)s に開通通知メールを送信しました。")
                % {"tenant": tenant, "email": form.cleaned_data["admin_email"]},
            )
            return redirect(reverse("admin:tenants_tenant_change", args=[tenant.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("テナント開通"),
        "form": form,
    }
    return TemplateResponse(request, "admin/tenants/open_tenant.html", context)
