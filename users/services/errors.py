"""The domain exception of the user directory's services."""

from __future__ import annotations


class UserAdminError(Exception):
    """A user administration rule refused the change; the message is for the screen."""
