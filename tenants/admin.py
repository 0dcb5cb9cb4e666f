"""Operators' pages for the ground floor. Opening a tenant (with its first
admin and mail) is accounts' business: accounts/admin.py registers the Tenant
admin that adds it, on top of the one here (tenants imports no app above it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tenants.models import Contract, Service, Tenant


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
    # The tenant's admin sets the alias (ALIAS-1) through customization's
    # service, which stores it lowercase and clears the login-logo cache.
    readonly_fields = ["login_alias"]
    inlines = [ContractInline]


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
