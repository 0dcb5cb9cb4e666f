"""The 受付, 取下 and 完了 mails' template names and context."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from idchange.models import IdChangeApplication, IdChangeApplicationLine
    from idchange.services.preview import FollowPreview, LinePreview

RECEIPT_MAIL = "idchange_received"
COMPLETED_MAIL = "idchange_completed"
WITHDRAWN_MAIL = "idchange_withdrawn"


def mail_context(
    application: IdChangeApplication,
    *,
    preview_lines: Iterable[LinePreview] | None = None,
    application_lines: Iterable[IdChangeApplicationLine] | None = None,
    follows: Iterable[FollowPreview] = (),
) -> dict[str, Any]:
    return {
        "application": application,
        "contract": application.contract,
        "service_name": application.contract.service.name,
        "lines": _lines(preview_lines, application_lines, application),
        "follows": [{"name": f.line.name, "after": f.count_after} for f in follows],
    }


def completed_mail_values(
    application: IdChangeApplication, application_lines: Iterable[IdChangeApplicationLine]
) -> dict[str, Any]:
    """The 完了 mail's context as plain values (strings, numbers, the applied
    instant), stored in the outbox row for the mail worker to render
    (``send_mails(render_at_delivery=True)``, issue 22): what
    ``templates/mail/idchange_completed/`` reads of ``mail_context``'s
    objects. A test renders the mail from both and compares."""
    return {
        "application": {
            "applicant_email": application.applicant_email,
            "receipt_number": application.receipt_number,
            "applied_at": application.applied_at,
        },
        "contract": {"number": application.contract.number},
        "service_name": application.contract.service.name,
        "lines": _lines(None, application_lines, application),
        "follows": [],
    }


def _lines(
    preview_lines: Iterable[LinePreview] | None,
    application_lines: Iterable[IdChangeApplicationLine] | None,
    application: IdChangeApplication,
) -> list[dict[str, Any]]:
    if preview_lines is not None:
        lines = [
            {"name": lp.line.name, "before": lp.count_before, "delta": lp.delta, "after": lp.count_after}
            for lp in preview_lines
        ]
    else:
        lines = [
            {"name": ln.name, "before": ln.count_before, "delta": ln.delta, "after": ln.count_after}
            for ln in (application_lines if application_lines is not None else application.lines.all())
        ]
    return lines
