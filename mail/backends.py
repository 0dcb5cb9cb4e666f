from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.crypto import get_random_string


class EmlFileBackend(BaseEmailBackend):
    """The demo's outbox a person can open: one ``.eml`` file per message
    under ``file_path`` (MAILERS OPTIONS; ``var/mail/``), openable in any
    mail client."""

    def __init__(self, *, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_path = file_path or str(settings.BASE_DIR / "var" / "mail")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(self.file_path)
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = directory / f"{stamp}-{get_random_string(8)}.eml"
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent
