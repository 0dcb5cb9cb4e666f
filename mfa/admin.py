"""Operators' support for two-step verification (issue 24): each user's
status, and resetting the factors of a user who lost them (the only way for
a tenant's 代表管理者), after the operator re-enters their own password."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mfa.models import TwoStepUser
from mfa.selectors import status_label, with_two_step_status
from mfa.services.factors import reset_factors


class ReauthForm(forms.Form):
    password = forms.CharField(label=_("あなたのパスワード"), strip=False, widget=forms.PasswordInput)


@admin.register(TwoStepUser)
class TwoStepUserAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "full_name", "is_representative", "two_step_status"]
    search_fields = ["email", "last_name", "first_name", "tenant__name", "tenant__code"]
    list_select_related = ["tenant"]
    actions = ["reset_two_step"]
    fields = ["email", "tenant", "is_representative"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[TwoStepUser]:
        # The status as two subquery columns: no query per row.
        return with_two_step_status(super().get_queryset(request))

    @admin.display(description=_("2段階認証"))
    def two_step_status(self, obj: TwoStepUser) -> str:
        return status_label(totp=obj.two_step_totp, passkeys=obj.two_step_passkeys)

    @admin.action(description=_("2段階認証をリセット"), permissions=["change"])
    def reset_two_step(self, request: HttpRequest, queryset: QuerySet[TwoStepUser]) -> HttpResponse | None:
        form = ReauthForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            if request.user.check_password(form.cleaned_data["password"]):
                # As accounts.User (the proxy would name another object type
                # in the 操作ログ).
                users = list(User.all_objects.filter(pk__in=queryset.values("pk")).exclude(pk=request.user.pk))
                # Users with nothing left to reset (another tab got there first) are not counted.
                count = sum(reset_factors(user=user, actor=request.user, by="operator") for user in users)
                self.message_user(request, _("%(count)d 人の2段階認証をリセットしました。") % {"count": count})
                return None
            form.add_error("password", _("パスワードが正しくありません。"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("2段階認証をリセット"),
            "form": form,
            "users": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/mfa/reset_two_step.html", context)
