"""The demo and development settings: `make run` uses these."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")

# runserver serves static files from the apps' folders; only production
# collects them into STATIC_ROOT for WhiteNoise (which warns when it is missing).
STATIC_ROOT = None
