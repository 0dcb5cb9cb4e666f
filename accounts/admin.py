from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.errors import AccountError
from accounts.services.lockout import unlock
from accounts.services.passwords import can_receive_reset_mail, send_password_reset_mails


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
