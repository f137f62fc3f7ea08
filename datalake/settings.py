"""Settings for Datapunk Lake.

Everything a deployment changes is read from the environment here, in one
place, through django-environ. `docker/.env.example` and the README list every
variable with its default. With no DATABASE_URL / REDIS_URL the project uses
the embedded PostgreSQL and Redis that `manage.py serve` (and the test suite)
start under VAR_DIR.
"""

import os
from pathlib import Path

import environ
from django.utils.csp import CSP

from core.private import UMASK

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Secrets may come from files (Docker/Compose secrets under /run/secrets): for
# these names only, NAME_FILE set means "read NAME from that file". Not every
# variable: MASTER_KEY_FILE already names the key file itself.
SECRET_FILE_NAMES = ("SECRET_KEY", "DATABASE_URL", "DATABASE_APP_URL", "DATABASE_OWNER_URL", "DB_APP_PASSWORD",
                     "DB_OWNER_PASSWORD", "METRICS_TOKEN", "ADMIN_PASSWORD", "REDIS_URL")
for _name in SECRET_FILE_NAMES:
    if (_file := env.str(f"{_name}_FILE", default="")) and _name not in os.environ:
        os.environ[_name] = Path(_file).read_text().strip()

DEBUG = env.bool("DEBUG", default=False)
# A fixed key is fine for a local console; `check --deploy` flags it, and the
# Docker set-up requires a real one.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-datapunk-lake-local-only-change-me-0123456789abcdefghij",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Where things live on disk -------------------------------------------
# Everything the lake writes (Redis's snapshot of cached pages, partial
# uploads, archives, keys) is for its own account only: every process of the
# lake (serve, gunicorn, workers, the scheduler, and the embedded servers they
# start) loads these settings first.
os.umask(UMASK)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
DATA_DIR = Path(env.str("DATA_DIR", default=str(VAR_DIR / "data")))
ARCHIVE_DIR = Path(env.str("ARCHIVE_DIR", default=str(VAR_DIR / "archive")))
TEMP_DIR = Path(env.str("TEMP_DIR", default=str(VAR_DIR / "tmp")))
KEYS_DIR = Path(env.str("KEYS_DIR", default=str(VAR_DIR / "keys")))
# Storage budgets per area, in GB (the design's resource envelope: 100 data, 500 archive,
# 50 temp); the storage dashboard measures against them.
STORAGE_BUDGETS_GB = {
    "data": env.int("STORAGE_BUDGET_DATA_GB", default=100),
    "archive": env.int("STORAGE_BUDGET_ARCHIVE_GB", default=500),
    "temp": env.int("STORAGE_BUDGET_TEMP_GB", default=50),
}

# --- Limits ---------------------------------------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=100 * 2**30)
USER_QUOTA_BYTES = env.int("USER_QUOTA_BYTES", default=250 * 2**30)
UPLOAD_EXPIRY_HOURS = env.int("UPLOAD_EXPIRY_HOURS", default=72)
RAW_RETENTION_DAYS = env.int("RAW_RETENTION_DAYS", default=30)
# A long member whose parser marks restart points (an mbox) commits at the first one after this many
# bytes: a worker killed in a 10 GB mbox loses at most this much work, not the whole member.
IMPORT_CHECKPOINT_BYTES = env.int("IMPORT_CHECKPOINT_BYTES", default=64 * 2**20)
# Export downloads (lake/exports.py): each holds a web thread and a database
# transaction while it streams, so one person may run only a few at once, and
# one whose client stops reading for this long is ended.
EXPORT_MAX_PER_USER = env.int("EXPORT_MAX_PER_USER", default=2)
EXPORT_STALL_SECONDS = env.int("EXPORT_STALL_SECONDS", default=60)

