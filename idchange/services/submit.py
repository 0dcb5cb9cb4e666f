"""申込 (IDC-2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from audit.services import record
from idchange import rules
from idchange.models import IdChangeApplication, IdChangeApplicationLine
from idchange.services.errors import IdChangeError
from idchange.services.mails import RECEIPT_MAIL, mail_context
from idchange.services.preview import preview_id_change
from mail.services import send_mail
from tenants.models import Contract


@transaction.atomic
def submit_id_change(
    *,
    contract: Contract,
    changes: Mapping[int, int],
    target: str,
    applicant: Any,
    now: datetime,
) -> IdChangeApplication:
    """申込 (IDC-2): lock the contract, decide again at ``now``, store, mail.

    The contract row lock serialises submissions of one contract; the
    partial unique constraint is the last line of defence behind it.
    """
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=contract.pk)
    )
    preview = preview_id_change(contract=locked, changes=changes, target=target, now=now)
    application = IdChangeApplication(
        tenant_id=locked.tenant_id,
        contract=locked,
        receipt_number=f"tmp-{now:%H%M%S%f}",
        applicant=applicant,
        applicant_email=applicant.mail_to,
        target=target,
        effective_month=preview.effective_month,
        converted_to_next_month=preview.converted_to_next_month,
        status=IdChangeApplication.Status.PENDING,
        next_due_at=preview.next_due_at,
        effective_at=preview.effective_at,
        window_start=preview.window[0] if preview.window else None,
        window_end=preview.window[1] if preview.window else None,
        withdrawable_until=preview.withdrawable_until,
        next_possible_at=preview.next_possible_at,
        price_delta=preview.price_delta,
        created_at=now,
    )
    application.full_clean(exclude=["receipt_number"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # the partial unique index: one in flight
        raise IdChangeError(rules.E_CHANGE_IN_FLIGHT) from exc
    # 受付番号: the date and the row id, so it is unique without a counter
    # table and readable on the phone.
    application.receipt_number = f"{now.astimezone(rules.JST):%y%m%d}{application.pk:07d}"
    application.save(update_fields=["receipt_number"])
    IdChangeApplicationLine.objects.bulk_create(
        [
            IdChangeApplicationLine(
                tenant_id=locked.tenant_id,
                application=application,
                contract_line=lp.line,
                item=lp.line.item,
                name=lp.line.name,
                count_before=lp.count_before,
                delta=lp.delta,
                unit_price=lp.line.unit_price,
                effective_month=lp.decision.effective_month,
                converted_to_next_month=lp.decision.converted_to_next_month,
                effective_at=lp.decision.effective_at,
                window_start=lp.decision.window[0] if lp.decision.window else None,
                window_end=lp.decision.window[1] if lp.decision.window else None,
            )
            for lp in preview.lines
        ]
    )
    record(
        action="idchange.application.submitted",
        actor=applicant,
        target=application,
        data={
            "contract": locked.number,
            "target": target,
            "lines": {lp.line.name: lp.delta for lp in preview.lines},
        },
    )
    send_mail(
        template=RECEIPT_MAIL,
        to=application.applicant_email,
        context=mail_context(application, preview_lines=preview.lines, follows=preview.follows),
        tenant=locked.tenant_id,
    )
    return application
