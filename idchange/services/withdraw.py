"""取下 (IDC-10), confirmed by mail like a submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.services import record
from idchange.models import IdChangeApplication
from idchange.services.errors import E_NOT_WITHDRAWABLE, IdChangeError
from idchange.services.mails import WITHDRAWN_MAIL, mail_context
from mail.services import send_mail


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
    # The same kind of confirmation as the 受付 mail, to the same address, in
    # the same transaction (the outbox).
    send_mail(
        template=WITHDRAWN_MAIL,
        to=app.applicant_email,
        context=mail_context(app),
        tenant=app.tenant_id,
    )
    return app
