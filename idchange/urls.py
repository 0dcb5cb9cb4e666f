from __future__ import annotations

app_name = "idchange"

urlpatterns: list = []
