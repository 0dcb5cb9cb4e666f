"""Killing the broker between commit and send loses no mail (MAIL-1).

A real Redis broker of its own (started by the test on a spare port, so the
shared Redis is untouched) is stopped before the cause commits, started again,
and a real Celery worker delivers once the sweep has re-queued the row.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from mail import services
from mail.models import OutboxMessage
from mail.tasks import sweep_outbox
from portal.celery import app
from tenants.scoping import operator_scope

pytestmark = [
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    # A worker thread and the test share the database. SQLite's in-memory
    # test database (shared cache) locks whole tables between threads, so the
    # worker's UPDATE could fail on the test's own polling ("database table
    # is locked", seen once on a loaded machine); production's is PostgreSQL.
    pytest.mark.postgres,
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("broker did not start")

    def kill(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


def reset_broker_connections() -> None:
    """Forget pooled connections so a changed broker_url takes effect (what
    Celery itself does after a fork)."""
    app._after_fork()


@pytest.fixture
def real_broker():
    broker = Broker(free_port())
    broker.start()
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = f"redis://127.0.0.1:{broker.port}/0"
    app.conf.task_always_eager = False
    reset_broker_connections()
    yield broker
    broker.kill()
    app.conf.broker_url, app.conf.task_always_eager = old
    reset_broker_connections()


def test_mail_survives_a_broker_outage(transactional_db, tenant_a, real_broker, mailoutbox):
    from celery.contrib.testing.worker import start_worker

    real_broker.kill()  # the broker dies just before the cause commits
    with transaction.atomic():
        message = services.send_mail(
            template="test_notice", to="a@example.com", context={"name": "山田", "title": "停電"}, tenant=tenant_a
        )
    # The request that caused it succeeded; the row waits.
    with operator_scope():
        assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.PENDING
    assert mailoutbox == []

    real_broker.start()  # the broker is back (same address: nothing reconfigured)
    with operator_scope():
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert sweep_outbox() == 1  # the beat job re-queues it
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with operator_scope():
                status = OutboxMessage.objects.get(pk=message.pk).status
            if status == OutboxMessage.Status.SENT:
                break
            time.sleep(0.1)
    assert status == OutboxMessage.Status.SENT
    assert [m.subject for m in mailoutbox] == ["停電 のお知らせ"]
