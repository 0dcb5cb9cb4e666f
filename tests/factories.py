"""factory_boy factories for the fixed cast and for tests' own data.

Creating rows is allowed outside a scope (django-scopes only guards reads),
so factories work anywhere."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import LoginId, User
from tenants.models import Contract, Service, Tenant

TEST_PASSWORD = "TestPass2026"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"テスト株式会社{n}")
    code = factory.Sequence(lambda n: f"T{n:07d}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"service{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    tenant = factory.SubFactory(TenantFactory)
    service = factory.SubFactory(ServiceFactory)
    number = factory.Sequence(lambda n: f"C-{n:05d}")
    plan = "Standard"
    term = Contract.Term.MONTHLY
    id_count = 10
    unit_price = 1000


class UserFactory(factory.django.DjangoModelFactory):
    """Creates the user and its LoginId row, as the services do."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = User.Role.USER
    status = User.Status.ACTIVE
    last_name = "山田"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    last_name_kana = "ヤマダ"
    first_name_kana = "タロウ"
    notification_email = factory.LazyAttribute(lambda o: o.email)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", TEST_PASSWORD)
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        LoginId.objects.create(login_id=user.email, user=user)
        return user


def login_verified(client: Any, user: User) -> Any:
    """``force_login`` with the second step settled (issue 24): Django admin
    and the staff console refuse an operator's session without it, and a
    user with a factor is held on the verification page."""
    from mfa.session import STATE, VERIFIED

    client.force_login(user)
    session = client.session
    session[STATE] = VERIFIED
    session.save()
    return client
