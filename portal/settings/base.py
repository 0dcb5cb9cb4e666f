"""Settings shared by every environment.

Everything that differs between machines comes from the environment through
django-environ; the README lists each variable. Environment-specific modules
(local, test, production) import this one and override a few names.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file is optional; real deployments set the process environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
# Old keys still accepted while a new SECRET_KEY rolls out (signed cookies,
# and the authenticator keys when MFA_ENCRYPTION_KEYS is not set).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# The keys the authenticator-app keys are encrypted with (mfa/crypto.py): the
# first encrypts, all decrypt. Empty: derived from SECRET_KEY and its fallbacks.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies stand in front of the portal (issue 20). 0: none
# is trusted, so X-Forwarded-Proto and X-Forwarded-For are ignored (anyone can
# send them). N > 0: the portal is reachable only through N proxies, the
# nearest of which overwrites X-Forwarded-Proto and each of which appends to
# X-Forwarded-For; the client is the N-th address from the right
# (audit/client.py). docs/security.md "Behind a proxy".
PORTAL_TRUSTED_PROXY_HOPS = env.int("PORTAL_TRUSTED_PROXY_HOPS", default=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PORTAL_TRUSTED_PROXY_HOPS > 0 else None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    "portal",
    "tenants",
    "audit",
    "web",
    "mail",
    "accounts",
    "users",
    "notifications",
    "idchange",
    "uploads",
    "bulletin",
    "inquiries",
    "customization",
    "scim",
    "mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Needs request.user and messages: the idle timeout and the absolute
    # lifetime (AUTH-7, issue 20) and the login page's notice after either.
    # Before the scope, so a session it ends never enters one.
    "accounts.middleware.SessionExpiryMiddleware",
    # A session that still owes its second factor (issue 24) reaches only the
    # pages that settle it; reads the session only.
    "mfa.middleware.TwoStepMiddleware",
    # Must come after authentication: it reads request.user and runs the
    # rest of the request (view and template rendering) inside the scope.
    "tenants.middleware.TenantScopeMiddleware",
    # The forced password change (AUTH-11).
    "accounts.middleware.ForcePasswordChangeMiddleware",
    # The client IP for audit entries (操作ログ), read by audit.services.record.
    "audit.context.AuditContextMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The login ID is unique portal-wide through the small global table
# accounts.LoginId, not through a unique index on the user table (whose own
# uniques include the tenant so it can be sharded). Django's check assumes the
# latter, so it is silenced here with that reason.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.AllowedCharactersValidator"},
    {"NAME": "accounts.validators.LetterAndDigitValidator"},
    {"NAME": "accounts.validators.LengthValidator", "OPTIONS": {"min_length": 8, "max_length": 100}},
    {"NAME": "accounts.validators.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW = timedelta(minutes=env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=30))
ACTIVATION_LINK_DAYS = 7
# Mail a logged-in user can make the portal send, an hour (issue 21, finding
# 1; accounts/services/mail_quota.py): お問い合わせ and address confirmations.
MAIL_QUOTA_PER_USER = env.int("MAIL_QUOTA_PER_USER", default=10)
MAIL_QUOTA_PER_TENANT = env.int("MAIL_QUOTA_PER_TENANT", default=100)

# Japanese by default; LANGUAGE_CODE=en (or an English browser) switches to English.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Sessions: 60 minutes idle (AUTH-7) and at most 12 hours from the login
# (issue 20). accounts.middleware.SessionExpiryMiddleware renews the expiry on
# each user action, not on every request: background requests (a poll) must
# not keep an unattended session alive.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Everything is served from this origin: no CDN, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Mail (PRE-1: one configurable sender for every portal mail).
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mail-bizportal@portal.example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# MAILERS replaces EMAIL_BACKEND (deprecated in Django 6.1). The environment
# variables keep their names; the demo writes .eml files under var/mail/.
MAILERS = {
    "default": {
        "BACKEND": env.str("EMAIL_BACKEND", default="mail.backends.EmlFileBackend"),
        "OPTIONS": {"file_path": env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))},
    },
}
ANYMAIL = env.dict("ANYMAIL", default={})
# The outbox (mail/services.py): a delivery claims its rows for
# OUTBOX_CLAIM_LEASE (a dead worker's rows are taken over after it; a batch
# stops sending when its lease ends), and the minute sweep re-queues a pending
# row nobody picked up within OUTBOX_STUCK_AFTER (the broker lost its task).
OUTBOX_CLAIM_LEASE = timedelta(minutes=5)
OUTBOX_STUCK_AFTER = timedelta(minutes=2)
INQUIRY_CENTER_EMAIL = env.str("INQUIRY_CENTER_EMAIL", default="support@portal.example.com")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
BILLING_SITE_URL = env.str("BILLING_SITE_URL", default="https://billing.example.com/")
# audit.record refuses an action code or object type that no app declared in
# its audit_actions.py (audit/registry.py). On in the test settings, so a code
# without a 操作ログ label fails the test that records it; off here, so a
# production request never fails over a label.
AUDIT_REQUIRE_REGISTERED_ACTIONS = False

# Celery. Without REDIS_URL there is no broker and tasks run eagerly in the
# web process, so the demo needs no services.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when the broker is down: the outbox row is already
# committed and the sweep will send it later.
#
# visibility_timeout: a task taken by a worker that dies without acking
# (acks_late) is handed out again this long after it was taken, and also a task
# that is still running when the timeout passes: so it must exceed the longest
# task. The longest are a 500-mail delivery batch (500 × the ESP's latency:
# minutes at worst; a batch stops at its claim lease, OUTBOX_CLAIM_LEASE), a
# 10,000-row user import (~10 s) and the month job's per-tenant task (seconds
# per 500 applications). One hour leaves a wide margin; a dead worker's mail
# and month-job work does not wait for it (the outbox sweep and the job's
# minute re-dispatch take it over). docs/security.md "Failure drills".
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = TIME_ZONE
# The one place where every scheduled job is defined (DESIGN.md).
CELERY_BEAT_SCHEDULE = {
    # The outbox's tasks keep the names they had in notifications (mail/tasks.py).
    "sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        # OUTBOX_SWEEP_SECONDS: make smoke sets 10, to see beat do its work.
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=60)),
    },
    "apply-due-id-changes": {
        "task": "idchange.tasks.apply_due_changes",
        "schedule": crontab(minute="*"),
    },
    # Expired tokens, stale failure counters, session rows whose session ended
    # (accounts/tasks.py; the task kept the name of its former module).
    "purge-account-security-rows": {
        "task": "accounts.tasks_auth.purge_stale_security_rows",
        "schedule": crontab(hour=3, minute=17),
    },
    # Staged uploads (a 確認 never completed) older than a day.
    "purge-staged-uploads": {
        "task": "uploads.tasks.purge_staged_files",
        "schedule": crontab(minute=41),
    },
    # Bulletin notice mails whose fan-out task was lost (BBS-5).
    "resume-bulletin-mails": {
        "task": "bulletin.tasks.resume_article_mails",
        "schedule": timedelta(minutes=5),
    },
    # Notice deliveries whose fan-out task was lost (NOTIF-3).
    "sweep-notice-deliveries": {
        "task": "notifications.tasks.sweep_deliveries",
        "schedule": timedelta(minutes=5),
    },
    # Inquiry attachments 6 months after resolution (INQ-7).
    "purge-expired-inquiry-attachments": {
        "task": "inquiries.tasks.purge_expired_attachments",
        "schedule": crontab(hour=3, minute=53),
    },
    # 確認 tokens past their validity (web.submission).
    "purge-completed-submissions": {
        "task": "web.tasks.purge_completed_submissions",
        "schedule": crontab(hour=4, minute=7),
    },
}

# How long a 確認 page's one-time token can be posted (web.submission).
SUBMISSION_TOKEN_MAX_AGE = env.int("SUBMISSION_TOKEN_MAX_AGE", default=24 * 3600)

def redis_sibling_db(url: str, *, offset: int) -> str:
    """The same Redis server, ``offset`` databases further (of 16): the
    security counters' own db beside the one ``url`` names."""
    parts = urlsplit(url)
    current = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(current + offset) % 16}"))