# --- Keys (kept outside the database) -------------------------------------
MASTER_KEY = env.str("MASTER_KEY", default="")
MASTER_KEY_FILE = Path(env.str("MASTER_KEY_FILE", default=str(KEYS_DIR / "master.key")))
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Database ---------------------------------------------------------------
# DATABASE_URL names the server and database, with an administrative account
# (a superuser, or one that may create roles). It is used as is only to
# bootstrap roles and extensions; Django itself never connects as it:
#   "default" - the app role: no superuser, no BYPASSRLS, owns nothing, so
#               row-level security applies to every query the console makes;
#   "owner"   - the owner role (via SET ROLE), for migrations and audited
#               maintenance.
# DATABASE_APP_URL / DATABASE_OWNER_URL override either connection outright
# for deployments that hand out separate credentials.
EMBEDDED = not env.str("DATABASE_URL", default="")
EMBEDDED_PG_DIR = VAR_DIR / "postgres"
DATABASE_URL = env.str(
    "DATABASE_URL",
    default=f"postgres://postgres@/datalake?host={EMBEDDED_PG_DIR}",
)
DB_OWNER_ROLE = env.str("DB_OWNER_ROLE", default="datalake_owner")
DB_APP_ROLE = env.str("DB_APP_ROLE", default="datalake_app")
DB_APP_PASSWORD = env.str("DB_APP_PASSWORD", default="")
DB_OWNER_PASSWORD = env.str("DB_OWNER_PASSWORD", default="")
# Set on the app role by bootstrap: a session of it that sits idle inside a
# transaction this long is ended, so a forgotten transaction cannot hold
# VACUUM or a partition DETACH back indefinitely. 0 turns it off.
DB_APP_IDLE_IN_TRANSACTION_SECONDS = env.int("DB_APP_IDLE_IN_TRANSACTION_SECONDS", default=900)
# Your own SQL (sqlaccess/): each person who asks gets a login role named
# <prefix>_u<id>, a member of the NOLOGIN group <prefix>_reader. Role names are
# cluster-wide, so the prefix follows the app role's name: two lakes (or two
# test runs) on one server with different DB_APP_ROLEs never share a role.
SQL_ACCESS_ROLE_PREFIX = env.str("SQL_ACCESS_ROLE_PREFIX", default=DB_APP_ROLE.removesuffix("_app"))
DB_READER_ROLE = env.str("DB_READER_ROLE", default=f"{SQL_ACCESS_ROLE_PREFIX}_reader")



def _db_config(url: str) -> dict:
    config = env.db_url_config(url)
    config["ENGINE"] = "django.db.backends.postgresql"
    # A socket directory given as ?host=/path belongs in HOST, where both
    # Django and our bootstrap connection look for it.
    options = config.setdefault("OPTIONS", {})
    if "host" in options:
        config["HOST"] = options.pop("host")
    return config


_admin_db = _db_config(DATABASE_URL)

if env.str("DATABASE_APP_URL", default=""):
    _app_db = _db_config(env.str("DATABASE_APP_URL"))
else:
    _app_db = {**_admin_db, "USER": DB_APP_ROLE, "PASSWORD": DB_APP_PASSWORD}

if env.str("DATABASE_OWNER_URL", default=""):
    _owner_db = _db_config(env.str("DATABASE_OWNER_URL"))
else:
    _owner_db = {
        **_admin_db,
        "OPTIONS": {**_admin_db.get("OPTIONS", {}), "assume_role": DB_OWNER_ROLE},
    }

_connection_defaults = {
    "ENGINE": "django.db.backends.postgresql",
    "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
    "CONN_HEALTH_CHECKS": True,
}
DATABASES = {
    "default": {**_app_db, **_connection_defaults},
    "owner": {**_owner_db, **_connection_defaults},
}
for _db in DATABASES.values():
    _db["OPTIONS"] = {
        **_db.get("OPTIONS", {}),
        "application_name": "datapunk-lake",
        # A statement stuck behind a lock should fail, not hang a page.
        "options": "-c lock_timeout=10000",
    }
