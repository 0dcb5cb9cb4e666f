"""The 初期設定依頼 mail of provisioned users, in batches (issue 25).

A directory pushes users one request at a time (Entra ID: thousands in a
row). Each request marks its user ``setup_mail_pending``; the first one also
queues one task per tenant a little later (a key in the ``security`` cache
says a batch is already on its way), and that task sends every pending user
of the tenant through ``send_setup_mails``: a few bulk INSERTs into the
outbox per batch instead of one mail transaction per request."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from accounts.models import User
from accounts.services.registration import send_setup_mails
from accounts.services.throttle import security_cache
from scim.models import ScimUser
from scim.tokens import TokenActor

BATCH_DELAY_SECONDS = 30
BATCH_SIZE = 1000


def _key(tenant_id: int) -> str:
    return f"scim:setup-mail-batch:{tenant_id}"


def schedule(*, tenant_id: int) -> None:
    """Queue the tenant's next batch after commit, unless one is queued."""

    def queue() -> None:
        if security_cache().add(_key(tenant_id), 1, timeout=BATCH_DELAY_SECONDS):
            from scim.tasks import send_setup_mail_batch

            send_setup_mail_batch.apply_async(kwargs={"tenant_id": tenant_id}, countdown=BATCH_DELAY_SECONDS)

    transaction.on_commit(queue)


@transaction.atomic
def send_pending(*, tenant_id: int) -> int:
    """Send the tenant's pending setup mails (inside its scope). Users who
    finished the setup or were suspended meanwhile are skipped."""
    security_cache().delete(_key(tenant_id))
    pending = list(
        ScimUser.objects.filter(tenant_id=tenant_id, setup_mail_pending=True)
        .select_related("user", "token")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:BATCH_SIZE]
    )
    by_token: dict[int | None, list[User]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for row in pending:
        if row.user.status == User.Status.PENDING:
            by_token[row.token_id].append(row.user)
            names[row.token_id] = row.token.name if row.token else "SCIM"
    sent = 0
    for token_id, users in by_token.items():
        actor = TokenActor(token_id=token_id or 0, tenant_id=tenant_id, name=names[token_id])
        sent += send_setup_mails(users=users, actor=actor)
    ScimUser.objects.filter(pk__in=[row.pk for row in pending]).update(setup_mail_pending=False)
    if len(pending) == BATCH_SIZE:
        schedule(tenant_id=tenant_id)
    return sent
