from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class PortalBackend(ModelBackend):
    """Authenticates by login ID and password, knowing the portal's statuses.

    Only 有効 accounts (and operators) may log in. The password is hashed
    exactly once per attempt, also for unknown IDs, so timing does not reveal
    whether an ID exists.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = User.all_objects.filter(email__iexact=username.strip()).first()
        if user is None:
            User().set_password(password)  # same cost as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return user.is_staff or user.status == User.Status.ACTIVE

    def get_user(self, user_id: Any) -> User | None:
        # Runs before any tenant scope exists: it is what tells us the tenant.
        user = User.all_objects.select_related("tenant").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
