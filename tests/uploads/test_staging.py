"""uploads.staging and StagedFilesField: the one stager between 確認 and 完了
(issue 19), with keys read as the kit's format (issue 21, finding 8)."""

from __future__ import annotations

import pytest
from django import forms

from tenants.scoping import tenant_scope
from tests.uploads.samples import EVERYTHING, PDF, upload
from uploads import staging
from uploads.fields import StagedFilesField, bind_uploader
from uploads.services import UploadError
from uploads.validation import check_upload


def staged(tenant, user, name="a.pdf"):
    with tenant_scope(tenant):
        return staging.stage(
            tenant=tenant, uploads=[check_upload(upload(name, PDF), policy=EVERYTHING)], policy=EVERYTHING, user=user
        )[0]


class KeysForm(forms.Form):
    keys = StagedFilesField(policy=EVERYTHING)


def clean(tenant, user, values):
    form = KeysForm({"keys": values})
    bind_uploader(form, tenant=tenant, user=user)
    with tenant_scope(tenant):
        form.is_valid()
    return form


def test_stage_keeps_files_unattached_and_claim_attaches_them_in_order(tenant_a, alice):
    first, second = staged(tenant_a, alice, "1.pdf"), staged(tenant_a, alice, "2.pdf")
    assert not first.attached and first.created_by == alice
    with tenant_scope(tenant_a):
        claimed = staging.claim(tenant=tenant_a, keys=[second.key, str(first.key)], policy=EVERYTHING, user=alice)
    assert [f.original_name for f in claimed] == ["2.pdf", "1.pdf"]
    assert all(f.attached for f in claimed)


@pytest.mark.parametrize("whose", ["another user's", "already claimed", "malformed"])
def test_claim_refuses_what_is_not_the_users_staged_file(tenant_a, alice, bob, whose):
    mine = staged(tenant_a, alice)
    key = {"another user's": staged(tenant_a, bob).key, "already claimed": mine.key, "malformed": "Fuzz"}[whose]
    with tenant_scope(tenant_a):
        if whose == "already claimed":
            staging.claim(tenant=tenant_a, keys=[mine.key], policy=EVERYTHING, user=alice)
        with pytest.raises(UploadError):
            staging.claim(tenant=tenant_a, keys=[mine.key if whose != "already claimed" else key, key], policy=EVERYTHING, user=alice)
        if whose != "already claimed":
            mine.refresh_from_db()
            assert not mine.attached  # all or nothing


def test_the_field_returns_the_users_staged_files(tenant_a, alice):
    mine = staged(tenant_a, alice)
    form = clean(tenant_a, alice, [str(mine.key), ""])
    assert form.is_valid() and form.cleaned_data["keys"] == [mine]
    assert clean(tenant_a, alice, []).cleaned_data["keys"] == []


def test_the_field_refuses_malformed_and_foreign_keys_in_japanese(tenant_a, tenant_b, alice, bob, charlie):
    assert clean(tenant_a, alice, ["Fuzz"]).errors["keys"] == ["添付ファイルの指定が正しくありません。もう一度選択してください。"]
    for key in (staged(tenant_a, bob).key, staged(tenant_b, charlie).key, "00000000-0000-0000-0000-000000000000"):
        assert clean(tenant_a, alice, [str(key)]).errors["keys"] == ["添付ファイルの有効期限が切れました。もう一度選択してください。"]
