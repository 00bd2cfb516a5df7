"""Settings of the benchmark: the project's, on a database of its own (DATABASE_URL, else SQLite var/bench.sqlite3)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")  # no secret key needed; DEBUG itself is switched off below

from config.settings import *  # noqa: E402, F403
from config.settings import BASE_DIR, DATABASES, REST_FRAMEWORK  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.urls"

if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["NAME"] = str(BASE_DIR / "var" / "bench.sqlite3")

# Throttles would count the benchmark's thousands of requests; logging every request would measure the log.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING", "handlers": []}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
