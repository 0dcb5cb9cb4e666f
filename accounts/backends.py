from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from audit.client import client_ip


class PortalBackend(ModelBackend):
    """Authenticates by login ID and password, knowing the portal's statuses.

    Only 有効 accounts (and operators) may log in. The checks, the failure
    count and lockout live in ``accounts.services.login.authenticate_login``
    (one password hash per attempt, also for unknown IDs, so timing does not
    reveal whether an ID exists); this backend lets Django admin's login use
    the same rules.
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
        from accounts.services import login_throttle
        from accounts.services.login import authenticate_login

        ip = client_ip(request) if request is not None else None
        # Django admin's login (issue 21): its own, stricter counters, and
        # only operators' failures count (a customer's account cannot be
        # locked from there; it cannot log in there anyway).
        admin = request is not None and request.path.startswith("/admin/")
        if admin:
            scope = login_throttle.ADMIN
            if login_throttle.wait_seconds(scope=scope, ip=ip, login_id=username):
                return None
        outcome = authenticate_login(login_id=username, password=password, ip_address=ip, staff_only=admin)
        if admin and outcome.reason == "invalid":
            login_throttle.register_failure(scope=scope, ip=ip, login_id=username)
        elif admin and outcome.ok:
            login_throttle.register_success(scope=scope, ip=ip, login_id=username)
        return outcome.user if outcome.ok else None

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        # A tenant an operator deactivated: its users' sessions end too, not
        # only new logins (accounts.services.login refuses those).
        if user.tenant_id is not None and not user.tenant.is_active:
            return False
        return user.is_staff or user.status == User.Status.ACTIVE

    def get_user(self, user_id: Any) -> User | None:
        # Runs before any tenant scope exists: it is what tells us the tenant,
        # so it reads through the narrow path (one row; issue 20). A user
        # suspended or locked meanwhile is logged out on the next request.
        from accounts.services.user_lookup import user_by_pk

        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
