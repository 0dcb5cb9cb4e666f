from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.errors import AccountError
from accounts.services.lockout import unlock
from accounts.services.onboarding import (
    OnboardingError,
    OpeningVariant,
    open_tenant,
    resend_opening_setup,
)
from accounts.services.passwords import can_receive_reset_mail, send_password_reset_mails
from tenants.admin import TenantAdmin
from tenants.models import Service, Tenant


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "full_name", "role", "status", "is_representative", "is_staff"]
    list_filter = ["role", "status", "is_staff", "is_representative"]
    search_fields = ["email", "last_name", "first_name", "tenant__name", "tenant__code"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    # A user's memberships, registrations and applications belong to their
    # tenant: moving the user would leave them across tenants. The
    # representative is changed only by the tenant's admin (CONTRACT-2), which
    # keeps exactly one per tenant.
    readonly_fields = ["email", "tenant", "is_representative", "last_login", "date_joined", "password"]
    fieldsets = [
        (None, {"fields": ["email", "tenant", "role", "status", "is_representative"]}),
        (
            _("氏名・連絡先"),
            {
                "fields": [
                    "last_name",
                    "first_name",
                    "last_name_kana",
                    "first_name_kana",
                    "affiliation",
                    "phone_number",
                    "notification_email",
                ]
            },
        ),
        (
            _("運用"),
            {"fields": ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]},
        ),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["unlock_accounts", "send_password_reset_mails"]

    def has_add_permission(self, request) -> bool:
        # Users are created through the portal's services (login ID table,
        # setup mail); operators open tenants with the open_tenant flow.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # USER-8: the representative admin cannot be deleted, here either.
        if obj is not None and obj.is_representative:
            return False
        return super().has_delete_permission(request, obj)

    # Operators' support actions (AUTH-8, AUTH-9): the same services as the
    # tenant admin's screens, so the audit trail and the mails are identical.

    @admin.action(description=_("アカウントロック解除"), permissions=["change"])
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        unlocked = 0
        for user in users:
            try:
                unlock(user=user, actor=request.user)
            except AccountError:  # not locked (or unlocked a moment ago)
                continue
            unlocked += 1
        skipped = len(users) - unlocked
        if unlocked:
            self.message_user(request, _("%(count)d 件のアカウントロックを解除しました。") % {"count": unlocked})
        if skipped:
            self.message_user(
                request,
                _("アカウントロック中ではない %(count)d 件は変更していません。") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("パスワード再設定メール送信"), permissions=["change"])
    def send_password_reset_mails(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.select_related("tenant"))
        recipients = [u for u in users if can_receive_reset_mail(u)]
        # One bulk send: 未設定 users get a fresh setup mail instead (no password yet).
        send_password_reset_mails(users=recipients, actor=request.user)
        if recipients:
            self.message_user(
                request, _("%(count)d 件のパスワード再設定メールを送信しました。") % {"count": len(recipients)}
            )
        if len(users) > len(recipients):
            self.message_user(
                request,
                _("一時停止中の %(count)d 件には送信していません。") % {"count": len(users) - len(recipients)},
                messages.WARNING,
            )


# Opening a tenant (OPS-2, AUTH-1) creates its first admin and sends mail:
# accounts' business, so the ground floor's Tenant admin gets it here.
admin.site.unregister(Tenant)


@admin.register(Tenant)
class OpeningTenantAdmin(TenantAdmin):
    # "add" is the opening form, so a tenant never exists without its
    # representative admin and opening mail.
    actions = ["resend_setup_mail"]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        return open_tenant_admin_view(self, request)

    @admin.action(description=_("代表管理者に初期設定メールを再送"), permissions=["change"])
    def resend_setup_mail(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        sent = 0
        for tenant in queryset:
            try:
                resend_opening_setup(tenant=tenant, actor=request.user)
            except OnboardingError as exc:
                self.message_user(request, f"{tenant}: {exc}", messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(request, _("%(count)d 件の初期設定メールを送信しました。") % {"count": sent})


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


def open_tenant_admin_view(model_admin: OpeningTenantAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
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
