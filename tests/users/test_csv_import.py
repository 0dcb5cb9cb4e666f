"""USER-6: ユーザ一括追加／変更 — dry run, all or nothing, encodings, background job."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Organization, OrganizationMembership, User, UserImport
from tenants.scoping import operator_scope, tenant_scope
from tests.users.users_helpers import audit, login_id_exists, outbox, user_by_email, user_count
from tests.web.flow import complete, confirm_fields
from users import csv as user_csv
from users.services import user_imports

HEADER = ",".join(user_csv.headers())


def make_csv(*rows: str, header: str = HEADER, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def row(email: str, last="山田", first="太郎", role="ユーザ", org="", notify=None, affiliation="営業部",
        phone="0312345678", kana=("ヤマダ", "タロウ")) -> str:
    return ",".join([email, last, first, kana[0], kana[1], affiliation, role, phone, notify or email, org])


def upload(client, content: bytes, name: str = "users.csv"):
    return client.post(reverse("users:import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def apply(client, job):
    """反映 from the dry run's page, with its one-time token (issue 19)."""
    page = client.get(reverse("users:import_detail", args=[job.pk]))
    return complete(client, reverse("users:import_apply", args=[job.pk]), page)


def latest() -> UserImport:
    with operator_scope():
        return UserImport.objects.order_by("-pk").first()


def test_user6_import_page_documents_the_format(alice_client):
    body = alice_client.get(reverse("users:import")).content.decode()
    assert "ユーザ一括追加／変更" in body and "テンプレートをダウンロード" in body
    for header in user_csv.headers():
        assert header in body
    template = alice_client.get(reverse("users:import_template"))
    assert template.content.startswith(b"\xef\xbb\xbf" + HEADER.encode())


def test_user6_dry_run_counts_then_apply_adds_and_changes(
    alice_client, alice, bob, tenant_a, django_capture_on_commit_callbacks, mailoutbox
):
    content = make_csv(
        row("new1@a.example.com"),
        row("new2@a.example.com", role="管理者"),
        row("bob@a.example.com", last="坊野", first="ボブ", affiliation="総務"),
    )
    response = upload(alice_client, content)
    job = latest()
    assert response.url == reverse("users:import_detail", args=[job.pk])
    assert (job.status, job.to_add, job.to_change, job.error_count) == ("valid", 2, 1, 0)
    body = alice_client.get(response.url).content.decode()
    assert "追加するユーザ" in body and "反映" in body
    # The dry run changed nothing.
    assert user_by_email("new1@a.example.com") is None
    assert user_by_email("bob@a.example.com").last_name == "坊"

    with django_capture_on_commit_callbacks(execute=True):
        done = apply(alice_client, job)
    assert done.url == reverse("users:import_detail", args=[job.pk])
    response = alice_client.get(done.url)
    assert "反映が完了しました" in response.content.decode()
    new1, new2 = user_by_email("new1@a.example.com"), user_by_email("new2@a.example.com")
    assert new1.status == User.Status.PENDING and not new1.has_usable_password()
    assert new2.role == User.Role.ADMIN
    assert login_id_exists("new1@a.example.com") and login_id_exists("new2@a.example.com")
    bob.refresh_from_db()
    assert (bob.last_name, bob.affiliation) == ("坊野", "総務")
    assert bob.status == User.Status.ACTIVE and bob.has_usable_password()  # a change keeps the password
    assert sorted(m.to[0] for m in outbox("account_setup")) == ["new1@a.example.com", "new2@a.example.com"]
    assert sorted(m.to[0] for m in mailoutbox) == ["new1@a.example.com", "new2@a.example.com"]
    assert len(audit("accounts.user.created")) == 2 and len(audit("accounts.user.updated")) == 1
    assert audit("accounts.user_import.applied")[0].data == {"added": 2, "changed": 1}
    assert bytes(latest().content) == b""  # the personal data in the file is not kept once applied


