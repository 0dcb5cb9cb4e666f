"""契約情報 (manual ch. 4). Admin-only (manual §5.1, HOME-5)."""

from __future__ import annotations

from django.urls import path

from tenants import views

app_name = "tenants"

urlpatterns = [
    path("", views.contract, name="contract"),
    path("representative/", views.representative_change, name="representative_change"),
]
