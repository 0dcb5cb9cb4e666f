from __future__ import annotations

from django.contrib import admin

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
    list_filter = ["kind", "supports_id_change", "supports_area_notices", "supports_trouble_inquiry"]
    search_fields = ["code", "name"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "tenant", "service", "plan", "term", "id_count", "renewal_base_date"]
    list_filter = ["service", "term"]
    search_fields = ["number", "tenant__name", "tenant__code"]
    list_select_related = ["tenant", "service"]
    autocomplete_fields = ["tenant", "service"]
