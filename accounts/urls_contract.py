"""契約情報 (manual ch. 4). Admin-only (manual §5.1, HOME-5)."""

from __future__ import annotations

from django.urls import path

from accounts.views import contract as views

app_name = "contract"

urlpatterns = [
    path("", views.contract, name="detail"),
    path("representative/", views.representative_change, name="representative_change"),
]
