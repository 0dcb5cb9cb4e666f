"""Isolation sweep (issue 15; DESIGN.md Tenancy; HOME-5): every URL pattern,
GET and POST, as anonymous, ユーザ, 管理者, another tenant's 管理者 and an
operator, with the ids of another tenant's objects → refused, no leak, no
500, no change. New URLs are covered the day they are added."""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from tests.security.sweep import routes, run_sweep
from tests.security.world import build_world, tenant_models

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def world(db):
    return build_world()


def test_world_holds_a_victim_row_of_every_tenant_model(world):
    """The sweep is only as good as its data: every tenant model the generic
    builder cannot make is named here (and must be few)."""
    missing = [m._meta.label for m in tenant_models() if m not in world.victim_rows]
    assert not missing, f"no victim rows for {missing}: {world.unbuilt}"


def test_isolation_sweep_every_url_every_role(world, capsys):
    started = time.monotonic()
    result = run_sweep(world)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nisolation sweep: {result.probes} probes over {result.routes} URL patterns "
            f"in {elapsed:.1f}s; skipped {result.skipped}"
        )
    assert result.routes >= 40, "the URL walk found too few patterns"
    assert not result.failures, "\n".join(result.failures[:60])


# --- The sweep catches a URL that forgets scoping -------------------------


def leaky_detail(request, pk):
    """What a careless view would do: leave the scope and fetch by pk."""
    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        user = User.objects.filter(pk=pk).first()
    return HttpResponse(f"{user.last_name} {user.email}" if user else "")


def leaky_update(request, user_pk):
    from accounts.models import User

    User._base_manager.filter(pk=user_pk).update(first_name="changed")
    return HttpResponse("ok")


urlpatterns = [
    path("leak/<int:pk>/", leaky_detail, name="leak"),
    path("leak/<int:user_pk>/touch/", leaky_update, name="leak_touch"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_sweep_fails_on_an_unscoped_view(world):
    result = run_sweep(
        world, route_list=routes(), only=lambda route: route.text.startswith("leak/")
    )
    assert result.probes > 0
    text = "\n".join(result.failures)
    assert "with another tenant's id" in text
    assert "shows another tenant's data" in text
    assert "changed the other tenant's rows in ['accounts.User']" in text
