from __future__ import annotations


class BulletinError(Exception):
    """A refused board change; the message is shown to the admin as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
