"""The drills' mail sink: deliveries counted across processes.

``CountingFileBackend`` writes each message as one file named after its outbox
row (``<outbox id>-<pid>-<random>.eml``, written under a temporary name and
renamed, so a worker killed mid-write leaves no half delivery), after a
``delay`` that stands for the ESP's latency (so a batch is still in flight
when a drill kills something). ``count(dir)`` reads the sink: deliveries per
outbox id, whichever worker process made them.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.crypto import get_random_string


class CountingFileBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str, delay: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path)
        self.delay = delay

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            if self.delay:
                time.sleep(self.delay)
            outbox_id = message.extra_headers.get("X-Portal-Outbox-Id", "none")
            name = f"{outbox_id}-{os.getpid()}-{get_random_string(6)}"
            tmp = self.directory / f".{name}.tmp"
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(self.directory / f"{name}.eml")
        return len(email_messages)


def count(directory: str | Path) -> Counter[int]:
    """Deliveries per outbox id found in the sink."""
    found: Counter[int] = Counter()
    for entry in os.scandir(directory):
        if entry.name.endswith(".eml"):
            head = entry.name.split("-", 1)[0]
            if head.isdigit():
                found[int(head)] += 1
    return found
