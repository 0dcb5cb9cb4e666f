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
    return {
        "application": application,
        "contract": application.contract,
        "service_name": application.contract.service.name,
        "lines": lines,
        "follows": [{"name": f.line.name, "after": f.count_after} for f in follows],
    }
