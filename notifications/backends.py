from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.crypto import get_random_string


class EmlFileBackend(BaseEmailBackend):
    """The demo's outbox a person can open: one ``.eml`` file per message
    under ``EMAIL_FILE_PATH`` (``var/mail/``), openable in any mail client."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = directory / f"{stamp}-{get_random_string(8)}.eml"
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent
