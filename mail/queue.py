"""Handing a task to the broker, in one place (issue 19).

Every piece of work queued through here has its state in the database
first (an outbox row, a notice Delivery, an article's mail cursor, a
UserImport), committed before the task is handed over. A broker that is
down must not turn that committed request into an error page: the enqueue
is logged and skipped, and the row waits. The outbox, notice deliveries and
bulletin fan-outs have beat sweeps that queue it again; a user import has
none yet (it stays 検証中 or 反映中), as before this guard.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, /, *args: Any, **kwargs: Any) -> bool:
    """``task.delay(*args, **kwargs)`` now; False (and a warning) when the
    broker refused it."""
    try:
        task.delay(*args, **kwargs)
    except Exception:  # broker down: kombu raises several unrelated types
        logger.warning(
            "Could not queue %s%s; the row waits for its sweep", task.name, _describe(args, kwargs), exc_info=True
        )
        return False
    return True


def enqueue_on_commit(task: Any, /, *args: Any, **kwargs: Any) -> None:
    """``enqueue`` once the caller's transaction commits (at once in autocommit)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def _describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [repr(a) if not isinstance(a, list) else f"<{len(a)} ids>" for a in args]
    parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"({', '.join(parts)})"
