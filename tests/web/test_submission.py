"""The one 入力 → 確認 → 完了 flow (issue 19): a 完了 never runs twice.

The chapters' own tests post their real forms twice; these pin the kit's
contract with a real row as the change (a Tenant) and real requests."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from django import forms
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from tenants.models import Tenant
from tests.factories import TenantFactory
from web import submission
from web.models import CompletedSubmission

pytestmark = pytest.mark.django_db


def _request(user, data: dict | None = None):
    request = RequestFactory().post("/flow/", data or {}) if data is not None else RequestFactory().get("/flow/")
    request.user = user
    request.session = SessionStore()
    return request


def _posted(user, token: str):
    return _request(user, {submission.STAGE_FIELD: submission.DONE, submission.TOKEN_FIELD: token})


def _make_tenant(code: str):
    def change():
        TenantFactory(code=code)
        return "/done/" + code + "/"

    return change


def test_stage_reads_the_one_protocol(alice):
    assert submission.stage(_request(alice)) == submission.INPUT
    assert submission.stage(_request(alice, {"title": "x"})) == submission.CONFIRM
    assert submission.stage(_request(alice, {"stage": "done"})) == submission.DONE
    assert submission.stage(_request(alice, {"stage": "done", "back": "1"})) == submission.INPUT


def test_first_complete_changes_and_redirects(alice):
    token = submission.issue_token(_request(alice))
    response = submission.complete(_posted(alice, token), _make_tenant("T1"))
    assert isinstance(response, HttpResponseRedirect) and response.url == "/done/T1/"
    assert Tenant.objects.filter(code="T1").count() == 1
    assert CompletedSubmission.objects.get().result_url == "/done/T1/"


def test_same_token_twice_changes_once_and_shows_the_already_done_page(alice):
    """Back + 完了 again: one object, and 「この操作はすでに完了しています」 with
    a link to the first result, not an error."""
    token = submission.issue_token(_request(alice))
    submission.complete(_posted(alice, token), _make_tenant("T2"))
    second = submission.complete(_posted(alice, token), _make_tenant("T2b"))
    assert second.status_code == HTTPStatus.OK
    body = second.content.decode()
    assert "この操作はすでに完了しています" in body
    assert 'href="/done/T2/"' in body
    assert not Tenant.objects.filter(code="T2b").exists()
    assert CompletedSubmission.objects.count() == 1


def test_a_redirect_response_is_accepted_as_the_result(alice):
    token = submission.issue_token(_request(alice))
    response = submission.complete(_posted(alice, token), lambda: redirect("/somewhere/"))
    assert response.url == "/somewhere/"


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "x:y:z"],
    ids=["missing", "garbage", "malformed"],
)
def test_no_valid_token_changes_nothing_and_asks_again(alice, token):
    form = forms.Form(data={})
    form.is_valid()
    assert submission.complete(_posted(alice, token), _make_tenant("T3"), form=form) is None
    assert not Tenant.objects.filter(code="T3").exists()
    assert "もう一度「完了」を押してください" in str(form.non_field_errors())


def test_another_users_token_is_refused(alice, bob):
    token = submission.issue_token(_request(alice))
    assert submission.complete(_posted(bob, token), _make_tenant("T4")) is None
    assert not Tenant.objects.filter(code="T4").exists()


def test_an_edited_token_is_refused(alice):
    token = submission.issue_token(_request(alice))
    assert submission.complete(_posted(alice, token[:-2] + "xx"), _make_tenant("T5")) is None


def test_an_expired_token_is_refused(alice):
    with freeze_time(timezone.now() - timedelta(days=2)):
        token = submission.issue_token(_request(alice))
    assert submission.complete(_posted(alice, token), _make_tenant("T6")) is None
    assert not Tenant.objects.filter(code="T6").exists()


class Refused(Exception):
    pass


def test_a_failing_change_leaves_the_token_unused(alice):
    """The chapter's domain error rolls the token back with the change, so
    the user can correct and press 完了 with the same 確認 page."""
    token = submission.issue_token(_request(alice))

    def failing():
        TenantFactory(code="T7")
        raise Refused

    with pytest.raises(Refused):
        submission.complete(_posted(alice, token), failing)
    assert not Tenant.objects.filter(code="T7").exists()
    assert not CompletedSubmission.objects.exists()
    response = submission.complete(_posted(alice, token), _make_tenant("T7"))
    assert response.url == "/done/T7/"


def test_the_template_tag_renders_stage_and_a_valid_token(alice):
    request = _request(alice)
    html = Template("{% load web %}{% submission_fields %}").render(Context({"request": request}))
    assert 'name="stage" value="done"' in html
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    assert submission.complete(_posted(alice, token), _make_tenant("T8")).url == "/done/T8/"


def test_purge_forgets_only_tokens_that_can_no_longer_be_posted(alice):
    old = CompletedSubmission.objects.create(nonce="old", user=alice)
    CompletedSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    CompletedSubmission.objects.create(nonce="new", user=alice)
    assert submission.purge_completed_submissions() == 1
    assert list(CompletedSubmission.objects.values_list("nonce", flat=True)) == ["new"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completes_with_one_token_change_once(alice):
    """Two tabs (or two gunicorn workers) pressing 完了 at the same moment:
    the second waits on the token's row and then shows the already-done page."""
    token = submission.issue_token(_request(alice))
    results: list = []

    def slow_change():
        TenantFactory(code=f"TC{len(results)}{threading.get_ident() % 1000}")
        time.sleep(0.5)
        return "/done/concurrent/"

    def worker():
        try:
            results.append(submission.complete(_posted(alice, token), slow_change))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Tenant.objects.filter(code__startswith="TC").count() == 1
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["HttpResponse", "HttpResponseRedirect"]
