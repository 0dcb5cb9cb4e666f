"""Account models, one module per sub-domain; import them all here."""

from accounts.models.organizations import (
    Organization,
    OrganizationMembership,
    UserServiceRegistration,
)
from accounts.models.user import LoginId, User, UserManager

__all__ = [
    "LoginId",
    "Organization",
    "OrganizationMembership",
    "User",
    "UserManager",
    "UserServiceRegistration",
]

from accounts.models.imports import UserImport  # noqa: E402

__all__ += ["UserImport"]

from accounts.models.security import (  # noqa: E402
    AccountToken,
    LoginFailureCounter,
    PasswordHistory,
    UserSession,
)

__all__ += ["AccountToken", "LoginFailureCounter", "PasswordHistory", "UserSession"]

from accounts.models.user_count import TenantUserCount  # noqa: E402

__all__ += ["TenantUserCount"]
