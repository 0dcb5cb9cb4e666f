"""Production settings refuse to start half-configured (issue 20).

Each case evaluates ``portal.settings.production`` in a fresh interpreter
with one required variable missing or wrong and asserts the one line that
names it; the complete environment starts (and yields the security cache on
its own Redis db, the S3 storage, no trusted proxy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COMPLETE = {
    "SECRET_KEY": "x" * 64,
    "DATABASE_URL": "postgres://portal@db.internal/portal",
    "ALLOWED_HOSTS": "portal.example.com",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "PORTAL_BASE_URL": "https://portal.example.com",
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "portal-uploads",
}

PROBE = """
import json
from portal.settings import production as p
print(json.dumps({
    "caches": p.CACHES,
    "storage": p.STORAGES["default"],
    "proxy": p.SECURE_PROXY_SSL_HEADER,
    "hops": p.PORTAL_TRUSTED_PROXY_HOPS,
    "eager": p.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def _evaluate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing of the developer's or CI's own settings
    # (DATABASE_URL, REDIS_URL …) may fill in for a missing variable.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "portal.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_issue20_the_complete_environment_starts():
    result = _evaluate(COMPLETE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["caches"]["default"]["LOCATION"] == "redis://redis.internal:6379/0"
    # The counters: a Redis db of their own beside the broker's, not process memory.
    assert seen["caches"]["security"]["BACKEND"].endswith("RedisCache")
    assert seen["caches"]["security"]["LOCATION"] == "redis://redis.internal:6379/1"
    assert seen["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = seen["storage"]["OPTIONS"]
    assert options["bucket_name"] == "portal-uploads"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["object_parameters"]["ServerSideEncryption"] == "AES256"
    assert seen["proxy"] is None and seen["hops"] == 0
    assert seen["eager"] is False


@pytest.mark.parametrize(
    ("missing", "line"),
    [
        ("SECRET_KEY", "Set the SECRET_KEY environment variable"),
        ("REDIS_URL", "Set the REDIS_URL environment variable: Redis for the Celery broker"),
        ("PORTAL_BASE_URL", "Set the PORTAL_BASE_URL environment variable: the portal's public https:// address"),
        ("STORAGE_BACKEND", "Set the STORAGE_BACKEND environment variable: 's3' (a private bucket) or 'filesystem'"),
        ("AWS_STORAGE_BUCKET_NAME", "Set the AWS_STORAGE_BUCKET_NAME environment variable: the private S3 bucket"),
    ],
)
def test_issue20_production_refuses_to_start_without(missing, line):
    result = _evaluate({k: v for k, v in COMPLETE.items() if k != missing})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in _last_line(result)
    assert line in _last_line(result)


@pytest.mark.parametrize(
    ("override", "line"),
    [
        ({"PORTAL_BASE_URL": "http://portal.example.com"}, "PORTAL_BASE_URL must be the portal's https:// address"),
        ({"STORAGE_BACKEND": "disk"}, "STORAGE_BACKEND must be 's3' or 'filesystem', not 'disk'"),
        ({"STORAGE_BACKEND": "filesystem"}, "Set the MEDIA_ROOT environment variable: STORAGE_BACKEND=filesystem"),
        ({"REDIS_URL": "  "}, "Set the REDIS_URL environment variable"),
    ],
)
def test_issue20_production_refuses_a_wrong_value(override, line):
    result = _evaluate({**COMPLETE, **override})
    assert result.returncode != 0
    assert line in _last_line(result)


def test_issue20_the_filesystem_needs_its_directory_named(tmp_path):
    result = _evaluate({**COMPLETE, "STORAGE_BACKEND": "filesystem", "MEDIA_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)["storage"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path)


def test_issue20_the_proxy_header_is_trusted_only_with_hops():
    result = _evaluate({**COMPLETE, "PORTAL_TRUSTED_PROXY_HOPS": "1"})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"] and seen["hops"] == 1
