"""Account models, one module per sub-domain; import them all here."""

from accounts.models.user import LoginId, User, UserManager

__all__ = ["LoginId", "User", "UserManager"]
