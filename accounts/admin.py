from __future__ import annotations

from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "full_name", "role", "status", "is_representative", "is_staff"]
    list_filter = ["role", "status", "is_staff", "is_representative"]
    search_fields = ["email", "last_name", "first_name", "tenant__name", "tenant__code"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    readonly_fields = ["email", "last_login", "date_joined", "password"]
    fieldsets = [
        (None, {"fields": ["email", "tenant", "role", "status", "is_representative"]}),
        (
            "氏名・連絡先",
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
            "運用",
            {"fields": ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]},
        ),
    ]
    filter_horizontal = ["groups", "user_permissions"]

    def has_add_permission(self, request) -> bool:
        # Users are created through the portal's services (login ID table,
        # setup mail); operators open tenants with the open_tenant flow.
        return False
