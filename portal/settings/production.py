"""Production: PostgreSQL, Redis, a real ESP through anymail, HTTPS only.

Everything secret or host-specific must come from the environment; a missing
SECRET_KEY or DATABASE_URL fails at start-up instead of running insecurely.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Any anymail ESP backend (an ordinary Django mail backend), with its ANYMAIL
# settings in the environment; e.g. anymail.backends.amazon_ses.EmailBackend.
MAILERS = {
    "default": {"BACKEND": env.str("EMAIL_BACKEND", default="anymail.backends.amazon_ses.EmailBackend")},
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# PostgreSQL row-level security as the second wall (tenants/rls.py): the
# scopes set portal.tenant_id / portal.bypass. The app role must be neither
# owner nor superuser (docs/security.md).
PORTAL_ROW_LEVEL_SECURITY = env.bool("PORTAL_ROW_LEVEL_SECURITY", default=True)
