"""取下 (IDC-10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.services import record
from idchange.models import IdChangeApplication
from idchange.services.errors import E_NOT_WITHDRAWABLE, IdChangeError


@transaction.atomic
def withdraw_id_change(
    *, application: IdChangeApplication, actor: Any, now: datetime
) -> IdChangeApplication:
    app = IdChangeApplication.objects.select_for_update().get(pk=application.pk)
    if not app.can_withdraw(now) or app.lines.filter(applied_at__isnull=False).exists():
        raise IdChangeError(E_NOT_WITHDRAWABLE)
    app.status = IdChangeApplication.Status.WITHDRAWN
    app.withdrawn_at = now
    app.next_due_at = None
    app.save(update_fields=["status", "withdrawn_at", "next_due_at"])
    record(action="idchange.application.withdrawn", actor=actor, target=app)
    return app
