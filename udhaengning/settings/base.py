"""Settings shared by every environment.

Everything configurable comes from the environment through django-environ's typed
helpers; `.env.example` lists each variable with a comment. The defaults here are the
embedded ones `make run` uses (SQLite, tasks run in-process, e-mail to the console);
`prod.py` removes the unsafe ones and refuses to start without the essentials.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is read when present (never committed); the real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",  # kept only so its migration history (the old static tokens) stays valid
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts",
    "audit",
    "incidents",
    "knowledge",
    "reports",
    "notifications",
    "recordings",
    "stats",
    "privacy",
    "dashboards",
    "incidents.capture",
    "retention",
    "idempotency",
    "demo",  # seed data and the benchmark generator (manage.py seed_demo)
]

MIDDLEWARE = [
    # /healthz is answered first, whatever the Host (udhaengning/health.py).
    "udhaengning.health.HealthCheckMiddleware",
    # Request id for the logs and the X-Request-ID answer (udhaengning/logs.py).
    "udhaengning.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves the idle timeout at most once a minute instead of saving the session on every request.
    "udhaengning.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "udhaengning.middleware.NoStoreMiddleware",
    "udhaengning.middleware.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "audit.context.AuditContextMiddleware",
    "accounts.sso.middleware.SSOFormActionMiddleware",
]

ROOT_URLCONF = "udhaengning.urls"
WSGI_APPLICATION = "udhaengning.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The statistics indexes carry extra columns (INCLUDE) for PostgreSQL; SQLite, the embedded
# default, builds them without those columns, which is all it needs. Not a problem to report.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------
# Production sets CACHE_URL to Redis so several web processes share throttling state.


def fail_open(config: dict) -> dict:
    """Django's Redis backend swapped for the fail-open one (accounts/cache.py), with short
    socket timeouts so a Redis that does not answer costs a request half a second at most."""
    if config.get("BACKEND") != "django.core.cache.backends.redis.RedisCache":
        return config
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **config.get("OPTIONS", {})}
    return {**config, "BACKEND": "accounts.cache.FailOpenRedisCache", "OPTIONS": options}


# Redis is used through a backend that fails open (accounts/cache.py): sign-in works with Redis down.
CACHES = {"default": fail_open(env.cache_url("CACHE_URL", default="locmemcache://udhaengning"))}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Sign out after this many minutes without a request (the cookie is renewed on each one).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# A read does not rewrite the session; SessionRefreshMiddleware moves the expiry forward when
# the last refresh is this many seconds old (so the timeout is exact to within a minute).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# allauth's backend (username or e-mail, Django's permissions), refusing passwords where the
# organisation signs in only through its identity provider (accounts/sso/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.sso.backends.LocalPasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Throttling of failed sign-ins (allauth, counted in the shared cache): at most
# LOGIN_FAILURES_PER_USER failures per account in LOGIN_LOCKOUT_SECONDS, 10 a minute per IP.
# The admin login goes through the same form (see udhaengning/urls.py).
# The address limit counts the client behind the trusted proxy (TRUSTED_PROXY_HOPS) and is far
# above the account limit, so one person's wrong passwords lock out neither the office they share
# an address with nor another account; a locked account is lifted by a password reset e-mail
# or by an admin (Users → "Ophæv loginspærring"). See docs/audit.md.
LOGIN_FAILURES_PER_USER = env.int("LOGIN_FAILURES_PER_USER", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=300)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=100)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILURES_PER_ADDRESS}/10m/ip,{LOGIN_FAILURES_PER_USER}/{LOGIN_LOCKOUT_SECONDS}s/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Udhængning")
MFA_TOTP_TOLERANCE = 1
# Single sign-on per organisation (OpenID Connect, SAML 2.0): the providers are rows of
# accounts.sso.models.SSOProvider that the organisation admin edits; see docs/sso.md.
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.SSOAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
# Periodic check of SSO users against the identity provider (where it offers a way).
SSO_DIRECTORY_TIMEOUT_SECONDS = env.int("SSO_DIRECTORY_TIMEOUT_SECONDS", default=10)

# --- Audit trail and client addresses -----------------------------------------------
# The audit chain is an HMAC keyed with AUDIT_HMAC_KEY, which the database never holds: set
# it in the environment, or name a secrets file with AUDIT_HMAC_KEY_FILE (Docker/K8s secrets).
# Production refuses to start without one of at least 32 characters (see docs/audit.md).
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
if not AUDIT_HMAC_KEY and env.str("AUDIT_HMAC_KEY_FILE", default=""):
    AUDIT_HMAC_KEY = Path(env.str("AUDIT_HMAC_KEY_FILE")).read_text(encoding="utf-8").strip()
# Each chain's head is appended to this file (one JSON line per export, opened append-only;
# make it append-only for the app's user with `chattr +a`) and written to the log
# "audit.anchor" every AUDIT_ANCHOR_INTERVAL_SECONDS by the beat schedule.
AUDIT_ANCHOR_FILE = env.path("AUDIT_ANCHOR_FILE", default=BASE_DIR / "var" / "audit-anchors.jsonl")
AUDIT_ANCHOR_INTERVAL_SECONDS = env.int("AUDIT_ANCHOR_INTERVAL_SECONDS", default=600)
# How many proxies of our own stand in front of the app, each appending the address it saw
# to X-Forwarded-For. 0: the connecting address (REMOTE_ADDR) is the client and the header is
# ignored. 1 (the stack's nginx): the last address in the header is the client. Addresses a
# client writes into the header itself are never used (common/client_ip.py).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "da"
# Each language is named in itself, so a reader finds their own whatever the current one.
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Named date formats per language (udhaengning/formats/<lang>/formats.py, on top of Django's).
FORMAT_MODULE_PATH = ["udhaengning.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence and reports live in private storage: never under STATIC or any public URL.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# S3-compatible private storage by configuration alone (django-storages). Objects are written
# with server-side encryption: PRIVATE_STORAGE_S3_SSE is "AES256" (the bucket's own keys, the
# default), "aws:kms" (with PRIVATE_STORAGE_S3_SSE_KMS_KEY_ID) or "none" for a server without it.
if env.str("PRIVATE_STORAGE_S3_BUCKET", default=""):
    _sse = env.str("PRIVATE_STORAGE_S3_SSE", default="AES256")
    _object_parameters = {}
    if _sse.lower() != "none":
        _object_parameters["ServerSideEncryption"] = _sse
        if env.str("PRIVATE_STORAGE_S3_SSE_KMS_KEY_ID", default=""):
            _object_parameters["SSEKMSKeyId"] = env.str("PRIVATE_STORAGE_S3_SSE_KMS_KEY_ID")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("PRIVATE_STORAGE_S3_BUCKET"),
            "endpoint_url": env.str("PRIVATE_STORAGE_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("PRIVATE_STORAGE_S3_REGION", default=None),
            "access_key": env.str("PRIVATE_STORAGE_S3_ACCESS_KEY", default=None),
            "secret_key": env.str("PRIVATE_STORAGE_S3_SECRET_KEY", default=None),
            "addressing_style": env.str("PRIVATE_STORAGE_S3_ADDRESSING_STYLE", default=None),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "object_parameters": _object_parameters,
        },
    }
# How private files reach the browser (common/downloads.py): "stream" through the app
# (the default, fine for `make run`), or "proxy": X-Accel-Redirect to deploy/nginx for files on
# disk, a presigned redirect of PRIVATE_DOWNLOADS_URL_EXPIRY seconds for files in a bucket.
PRIVATE_DOWNLOADS = env.str("PRIVATE_DOWNLOADS", default="stream")
PRIVATE_DOWNLOADS_ACCEL_PREFIX = env.str("PRIVATE_DOWNLOADS_ACCEL_PREFIX", default="/_protected/")
PRIVATE_DOWNLOADS_URL_EXPIRY = env.int("PRIVATE_DOWNLOADS_URL_EXPIRY", default=60)
# Upload limit per evidence file, in megabytes.
EVIDENCE_MAX_UPLOAD_MB = env.int("EVIDENCE_MAX_UPLOAD_MB", default=250)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Files above the limit are dropped while streaming, never written whole to disk.
FILE_UPLOAD_HANDLERS = [
    "incidents.upload_handlers.EvidenceSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Page capture (incidents.capture; docs/capture.md) ----------------------------------
CAPTURE_CHROMIUM_PATH = env.str("CAPTURE_CHROMIUM_PATH", default="/usr/bin/chromium")
# Hard limit on one capture (browser killed after it), and on waiting for one response.
CAPTURE_TIMEOUT_SECONDS = env.int("CAPTURE_TIMEOUT_SECONDS", default=90)
CAPTURE_REQUEST_TIMEOUT_SECONDS = env.int("CAPTURE_REQUEST_TIMEOUT_SECONDS", default=20)
# Size limits: one response, and everything one capture downloads; requests per capture.
CAPTURE_MAX_RESPONSE_MB = env.int("CAPTURE_MAX_RESPONSE_MB", default=25)
CAPTURE_MAX_TOTAL_MB = env.int("CAPTURE_MAX_TOTAL_MB", default=100)
CAPTURE_MAX_REQUESTS = env.int("CAPTURE_MAX_REQUESTS", default=400)
CAPTURE_MAX_REDIRECTS = env.int("CAPTURE_MAX_REDIRECTS", default=10)
# Page-count limits: the full-page screenshot's height in pixels and the PDF's pages.
CAPTURE_MAX_SCREENSHOT_HEIGHT = env.int("CAPTURE_MAX_SCREENSHOT_HEIGHT", default=20000)
CAPTURE_MAX_PDF_PAGES = env.int("CAPTURE_MAX_PDF_PAGES", default=50)
# Networks a capture may reach although they are not public (CIDRs). For tests only: never set
# this in production (it opens the capture browser to the server's own network).
CAPTURE_ALLOWED_NETWORKS = env.list("CAPTURE_ALLOWED_NETWORKS", default=[])
# RFC 3161 time-stamping authorities (URLs); each is asked for a token of every capture's manifest.
# Empty: captures still work and say they have no trusted timestamp.
CAPTURE_TSA_URLS = env.list("CAPTURE_TSA_URLS", default=[])
# PEM file with the root certificate(s) the TSAs' tokens are verified against.
CAPTURE_TSA_CA_FILE = env.str("CAPTURE_TSA_CA_FILE", default="")
CAPTURE_TSA_TIMEOUT_SECONDS = env.int("CAPTURE_TSA_TIMEOUT_SECONDS", default=15)
# Watching captured pages: first re-check after this many minutes, doubling up to the maximum,
# and at most this many checks per organisation and day.
CAPTURE_WATCH_MIN_MINUTES = env.int("CAPTURE_WATCH_MIN_MINUTES", default=60)
CAPTURE_WATCH_MAX_MINUTES = env.int("CAPTURE_WATCH_MAX_MINUTES", default=24 * 60)
CAPTURE_WATCH_DAILY_CAP = env.int("CAPTURE_WATCH_DAILY_CAP", default=200)

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="udhaengning@localhost")
# The public address of the app, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Celery ---------------------------------------------------------------------------
# Without CELERY_BROKER_URL tasks run in-process (the embedded default for `make run`).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late a task's message stays in Redis, unacknowledged, until the task ends; when a
# worker dies the message comes back after the visibility timeout. It must be longer than the
# longest task (the weekly digest's hard limit, 600 s), or a slow task would be handed to a
# second worker while it still runs; the stuck-job sweep (reports.tasks.sweep_stuck_jobs)
# does not wait for it: it re-queues a report or bundle `rendering` past its deadline.
CELERY_LONGEST_TASK_SECONDS = 600
# A stored file whose rows were deleted stays this long before it is deleted (the deletion
# queue, incidents.storage): longer than any backup takes, so a backup is always whole.
FILE_DELETION_GRACE_SECONDS = env.int("FILE_DELETION_GRACE_SECONDS", default=24 * 60 * 60)
# How long the answer to a request with an Idempotency-Key or form token is kept (idempotency/).
IDEMPOTENCY_TTL_HOURS = 24
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 300}
# A report or bundle still `rendering` this long after it started has lost its worker: the
# render task's hard limit (CELERY_TASK_TIME_LIMIT) plus a minute. Swept every few minutes.
REPORTS_RENDER_DEADLINE_SECONDS = env.int("REPORTS_RENDER_DEADLINE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
JOBS_SWEEP_SECONDS = env.int("JOBS_SWEEP_SECONDS", default=120)
CELERY_TIMEZONE = TIME_ZONE
# Page captures drive a browser: they run on their own queue (a worker started with -Q capture)
# so a slow page never holds up reports or e-mail.
CELERY_TASK_ROUTES = {"incidents.capture.tasks.*": {"queue": "capture"}}
# Keep a worker's database connection for this many tasks instead of reopening it each time.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)

# --- Django REST framework --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Named, scoped, hashed tokens (accounts/api_tokens); refused for users who must
        # use two factors and have not enrolled.
        "accounts.api_auth.TwoFactorTokenAuthentication",
    ],
    # Throttling per token and per user (accounts.api_tokens.throttling); 429 with JSON.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api_tokens.throttling.TokenRateThrottle",
        "accounts.api_tokens.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env.str("API_THROTTLE_PER_TOKEN", default="600/hour"),
        "api_user": env.str("API_THROTTLE_PER_USER", default="1200/hour"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "idempotency.api.IdempotentAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Udhængning API",
    "DESCRIPTION": "Registrering og håndtering af udhængning af medarbejdere.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema holds no data, but it maps every endpoint: only signed-in users get it and its
    # docs (session or token; token first, so a request without credentials answers 401).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "accounts.api_auth.TwoFactorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or "kind"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "EvidenceKindEnum": "incidents.models.Evidence.Kind",
        "TimelineEntryKindEnum": "incidents.models.TimelineEntry.Kind",
        "ReportStatusEnum": "reports.models.Status",
        "ReportKindEnum": "reports.models.Report.Kind",
    },
}

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers -------------------------------------------------------------------
# Strict Content-Security-Policy: no inline script, every asset from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logs ---------------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object a line with time, level, request id and user id
# (udhaengning/logs.py; production's default). "text" is the plain development format.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "udhaengning.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
