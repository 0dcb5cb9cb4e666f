"""Settings of the portal under gunicorn in bench_http.py: production's
posture where it changes what a request costs, the test settings for the rest
(locmem mail, files on disk, no collectstatic, no https redirect).

* DEBUG off; the database connection kept between requests
  (production.py's CONN_MAX_AGE and health checks);
* the cache (and, through it, whatever session engine base.py configures) on
  Redis: ``BENCH_REDIS_URL`` names the db, the security counters share it
  under their own key prefix (as ``make smoke`` does);
* PostgreSQL row-level security on, and ``DATABASE_URL`` is the plain
  application role bench_http.py creates (neither owner nor superuser);
* ``ROOT_URLCONF`` is scripts/benchurls.py: the portal's URLs plus the
  framework floor's page. Only this module names it, so the floor is never
  reachable in production or the tests.
"""

import os

from portal.settings.test import *  # noqa: F403
from portal.settings.test import DATABASES

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
PORTAL_ROW_LEVEL_SECURITY = True
ROOT_URLCONF = "benchurls"

# Under a key prefix of this run's own (bench_http.py): the cache starts
# cold and nothing of the Redis db's other users is read, evicted or flushed.
_REDIS = os.environ.get("BENCH_REDIS_URL", "")
_PREFIX = os.environ.get("BENCH_CACHE_PREFIX", "bench")
if _REDIS:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS,
                    "KEY_PREFIX": _PREFIX},
        "security": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _REDIS,
            "KEY_PREFIX": f"{_PREFIX}-security",
        },
    }
