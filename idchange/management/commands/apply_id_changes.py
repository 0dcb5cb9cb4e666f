from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Apply the ID-count changes that are due now (what Celery beat runs every "
        "minute); for the demo without beat, or cron. Safe to run at any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from idchange.tasks import apply_due_changes

        tenants = apply_due_changes()
        self.stdout.write(f"Dispatched the due ID-count changes of {tenants} tenant(s).")
