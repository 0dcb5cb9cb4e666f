"""Test settings: PostgreSQL and Redis when DATABASE_URL / REDIS_URL point at
them (as in CI), otherwise the SQLite default."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run in-process by default; the broker tests start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = str(VAR_DIR / "test-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "security": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "security"},
}
# The test cache is process memory, so the plain database store (cached_db
# is exercised with override_settings in tests/accounts/test_session_writes.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
ALLOWED_HOSTS = ["*"]
# Every audit code the suite records must have its 操作ログ label (issue 19).
AUDIT_REQUIRE_REGISTERED_ACTIONS = True
_ = env
# The live server serves static files from the apps' folders (see local.py).
STATIC_ROOT = None
