"""契約情報 (manual ch. 4)."""

from __future__ import annotations

app_name = "tenants"

urlpatterns: list = []
