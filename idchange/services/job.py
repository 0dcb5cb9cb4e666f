"""The month-boundary job's work for one tenant (IDC-11): claim due
applications in chunks and apply each chunk in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
from django.db.models import F

from audit.services import record_many
from idchange.models import IdChangeApplication
from idchange.services.apply import apply_batch
from idchange.services.errors import IdChangeError
from tenants.models import Service

logger = logging.getLogger(__name__)


APPLY_CHUNK = 500  # applications per transaction in the job
# What the job reads of a claimed application and its contract (apply_batch,
# the audit entry, the 完了 mail's values): 20,000 instances in a month
# boundary's run, so only these columns are loaded (issue 22). A deferred
# column read by mistake would cost a query per row; the job's constant
# statement count is tested.
CLAIM_FIELDS = (
    "tenant_id", "contract_id", "receipt_number", "applicant_email", "status", "next_due_at", "hold_reason",
    "held_at", "applied_at", "contract__tenant_id", "contract__service_id", "contract__number",
)


def _claim_due(
    *,
    now: datetime,
    limit: int,
    exclude: Iterable[int] = (),
    only: int | None = None,
    tenant_ids: list[int] | None = None,
) -> list[IdChangeApplication]:
    """The job's claim: lock due, pending, not held rows, skipping rows
    another worker holds. After that worker commits they are no longer
    pending, so a second worker or a second run never applies them again.
    ``tenant_ids`` limits a cross-tenant batch (run in the operator scope)
    to the tenants it was dispatched for."""
    rows = IdChangeApplication.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=IdChangeApplication.Status.PENDING, next_due_at__lte=now, hold_reason=""
    )
    if tenant_ids is not None:
        rows = rows.filter(tenant_id__in=tenant_ids)
    if only is not None:
        rows = rows.filter(pk=only)
    apps = list(
        rows.exclude(pk__in=list(exclude))
        .select_related("contract")
        .only(*CLAIM_FIELDS)
        .annotate(claim_service_kind=F("contract__service__kind"), claim_service_name=F("contract__service__name"))
        .order_by("next_due_at", "pk")[:limit]
    )
    # The service (its kind and name) read in the same statement, and one
    # Service instance per service, not one per application as
    # select_related would build (10,000 for a handful of services); its
    # other columns are deferred.
    services: dict[int, Service] = {}
    for app in apps:
        contract = app.contract
        service = services.get(contract.service_id)
        if service is None:
            loaded = {"id": contract.service_id, "kind": app.claim_service_kind, "name": app.claim_service_name}
            # from_db takes the values in the model's column order.
            names = [f.attname for f in Service._meta.concrete_fields if f.attname in loaded]
            service = services[contract.service_id] = Service.from_db(
                app._state.db, names, [loaded[name] for name in names]
            )
        contract.service = service
    return apps


def _hold(
    apps: list[IdChangeApplication], refused: Mapping[int, IdChangeError], now: datetime
) -> None:
    """Put applications that failed the re-check aside for an operator: still
    処理待ち (the contract stays locked), skipped by the job, audited."""
    held = [app for app in apps if app.pk in refused]
    for app in held:
        app.hold_reason = refused[app.pk].code
        app.held_at = now
        logger.warning("ID change %s held for an operator: %s", app.pk, app.hold_reason)
    IdChangeApplication.objects.bulk_update(held, ["hold_reason", "held_at"])
    record_many(
        action="idchange.application.held",
        actor=None,
        targets=held,
        data=lambda app: {"code": refused[app.pk].code, "line": refused[app.pk].line_id},
    )


def _apply_chunk(
    *,
    now: datetime,
    limit: int,
    exclude: set[int],
    only: int | None = None,
    tenant_ids: list[int] | None = None,
) -> tuple[list[int], int]:
    """Claim up to ``limit`` due applications and apply them in one
    transaction: all of the chunk is written, or none of it."""
    with transaction.atomic():
        apps = _claim_due(now=now, limit=limit, exclude=exclude, only=only, tenant_ids=tenant_ids)
        claimed = [a.pk for a in apps]
        outcome = apply_batch(apps=apps, now=now, actor=None, open_windows=False)
        if outcome.refused:
            _hold(apps, outcome.refused, now)
    return claimed, len(outcome.applied) + len(outcome.partial)


def apply_due_applications(
    *, now: datetime, chunk_size: int = APPLY_CHUNK, tenant_ids: list[int] | None = None
) -> int:
    """The job's work for one tenant (run inside its scope) or, with
    ``tenant_ids``, for a batch of small tenants at once (run in the operator
    scope: one claim and one statement set per chunk whatever the number of
    tenants in it; every row written takes its tenant from the claimed
    application). Applies every due application, ``chunk_size`` per
    transaction. Returns how many were applied.

    A chunk that fails unexpectedly (a database error, a bug) is rolled back
    whole and retried one application at a time, so one broken row costs
    only itself; it is logged and left for the next run.
    """
    applied = 0
    broken: set[int] = set()
    while True:
        try:
            claimed, count = _apply_chunk(now=now, limit=chunk_size, exclude=broken, tenant_ids=tenant_ids)
        except Exception:
            logger.exception("Applying a chunk of ID changes failed; retrying one by one")
            for pk in _due_ids(now=now, exclude=broken, limit=chunk_size, tenant_ids=tenant_ids):
                try:
                    applied += _apply_chunk(now=now, limit=1, exclude=broken, only=pk, tenant_ids=tenant_ids)[1]
                except Exception:
                    logger.exception("Applying ID change %s failed", pk)
                    broken.add(pk)
            continue
        applied += count
        # A short chunk was the last one: whatever it skipped, another worker
        # holds (and applies), and no round trip is spent on an empty claim.
        if len(claimed) < chunk_size:
            return applied


def _due_ids(
    *, now: datetime, exclude: set[int], limit: int, tenant_ids: list[int] | None = None
) -> list[int]:
    rows = IdChangeApplication.objects.filter(
        status=IdChangeApplication.Status.PENDING, next_due_at__lte=now, hold_reason=""
    )
    if tenant_ids is not None:
        rows = rows.filter(tenant_id__in=tenant_ids)
    return list(
        rows.exclude(pk__in=list(exclude))
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
