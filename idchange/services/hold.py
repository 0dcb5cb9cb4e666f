"""保留: an operator stops a pending application until they release it.

The apply job already skips held rows (``hold_reason`` set) and an
operator's 適用 releases them (services/apply.py); this adds the operator's
own hold, with what the customer must do, shown to the customer as 保留中.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.services import record
from idchange.models import IdChangeApplication
from idchange.services.errors import E_NOT_PENDING, HELD_BY_OPERATOR, IdChangeError


@transaction.atomic
def hold_id_change(
    *, application: IdChangeApplication, actor: Any, now: datetime, note: str = ""
) -> IdChangeApplication:
    """Hold a 処理待ち application (or change the note of a held one).

    The contract stays locked (the application is still in flight); the
    customer may still withdraw it within its withdrawal period."""
    app = IdChangeApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != IdChangeApplication.Status.PENDING:
        raise IdChangeError(E_NOT_PENDING)
    if not app.hold_reason:
        app.hold_reason, app.held_at = HELD_BY_OPERATOR, now
    app.hold_note = note.strip()
    app.save(update_fields=["hold_reason", "held_at", "hold_note"])
    record(
        action="idchange.application.held",
        actor=actor,
        target=app,
        data={"reason": app.hold_reason, "note": app.hold_note},
    )
    return app