def test_user6_one_bad_row_shows_line_column_reason_and_changes_nothing(alice_client, alice, bob, tenant_a):
    before = user_count(tenant_a)
    content = make_csv(
        row("ok@a.example.com"),
        row("bad@a.example.com", last="山" * 11),
        row("bob@a.example.com", last="坊野"),
        row("worse@a.example.com", kana=("やまだ", "タロウ"), phone="03-1234"),
    )
    response = upload(alice_client, content)
    job = latest()
    assert job.status == "invalid" and job.error_count == 3
    assert {(e["line"], e["column"]) for e in job.errors} == {(3, "姓"), (5, "姓カナ"), (5, "サービス利用電話番号")}
    body = alice_client.get(response.url).content.decode()
    assert "エラーが 3 件あります" in body and "全角 10 文字以内" in body and "全角カタカナ" in body
    assert "反映" not in body.replace("ユーザは追加・変更されていません", "")
    # Applying an invalid file is refused; nothing changed at all.
    alice_client.post(reverse("users:import_apply", args=[job.pk]))
    assert user_count(tenant_a) == before
    assert user_by_email("ok@a.example.com") is None
    assert user_by_email("bob@a.example.com").last_name == "坊"


def test_user6_fix_and_reupload_applies(alice_client, alice, tenant_a):
    upload(alice_client, make_csv(row("a1@a.example.com"), row("a2@a.example.com", phone="x")))
    assert latest().status == "invalid"
    upload(alice_client, make_csv(row("a1@a.example.com"), row("a2@a.example.com")))
    job = latest()
    assert job.status == "valid"
    apply(alice_client, job)
    assert latest().status == "done"
    assert user_by_email("a1@a.example.com") and user_by_email("a2@a.example.com")


def test_user6_apply_revalidates_and_is_all_or_nothing(alice_client, alice, charlie, tenant_a):
    """Between dry run and apply another tenant takes one of the IDs: nothing is written."""
    upload(alice_client, make_csv(row("x1@a.example.com"), row("taken@b.example.com")))
    job = latest()
    assert job.status == "valid"
    from tests.factories import UserFactory

    UserFactory(tenant=charlie.tenant, email="taken@b.example.com")
    apply(alice_client, job)
    job = latest()
    assert job.status == "invalid"
    assert job.errors[0]["message"] == "このユーザ ID は既に使用されています。"
    assert user_by_email("x1@a.example.com") is None


@pytest.mark.parametrize(
    ("rows", "line", "column", "message"),
    [
        ((row("charlie@b.example.com"),), 2, "ユーザID", "既に使用されています"),  # unique portal-wide
        ((row("d@a.example.com"), row("D@a.example.com")), 3, "ユーザID", "重複"),
        ((row("alice@a.example.com", role="ユーザ"),), 2, "権限", "代表管理者"),
        ((row("e@a.example.com", role="社長"),), 2, "権限", "管理者"),
        ((row("f@a.example.com", org="存在しない部"),), 2, "代表組織", "見つかりません"),
        ((row("g@a.example.com", first="a" * 31),), 2, "名", "30 文字以内"),
        ((row("h@a.example.com", last="山田a"),), 2, "姓", "混在"),
        ((row("ab@c"),), 2, "ユーザID", "5 文字以上"),
    ],
)
def test_user6_row_rules(alice_client, alice, charlie, tenant_a, rows, line, column, message):
    upload(alice_client, make_csv(*rows))
    job = latest()
    assert job.status == "invalid"
    assert any(e["line"] == line and e["column"] == column and message in e["message"] for e in job.errors), job.errors


def test_user6_header_must_match(alice_client, alice):
    upload(alice_client, make_csv(row("a@a.example.com"), header="mail,name"))
    job = latest()
    assert job.status == "invalid" and "列が足りません" in job.errors[0]["message"]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp932", False)])
def test_user6_encodings(alice_client, alice, encoding, bom):
    upload(alice_client, make_csv(row("enc@a.example.com", last="髙橋"), encoding=encoding, bom=bom))
    job = latest()
    assert job.status == "valid", job.errors
    apply(alice_client, job)
    assert user_by_email("enc@a.example.com").last_name == "髙橋"


def test_user6_undecodable_file_is_refused(alice_client, alice):
    response = upload(alice_client, b"\xff\xfe\x00\x00garbage\x81")
    assert response.status_code == HTTPStatus.OK and latest() is None
    assert "UTF-16" in response.content.decode()


