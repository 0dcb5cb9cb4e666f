"""操作ログ (issue 15). Admin only."""

from __future__ import annotations

from django.urls import path

from accounts.views import audit_log

app_name = "auditlog"

urlpatterns = [
    path("", audit_log.audit_log, name="list"),
    path("csv/", audit_log.audit_log_csv, name="csv"),
]
