"""USER-8 under concurrency: a deletion racing with a representative change
must not delete the new representative (the tenant would be left without one)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import User
from tenants.scoping import tenant_scope
from tests.factories import UserFactory
from users.services.contract import change_representative
from users.services.user_deletion import delete_users

# Row locks between concurrent transactions: PostgreSQL itself.
pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_user8_delete_racing_a_representative_change_spares_the_new_representative(tenant_a, alice):
    dave = UserFactory(tenant=tenant_a, email="dave@a.example.com", role=User.Role.ADMIN)
    result: dict = {}

    def delete_dave() -> None:
        try:
            with tenant_scope(tenant_a.pk):
                result["outcome"] = delete_users(tenant=tenant_a, actor=alice, user_ids=[dave.pk])
        finally:
            connection.close()

    with tenant_scope(tenant_a.pk), transaction.atomic():
        change_representative(tenant=tenant_a, new_admin=dave, actor=alice)
        worker = threading.Thread(target=delete_dave)
        worker.start()
        time.sleep(0.5)  # the deletion now waits on the representative change's row locks
    worker.join(10)
    assert User.all_objects.filter(pk=dave.pk, is_representative=True).exists()
    assert result["outcome"].deleted == []


@pytest.mark.django_db(transaction=True)
def test_user7_suspension_racing_a_representative_change_spares_the_new_representative(tenant_a, alice):
    from users.services.errors import UserAdminError
    from users.services.user_accounts import set_status

    dave = UserFactory(tenant=tenant_a, email="dave@a.example.com", role=User.Role.ADMIN)
    result: dict = {}

    def suspend_dave() -> None:
        try:
            with tenant_scope(tenant_a.pk):
                set_status(user=dave, actor=alice, status=User.Status.SUSPENDED)
        except UserAdminError as exc:
            result["refused"] = str(exc)
        finally:
            connection.close()

    with tenant_scope(tenant_a.pk), transaction.atomic():
        change_representative(tenant=tenant_a, new_admin=dave, actor=alice)
        worker = threading.Thread(target=suspend_dave)
        worker.start()
        time.sleep(0.5)
    worker.join(10)
    assert User.all_objects.get(pk=dave.pk).status == User.Status.ACTIVE
    assert "refused" in result


@pytest.mark.django_db(transaction=True)
def test_user7_id_change_racing_another_add_of_the_same_id_is_a_form_error(tenant_a, alice, bob):
    """Two admins taking the same new user ID at once: the loser gets the
    usual 『このユーザ ID は既に使用されています。』, not a server error."""
    from django.core.exceptions import ValidationError

    from accounts.models import LoginId
    from users.services.user_accounts import PROFILE_FIELDS, update_user

    data = {k: getattr(bob, k) for k in PROFILE_FIELDS}
    data["email"] = "taken@a.example.com"
    result: dict = {}

    def change_bob() -> None:
        try:
            with tenant_scope(tenant_a.pk):
                update_user(user=bob, actor=alice, data=data)
        except ValidationError as exc:
            result["error"] = exc.message_dict
        except Exception as exc:  # noqa: BLE001 - what the request would turn into a 500
            result["crash"] = repr(exc)
        finally:
            connection.close()

    carol = UserFactory(tenant=tenant_a, email="carol@a.example.com")
    with transaction.atomic():
        LoginId.objects.filter(user=carol).update(login_id="taken@a.example.com")
        worker = threading.Thread(target=change_bob)
        worker.start()
        time.sleep(0.5)  # bob's change passed the exists() check and waits on the unique index
    worker.join(10)
    assert "crash" not in result, result
    assert "email" in result["error"]
    assert User.all_objects.get(pk=bob.pk).email == "bob@a.example.com"
