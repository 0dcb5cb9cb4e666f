"""処理中 → 完了: the carrier's internal processing is finished (IDC-9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.services import record
from idchange.models import IdChangeApplication
from idchange.services.errors import E_NOT_PROCESSING, IdChangeError


@transaction.atomic
def mark_processing_finished(
    *, application: IdChangeApplication, actor: Any, now: datetime
) -> IdChangeApplication:
    """Operator: the carrier's internal processing is finished (IDC-9); the
    contract takes applications again."""
    app = IdChangeApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != IdChangeApplication.Status.PROCESSING:
        raise IdChangeError(E_NOT_PROCESSING)
    app.status = IdChangeApplication.Status.DONE
    app.processed_at = now
    app.save(update_fields=["status", "processed_at"])
    record(action="idchange.application.processed", actor=actor, target=app)
    return app
