"""store_file / attach_files / delete_files / purge (issue 10: server-made
names under the tenant prefix, no orphan bytes after any delete)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from tenants.scoping import operator_scope, tenant_scope
from tests.uploads.samples import EVERYTHING, PDF, image_bytes, upload
from uploads.models import StoredFile
from uploads.services import UploadError, attach_files, delete_files, purge_staged_files, store_file
from uploads.tasks import purge_staged_files as purge_task
from uploads.validation import check_upload


def store(tenant, user=None, name="報告書.pdf", content=PDF, staged=False):
    checked = check_upload(upload(name, content), policy=EVERYTHING)
    return store_file(tenant=tenant, upload=checked, policy=EVERYTHING, user=user, staged=staged)


def path_of(media: Path, stored: StoredFile) -> Path:
    return media / stored.name


def test_store_file_saves_under_the_tenant_prefix(tenant_a, alice, media):
    stored = store(tenant_a, alice)
    assert stored.name == f"t/{tenant_a.pk}/tests.everything/{stored.key}.pdf"
    assert path_of(media, stored).read_bytes() == PDF
    assert (stored.original_name, stored.content_type, stored.size) == ("報告書.pdf", "application/pdf", len(PDF))
    assert stored.attached and stored.created_by == alice and not stored.public
    with operator_scope():
        entry = AuditEntry.objects.get(action="uploads.file.stored")
    assert (entry.tenant_id, entry.object_id) == (tenant_a.pk, str(stored.pk))


def test_store_image_keeps_dimensions(tenant_a, alice):
    stored = store(tenant_a, alice, "logo.png", image_bytes("PNG", size=(30, 5)))
    assert (stored.width, stored.height, stored.content_type) == (30, 5, "image/png")
    assert stored.name.endswith(".png")


def test_attach_files_marks_staged_files(tenant_a, alice):
    staged = [store(tenant_a, alice, staged=True) for _ in range(2)]
    assert not any(f.attached for f in staged)
    attached = attach_files(tenant=tenant_a, keys=[f.key for f in staged], purpose="tests.everything")
    assert {f.pk for f in attached} == {f.pk for f in staged}
    with tenant_scope(tenant_a):
        assert StoredFile.objects.filter(attached=True).count() == 2


def test_attach_files_refuses_another_tenants_key(tenant_a, tenant_b, alice, charlie):
    mine = store(tenant_a, alice, staged=True)
    theirs = store(tenant_b, charlie, staged=True)
    with pytest.raises(UploadError):
        attach_files(tenant=tenant_a, keys=[mine.key, theirs.key])
    with operator_scope():
        assert not StoredFile.objects.filter(attached=True).exists()


def test_delete_files_removes_rows_and_bytes_after_commit(tenant_a, alice, media, django_capture_on_commit_callbacks):
    files = [store(tenant_a, alice) for _ in range(3)]
    paths = [path_of(media, f) for f in files]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delete_files(files=files[:2], user=alice) == 2
    assert all(p.exists() for p in paths)  # not before the commit
    for callback in callbacks:
        callback()
    assert [p.exists() for p in paths] == [False, False, True]
    with operator_scope():
        assert AuditEntry.objects.filter(action="uploads.file.deleted").count() == 2
        assert StoredFile.objects.count() == 1


def test_queryset_delete_removes_bytes(tenant_a, alice, media, django_capture_on_commit_callbacks):
    files = [store(tenant_a, alice) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant_a):
        StoredFile.objects.all().delete()
    assert not any(path_of(media, f).exists() for f in files)


def test_cascade_from_the_tenant_removes_bytes(tenant_a, alice, media, django_capture_on_commit_callbacks):
    """A chapter row pointing at StoredFile with CASCADE works the same way:
    the collector sends post_delete for every StoredFile row it removes."""
    stored = store(tenant_a, alice)
    with django_capture_on_commit_callbacks(execute=True), operator_scope():
        tenant_a.delete()
    assert not path_of(media, stored).exists()


@pytest.mark.django_db(transaction=True)
def test_rollback_keeps_the_bytes(tenant_a, alice, media):
    stored = store(tenant_a, alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        delete_files(files=[stored], user=alice)
        raise RuntimeError("rolled back")
    assert path_of(media, stored).exists()
    with tenant_scope(tenant_a):
        assert StoredFile.objects.filter(pk=stored.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_committed_delete_removes_the_bytes(tenant_a, alice, media):
    stored = store(tenant_a, alice)
    delete_files(files=[stored], user=alice)
    assert not path_of(media, stored).exists()


def test_purge_removes_only_old_staged_files_and_is_idempotent(
    tenant_a, tenant_b, alice, charlie, media, django_capture_on_commit_callbacks
):
    old_staged = [store(tenant_a, alice, staged=True), store(tenant_b, charlie, staged=True)]
    fresh_staged = store(tenant_a, alice, staged=True)
    old_attached = store(tenant_a, alice)
    with operator_scope():
        StoredFile.objects.filter(pk__in=[f.pk for f in [*old_staged, old_attached]]).update(
            created_at=timezone.now() - timedelta(days=1, minutes=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_staged_files(now=timezone.now(), batch_size=1) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_task.delay().get() == 0
    with operator_scope():
        assert set(StoredFile.objects.values_list("pk", flat=True)) == {fresh_staged.pk, old_attached.pk}
    assert not any(path_of(media, f).exists() for f in old_staged)
    assert path_of(media, fresh_staged).exists()


def test_purge_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "uploads.tasks.purge_staged_files" in tasks
