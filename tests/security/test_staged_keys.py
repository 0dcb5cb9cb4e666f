"""Staged-file keys are user input (issue 21, finding 8; issue 19).

Every form of bulletin, customization and inquiries that carries the key of a
file staged at 確認 gets crafted keys: malformed ones (``Fuzz`` was a 500
``NoReverseMatch`` in customization/images.py), and well-formed keys that
are not the poster's staged file (unknown, another tenant's, another user's,
another purpose's, already attached). Each is refused with a Japanese form
error, at 確認 and at 完了 (with a valid token), never a 500, and nothing is
created or attached."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from bulletin.models import Category
from bulletin.policies import BULLETIN_ATTACHMENT
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.demo import ensure_trouble_forms
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory, UserFactory, login_verified
from tests.inquiries.test_trouble_form import valid_data
from tests.uploads.samples import PDF, image_bytes
from uploads import staging
from uploads.models import StoredFile
from uploads.services import attach_files
from uploads.validation import check_upload
from web import submission

MALFORMED = [
    "Fuzz",
    "../../etc/passwd",
    "{12345678-1234-5678-1234-567812345678}",
    "urn:uuid:12345678-1234-5678-1234-567812345678",
    "12345678-1234-5678-1234-56781234567",
    "<script>alert(1)</script>",
    "x" * 5000,
]
REFUSED = ("添付ファイルの指定が正しくありません", "有効期限が切れました")

# name, client role, URL, form data without the key, the key's field, its policy
ENDPOINTS = [
    ("bulletin:article_add", "admin", lambda w: reverse("bulletin:article_add"),
     lambda w: {"category": w["category"].pk, "title": "お知らせ", "body": "本文", "notify": "no"},
     "attachment_keys", BULLETIN_ATTACHMENT),
    ("customization:link_add", "admin", lambda w: reverse("customization:link_add"),
     lambda w: {"title": "社内", "url": "https://intra.example.com/"}, "staged_key", LINK_ICON),
    ("customization:site_logo", "admin", lambda w: reverse("customization:site_logo"),
     lambda w: {}, "staged_key", SITE_LOGO),
    ("customization:login_page", "admin", lambda w: reverse("customization:login_page"),
     lambda w: {"use_alias": "off", "alias": "", "logo_choice": "custom"}, "staged_key", LOGIN_LOGO),
    ("inquiries:trouble_form", "user", lambda w: reverse("inquiries:trouble_form", args=["ether_economy"]),
     lambda w: valid_data(w["service"]), "staged", INQUIRY_ATTACHMENT),
]


def _stage(tenant, user, policy, *, attached: bool = False) -> str:
    name, content = ("a.pdf", PDF) if "pdf" in policy.kinds else ("a.png", image_bytes("PNG", (60, 20)))
    with tenant_scope(tenant):
        [stored] = staging.stage(
            tenant=tenant, uploads=[check_upload(SimpleUploadedFile(name, content), policy=policy)],
            policy=policy, user=user,
        )
        if attached:
            attach_files(tenant=tenant, keys=[stored.key], purpose=policy.purpose)
    return str(stored.key)


@pytest.fixture
def world(tenant_a, alice, bob, charlie, services, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_trouble_forms()
    service = services["ether_economy"]
    ContractFactory(tenant=tenant_a, service=service, number="A-ether")
    with operator_scope():
        category = Category.objects.get(tenant=tenant_a, is_default=True)
    other_admin = UserFactory(tenant=tenant_a, role=User.Role.ADMIN)
    clients = {}
    for role, user in (("admin", alice), ("user", bob)):
        clients[role] = Client(raise_request_exception=False)  # a 500 is counted, not raised
        login_verified(clients[role], user)
    return {"service": service, "category": category, "clients": clients, "users": {"admin": alice, "user": bob},
            "other_admin": other_admin, "charlie": charlie, "tenant": tenant_a}


def _foreign_keys(world, role, policy) -> dict[str, str]:
    """Well-formed keys that are not the poster's staged file of this form."""
    me = world["users"][role]
    someone = world["other_admin"] if role == "user" else UserFactory(tenant=world["tenant"], role=User.Role.ADMIN)
    other_policy = BULLETIN_ATTACHMENT if policy is not BULLETIN_ATTACHMENT else INQUIRY_ATTACHMENT
    return {
        "unknown": "00000000-0000-0000-0000-000000000000",
        "another tenant's": _stage(world["charlie"].tenant, world["charlie"], policy),
        "another user's": _stage(world["tenant"], someone, policy),
        "another purpose's": _stage(world["tenant"], me, other_policy),
        "already attached": _stage(world["tenant"], me, policy, attached=True),
    }


def _token(user) -> str:
    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return submission.issue_token(request)


def _state():
    with operator_scope():
        return (
            AuditEntry.objects.exclude(action="uploads.file.stored").count(),
            sorted(StoredFile.objects.values_list("key", "attached")),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_issue21_every_form_refuses_crafted_staged_keys(world, endpoint):
    name, role, url, data, field, policy = endpoint
    client, user = world["clients"][role], world["users"][role]
    keys = {f"malformed {k[:12]!r}": k for k in MALFORMED} | _foreign_keys(world, role, policy)
    before = _state()
    problems = []
    for label, key in keys.items():
        for stage in ("確認", "完了"):
            extra = {"stage": "done", "submission_token": _token(user)} if stage == "完了" else {}
            response = client.post(url(world), {**data(world), field: [key], **extra})
            text = response.content.decode() if response.status_code == HTTPStatus.OK else ""
            if response.status_code != HTTPStatus.OK or not any(m in text for m in REFUSED):
                problems.append(f"{name} {stage} {label}: {response.status_code}")
            elif "confirm" in response.templates[0].name:
                problems.append(f"{name} {stage} {label}: reached 確認")
    assert not problems, "\n".join(problems)
    assert _state() == before  # nothing created, attached or audited


def test_issue21_parse_keys_accepts_only_the_kits_format():
    key = "12345678-1234-5678-1234-567812345678"
    assert [str(k) for k in staging.parse_keys([key, "", key.upper()])] == [key]
    for bad in MALFORMED:
        with pytest.raises(ValueError):
            staging.parse_keys([bad])