# Connection pooling: Django's native psycopg pool, one per process and alias,
# in place of persistent connections (Django refuses both at once). On by
# default for a server back end, where many web threads and workers share one
# PostgreSQL; the embedded one serves a single person. Safe under row-level
# security because the user is only ever set transaction-locally
# (set_config(..., true), core/rls.py): a connection goes back to the pool
# carrying no one's app.user_id (tests/core/test_connection_pool.py). With
# PgBouncer in front instead, turn this off: docker/pgbouncer.md.
DB_POOL = env.bool("DB_POOL", default=not EMBEDDED)
DB_POOL_MIN_SIZE = env.int("DB_POOL_MIN_SIZE", default=1)
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=8)
# Seconds a request waits for a free connection before it fails.
DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=10.0)
if DB_POOL:
    # The app role's alias only, which serves every request. The owner's keeps its
    # persistent connection: Django's pool cannot configure `assume_role` (its SET
    # ROLE is composed through the very connection being opened, and the pool
    # deadlocks waiting for itself), and maintenance is a few sessions anyway.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    from core.pooling import reset_connection

    DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": DB_POOL_MIN_SIZE, "max_size": DB_POOL_MAX_SIZE,
                                               "timeout": DB_POOL_TIMEOUT, "reset": reset_connection}
# The administrative URL, parsed, for the bootstrap step only.
DATABASE_ADMIN = _admin_db
DATABASE_ROUTERS = ["core.routers.OwnerMigratesRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Your own SQL (sqlaccess/) ---------------------------------------------------
# What the connection string names; empty means the server DATABASE_URL names
# (for the embedded server, its socket folder). Set them when people connect
# through another address (a public host name, a pooler).
SQL_ACCESS_HOST = env.str("SQL_ACCESS_HOST", default="")
SQL_ACCESS_PORT = env.str("SQL_ACCESS_PORT", default="")
# Written into the connection string when set (e.g. verify-full for a remote server).
SQL_ACCESS_SSLMODE = env.str("SQL_ACCESS_SSLMODE", default="")
# Set on each login role: what one person's SQL may take from the shared server.
SQL_ACCESS_CONNECTION_LIMIT = env.int("SQL_ACCESS_CONNECTION_LIMIT", default=3)
SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS = env.int("SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS", default=120)
SQL_ACCESS_IDLE_IN_TRANSACTION_SECONDS = env.int("SQL_ACCESS_IDLE_IN_TRANSACTION_SECONDS", default=300)
SQL_ACCESS_TEMP_FILE_LIMIT_MB = env.int("SQL_ACCESS_TEMP_FILE_LIMIT_MB", default=1024)
# The personal workspace schema: a warning past WARN of the quota, no more CREATE past it.
SQL_ACCESS_WORKSPACE_QUOTA_MB = env.int("SQL_ACCESS_WORKSPACE_QUOTA_MB", default=1024)
SQL_ACCESS_WORKSPACE_WARN = env.float("SQL_ACCESS_WORKSPACE_WARN", default=0.8)
# How often the workspace sizes are checked and the logins' sessions counted.
SQL_ACCESS_CHECK_SECONDS = env.int("SQL_ACCESS_CHECK_SECONDS", default=300)

# --- Redis, cache and queues ---------------------------------------------------
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis" / "redis.sock"
REDIS_URL = env.str("REDIS_URL", default=f"unix://{EMBEDDED_REDIS_SOCKET}?db=0")
EMBEDDED_REDIS = not env.str("REDIS_URL", default="")
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="datalake"),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": timeout}
    for name, timeout in (("default", 600), ("imports", 6 * 3600), ("maintenance", 3600), ("vectors", 6 * 3600))
}
# Semantic search (vectors/): the embedding model (vectors.embedders.MODELS), how many rows one
# transaction embeds, and the share of its time an embedding job works (it pauses between batches
# for the rest), smaller while an import runs or waits. Workers take the "vectors" queue last.
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="wordllama-256")
EMBEDDING_BATCH_ROWS = env.int("EMBEDDING_BATCH_ROWS", default=1000)
EMBEDDING_DUTY = env.float("EMBEDDING_DUTY", default=0.5)
EMBEDDING_DUTY_WHILE_IMPORTING = env.float("EMBEDDING_DUTY_WHILE_IMPORTING", default=0.05)
# Jobs are enqueued when the transaction that made their rows commits.
RQ = {"COMMIT_MODE": "on_db_commit"}

