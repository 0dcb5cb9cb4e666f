"""Uploads in S3 as production configures them (issue 20), through the
inquiry screens (the chapter whose attachments are the most sensitive): the
storage that
``portal/settings/production.py`` builds from the environment, against moto's
S3 server started on a loopback port by the test (no cloud, nothing outside
the machine). A file attached through an inquiry's screen lands in the
private bucket encrypted at rest with no public grant, an anonymous request
for the object is refused, and the portal's tenant-checked view serves it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from inquiries.models import Inquiry, InquiryAttachment
from tenants.scoping import operator_scope
from tests.uploads.samples import PDF, upload
from uploads.services import delete_files

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "portal-uploads-test"
REGION = "ap-northeast-1"
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """The bucket as the deployment creates it (private, the default), and
    the credentials boto3 finds in the environment, as on a real host."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


def production_storage(endpoint: str) -> dict:
    """STORAGES["default"] exactly as production.py builds it from the
    environment (evaluated in a clean interpreter, as the deployment would)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": "postgres://portal@db.internal/portal",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "PORTAL_BASE_URL": "https://portal.example.com",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ENDPOINT_URL": endpoint,
    }
    probe = "import json; from portal.settings import production as p; print(json.dumps(p.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture
def in_s3(s3, s3_endpoint):
    storage = production_storage(s3_endpoint)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    with override_settings(
        STORAGES={
            "default": storage,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        yield s3


def test_issue20_an_attachment_is_stored_encrypted_private_and_served_by_the_view(
    in_s3, s3_endpoint, bob, bob_client, alice_client, charlie_client, make_inquiry
):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    response = bob_client.post(
        reverse("inquiries:send_message", args=[inquiry.pk]),
        {"body": "報告書です", "files": [upload("障害報告.pdf", PDF)]},
    )
    assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        stored = InquiryAttachment.objects.select_related("file").get(inquiry=inquiry).file

    # In the bucket, under the tenant's prefix, encrypted at rest, no public grant.
    assert stored.name.startswith(f"t/{bob.tenant_id}/")
    head = in_s3.head_object(Bucket=BUCKET, Key=stored.name)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == len(PDF)
    grants = in_s3.get_object_acl(Bucket=BUCKET, Key=stored.name)["Grants"]
    assert grants and not {g["Grantee"].get("URI") for g in grants} & PUBLIC_GRANTEES
    # Nobody fetches it from the bucket without a signature …
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{stored.name}", timeout=10)  # noqa: S310
    assert refused.value.code == HTTPStatus.FORBIDDEN
    # … and any URL the storage would make is signed and short-lived.
    signed = default_storage.url(stored.name)
    assert "Signature" in signed and ("Expires=" in signed or "X-Amz-Expires=300" in signed)

    # The portal's view streams it to who may see the inquiry, 404 elsewhere.
    url = reverse("uploads:download", args=[stored.key])
    download = bob_client.get(url)
    assert download.status_code == HTTPStatus.OK
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert alice_client.get(url).status_code == HTTPStatus.OK  # the tenant's admin
    assert charlie_client.get(url).status_code == HTTPStatus.NOT_FOUND  # another tenant


def test_issue20_deleting_the_row_removes_the_object(
    in_s3, bob, bob_client, make_inquiry, django_capture_on_commit_callbacks
):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    bob_client.post(
        reverse("inquiries:send_message", args=[inquiry.pk]),
        {"body": "ログ", "files": [upload("ログ.txt", b"link down\n")]},
    )
    with operator_scope():
        stored = InquiryAttachment.objects.select_related("file").get(inquiry=inquiry).file
    assert default_storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_files(files=[stored])
    assert not default_storage.exists(stored.name)
    listed = in_s3.list_objects_v2(Bucket=BUCKET, Prefix=stored.name).get("KeyCount")
    assert listed == 0