# "default" is a cache of derived values (logos, links, the business-day
# table): losing an entry costs one query. "security" holds counters that
# must hold across web processes and must not be evicted by anonymous traffic
# filling the cache (accounts/services/throttle.py): in production a Redis db
# of their own on the broker's noeviction Redis (production.py); in the
# single-process demo and the tests, process memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "security": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_sibling_db(CELERY_BROKER_URL, offset=1),
            "KEY_PREFIX": "security",
        }
        if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "security"}
    ),
}

# Sessions: with Redis, read from the cache and written through to the
# database (issue 22): a page view reads its session without a query, and an
# evicted entry costs one read. Ending a session goes through the engine
# (accounts/services/sessions.py), which clears both.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_client_errors": {"()": "portal.logging.ExpectedClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) and the root's printed every
        # record twice: one handler, ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["expected_client_errors"]},
    },
}
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Product names shown in mails and screens (AUTH-1: configuration, not code).
PORTAL_PRODUCT_NAME = env.str("PORTAL_PRODUCT_NAME", default="My KDDI Biz 総合")
PORTAL_CARRIER_NAME = env.str("PORTAL_CARRIER_NAME", default="KDDI")
BASIC_PACK_PRODUCT_NAME = env.str("BASIC_PACK_PRODUCT_NAME", default="ベーシックパックプラス")
PASSWORD_RESET_LINK_HOURS = env.int("PASSWORD_RESET_LINK_HOURS", default=24)
