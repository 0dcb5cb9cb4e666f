"""Settings of the portal under gunicorn in bench_http.py: the test settings
(locmem cache and mail, no collectstatic needed) with what production does
for the database connection (portal/settings/production.py keeps it open
between requests), DEBUG off."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import DATABASES

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
