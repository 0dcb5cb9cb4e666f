"""Failure drill: Redis killed and restarted while 1,000 mails are pending and
while a worker delivers them → 0 lost, duplicates ≤ 1 per killed in-flight batch.

    DATABASE_URL=postgres://… .venv/bin/python scripts/drill_redis.py

Three rounds of 1,000 mails (one bulk send: two delivery tasks of 500) on a
private redis-server run as production should (AOF everysec, noeviction):

1. pending, no worker up: Redis SIGKILLed and restarted from its AOF, then a
   worker starts (the queued tasks should have survived);
2. pending: Redis SIGKILLed and its data lost (restarted empty): only the
   outbox rows remain, and the sweep (run every 2 s, as beat would every
   minute) re-queues them;
3. while a worker delivers them (2 processes, 5 ms per mail): Redis SIGKILLed
   mid-batch, down 3 s, restarted from its AOF.

Deliveries are counted in the file sink (scripts/drillmail.py) by outbox id.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drilllib  # noqa: E402

MAILS = 1000


def queued(drill: drilllib.Drill) -> int:
    return int(drill.redis.client().llen("celery"))


def main() -> int:
    with drilllib.Drill("redis", mail_delay=0.005) as drill:
        # 1. pending; Redis killed; restarted from the AOF.
        batches = drilllib.send_mails(MAILS, tag="aof")
        ids = [i for b in batches for i in b]
        time.sleep(1.5)  # appendfsync everysec: a second of writes may be lost
        before = queued(drill)
        drill.redis.kill()
        drill.redis.start()
        after = queued(drill)
        drill.say(f"round 1: {len(ids)} pending in {before} tasks; Redis SIGKILLed and restarted: {after} tasks kept")
        worker = drill.worker("w1")
        drill.check("round 1: delivered", drilllib.sweep_until_sent(drill, ids, 90), "all rows sent")
        drilllib.mail_figures(drill, ids, killed_batches=0, label="round 1 (pending, AOF kept)")

        # 2. pending; Redis killed and its data lost. First the queue drains:
        # the sweep re-queued round 1's rows (stale by the time a worker came),
        # and those tasks find them sent.
        drilllib.wait_until(lambda: queued(drill) == 0, 60, 0.2)
        worker.stop()
        batches = drilllib.send_mails(MAILS, tag="lost")
        ids = [i for b in batches for i in b]
        before = queued(drill)
        drill.redis.kill()
        drill.redis.wipe()
        drill.redis.start()
        drill.say(f"round 2: {len(ids)} pending in {before} tasks; Redis SIGKILLed, data lost: {queued(drill)} tasks")
        t0 = time.monotonic()
        worker = drill.worker("w2")
        drill.check("round 2: delivered", drilllib.sweep_until_sent(drill, ids, 90), "all rows sent")
        drill.say(f"round 2: the sweep delivered them in {time.monotonic() - t0:.1f}s")
        drilllib.mail_figures(drill, ids, killed_batches=0, label="round 2 (pending, Redis data lost)")

        # 3. while the worker delivers them.
        drilllib.wait_until(lambda: queued(drill) == 0, 60, 0.2)
        batches = drilllib.send_mails(MAILS, tag="busy")
        ids = [i for b in batches for i in b]
        wanted = set(ids)
        drilllib.wait_until(lambda: sum(1 for i in drilllib.delivered(drill) if i in wanted) >= 150, 30)
        flying = drilllib.in_flight(batches)
        done = sum(1 for i in drilllib.delivered(drill) if i in wanted)
        drill.redis.kill()
        drill.say(f"round 3: Redis SIGKILLed with {done} of {len(ids)} delivered, {flying} batches in flight")
        time.sleep(3)
        drill.redis.start()
        drill.say("round 3: Redis restarted from its AOF")
        drill.check("round 3: delivered", drilllib.sweep_until_sent(drill, ids, 90), "all rows sent")
        alive = worker.process is not None and worker.process.poll() is None
        drill.check("round 3: the worker survived the outage", alive, "still running" if alive else "exited")
        # In-flight batches were not killed (only their broker): the bound is
        # still one duplicate per batch that was in flight.
        drilllib.mail_figures(drill, ids, killed_batches=flying, label="round 3 (delivering)")
        worker.stop()
    return drill.exit_code


if __name__ == "__main__":
    sys.exit(main())