# --- Applications -----------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # intcomma: every count reads with thousands separators
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_rq",
    # The platform first, then the products (one app per Takeout product family,
    # see sources/registry.py), then the features built on them.
    "audit",
    "core",
    "vault",
    "sources.location",
    "sources.photos",
    "sources.activity",
    "sources.youtube",
    "sources.places",
    "sources.play",
    "sources.mail",
    "sources.calendar",
    "sources.contacts",
    "sources.chrome",
    "sources.keep",
    "sources.fit",
    "sources.derived",  # after location: stays, trips and places are worked out from its points
    "vectors",
    "imports",
    "uploads",
    "lifecycle",
    "sqlaccess",
    "events",
    "monitoring",
    "explore",
    # The REST API (/api/v1/) and its token pages; "ninja" serves its docs page's assets locally.
    "ninja",
    "api",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Errors under /api/ are problem+json, whatever raised them.
    "api.middleware.ApiProblemMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RowLevelSecurityMiddleware",
    # Bearer tokens (write:imports) on the tus endpoint, for scripts that upload without a session.
    "api.middleware.BearerUploadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "datalake.urls"
WSGI_APPLICATION = "datalake.wsgi.application"
ASGI_APPLICATION = "datalake.asgi.application"

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
                "console.context_processors.navigation",
                "events.delivery.notices.webhook_notice",
            ],
        },
    },
]

# Django's model backend behind the sign-in throttle (console/signin.py).
AUTHENTICATION_BACKENDS = ["console.signin.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Browser libraries come from npm (package.json), each served from its dist folder.
NPM_STATIC = {
    "vendor/leaflet": "leaflet/dist",
    "vendor/chartjs": "chart.js/dist",
    "vendor/htmx": "htmx.org/dist",
    "vendor/tus": "tus-js-client/dist",
    # The map's offline base (static/js/map.js): Natural Earth countries as TopoJSON, and the
    # decoder that turns them into GeoJSON for Leaflet, used when no tile server answers.
    "vendor/world-atlas": "world-atlas",
    "vendor/topojson": "topojson-client/dist",
}
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, BASE_DIR / "node_modules" / folder)
    for prefix, folder in NPM_STATIC.items()
    if (BASE_DIR / "node_modules" / folder).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Serve straight from the source folders when nobody ran collectstatic.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# --- Map (lake/mapdata.py) ----------------------------------------------------------
# A self-hoster may run their own tile server; its origin joins the CSP img-src below.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION", default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
MAP_MAX_FEATURES = env.int("MAP_MAX_FEATURES", default=5000)
# Which index path the map's viewport queries take: "btree" (user_id, lat_e7,
# lng_e7), "postgis" (GiST on the geography column, where installed) or "auto"
# (postgis where present). btree by measurement: bench/map_bench.py at 2M points.
MAP_BACKEND = env.str("MAP_BACKEND", default="btree")


def _tile_origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "*"))
    # A relative URL means tiles served by this site: 'self' already covers it.
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "'self'"


# --- Change events (events/) --------------------------------------------------------
# Each user's Redis stream of events keeps about this many (XADD MAXLEN ~); the outbox keeps them all.
EVENTS_STREAM_MAXLEN = env.int("EVENTS_STREAM_MAXLEN", default=10_000)
# Outbox events older than this are deleted daily, unless a webhook delivery still waits for them.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=30)
# Webhooks to loopback, private and link-local addresses are refused unless this is set (a
# webhook must not become a way to reach services inside the lake's network).
EVENTS_WEBHOOK_ALLOW_PRIVATE = env.bool("EVENTS_WEBHOOK_ALLOW_PRIVATE", default=False)
# GET /api/v1/events: a comment line this often when nothing happens, and the stream ends after
# EVENTS_SSE_MAX_SECONDS (the client reconnects with Last-Event-ID) so no thread is held for ever.
EVENTS_SSE_HEARTBEAT_SECONDS = env.float("EVENTS_SSE_HEARTBEAT_SECONDS", default=15.0)
EVENTS_SSE_MAX_SECONDS = env.float("EVENTS_SSE_MAX_SECONDS", default=300.0)


