"""Failure drill: a worker killed mid-task reruns safely (outbox delivery).

    DATABASE_URL=postgres://… .venv/bin/python scripts/drill_worker.py

Two rounds of 1,000 mails (two delivery batches of 500, 5 ms per mail) on a
private redis-server and real Celery workers:

1. one pool process SIGKILLed mid-batch: the worker's parent sees it die and,
   with ``acks_late`` + ``reject_on_worker_lost``, requeues the task at once;
2. the whole worker (parent and pool) SIGKILLed mid-batch, as a crashed
   machine, and a new worker started: the unacknowledged tasks come back
   after the visibility timeout.

The rerun finds the rows the dead process had claimed still leased; the
sweep (every 2 s here, as beat does every minute) re-queues them once the
lease ends. Checked: 0 lost, duplicates ≤ 1 per killed in-flight batch (the
one mail a process can have handed to the ESP without recording it).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drilllib  # noqa: E402

MAILS = 1000
BATCH_TASK = "notifications.tasks.deliver_outbox_batch"


def redelivered(*workers: drilllib.Worker) -> int:
    """Batch tasks a worker received more than once (requeued or restored)."""
    seen: Counter[str] = Counter()
    for worker in workers:
        seen.update(re.findall(rf"Task {re.escape(BATCH_TASK)}\[([^\]]+)\] received", worker.text()))
    return sum(1 for n in seen.values() if n > 1)


def kill_mid_batch(drill: drilllib.Drill, batches: list[list[int]], kill) -> int:  # noqa: ANN001
    wanted = {i for b in batches for i in b}
    drilllib.wait_until(lambda: sum(1 for i in drilllib.delivered(drill) if i in wanted) >= 150, 60)
    flying = drilllib.in_flight(batches)
    done = sum(1 for i in drilllib.delivered(drill) if i in wanted)
    kill()
    drill.say(f"SIGKILL with {done} of {len(wanted)} delivered, {flying} batches in flight")
    return flying


def main() -> int:
    with drilllib.Drill("worker", mail_delay=0.005) as drill:
        # 1. one pool process killed mid-batch.
        worker = drill.worker("w1", concurrency=1)
        batches = drilllib.send_mails(MAILS, tag="child")
        ids = [i for b in batches for i in b]
        pid = drilllib.wait_until(lambda: worker.pool_pids(), 10)[0]
        killed = kill_mid_batch(drill, batches, lambda: worker.kill_pool_process(pid))
        t0 = time.monotonic()
        drill.check("round 1: delivered", drilllib.sweep_until_sent(drill, ids, 120), "all rows sent")
        drill.say(f"round 1: all sent {time.monotonic() - t0:.1f}s after the kill; "
                  f"batch tasks redelivered: {redelivered(worker)}")
        drill.check("round 1: the killed task was redelivered", redelivered(worker) >= 1, "reject_on_worker_lost")
        drilllib.mail_figures(drill, ids, killed_batches=killed, label="round 1 (pool process killed)")
        worker.stop()

        # 2. the whole worker killed mid-batch; a new one started.
        first = drill.worker("w2", concurrency=2)
        batches = drilllib.send_mails(MAILS, tag="crash")
        ids = [i for b in batches for i in b]
        killed = kill_mid_batch(drill, batches, first.kill)
        t0 = time.monotonic()
        second = drill.worker("w3", concurrency=2)
        drill.check("round 2: delivered", drilllib.sweep_until_sent(drill, ids, 120), "all rows sent")
        # The restored tasks arrive after the visibility timeout (15 s here).
        drilllib.wait_until(lambda: redelivered(first, second) >= killed, 40, 0.5)
        drill.say(f"round 2: all sent {time.monotonic() - t0:.1f}s after the kill; "
                  f"batch tasks redelivered: {redelivered(first, second)}")
        drill.check(
            "round 2: the killed tasks were redelivered", redelivered(first, second) >= killed, "visibility timeout"
        )
        drilllib.mail_figures(drill, ids, killed_batches=killed, label="round 2 (whole worker killed)")
        second.stop()
    return drill.exit_code


if __name__ == "__main__":
    sys.exit(main())
