"""govhall settings: one file, every knob read from a GOVHALL_* environment variable.

A wrong value stops start-up with an ImproperlyConfigured error naming the variable.
Secrets that are not set are generated once into ``var/`` (never committed).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envbool(name: str, default: bool = False) -> bool:
    raw = env(name)
    if not raw:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int) -> int:
    raw = env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def envnetworks(name: str) -> list[str]:
    """Addresses or networks, comma-separated (e.g. ``10.1.0.0/16,192.168.3.7``)."""
    values = [a.strip() for a in env(name).split(",") if a.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an address or network") from None
    return values


VAR_DIR = Path(env("GOVHALL_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys and the SQLite database live here


def secret_from_file(name: str, filename: str, nbytes: int) -> tuple[str, str]:
    """Return (value, where it came from): the env var's value, or a key generated once into
    var/<filename>, created atomically with mode 0600 (two processes starting together get one key)."""
    value = env(name)
    if value:
        return value, name
    path = VAR_DIR / filename
    if not path.exists():
        tmp = VAR_DIR / f".{filename}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(nbytes))
        try:
            os.link(tmp, path)  # fails if another process got there first: then use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip(), f"{name} (from {path})"


SECRET_KEY, _secret_source = secret_from_file("GOVHALL_SECRET_KEY", "secret_key", 32)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(f"{_secret_source} must be at least 32 characters long")

FIELD_KEY, _field_source = secret_from_file("GOVHALL_FIELD_KEY", "field_key", 16)
try:
    if len(bytes.fromhex(FIELD_KEY)) != 16:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        f"{_field_source} must be 32 hexadecimal characters (a 128-bit SM4 key). If the key was changed, "
        "restore the original one: data encrypted with it cannot be read with any other."
    ) from None

# Field keys used before the current one, comma-separated: uploaded files written under them stay readable
# (their header names the key) until `govhall media encrypt` rewrites them under GOVHALL_FIELD_KEY. Database
# fields cannot be re-keyed yet (docs/operations.md, "Keys").
FIELD_KEYS_RETIRED = [k.strip() for k in env("GOVHALL_FIELD_KEYS_RETIRED").split(",") if k.strip()]
for _key in FIELD_KEYS_RETIRED:
    try:
        if len(bytes.fromhex(_key)) != 16:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            "GOVHALL_FIELD_KEYS_RETIRED: each key must be 32 hexadecimal characters"
        ) from None

DEBUG = envbool("GOVHALL_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in env("GOVHALL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("GOVHALL_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
CSRF_FAILURE_VIEW = "govhall.errorpages.csrf_failure"  # the Chinese 403 page
# The Chinese error page a middleware in core draws (the 413 of govhall/core/bodylimit.py): named here, as
# Django names CSRF_FAILURE_VIEW, because core sits below the project's pages (docs/architecture.md).
ERROR_PAGE_RENDERER = "govhall.errorpages.render_error"
PUBLIC_URL = env("GOVHALL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
for _name, _url in [("GOVHALL_PUBLIC_URL", PUBLIC_URL)] + [
    ("GOVHALL_CSRF_TRUSTED_ORIGINS", o) for o in CSRF_TRUSTED_ORIGINS
]:
    if urlparse(_url).scheme not in ("http", "https") or not urlparse(_url).netloc:
        raise ImproperlyConfigured(f"{_name}: {_url!r} is not an http(s)://host URL")

# --- database -----------------------------------------------------------------
DATABASE_URL = env("GOVHALL_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'govhall.sqlite3'}"


def parse_database_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        name = parsed.path if parsed.netloc == "" else parsed.netloc + parsed.path
        name = name[1:] if name.startswith("//") else name
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # IMMEDIATE takes SQLite's write lock at BEGIN: numbering and calling are then serialised.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": env("GOVHALL_TEST_SQLITE_NAME") or None},
        }
    if parsed.scheme in ("postgres", "postgresql"):
        import dj_database_url

        # No persistent per-thread connections: under ASGI each request's sync code runs in its own thread,
        # and a kept connection is left behind with the thread (measured: 100 requests left 80 idle
        # PostgreSQL connections). Instead each process keeps a psycopg pool: a request borrows a
        # connection and gives it back at its end (docs/performance.md: opening one per request cost
        # more than the request's own SQL). Each process holds at most GOVHALL_DB_POOL_SIZE connections;
        # PostgreSQL's max_connections must cover them all (docs/operations.md). 0 turns the pool off.
        config = dict(dj_database_url.parse(url, conn_max_age=0))
        config["ENGINE"] = "django.db.backends.postgresql"
        options = dict(cast(dict[str, Any], config.get("OPTIONS") or {}))
        if envbool("GOVHALL_DB_PREPARED", True):
            # Server-side binding with psycopg's automatic prepared statements: a statement run
            # GOVHALL_DB_PREPARE_THRESHOLD times on a connection is prepared there, and PostgreSQL stops
            # planning it again (a case action's select_related reads took 6 ms each to plan:
            # docs/performance.md, round 7). Django turns preparing off by default for the sake of
            # connection poolers in transaction mode (PgBouncer): set GOVHALL_DB_PREPARED=0 behind one.
            options["server_side_binding"] = True
            options["prepare_threshold"] = envint("GOVHALL_DB_PREPARE_THRESHOLD", 5)
        pool_size = envint("GOVHALL_DB_POOL_SIZE", 8)
        if pool_size > 0:
            options["pool"] = {
                "min_size": min(2, pool_size),
                "max_size": pool_size,
                "timeout": envint("GOVHALL_DB_POOL_TIMEOUT", 10),  # seconds a request waits for one
                "max_idle": 300,
            }
        if options:
            config["OPTIONS"] = options
        return config
    raise ImproperlyConfigured(
        f"GOVHALL_DATABASE_URL={url!r} is not understood: use sqlite:///path or postgres://user@host/db"
    )


DATABASES = {"default": parse_database_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- redis: cache, task queue, events ----------------------------------------------
REDIS_URL = env("GOVHALL_REDIS_URL")
if REDIS_URL and urlparse(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured(f"GOVHALL_REDIS_URL={REDIS_URL!r} is not a redis:// URL")

if REDIS_URL:
    # Degrades to "no cache" while Redis is unreachable, instead of failing the page (govhall/core/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "govhall.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY_IMMEDIATE = envbool("GOVHALL_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("GOVHALL_HUEY_NAME", "govhall"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "govhall",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- applications --------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "axes",
    "govhall.core",
    "govhall.orgs",
    "govhall.accounts",
    "govhall.exchange",
    "govhall.catalog",
    "govhall.standards",
    "govhall.queueing",
    "govhall.cases",
    "govhall.onething",
    "govhall.reviews",
    "govhall.hotline",
    "govhall.staffing",
    "govhall.reports",
    "govhall.portal",
    "govhall.govstack",
]

MIDDLEWARE = [
    "govhall.core.middleware.RequestIdMiddleware",
    # Counts every request by route name for /metrics and writes its log line (govhall/core/metrics.py);
    # right after the request id, so it times everything below and its line carries the id.
    "govhall.core.metrics.RequestMetricsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx, before anything that may answer an error page
    "govhall.core.bodylimit.RequestSizeLimitMiddleware",  # before anything reads the body (CSRF does)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.middleware.HtmlGZipMiddleware",  # compresses what the middleware below produced
    # Django's session middleware, renewing the idle timeout at most once a minute (govhall/core/sessions.py).
    "govhall.core.sessions.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govhall.core.middleware.SecurityHeadersMiddleware",
    "govhall.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govhall.urls"
ASGI_APPLICATION = "govhall.asgi.application"

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
                "govhall.core.context_processors.site",
            ],
        },
    }
]

# --- accounts and sessions -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "govhall.accounts.passwords.LettersAndDigitsValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = envint("GOVHALL_SESSION_IDLE_SECONDS", 30 * 60)
# The 30 minutes are idle time: a request that uses the session renews them, writing the session at most
# once per GOVHALL_SESSION_RENEW_SECONDS (core.sessions), so the idle timeout is 29–30 minutes.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = envint("GOVHALL_SESSION_RENEW_SECONDS", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("GOVHALL_BEHIND_PROXY") else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("GOVHALL_SECURE_COOKIES", False)

# A checked API token (with its user's roles and centre) is remembered this many seconds per process;
# any change to tokens, users, roles or centres clears it at once in the process that made it (0: off).
API_TOKEN_CACHE_SECONDS = envint("GOVHALL_API_TOKEN_CACHE_SECONDS", 5)
# Hot rows (a centre's queue settings and windows, a window with its centre, a user's roles) are remembered
# this many seconds per process (core.memo); a change clears them at once in the process that made it (0: off).
HOT_CACHE_SECONDS = envint("GOVHALL_HOT_CACHE_SECONDS", 5)
# The city view's computed tables in the cache (issue 17): a past period's until the next `reports rebuild`
# (which starts a new generation) or this many seconds; one that includes today this many seconds, and
# dropped at once when an event recomputes today's figures. The department view's figures (counts,
# 应进必进 coverage, stationed windows) are kept for the today time too (0: off).
REPORTS_PAST_CACHE_SECONDS = envint("GOVHALL_REPORTS_PAST_CACHE_SECONDS", 3600)
REPORTS_TODAY_CACHE_SECONDS = envint("GOVHALL_REPORTS_TODAY_CACHE_SECONDS", 5)

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
# Lock the account, not the address: a hall's counters share one public address behind NAT.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- security headers ----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = envint("GOVHALL_HSTS_SECONDS", 31536000)  # only sent over https
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; media-src 'self' blob:; font-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # `make run` serves without collectstatic
# Uploaded scans and photos live outside any web root; they are only served through access-checked views.
MEDIA_ROOT = Path(env("GOVHALL_MEDIA_DIR") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
UPLOAD_MAX_BYTES = envint("GOVHALL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# A whole request body, refused with 413 before it is read (govhall/core/bodylimit.py): a form with files
# up to MAX_REQUEST_BYTES (default: five full-size files, what one material of the portal's application
# form takes, plus the form's fields); any other body up to DATA_UPLOAD_MAX_MEMORY_SIZE. nginx's
# client_max_body_size must be a little above MAX_REQUEST_BYTES, so that govhall answers in Chinese.
MAX_REQUEST_BYTES = envint("GOVHALL_MAX_REQUEST_BYTES", 5 * UPLOAD_MAX_BYTES + 512 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # bigger files are spooled to a temporary file, not memory

# --- backups (govhall/core/backup.py; docs/operations.md "Backup and restore") ----------------------
# Set GOVHALL_BACKUP_DIR and the task worker makes a backup there every night at 02:30 (govhall/core/tasks.py);
# `govhall backup` uses it when --dest is not given. Backups older than KEEP_DAYS are removed after a good one.
BACKUP_DIR = env("GOVHALL_BACKUP_DIR")
BACKUP_KEEP_DAYS = envint("GOVHALL_BACKUP_KEEP_DAYS", 14)
BACKUP_TAR = envbool("GOVHALL_BACKUP_TAR", False)
if BACKUP_KEEP_DAYS < 0:
    raise ImproperlyConfigured("GOVHALL_BACKUP_KEEP_DAYS must be 0 (keep all) or more")

# --- public tracking look-ups (govhall/cases/tracking_limits.py) ---------------------------
TRACK_WINDOW = envint("GOVHALL_TRACK_WINDOW", 30 * 60)
TRACK_FAILURES_PER_NUMBER = envint(
    "GOVHALL_TRACK_FAILURES_PER_NUMBER", 10
)  # wrong passwords per (address, number)
TRACK_FAILURES_PER_IP = envint("GOVHALL_TRACK_FAILURES_PER_IP", 30)  # per address across numbers
TRACK_IDS_PER_IP = envint("GOVHALL_TRACK_IDS_PER_IP", 10)  # distinct ID numbers per address
TRACK_IDS_PER_KIOSK = envint("GOVHALL_TRACK_IDS_PER_KIOSK", 100)  # distinct ID numbers per paired kiosk
# The halls' self-service kiosks ("paired" kiosks): addresses or networks, comma-separated, as the server
# sees them (behind the proxy: X-Forwarded-For). Never list an address shared with public Wi-Fi.
KIOSK_ADDRESSES = envnetworks("GOVHALL_KIOSK_ADDRESSES")

# --- notifications ----------------------------------------------------------------------
SMS_BACKEND = env("GOVHALL_SMS_BACKEND", "log")
SMS_URL = env("GOVHALL_SMS_URL")
SMS_TOKEN = env("GOVHALL_SMS_TOKEN")
SMS_TIMEOUT = envint("GOVHALL_SMS_TIMEOUT", 10)
if SMS_BACKEND not in ("log", "http"):
    raise ImproperlyConfigured(f"GOVHALL_SMS_BACKEND={SMS_BACKEND!r} is not one of: log, http")
if SMS_BACKEND == "http" and urlparse(SMS_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"GOVHALL_SMS_URL={SMS_URL!r} must be an http(s):// URL when GOVHALL_SMS_BACKEND=http"
    )

# --- 实名核验 (portal identity check) ---------------------------------------------------------
# `none`: no check available, portal accounts stay self-declared. `http`: the provincial 统一身份认证 /
# 公安 identity check (contract in govhall/portal/identity.py and docs/operations.md).
IDENTITY_BACKEND = env("GOVHALL_IDENTITY_BACKEND", "none")
IDENTITY_URL = env("GOVHALL_IDENTITY_URL")
IDENTITY_TOKEN = env("GOVHALL_IDENTITY_TOKEN")
IDENTITY_APP_KEY = env("GOVHALL_IDENTITY_APP_KEY")
IDENTITY_TIMEOUT = envint("GOVHALL_IDENTITY_TIMEOUT", 10)
if IDENTITY_BACKEND not in ("none", "http"):
    raise ImproperlyConfigured(f"GOVHALL_IDENTITY_BACKEND={IDENTITY_BACKEND!r} is not one of: none, http")
if IDENTITY_BACKEND == "http" and urlparse(IDENTITY_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"GOVHALL_IDENTITY_URL={IDENTITY_URL!r} must be an http(s):// URL when GOVHALL_IDENTITY_BACKEND=http"
    )

# --- provincial platform sync (NET-2) ----------------------------------------------------
# Unset URL: sync records are kept queued (never dropped) and sent once it is configured.
PROVINCE_URL = env("GOVHALL_PROVINCE_URL")
PROVINCE_APP_ID = env("GOVHALL_PROVINCE_APP_ID")
PROVINCE_SECRET = env("GOVHALL_PROVINCE_SECRET")
PROVINCE_TIMEOUT = envint("GOVHALL_PROVINCE_TIMEOUT", 15)
# Queue every published matter version and every case step for the platform as it happens (NET-2).
PROVINCE_SYNC_AUTO = envbool("GOVHALL_PROVINCE_SYNC_AUTO", True)
if PROVINCE_URL and urlparse(PROVINCE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(f"GOVHALL_PROVINCE_URL={PROVINCE_URL!r} must be an http(s):// URL")
if PROVINCE_URL and not (PROVINCE_APP_ID and PROVINCE_SECRET):
    raise ImproperlyConfigured(
        "GOVHALL_PROVINCE_APP_ID and GOVHALL_PROVINCE_SECRET are required when GOVHALL_PROVINCE_URL is set"
    )

# --- the provincial 好差评 system (STD-6, 国办发〔2019〕51号) and the city 12345 platform (国办发〔2020〕53号) --
# Each is one more target of the same outbox (govhall.exchange.sync) with its own address and credentials:
# the secret signs what we send (HMAC-SM3, as for the platform above) and checks what they send us
# (the inbound 差评 and 12345 work orders). Unset URL: records stay queued; inbound calls are refused (401).
REVIEWS_FEED_URL = env("GOVHALL_REVIEWS_FEED_URL")
REVIEWS_FEED_APP_ID = env("GOVHALL_REVIEWS_FEED_APP_ID")
REVIEWS_FEED_SECRET = env("GOVHALL_REVIEWS_FEED_SECRET")
REVIEWS_FEED_TIMEOUT = envint("GOVHALL_REVIEWS_FEED_TIMEOUT", 15)
# Queue every rating, work-order step and appeal result for the provincial 好差评 system as it happens.
REVIEWS_FEED_AUTO = envbool("GOVHALL_REVIEWS_FEED_AUTO", True)
HOTLINE_URL = env("GOVHALL_HOTLINE_URL")
HOTLINE_APP_ID = env("GOVHALL_HOTLINE_APP_ID")
HOTLINE_SECRET = env("GOVHALL_HOTLINE_SECRET")
HOTLINE_TIMEOUT = envint("GOVHALL_HOTLINE_TIMEOUT", 15)
# How far the clock of an inbound signed request may be from ours, seconds (a replayed request is older).
INBOUND_MAX_SKEW = envint("GOVHALL_INBOUND_MAX_SKEW", 300)
for _name, _url, _app, _secret in (
    ("GOVHALL_REVIEWS_FEED", REVIEWS_FEED_URL, REVIEWS_FEED_APP_ID, REVIEWS_FEED_SECRET),
    ("GOVHALL_HOTLINE", HOTLINE_URL, HOTLINE_APP_ID, HOTLINE_SECRET),
):
    if _url and urlparse(_url).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{_name}_URL={_url!r} must be an http(s):// URL")
    if _url and not (_app and _secret):
        raise ImproperlyConfigured(f"{_name}_APP_ID and {_name}_SECRET are required when {_name}_URL is set")

# --- health, metrics and logs (docs/operations.md, "Health and metrics") -------------------------
# /metrics answers a caller with `Authorization: Bearer <GOVHALL_METRICS_TOKEN>` or from an address in
# GOVHALL_METRICS_ALLOW (addresses or networks, comma-separated); with neither set it does not exist (404).
METRICS_TOKEN = env("GOVHALL_METRICS_TOKEN")
METRICS_ALLOW = envnetworks("GOVHALL_METRICS_ALLOW")
# Each web process counts its requests in files here; a scrape of any process adds them up. Emptied by
# `govhall serve` at start. Set before prometheus_client is imported (it reads the variable then).
METRICS_DIR = Path(env("PROMETHEUS_MULTIPROC_DIR") or VAR_DIR / "metrics")
METRICS_DIR.mkdir(mode=0o700, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# What /metrics and /readyz read about records (queues, outboxes, overdue cases): a function of the project
# named here, as CSRF_FAILURE_VIEW is, because core sits below the apps (docs/architecture.md).
OPS_FIGURES = "govhall.monitoring.figures"
OPS_READINESS = "govhall.monitoring.readiness"
# /readyz fails when a due outbox item (SMS, provincial record) has waited longer than this many seconds
# (the task worker is not running) or when more than this many items are queued.
READY_MAX_TASK_AGE = envint("GOVHALL_READY_MAX_TASK_AGE", 600)
READY_MAX_OUTBOX = envint("GOVHALL_READY_MAX_OUTBOX", 5000)
READY_CALENDAR_DAYS = 60  # the working-day calendar must know every day this far ahead

LOG_FORMAT = env("GOVHALL_LOG_FORMAT", "text").lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"GOVHALL_LOG_FORMAT={LOG_FORMAT!r} is not one of: text, json")

LOG_LEVEL = env("GOVHALL_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"GOVHALL_LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "govhall.core.middleware.RequestIdFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {"()": "govhall.core.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT.replace("text", "plain")}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "WARNING"}},
}
