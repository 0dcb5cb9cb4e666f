"""User management (manual ch. 5, 6, 8.1): ユーザ一覧, ユーザ追加, detail tabs, CSV, organizations."""

from __future__ import annotations

app_name = "users"

urlpatterns: list = []
