"""Production: PostgreSQL, Redis, S3, a real ESP through anymail, HTTPS only.

Everything secret or host-specific must come from the environment. A setting
production cannot run safely without stops the start with one line that names
it (issue 20): SECRET_KEY, DATABASE_URL, REDIS_URL (otherwise the cache and the
security counters would be per-process memory and tasks would run inside web
requests), an https PORTAL_BASE_URL (otherwise mail links point at
127.0.0.1) and a storage choice (STORAGE_BACKEND). The README's deployment
section and docs/security.md "Production checklist" list them.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MEDIA_ROOT, env, redis_sibling_db


def _required(name: str, why: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable: {why}.")
    return value


DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Any anymail ESP backend (an ordinary Django mail backend), with its ANYMAIL
# settings in the environment; e.g. anymail.backends.amazon_ses.EmailBackend.
# A file backend (the smoke run) keeps its OPTIONS.
MAILERS = {
    "default": {
        "BACKEND": env.str("EMAIL_BACKEND", default="anymail.backends.amazon_ses.EmailBackend"),
        **(
            {"OPTIONS": {"file_path": env.str("EMAIL_FILE_PATH")}}
            if env.str("EMAIL_FILE_PATH", default="")
            else {}
        ),
    },
}

# Redis: the broker (CELERY_BROKER_URL, default REDIS_URL) and the cache.
REDIS_URL = _required("REDIS_URL", "Redis for the Celery broker and the shared cache")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
# Security counters (accounts/services/throttle.py) in a cache of their own
# that anonymous traffic cannot evict: by default the broker's Redis (which
# must run `maxmemory-policy noeviction`, docs/security.md) in the next db,
# apart from the evictable page cache and from a FLUSHDB of it.
SECURITY_CACHE_URL = env.str(
    "SECURITY_CACHE_URL", default=redis_sibling_db(CELERY_BROKER_URL, offset=1)
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    "security": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SECURITY_CACHE_URL,
        "KEY_PREFIX": "security",
    },
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # on the default Redis cache (base.py)

# Mail links are absolute: they must name the public https address.
PORTAL_BASE_URL = _required("PORTAL_BASE_URL", "the portal's public https:// address, for mail links")
if not PORTAL_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL must be the portal's https:// address (mail links use it), not {PORTAL_BASE_URL!r}."
    )

# Uploads: a private S3 bucket (several web hosts share it), or the local
# filesystem chosen explicitly with the MEDIA_ROOT it writes to (one host, or
# a shared volume). Never a silent default: a forgotten setting would put
# customers' files on one web host's disk.
STORAGE_BACKEND = _required("STORAGE_BACKEND", "'s3' (a private bucket) or 'filesystem' (with MEDIA_ROOT)")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _required("AWS_STORAGE_BUCKET_NAME", "the private S3 bucket for uploads"),
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # S3-compatible services (MinIO, R2, the tests' moto server).
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            # Credentials: the instance role by default (boto3's chain), or
            # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.
            # No ACL: objects inherit the private bucket's owner-only access.
            "default_acl": None,
            # Any URL the storage makes is signed and short-lived; the portal
            # itself never links to the bucket (uploads/views.py streams).
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "object_parameters": {
                "ServerSideEncryption": env.str("AWS_S3_SERVER_SIDE_ENCRYPTION", default="AES256"),
                **(
                    {"SSEKMSKeyId": env.str("AWS_S3_SSE_KMS_KEY_ID")}
                    if env.str("AWS_S3_SSE_KMS_KEY_ID", default="")
                    else {}
                ),
            },
        },
    }
elif STORAGE_BACKEND == "filesystem":
    if not env.str("MEDIA_ROOT", default=""):
        raise ImproperlyConfigured(
            "Set the MEDIA_ROOT environment variable: STORAGE_BACKEND=filesystem needs the directory it writes to."
        )
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 's3' or 'filesystem', not {STORAGE_BACKEND!r}."
    )
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a proxy: its X-Forwarded-Proto and X-Forwarded-For are believed only
# when PORTAL_TRUSTED_PROXY_HOPS says how many proxies stand in front (and
# the portal is reachable only through them). See base.py and docs/security.md.
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