GOOD_ROW = row("bad@a.example.com")
BAD_FILES = {
    # name: (content, what the message must say)
    "nul_bytes": (make_csv(GOOD_ROW, "nul@a.example.com,山\0田,太郎,,,,ユーザ,,nul@a.example.com,"), "3 行目に NUL 文字"),
    "utf16_bom": ("\r\n".join([HEADER, GOOD_ROW]).encode("utf-16"), "UTF-16"),
    "utf16_le_no_bom": ("\r\n".join([HEADER, GOOD_ROW]).encode("utf-16-le"), "UTF-16"),
    "utf16_be_no_bom": ("\r\n".join([HEADER, GOOD_ROW]).encode("utf-16-be"), "UTF-16"),
    # UTF-8 whose third line holds a truncated 山 (e5 b1 b1 without its last byte).
    "invalid_utf8": (make_csv(GOOD_ROW) + b"x@a.example.com,\xe5\xb1,\xe5\xa4\xaa,,,,\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6,,x@a.example.com,\r\n",
                     "3 行目に UTF-8 として読めない文字"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "NUL 文字"),
    "binary_without_nul": (bytes(range(1, 256)) * 4, "文字コードを判別できません"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_user6_file_in_a_wrong_encoding_is_refused_with_line_and_encodings(alice_client, alice, case):
    """USER-6 (issue 9): never an HTTP 500 — the upload page answers with the
    line at fault and the accepted encodings; no upload row, no user stored."""
    content, expected = BAD_FILES[case]
    users_before = user_count(alice.tenant)
    response = upload(alice_client, content)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert expected in body
    assert "UTF-8（BOM あり・なし）または Shift_JIS（CP932）" in body
    assert latest() is None and user_count(alice.tenant) == users_before


def test_user6_nul_in_a_file_that_reached_the_dry_run_is_stored_without_it(alice, tenant_a):
    """Files stored before the upload check (or by a worker) go through the
    one cleaning place: no NUL reaches the JSON error list or the file name."""
    content = make_csv("a@a.example.com,山\0田,太郎,,,,ユーザ,,a@a.example.com,")
    with tenant_scope(tenant_a):
        job = user_imports.start_import(tenant=tenant_a, actor=alice, filename="u\0sers.csv", content=content)
    assert job.status == "invalid" and job.filename == "users.csv"
    assert "\0" not in str(job.errors) and "2 行目に NUL 文字" in job.errors[0]["message"]
    assert job.errors[0]["line"] == 2


def test_user6_downloaded_csv_round_trips(alice_client, alice, bob, tenant_a):
    from tests.factories import UserFactory

    UserFactory(tenant=tenant_a, email="minus@a.example.com", first_name="ミナ", affiliation="")
    org = Organization.objects.create(tenant=tenant_a, name="本社")
    OrganizationMembership.objects.create(tenant=tenant_a, user=bob, organization=org, is_primary=True)
    content = b"".join(alice_client.get(reverse("users:export_all")).streaming_content)
    upload(alice_client, content)
    job = latest()
    assert (job.status, job.to_add, job.to_change) == ("valid", 0, 3), job.errors


def test_user6_organization_column_sets_the_representative(alice_client, alice, bob, tenant_a):
    org = Organization.objects.create(tenant=tenant_a, name="本社")
    child = Organization.objects.create(tenant=tenant_a, name="営業", parent=org)
    OrganizationMembership.objects.create(tenant=tenant_a, user=bob, organization=org, is_primary=True)
    upload(alice_client, make_csv(row("bob@a.example.com", last="坊", first="ボブ", org="本社/営業"),
                                  row("n@a.example.com", org="本社")))
    apply(alice_client, latest())
    with operator_scope():
        bobs = {(m.organization_id, m.is_primary) for m in OrganizationMembership.objects.filter(user=bob)}
        new = OrganizationMembership.objects.get(user__email="n@a.example.com")
    assert bobs == {(org.pk, False), (child.pk, True)}
    assert new.organization_id == org.pk and new.is_primary


def test_user6_large_file_runs_as_background_job_with_progress(alice_client, alice, tenant_a, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    """Above the threshold the dry run and the apply are Celery tasks (eager here)."""
    monkeypatch.setattr(user_imports, "IMPORT_SYNC_MAX_ROWS", 5)
    content = make_csv(*(row(f"bulk{i}@a.example.com") for i in range(12)))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(alice_client, content)
    job = latest()
    assert job.status == "valid" and job.to_add == 12
    status = alice_client.get(reverse("users:import_status", args=[job.pk])).json()
    assert status["running"] is False and status["processed"] == 12 and status["percent"] == 100
    with django_capture_on_commit_callbacks(execute=True):
        apply(alice_client, job)
    assert latest().status == "done"
    assert user_count(tenant_a) == 13
    assert response.status_code == HTTPStatus.FOUND


def test_user6_progress_page_works_without_js(alice_client, alice, tenant_a):
    job = UserImport.objects.create(tenant=tenant_a, created_by=alice, filename="big.csv", content=b"",
                                    status=UserImport.Status.VALIDATING, total_rows=20000, processed_rows=5000)
    body = alice_client.get(reverse("users:import_detail", args=[job.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert 'data-status-url="/users/import/' in body and "5000" in body


def test_user6_other_tenants_job_is_404(charlie_client, alice, tenant_a):
    job = UserImport.objects.create(tenant=tenant_a, created_by=alice, filename="a.csv", content=b"")
    for name in ("import_detail", "import_status"):
        assert charlie_client.get(reverse(f"users:{name}", args=[job.pk])).status_code == HTTPStatus.NOT_FOUND
    assert charlie_client.post(reverse("users:import_apply", args=[job.pk])).status_code == HTTPStatus.NOT_FOUND


def test_user6_apply_rejects_get(alice_client, alice, tenant_a):
    job = UserImport.objects.create(tenant=tenant_a, created_by=alice, filename="a.csv", content=b"")
    assert alice_client.get(reverse("users:import_apply", args=[job.pk])).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_user6_upload_requires_a_csv_file(alice_client, alice):
    response = alice_client.post(reverse("users:import"), {})
    assert "CSV ファイルを選択してください。" in response.content.decode()
    response = upload(alice_client, b"x", name="users.xlsx")
    assert "CSV ファイル（.csv）を選択してください。" in response.content.decode()


def test_user6_progress_json_while_applying_reads_the_cache(alice_client, alice, tenant_a):
    from django.core.cache import cache

    job = UserImport.objects.create(tenant=tenant_a, created_by=alice, filename="big.csv", content=b"x",
                                    status=UserImport.Status.APPLYING, total_rows=20000)
    cache.set(user_imports.progress_key(job.pk), 5000)
    status = alice_client.get(reverse("users:import_status", args=[job.pk])).json()
    assert status == {"status": "applying", "running": True, "processed": 5000, "total": 20000, "percent": 25,
                      "url": reverse("users:import_detail", args=[job.pk])}
    assert "反映しています" in alice_client.get(reverse("users:import_detail", args=[job.pk])).content.decode()


def test_user6_apply_twice_with_one_token_applies_once(alice_client, alice, tenant_a, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    """Issue 19: 反映, Back and 反映 again: one set of users, mails and audit entries,
    and the 完了-already page linking to the result instead of 「反映できません」."""
    upload(alice_client, make_csv(row("once@a.example.com")))
    job = latest()
    fields = confirm_fields(alice_client.get(reverse("users:import_detail", args=[job.pk])))
    url = reverse("users:import_apply", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(url, fields)
    with django_capture_on_commit_callbacks(execute=True):
        second = alice_client.post(url, fields)
    body = second.content.decode()
    assert "この操作はすでに完了しています" in body and f'href="{first.url}"' in body
    assert "反映できません" not in body
    assert user_count(tenant_a) == 2
    assert len(outbox("account_setup")) == 1 and len(mailoutbox) == 1
    assert len(audit("accounts.user_import.applied")) == 1


def test_user6_apply_without_token_applies_nothing_and_back_returns_to_upload(alice_client, alice, tenant_a):
    upload(alice_client, make_csv(row("later@a.example.com")))
    job = latest()
    url = reverse("users:import_apply", args=[job.pk])
    response = alice_client.post(url, follow=True)
    assert "もう一度「完了」を押してください" in response.content.decode()
    assert latest().status == "valid" and user_by_email("later@a.example.com") is None
    fields = confirm_fields(alice_client.get(reverse("users:import_detail", args=[job.pk])))
    back = alice_client.post(url, {**fields, "back": "1"})
    assert back.url == reverse("users:import")
    assert latest().status == "valid" and user_by_email("later@a.example.com") is None
