"""One settings module for every node, read from the environment.

SQLite needs no configuration; DATABASE_URL selects PostgreSQL (the provincial hub).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A center served only over HTTPS (its reverse proxy holds the certificate): the
# session and form cookies travel over HTTPS only, and a plain request is redirected.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS_ONLY

INSTALLED_APPS = [
    # The project's apps first: the first app to translate a text wins, and the
    # libraries' words ("History", "today") are not always what its pages mean.
    "core",
    "units",
    "accounts",
    "catalog",
    "deadlines",
    "dossiers",
    "portal",
    "notify",
    "desk",
    "work",
    "queueing",
    "reports",
    "sync",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "sequences",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
                "sync.context_processors.sync_status",
            ],
        },
    },
]

_sqlite_path = VAR_DIR / "motcua.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{_sqlite_path}",
        # Persistent connections leak under the ASGI server (one per request
        # thread); keep them off unless the deployment is WSGI. Connections
        # are kept for reuse instead: PostgreSQL's by a pool (below), SQLite's
        # by the backend in core.db.sqlite3.
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")),
    )
}
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and not DATABASES["default"]["CONN_MAX_AGE"]
    and env_bool("DB_POOL", True)
):
    # Opening a PostgreSQL connection starts a server process: several
    # milliseconds that every request paid before it ran its first query.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(env_str("DB_POOL_SIZE", "20")),
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing with "locked", and
    # our backend queues them on a file lock that wakes the next one at once.
    DATABASES["default"]["ENGINE"] = "core.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Development and small nodes serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
# Stamp files through which a node's server processes tell each other to drop
# the reference data they keep in memory (core.kept).
KEPT_DIR = VAR_DIR / "kept"
# Mail to applicants and staff goes through the outbox (notify). By default it
# is written to files under var/mail; set EMAIL_BACKEND and the EMAIL_* settings
# of Django's SMTP backend to send it for real.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "motcua@localhost")

# Largest scan accepted at the desk or online, in megabytes.
MAX_UPLOAD_MB = int(env_str("MAX_UPLOAD_MB", "10"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Where citizens reach this node: printed in receipts' QR codes and messages.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# The node's own id in the event log. A center's node runs as NODE_ROLE=ward
# (the default); the provincial server runs as NODE_ROLE=hub. A ward node
# synchronises with the hub when SYNC_HUB_URL is set, proving itself with the
# secret the hub gave it when it was registered (manage.py sync_node_add) for
# the center NODE_UNIT (its electronic id).
NODE_ID = env_str("NODE_ID", "local")
NODE_ROLE = env_str("NODE_ROLE", "ward")
HUB_NODE_ID = env_str("HUB_NODE_ID", "hub")
NODE_UNIT = env_str("NODE_UNIT")
SYNC_HUB_URL = env_str("SYNC_HUB_URL").rstrip("/")
SYNC_SECRET = env_str("SYNC_SECRET")
SYNC_BATCH = int(env_str("SYNC_BATCH", "1000"))
SYNC_INTERVAL = float(env_str("SYNC_INTERVAL", "10"))
SYNC_TIMEOUT = float(env_str("SYNC_TIMEOUT", "30"))

# Requests one server process runs at once (the others wait in its event loop).
REQUEST_THREADS = int(env_str("REQUEST_THREADS", "2"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
