"""Settings for OpinionOps, read from the environment with safe development defaults.

Every setting a deployment may change is listed in the README's configuration table.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPINIONOPS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Closed by default: off unless the environment says otherwise (bin/demo sets DEBUG=true).
DEBUG = env_bool("DEBUG", False)
# The development key is only acceptable while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS. With DEBUG off every default is the secure one (`manage.py check --deploy` is clean):
# plain HTTP is redirected, cookies are sent over HTTPS only, HSTS for a year, and the proxy's
# X-Forwarded-Proto is trusted (the reverse proxy must set it; README "Deployment"). An office
# behind plain HTTP on a closed network says so explicitly with SECURE_HTTPS=false.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS
                                         else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HTTPS)
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER",
                               "HTTP_X_FORWARDED_PROTO" if SECURE_HTTPS else "")
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",  # login lockout per user and per address (AXES_* below)
    "accounts",  # API tokens, hashed at rest, named, scoped, expiring (accounts.models)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the application itself (an intranet)
    "django_htmx",  # htmx served by the application itself (django_htmx/htmx-2.min.js)
    "organisation",
    "plans",
    "incidents",
    "audit",
    "notifications",
    "briefings",
    "intake",
    "referrals",
    "responses",
    "console",  # each role's home, the board and the menu
    "opinion_ops",  # the demo seed and the commands that span apps (enforce_deadlines)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, served by the app itself
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.access.AccessLogMiddleware",  # every page an auditor opens, every export
    "accounts.login_limits.LoginRateLimitMiddleware",  # too many login POSTs: 429
    "axes.middleware.AxesMiddleware",  # a locked-out login answers 429 (locked_out.html)
]

ROOT_URLCONF = "opinion_ops.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "opinion_ops.wsgi.application"

# With no DATABASE_URL the product runs on an embedded SQLite file so a newcomer sees it at once;
# CI and production set DATABASE_URL to PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'opinionops.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the write lock instead of failing,
    # and take it at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not memory, so integration tests' worker processes see the same database; one per
    # test run so parallel runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-opinionops-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A real minimum and Django's list of 20,000 common passwords (12345678 and password1 fail).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Times are stored in UTC; TIME_ZONE is the office's zone used for display and day counting.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# A deployment collects them outside the code, which its services may not write (README "Deployment").
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# whitenoise serves them, compressed, from STATIC_ROOT (`manage.py collectstatic`) and, so a
# server started without collectstatic still has them, from the apps' own static directories.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Content-Security-Policy (django-csp): scripts only from this server, never inline, nothing
# from another host (an intranet), no framing. Styles still allow inline `style=` attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Login lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one user name, or from
# one address, lock that name or address for AXES_COOLOFF_MINUTES; the office unlocks early in
# the admin (删除 the "Access attempts" row) or with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
# Failures are counted in the database (axes' default handler), not the cache, so the lockout
# holds across processes with either cache (axes.W001 is about its cache handler only).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no "AXES: BEGIN" banner on every command's stderr
# Reverse proxies in front of gunicorn that append the peer to X-Forwarded-For (README
# "Deployment": 1). 0: REMOTE_ADDR is the client and X-Forwarded-For, which a client can forge,
# is ignored. The lockout, the rate limits and the push log read the address from
# accounts.client_address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
# Login POSTs a minute per user name and per client address before a 429 (accounts.login_limits;
# 0: no limit), counted whether the password is right or not.
LOGIN_RATE_LIMIT = int(os.environ.get("LOGIN_RATE_LIMIT", "10"))
LOGIN_ADDRESS_RATE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# The default cache, where the rate limits count (opinion_ops.cache): with REDIS_URL set, one
# Redis for every process (CACHE_REDIS_URL for a database of its own, else REDIS_URL's under
# CACHE_KEY_PREFIX, clear() deleting only those keys); unset, each process's own memory.
_CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or os.environ.get("REDIS_URL")
CACHES = {"default": {
    "BACKEND": "opinion_ops.cache.PrefixedRedisCache",
    "LOCATION": _CACHE_REDIS_URL,
    "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX") or "opinionops:cache",
    # A Redis that does not answer costs a request at most this long, and the limits then let
    # it through (opinion_ops.rate_limits), not a hung worker.
    "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
} if _CACHE_REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: tasks are acknowledged after they run, one at a time per worker process, so a killed
# worker's task is redelivered. Deadlines never depend on this: the sweeper reads the rows.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Three queues, each with its own worker (Procfile), so a hung SMS gateway (timeouts up to
# 120 s) or a long PDF never delays a breach: `deadlines` for the sweep, the ETA fast path and
# the ladder's next rungs; `deliveries` for planning and sending messages and the delivery
# sweep; `documents` for briefings. A task without a route goes to `deliveries`, never ahead of
# a breach. On Redis, priority 0 is taken first and 9 last: beat's sweep never waits behind
# the ETA tasks of a burst (thousands, which the sweep claims in batches anyway).
CELERY_TASK_DEFAULT_QUEUE = "deliveries"
CELERY_TASK_ROUTES = {
    "incidents.tasks.fire_deadline": {"queue": "deadlines", "priority": 9},
    "incidents.tasks.*": {"queue": "deadlines"},
    "notifications.tasks.climb_ladders": {"queue": "deadlines"},  # exact names win over globs
    "notifications.tasks.*": {"queue": "deliveries"},
    "briefings.tasks.*": {"queue": "documents"},
    "intake.tasks.*": {"queue": "deadlines"},  # the leads' triage window is a deadline too
    "audit.tasks.*": {"queue": "documents"},
}
DEADLINE_SWEEP_INTERVAL = float(os.environ.get("DEADLINE_SWEEP_INTERVAL", "1.0"))
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "incidents.tasks.sweep_deadlines",
        "schedule": timedelta(seconds=DEADLINE_SWEEP_INTERVAL),
        # A sweep that could not start in time is replaced by the next one, never queued up.
        "options": {"expires": max(DEADLINE_SWEEP_INTERVAL * 5, 5)},
    },
}
CELERY_BEAT_SCHEDULE["climb-ladders"] = {
    # The next rung of unacknowledged escalations (notifications.ladder), as often as the sweep.
    "task": "notifications.tasks.climb_ladders",
    "schedule": timedelta(seconds=DEADLINE_SWEEP_INTERVAL),
    "options": {"expires": max(DEADLINE_SWEEP_INTERVAL * 5, 5)},
}
CELERY_BEAT_SCHEDULE["sweep-deliveries"] = {
    # Re-sends deliveries whose task was lost and plans those an escalation never got.
    "task": "notifications.tasks.sweep_deliveries",
    "schedule": timedelta(seconds=float(os.environ.get("NOTIFICATION_SWEEP_INTERVAL", "30"))),
    "options": {"expires": 30},
}
# The hash chains' heads are recorded this often (audit.heads, C24).
AUDIT_HEAD_INTERVAL = float(os.environ.get("AUDIT_HEAD_INTERVAL", "300"))
CELERY_BEAT_SCHEDULE["record-chain-heads"] = {
    "task": "audit.tasks.record_chain_heads",
    "schedule": timedelta(seconds=AUDIT_HEAD_INTERVAL),
    "options": {"expires": AUDIT_HEAD_INTERVAL},
}
# The key of the record's hash chains (incidents.chain); changing it makes every chain fail
# verification, so it is kept apart from SECRET_KEY in production.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "") or SECRET_KEY
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat without a single point of failure: RedBeat keeps the schedule in Redis behind a lock, so
# a standby beat may run on another host, waiting on the lock. The active beat extends it on
# every tick (at least every CELERY_BEAT_MAX_LOOP_INTERVAL s); if it dies, the lock lapses after
# CELERY_REDBEAT_LOCK_TIMEOUT s and the standby, polling every loop interval, takes over within
# 20 + 5 = 25 s (tests/faults: the beat-kill scenario). A beat whose lock is gone (Redis lost
# it) exits and is started again by its service manager, storing the schedule anew.
# OPINIONOPS_BEAT_SCHEDULER=celery.beat:PersistentScheduler goes back to the file (one beat).
CELERY_BEAT_SCHEDULER = os.environ.get("OPINIONOPS_BEAT_SCHEDULER", "redbeat.RedBeatScheduler")
CELERY_BEAT_MAX_LOOP_INTERVAL = float(os.environ.get("CELERY_BEAT_MAX_LOOP_INTERVAL", "5"))
CELERY_REDBEAT_LOCK_TIMEOUT = int(os.environ.get("CELERY_REDBEAT_LOCK_TIMEOUT", "20"))
CELERY_REDBEAT_KEY_PREFIX = os.environ.get("CELERY_REDBEAT_KEY_PREFIX", "opinionops:redbeat")
CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL  # the broker: one Redis to run, stop or lose

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "accounts.tokens.TokenScope"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bodies and query strings are bounded before a view reads them (opinion_ops.inputs).
    "DEFAULT_PARSER_CLASSES": ["opinion_ops.inputs.ObjectJSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_FILTER_BACKENDS": ["opinion_ops.inputs.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "opinion_ops.api.exception_handler",
    # 429 over API_RATE_LIMIT per user (opinion_ops.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["opinion_ops.throttling.ApiUserRateThrottle"],
}
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "OpinionOps API",
    "DESCRIPTION": "Incident-response workflow for online public-opinion incidents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for people who have logged in (session or API token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The Swagger UI's scripts and styles from drf-spectacular-sidecar, not a CDN: the office's
    # intranet has no internet. No validator badge either (it is an image from another host).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Every operation's error answers (400/401/403/404/409/415/429) with their bodies.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "opinion_ops.schema.declare_error_responses"],
    # Several models have a field named `kind`; each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "ResponseKindEnum": "plans.choices.ResponseKind",
        "MeetingKindEnum": "responses.models.Meeting.Kind",
        "BriefingKindEnum": "briefings.models.Briefing.Kind",
    },
}

# Development default: each e-mail one INFO log line (notifications.mail_backend), not a raw dump.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "notifications.mail_backend.LoggingEmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "opinionops@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Robot tokens, signatures and passwords in a URL or header never reach a log line: every
    # handler redacts (urllib3 logs each request's URL at DEBUG, requests errors repeat it).
    "filters": {"redact_secrets": {"()": "opinion_ops.redaction.RedactingFilter"},
                "routine_tasks_at_debug": {"()": "opinion_ops.quiet_logs.RoutineTaskFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Beat sends the sweeps every second: their "sending", "received" and, when a sweep did
    # nothing, "succeeded" lines are DEBUG (opinion_ops.quiet_logs); a sweep that breached or
    # sent something still logs at INFO.
    "loggers": {name: {"filters": ["routine_tasks_at_debug"]}
                for name in ("celery.beat", "celery.worker.strategy", "celery.app.trace")},
}

# Deadlines due within this horizon also get an ETA task that may fire them before the next
# sweep. Keep it well under the broker's visibility timeout so the task is never redelivered.
DEADLINE_ETA_HORIZON_SECONDS = int(os.environ.get("DEADLINE_ETA_HORIZON_SECONDS", "600"))
DEADLINE_SWEEP_BATCH = int(os.environ.get("DEADLINE_SWEEP_BATCH", "500"))

# Notifications (delivery of escalations and notices).
ACK_LINK_MAX_AGE_SECONDS = int(os.environ.get("ACK_LINK_MAX_AGE_SECONDS", "86400"))
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_MAX_SECONDS", "1800"))
NOTIFICATION_SWEEP_GRACE_SECONDS = int(os.environ.get("NOTIFICATION_SWEEP_GRACE_SECONDS", "60"))
NOTIFICATION_SENDING_LEASE_SECONDS = int(
    os.environ.get("NOTIFICATION_SENDING_LEASE_SECONDS", "300"))
NOTIFICATION_SWEEP_BATCH = int(os.environ.get("NOTIFICATION_SWEEP_BATCH", "200"))
# Channel URLs may not reach internal addresses (loopback, link-local/metadata, private) except
# these: comma-separated host names, addresses or CIDR ranges (notifications.channels.addresses).
NOTIFICATION_ALLOWED_PRIVATE_HOSTS = env_list("NOTIFICATION_ALLOWED_PRIVATE_HOSTS", "")
# Channel credentials are stored encrypted with these Fernet keys (comma-separated, the first
# encrypts); unset, a key derived from SECRET_KEY (notifications.secrets).
NOTIFICATION_SECRET_KEYS = env_list("NOTIFICATION_SECRET_KEYS", "")

# Meeting minutes (responses.meetings): the largest upload accepted, in bytes.
MEETING_MINUTES_MAX_BYTES = int(os.environ.get("MEETING_MINUTES_MAX_BYTES", str(10 * 1024 * 1024)))

# Intake (monitoring tools' pushes become leads, intake/): near-duplicate titles within this
# many hours, at this RapidFuzz ratio (0–100), among at most this many recent leads, are one lead.
INTAKE_DEDUP_WINDOW_HOURS = int(os.environ.get("INTAKE_DEDUP_WINDOW_HOURS", "24"))
INTAKE_TITLE_SIMILARITY = int(os.environ.get("INTAKE_TITLE_SIMILARITY", "90"))
INTAKE_DEDUP_CANDIDATES = int(os.environ.get("INTAKE_DEDUP_CANDIDATES", "5000"))
# Pushes a minute per intake source (robots and the API) before the provider's "too fast" error
# (intake.receiving.push_rate_exceeded); 0: no limit (bench/intake.py).
INTAKE_RATE_LIMIT = int(os.environ.get("INTAKE_RATE_LIMIT", "600"))
CELERY_BEAT_SCHEDULE["sweep-lead-triage"] = {
    # Leads untouched past the plan's triage window (C06), and their ladders (intake.triage).
    "task": "intake.tasks.sweep_lead_triage",
    "schedule": timedelta(seconds=max(DEADLINE_SWEEP_INTERVAL, 5)),
    "options": {"expires": max(DEADLINE_SWEEP_INTERVAL * 5, 5)},
}

# API tokens (accounts): the expiry of a token issued without one, and of an intake source's
# token (create_intake_source), in days.
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
INTAKE_TOKEN_DAYS = int(os.environ.get("INTAKE_TOKEN_DAYS", "366"))
