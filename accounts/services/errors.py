"""The domain exceptions of the accounts services; their messages are for the screen."""

from __future__ import annotations


class AccountError(Exception):
    """A state change of an account that the rules do not allow."""


class UserAdminError(Exception):
    """A user administration rule refused the change; the message is for the screen."""
