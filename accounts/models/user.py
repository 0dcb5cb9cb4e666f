from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedManager, operator_scope, row_scope


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # The login ID is unique across the portal, so looking it up is a
        # platform read by definition (login, createsuperuser).
        with operator_scope():
            return self.get(email__iexact=username)

    @transaction.atomic
    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **fields)
        user.set_password(password) if password else user.set_unusable_password()
        # In the new user's scope (row-level security, issue 20): an operator
        # made by createsuperuser, outside any scope, is a row with no tenant.
        with row_scope(user.tenant_id):
            user.save(using=self._db)
        LoginId.objects.create(login_id=email, user=user)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True, status=User.Status.ACTIVE, tenant=None)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a tenant's admin or user, or a carrier operator.

    Operators are staff with no tenant. The login ID (``email``) is unique
    portal-wide through ``LoginId``; this table's own uniques include the
    tenant so it can be sharded by tenant later.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("管理者")
        USER = "user", _("ユーザ")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有効")
        PENDING = "pending", _("未設定")
        SUSPENDED = "suspended", _("一時停止")
        LOCKED = "locked", _("アカウントロック")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("テナント"),
    )
    email = models.EmailField(_("ユーザ ID"), max_length=127)
    role = models.CharField(_("権限"), max_length=10, choices=Role, default=Role.USER)
    status = models.CharField(_("ステータス"), max_length=12, choices=Status, default=Status.PENDING)
    is_representative = models.BooleanField(_("代表管理者"), default=False)
    last_name = models.CharField(_("姓"), max_length=30, blank=True)
    first_name = models.CharField(_("名"), max_length=30, blank=True)
    last_name_kana = models.CharField(_("姓（カナ）"), max_length=20, blank=True)
    first_name_kana = models.CharField(_("名（カナ）"), max_length=20, blank=True)
    affiliation = models.CharField(_("所属"), max_length=50, blank=True)
    phone_number = models.CharField(_("サービス利用電話番号"), max_length=15, blank=True)
    notification_email = models.EmailField(_("通知先メールアドレス"), max_length=127, blank=True)
    # Receive settings of NOTIF-1 (お知らせ, メンテナンス情報, 障害情報).
    receive_news = models.BooleanField(_("お知らせ"), default=True)
    receive_maintenance = models.BooleanField(_("メンテナンス情報"), default=True)
    receive_outage = models.BooleanField(_("障害情報"), default=True)
    # ログイン条件 of the user list (USER-2/USER-4). The conditions themselves
    # belong to KDDI Business ID (out of scope); the portal keeps the label.
    class LoginCondition(models.TextChoices):
        TENANT = "tenant", _("テナントのログイン条件を適用")
        ORGANIZATION = "organization", _("組織のログイン条件を適用")
        USER = "user", _("ユーザ個別のログイン条件を適用")

    login_condition = models.CharField(
        _("ログイン条件"), max_length=12, choices=LoginCondition, default=LoginCondition.TENANT
    )
    must_change_password = models.BooleanField(_("初回ログイン時にパスワード変更"), default=False)
    is_staff = models.BooleanField(_("オペレーター"), default=False)
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = TenantScopedManager(UserManager)
    # Unscoped at the ORM level, for operator code and writes in a known
    # scope. Under PostgreSQL row-level security it sees only the current
    # tenant's users (or all under operator_scope()); the reads before any
    # scope exists (login, the session's user, the mail links) go through
    # accounts.services.user_lookup, the one narrow path (issue 20).
    all_objects = UserManager()
    # PostgreSQL row-level security as on every tenant table (tenants/rls.py):
    # an operator (no tenant) is visible only under the bypass (issue 20).
    row_level_security = True

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "notification_email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("ユーザ")
        verbose_name_plural = _("ユーザ")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], name="user_unique_email_in_tenant"),
            # One representative admin per tenant (CONTRACT-2 keeps "exactly").
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_representative=True),
                name="user_one_representative_per_tenant",
            ),
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=False) | models.Q(is_staff=True),
                name="user_tenantless_only_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(is_representative=False) | models.Q(role="admin"),
                name="user_representative_is_admin",
            ),
        ]
        indexes = [
            # The user list sorts by these (USER-4): each index is the list's
            # whole ORDER BY, tie-breaker (ユーザ ID) included, so a page in
            # either direction is an index scan with no sort (issue 14; see
            # accounts/selectors.SORT_FIELDS and docs/performance.md). Each
            # ends with the primary key, which the order never reaches (the
            # e-mail is unique in the tenant) but a deep page's deferred join
            # reads: the rows it skips are skipped in the index alone
            # (web/pagination.py; issue 22).
            # The default sort's is not the unique constraint's index, which
            # cannot carry the key on SQLite (the constraint would be dropped).
            models.Index(fields=["tenant", "email", "id"], name="user_sort_email"),
            models.Index(
                fields=["tenant", "last_name_kana", "first_name_kana", "last_name", "first_name", "email", "id"],
                name="user_sort_name",
            ),
            models.Index(fields=["tenant", "status", "email", "id"], name="user_sort_status"),
            models.Index(fields=["tenant", "affiliation", "email", "id"], name="user_sort_affiliation"),
            models.Index(fields=["tenant", "login_condition", "email", "id"], name="user_sort_login_condition"),
            # Searched (USER-2).
            models.Index(fields=["tenant", "last_name", "first_name"], name="user_name"),
            # The 詳細検索 filters end with the primary key, so that counting a
            # filtered list reads these narrow indexes alone (index-only scans
            # joined on the key), not every user row: 詳細検索 ステータス +
            # 所属組織 at 100,000 users, its COUNT 13 → 7 ms (issue 22).
            models.Index(fields=["tenant", "role", "id"], name="user_role"),
            models.Index(fields=["tenant", "status", "id"], name="user_filter_status"),
            models.Index(fields=["tenant", "login_condition", "id"], name="user_filter_login_condition"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_tenant_admin(self) -> bool:
        return self.tenant_id is not None and self.role == self.Role.ADMIN

    @property
    def mail_to(self) -> str:
        """Where every mail to this user goes: the 通知先メールアドレス when
        set, else the login ID (issue 19: the one recipient rule)."""
        return self.notification_email or self.email

    @staticmethod
    def mail_to_expression() -> Coalesce:
        """``mail_to`` in SQL, for bulk sends that read addresses, not users."""
        return Coalesce(NullIf("notification_email", Value("")), "email")

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.last_name


class LoginId(models.Model):
    """The portal-wide uniqueness of login IDs: a small global table, so the
    user table itself can be sharded by tenant (DESIGN.md, Tenancy)."""

    login_id = models.CharField(_("ユーザ ID"), max_length=127, unique=True)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="login_id_entry")

    class Meta:
        verbose_name = _("ログイン ID")
        verbose_name_plural = _("ログイン ID")
        indexes = [
            # "Is this ID taken?" is case-insensitive (login_id__iexact:
            # UPPER(login_id) = UPPER(%s)); without this index every user
            # added one at a time (the form, SCIM) scanned the whole
            # portal's IDs: 114 ms at 110,000 (issue 25, docs/provisioning.md).
            models.Index(Upper("login_id"), name="loginid_upper"),
        ]

    def __str__(self) -> str:
        return self.login_id
