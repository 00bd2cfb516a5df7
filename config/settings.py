"""Settings of the recommendation tracker: one module, driven by environment variables (see README, "Configuration").

Development is opt-in (``DJANGO_DEBUG=1``, which ``make run`` and ``make test`` set); without it the settings are
production settings and refuse to load without a secret key and allowed hosts.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A fixed key is only acceptable for local development; production must bring its own.
_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off, the default) needs a long random secret key, "
            "e.g. DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For local development set DJANGO_DEBUG=1 instead (make run does)."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Production needs the host names the app is served under, "
        "comma-separated, e.g. DJANGO_ALLOWED_HOSTS=tracker.example.go.jp."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "partners",
    "recommendations",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "recommendations.api.errors.ApiErrorMiddleware",  # Django's own 404/500 under /api/ as JSON
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------------
# SQLite in the project folder by default; PostgreSQL in production through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the write lock up front so concurrent
    # writers queue on the busy timeout instead of failing with "database is locked" when upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # Tests use a file too (not the in-memory default), so that concurrency tests exercise real locking.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / "test-db.sqlite3"))
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}}

# --- Authentication -------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from the apps' static folders
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Django REST framework ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy recommendation tracker API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The API (issue 3): token or session authentication, model permissions, per-user and per-token rate limits counted
# in the default cache (Redis where REDIS_URL is set), keyset pagination, one JSON error shape, a documented schema.
REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "recommendations.api.authentication.ApiTokenAuthentication",  # first: its challenge makes 401s
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["recommendations.api.permissions.ModelPermissions"],
        "DEFAULT_THROTTLE_CLASSES": [
            "recommendations.api.throttling.UserRateThrottle",
            "recommendations.api.throttling.TokenRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "user": env.str("API_THROTTLE_USER", default="3000/minute"),
            "token": env.str("API_THROTTLE_TOKEN", default="3000/minute"),
        },
        "DEFAULT_PARSER_CLASSES": ["recommendations.api.parsers.JSONParser"],
        "DEFAULT_PAGINATION_CLASS": "recommendations.api.pagination.KeysetPagination",
        "EXCEPTION_HANDLER": "recommendations.api.errors.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "recommendations.api.schema.AutoSchema",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }
)
SPECTACULAR_SETTINGS.update(
    {
        "DESCRIPTION": "Recommendations, their partners, themes, sources and status timeline; a change feed for "
        "incremental sync; a progress report. Authenticate with `Authorization: Bearer <token>`.",
        "COMPONENT_SPLIT_REQUEST": True,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "recommendations.api.schema.add_links",
        ],
        "ENUM_NAME_OVERRIDES": {
            "StatusEnum": "recommendations.choices.Status",
            "PriorityEnum": "recommendations.choices.Priority",
            "PartnerRoleEnum": "recommendations.choices.PartnerRole",
            "ObjectTypeEnum": "recommendations.choices.ObjectType",
            "ChangeActionEnum": "recommendations.choices.ChangeAction",
            "PartnerKindEnum": "partners.choices.PartnerKind",
            "SourceKindEnum": "recommendations.choices.SourceKind",
        },
    }
)

# --- Logging --------------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
