"""The domain exception of the identity services; its message is for the screen."""

from __future__ import annotations


class AccountError(Exception):
    """A state change of an account that the rules do not allow."""