# --- Health dashboards (monitoring/) ------------------------------------------------
HEALTH_SAMPLE_SECONDS = env.int("HEALTH_SAMPLE_SECONDS", default=300)
HEALTH_RETENTION_DAYS = env.int("HEALTH_RETENTION_DAYS", default=14)
# The expensive catalog queries are cached in Redis this long.
HEALTH_CACHE_SECONDS = env.int("HEALTH_CACHE_SECONDS", default=30)
# (warn, critical) per check, defaults from shared/reference/HEALTH-AND-LIFECYCLE.md.
# Override any of them with HEALTH_THRESHOLDS='{"xid_age": [150000000, 600000000]}'.
HEALTH_THRESHOLDS = {
    "xid_age": (100_000_000, 500_000_000),
    "mxid_age": (100_000_000, 500_000_000),
    "xmin_age": (10_000, 100_000),
    "dead_tuples_hours": (2, 24),  # over the autovacuum trigger with no vacuum for this long
    "parent_analyze_days": (7, 30),  # autovacuum never analyzes a partitioned parent
    "vacuum_running_seconds": (60, 300),
    "bloat_ratio": (0.3, 0.6),  # tables of 128 pages or more
    "unused_index_bytes": (10 * 2**20, 1 * 2**30),
    "cache_hit_ratio": (0.99, 0.95),  # below
    "default_partition_rows": (1, 100_000),
    "premake": (4, 1),  # fewer partitions ahead of now than this
    "maintenance_age_intervals": (2, 6),  # last run older than this many intervals
    "sequence_used": (0.75, 0.90),
    "query_seconds": (60, 300),
    "idle_in_transaction": (1, 5),
    "connections_used": (0.50, 0.75),
    "redis_memory_used": (0.80, 0.90),
    "redis_fragmentation": (1.5, 3.0),
    "redis_hit_ratio_drop": (0.10, 0.30),  # below the baseline of earlier windows
    "redis_clients_used": (0.80, 0.95),
    "queue_oldest_seconds": (600, 3600),
    "queue_failed_new": (1, 10),  # failures added since the previous sample
    "storage_used": (0.80, 0.95),
    **env.json("HEALTH_THRESHOLDS", default={}),
}


# --- Security ---------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *env.list("CSP_IMG_SOURCES", default=[_tile_origin(MAP_TILE_URL)])],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "console.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Production sits behind a TLS proxy; a local console is plain http on loopback.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a one-way decision for the domain's owner, not a default;
# HSTS itself may be left to the TLS proxy in front of us.
SILENCED_SYSTEM_CHECKS = ["security.W021"] + (["security.W004"] if SECURE_HSTS_SECONDS == 0 else [])

# pytest (8.2+) sets PYTEST_VERSION for its process and the children it starts.
TESTING = env.bool("TESTING", default="PYTEST_VERSION" in os.environ)
if TESTING:
    # Fast hashing keeps the suite quick; PBKDF2 stays to check older hashes.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    # Tests render pages without running collectstatic first.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- REST API (api/) ------------------------------------------------------------------
# The key of the tokens' HMAC-SHA256. Unset, it is derived from SECRET_KEY, so
# rotating SECRET_KEY (or setting this) invalidates every API token at once.
API_TOKEN_KEY = env.str("API_TOKEN_KEY", default="")
# Requests per token per minute; past it, 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
# Largest live-ingestion body (OwnTracks, Overland) and API JSON body, in bytes: past it, 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=5 * 1024 * 1024)
