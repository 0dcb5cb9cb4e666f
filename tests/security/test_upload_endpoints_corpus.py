"""The malformed corpus against every upload endpoint of the chapters (issue 15).

``ENDPOINTS`` is the table of every view that takes files: each names the form
classes and the views reading ``request.FILES`` it covers, and
``test_every_upload_endpoint_is_in_the_table`` finds them in the code (every
form class with a FileField, every model FileField behind an admin form, every
function reading ``request.FILES``), so a new upload view fails until it is
added here.

Each endpoint gets every corpus file, named with one of the extensions its
policy allows (rotating through them, upper case every third probe; a kind is
moved on to the next extension when its bytes truly are the current one), with
otherwise valid form data, posted by a legitimate user of the right role. The
multiple-file fields get a valid companion file every fourth probe: a bad file
takes the good one down with it. Every probe must be refused with the shared
module's Japanese message naming the problem, no response is a server error,
and nothing changes (every row of every model, the stored files on disk).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import pkgutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bulletin.models import Category
from bulletin.policies import BULLETIN_ATTACHMENT
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.demo import ensure_trouble_forms
from inquiries.models import Inquiry
from notifications.admin import MANUAL_FILE
from tenants.scoping import operator_scope
from tests.factories import ContractFactory, login_verified
from tests.inquiries.test_trouble_form import valid_data
from tests.security.upload_corpus import corpus
from tests.uploads.active_corpus import ACTIVE_CORPUS
from tests.uploads.samples import PDF, image_bytes
from uploads.models import StoredFile
from uploads.policies import Kind, UploadPolicy, kind_for_extension
from uploads.validation import check_upload

# What a corpus kind truly is: naming it so is not an attack (as in
# test_upload_corpus_check). The CSV kinds below are malformed only as a user
# import (bad rows, wrong header, a 600 kB cell); as a .csv or .txt
# attachment they are well-formed text and rightly accepted. (A cell holding
# "<script>" and the noise "PDF" are refused under their own extension too
# since issue 21: text with HTML anywhere, a PDF pypdf cannot parse.)
_TEXT = frozenset({"csv", "txt"})
# The broken images (a JPEG/GIF header then noise), the GIFAR and the
# PDF/CSV polyglot are probed under their own extension too: they are not
# whole files of that type.
TRUE_TYPES: dict[str, frozenset[str]] = {
    "png": frozenset({"png"}),  # a whole PNG, then noise (re-encoding drops it)
    "bad-row": _TEXT,
    "wrong-header": _TEXT,
    "extra-columns": _TEXT,
    "huge-field": _TEXT,
    "unbalanced-quote": _TEXT,
    "truncated-header": _TEXT,
    "huge-csv": _TEXT,
}
CORPUS_SIZE = 62  # two rounds of every kind, plus the three single files


@dataclass(frozen=True)
class Endpoint:
    name: str
    policy: UploadPolicy
    field: str
    role: str  # "admin" (alice), "user" (bob), "operator"
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]]
    forms: tuple[str, ...]  # form classes this endpoint covers
    views: tuple[str, ...]  # functions reading request.FILES it covers
    multiple: bool = False

    @property
    def extensions(self) -> list[str]:
        return [ext for kind in self.policy.sorted_kinds for ext in kind.extensions]


ENDPOINTS = [
    Endpoint(
        "bulletin:article_add",
        BULLETIN_ATTACHMENT,
        "attachments",
        "admin",
        lambda w: reverse("bulletin:article_add"),
        lambda w: {
            "category": w["category"].pk,
            "title": "お知らせ",
            "body": "本文です。",
            "notify": "no",
        },
        forms=("bulletin.forms.ArticleForm",),
        views=("bulletin.views.articles.article_add",),
        multiple=True,
    ),
    Endpoint(
        "inquiries:trouble_form (確認)",
        INQUIRY_ATTACHMENT,
        "files",
        "user",
        lambda w: reverse("inquiries:trouble_form", args=[w["service"].code]),
        lambda w: valid_data(w["service"]),
        forms=("inquiries.forms.AttachmentsForm",),
        views=("inquiries.views.trouble_form",),
        multiple=True,
    ),
    Endpoint(
        "inquiries:send_message",
        INQUIRY_ATTACHMENT,
        "files",
        "user",
        lambda w: reverse("inquiries:send_message", args=[w["inquiry"].pk]),
        lambda w: {"body": "まだ直りません。"},
        forms=("inquiries.forms.MessageForm",),
        views=("inquiries.views.send_message",),
        multiple=True,
    ),
    Endpoint(
        "inquiries_staff:detail (回答)",
        INQUIRY_ATTACHMENT,
        "files",
        "operator",
        lambda w: reverse("inquiries_staff:detail", args=[w["inquiry"].pk]),
        lambda w: {"body": "復旧しました。"},
        forms=("inquiries.forms.MessageForm",),
        views=("inquiries.views_staff.inquiry_detail",),
        multiple=True,
    ),
    Endpoint(
        "customization:link_add",
        LINK_ICON,
        "icon",
        "admin",
        lambda w: reverse("customization:link_add"),
        lambda w: {"title": "社内ポータル", "url": "https://intra.example.com/"},
        forms=("customization.forms.LinkForm",),
        views=("customization.views._bound",),
    ),
    Endpoint(
        "customization:site_logo",
        SITE_LOGO,
        "logo",
        "admin",
        lambda w: reverse("customization:site_logo"),
        lambda w: {},
        forms=("customization.forms.SiteLogoForm",),
        views=("customization.views._bound",),
    ),
    Endpoint(
        "customization:login_page",
        LOGIN_LOGO,
        "logo",
        "admin",
        lambda w: reverse("customization:login_page"),
        lambda w: {"use_alias": "off", "alias": "", "logo_choice": "custom"},
        forms=("customization.forms.LoginPageForm",),
        views=("customization.views._bound",),
    ),
    Endpoint(
        "admin:notifications_servicemanual_add",
        MANUAL_FILE,
        "file",
        "operator",
        lambda w: reverse("admin:notifications_servicemanual_add"),
        lambda w: {"service": w["service"].pk, "title": "マニュアル", "display_order": 0},
        forms=("notifications.admin.ServiceManualForm", "model:notifications.ServiceManual"),
        views=(),
    ),
]
# Upload endpoints whose corpus run lives in another test: the user CSV
# import (users:import), tests/security/test_upload_corpus.py.
COVERED_ELSEWHERE_FORMS = {"users.forms.CsvUploadForm"}
COVERED_ELSEWHERE_VIEWS = {"users.views.users_csv.import_upload"}


# --- discovery -----------------------------------------------------------------------


def _project_apps() -> list[Any]:
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
    ]


def _project_modules() -> list[str]:
    names = []
    for config in _project_apps():
        module = importlib.import_module(config.name)
        names.append(config.name)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{config.name}."):
            # Migrations and tests take no uploads; the settings modules other
            # than the running one need their own environment.
            if any(part in info.name for part in (".migrations", ".tests", ".settings")):
                continue
            names.append(info.name)
    return names


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _forms_with_files(modules: list[str]) -> set[str]:
    found = set()
    for cls in _all_subclasses(forms.BaseForm):
        if cls.__module__ not in modules:
            continue
        try:
            fields = cls.base_fields
        except AttributeError:
            continue
        if any(isinstance(field, forms.FileField) for field in fields.values()):
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    for model in apps.get_models():
        if model._meta.app_config in _project_apps() and any(
            isinstance(field, models.FileField) for field in model._meta.get_fields()
        ):
            found.add(f"model:{model._meta.label}")
    return found


def _views_reading_files(modules: list[str]) -> set[str]:
    found = set()
    for name in modules:
        source = inspect.getsource(importlib.import_module(name))
        if "FILES" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(sub, ast.Attribute) and sub.attr == "FILES" for sub in ast.walk(node)
            ):
                found.add(f"{name}.{node.name}")
    return found


def test_every_upload_endpoint_is_in_the_table():
    modules = _project_modules()
    for name in modules:
        importlib.import_module(name)
    covered_forms = {f for e in ENDPOINTS for f in e.forms} | COVERED_ELSEWHERE_FORMS
    covered_views = {v for e in ENDPOINTS for v in e.views} | COVERED_ELSEWHERE_VIEWS
    file_forms = _forms_with_files(modules)
    file_views = _views_reading_files(modules)
    # The discovery itself works: it finds what the table names.
    assert {"bulletin.forms.ArticleForm", "model:notifications.ServiceManual"} <= file_forms
    assert "inquiries.views.send_message" in file_views
    assert not file_forms - covered_forms, (
        f"upload forms missing from ENDPOINTS: {file_forms - covered_forms}"
    )
    assert not file_views - covered_views, (
        f"views reading request.FILES missing: {file_views - covered_views}"
    )
    assert not covered_forms - file_forms, f"stale ENDPOINTS entries: {covered_forms - file_forms}"
    assert not covered_views - file_views, f"stale ENDPOINTS entries: {covered_views - file_views}"


# --- the corpus run ------------------------------------------------------------------


def _world_digest(media_root: Path) -> dict[str, str]:
    """Every row of every model (sessions aside: logging in writes them) and
    the stored files on disk, each as one digest."""
    digest = {}
    with operator_scope():
        for model in apps.get_models():
            if model is Session:
                continue
            rows = list(model._base_manager.order_by("pk").values_list())
            digest[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    files = (
        sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
        if media_root.exists()
        else []
    )
    digest["media"] = hashlib.sha256(repr(files).encode()).hexdigest()
    return digest


def _probe_name(kind: str, name: str, ext: str) -> str:
    if kind == "wrong-extension":  # the point of this one: a double extension
        return f"users.{ext}.exe"
    return f"{name.rsplit('.', 1)[0]}.{ext}"


def _pick_extension(endpoint: Endpoint, kind: str, index: int) -> str | None:
    exts = endpoint.extensions
    true = TRUE_TYPES.get(kind, frozenset())
    for step in range(len(exts)):
        ext = exts[(index + step) % len(exts)]
        if ext not in true:
            return ext.upper() if index % 3 == 2 else ext
    return None


def _expected_messages(name: str, content: bytes, policy: UploadPolicy) -> list[str]:
    """What the shared module says about this file, in Japanese."""
    with translation.override("ja"):
        try:
            check_upload(SimpleUploadedFile(name, content), policy=policy)
        except ValidationError as exc:
            return [str(m) for m in exc.messages]
    return []


def _bound_forms(response: Any) -> list[forms.BaseForm]:
    found = []
    for context in response.context or []:
        for value in context.flatten().values():
            form = getattr(value, "form", value)  # the admin wraps its form
            if isinstance(form, forms.BaseForm) and form.is_bound and form not in found:
                found.append(form)
    return found


def _field_errors(response: Any, field: str) -> list[str]:
    """The errors the re-rendered form holds on the upload field."""
    return [str(e) for form in _bound_forms(response) for e in form.errors.get(field, [])]


def _all_errors(response: Any) -> list[str]:
    return [
        str(e) for form in _bound_forms(response) for errors in form.errors.values() for e in errors
    ]


def _genuine_file(policy: UploadPolicy) -> SimpleUploadedFile:
    if Kind.PDF in policy.kinds:
        return SimpleUploadedFile("正しい資料.pdf", PDF, "application/pdf")
    return SimpleUploadedFile("ロゴ.png", image_bytes("PNG", (60, 20)), "image/png")


@pytest.fixture
def world(tenant_a, alice, bob, operator, services, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_trouble_forms()
    service = services["ether_economy"]
    ContractFactory(tenant=tenant_a, service=service, number="A-ether")
    inquiry = Inquiry.objects.create(
        tenant=tenant_a,
        service=service,
        subject="通信できない",
        answers=[{"label": "回線 ID", "value": "EE-1"}],
        contact_email=bob.email,
        created_by=bob,
    )
    with operator_scope():
        category = Category.objects.get(tenant=tenant_a, is_default=True)
    clients = {}
    for role, user in (("admin", alice), ("user", bob), ("operator", operator)):
        clients[role] = Client(raise_request_exception=False)  # a 500 is counted, not raised
        login_verified(clients[role], user)
    return {
        "service": service,
        "inquiry": inquiry,
        "category": category,
        "clients": clients,
        "media": tmp_path / "media",
    }


@pytest.mark.django_db
def test_every_upload_endpoint_refuses_the_corpus(world, capsys):
    files = corpus(size=CORPUS_SIZE)
    kinds = {kind for kind, _name, _content in files}
    problems: list[str] = []
    figures: list[str] = []
    total = refused_total = skipped_total = 0
    for number, endpoint in enumerate(ENDPOINTS):
        client = world["clients"][endpoint.role]
        url = endpoint.url(world)
        before = _world_digest(world["media"])
        with operator_scope():
            stored_before = StoredFile.objects.count()
        probes = refused = skipped = server_errors = 0
        probed_kinds: set[str] = set()
        codes: Counter[int] = Counter()
        for index, (kind, name, content) in enumerate(files):
            ext = _pick_extension(endpoint, kind, index + number)
            if ext is None:
                skipped += 1
                continue
            filename = _probe_name(kind, name, ext)
            expected = _expected_messages(filename, content, endpoint.policy)
            if not expected:
                problems.append(f"{endpoint.name} {kind} {filename}: check_upload accepts it")
                continue
            upload = [SimpleUploadedFile(filename, content, "application/octet-stream")]
            if endpoint.multiple and index % 4 == 0:
                upload.append(SimpleUploadedFile("正しい資料.pdf", PDF, "application/pdf"))
            data = {
                **endpoint.data(world),
                endpoint.field: upload if endpoint.multiple else upload[0],
            }
            response = client.post(url, data)
            probes += 1
            probed_kinds.add(kind)
            codes[response.status_code] += 1
            if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                server_errors += 1
                problems.append(f"{endpoint.name} {kind} {filename}: {response.status_code}")
                continue
            if response.status_code not in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST):
                problems.append(
                    f"{endpoint.name} {kind} {filename}: accepted ({response.status_code})"
                )
                continue
            text = response.content.decode()
            missing = [m for m in expected if escape(m) not in text]
            on_field = _field_errors(response, endpoint.field)
            if missing or not all(any(m in error for error in on_field) for m in expected):
                problems.append(
                    f"{endpoint.name} {kind} {filename}: no message {missing or expected} ({on_field})"
                )
                continue
            refused += 1
        after = _world_digest(world["media"])
        changed = sorted(label for label in before if before[label] != after[label])
        if changed:
            problems.append(f"{endpoint.name}: changed {changed}")
        with operator_scope():
            assert StoredFile.objects.count() == stored_before
        # A kind is left out only where every allowed extension is its true type.
        exempt = {k for k in kinds if set(endpoint.extensions) <= TRUE_TYPES.get(k, set())}
        # The control: the same form data with a genuine file goes through, so
        # the refusals above are the file's doing (this one may change things).
        genuine = _genuine_file(endpoint.policy)
        data = {**endpoint.data(world), endpoint.field: [genuine] if endpoint.multiple else genuine}
        control = client.post(url, data)
        went_on = control.status_code == HTTPStatus.FOUND or (
            control.status_code == HTTPStatus.OK and "confirm" in control.templates[0].name
        )  # to 完了, or to the 確認 page
        if not went_on or any(_all_errors(control)):
            problems.append(
                f"{endpoint.name}: a genuine file is refused too ({control.status_code}, {_all_errors(control)})"
            )
        if probed_kinds | exempt != kinds:
            problems.append(f"{endpoint.name}: kinds never probed {sorted(kinds - probed_kinds)}")
        total += probes
        refused_total += refused
        skipped_total += skipped
        figures.append(
            f"  {endpoint.name}: {probes} probes, {refused} refused with a message, "
            f"{server_errors} server errors, statuses {dict(codes)}; a genuine file: {control.status_code}"
        )
    with capsys.disabled():
        print(
            f"\nupload endpoints corpus: {len(files)} files ({len(kinds)} kinds) x {len(ENDPOINTS)} endpoints, "
            f"{total} probes, {refused_total} refused, {skipped_total} skipped (true type)"
        )
        print("\n".join(figures))
    assert not problems, "\n".join(problems[:60])
    assert total >= 300
    assert refused_total == total


@pytest.mark.django_db
def test_every_upload_endpoint_refuses_active_content(world):
    """Issue 21, finding 6: each file of the active corpus (scripting PDFs,
    OOXML with a DTD, bad paths, nested archives, bytes around the zip, text
    with HTML anywhere), posted to every endpoint whose policy takes its
    extension, is refused with the module's message and changes nothing."""
    problems: list[str] = []
    probes = 0
    probed: set[str] = set()
    for endpoint in ENDPOINTS:
        client = world["clients"][endpoint.role]
        before = _world_digest(world["media"])
        for case, (filename, content, _code) in ACTIVE_CORPUS.items():
            if kind_for_extension(filename.rsplit(".", 1)[1]) not in endpoint.policy.kinds:
                continue
            expected = _expected_messages(filename, content, endpoint.policy)
            upload = SimpleUploadedFile(filename, content, "application/octet-stream")
            data = {**endpoint.data(world), endpoint.field: [upload] if endpoint.multiple else upload}
            response = client.post(endpoint.url(world), data)
            probes += 1
            probed.add(case)
            on_field = _field_errors(response, endpoint.field)
            if response.status_code not in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST) or not expected or not all(
                any(m in error for error in on_field) for m in expected
            ):
                problems.append(f"{endpoint.name} {case}: {response.status_code} {on_field}")
        if _world_digest(world["media"]) != before:
            problems.append(f"{endpoint.name}: something changed")
    assert not problems, "\n".join(problems)
    assert probed == set(ACTIVE_CORPUS)  # every case reaches at least one endpoint
    assert probes >= 80
