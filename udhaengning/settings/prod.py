"""Production settings: everything unsafe is off, and missing essentials stop the start.

Required: SECRET_KEY, DATABASE_URL (PostgreSQL), ALLOWED_HOSTS, CELERY_BROKER_URL and
CACHE_URL (Redis). Each missing one is named in the error, so an operator can fix all of
them in one go.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env, fail_open

_missing = [
    name
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "CACHE_URL")
    if not env.str(name, default="").strip()
]
if _missing:
    raise ImproperlyConfigured(
        "Production settings refuse to start: set " + ", ".join(_missing) + " in the environment (see .env.example)."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "change-me")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random value of at least 50 characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if len(AUDIT_HMAC_KEY) < 32:  # noqa: F405
    raise ImproperlyConfigured(
        "Set AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) to a random value of at least 32 characters, "
        "kept outside the database and its backups (docs/audit.md)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": fail_open(env.cache_url("CACHE_URL"))}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS only: TLS is ended at the proxy in front, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"

# The capture browser may reach only public addresses in production (incidents.capture.ssrf).
if env.list("CAPTURE_ALLOWED_NETWORKS", default=[]):
    raise ImproperlyConfigured("CAPTURE_ALLOWED_NETWORKS is for the test suite only; unset it in production.")
# Tokens must be verifiable: time-stamping authorities need the root certificate(s) to check against.
if env.list("CAPTURE_TSA_URLS", default=[]) and not env.str("CAPTURE_TSA_CA_FILE", default=""):
    raise ImproperlyConfigured(
        "CAPTURE_TSA_URLS is set: set CAPTURE_TSA_CA_FILE to the authorities' root "
        "certificate(s) (PEM) so verify_evidence can check the tokens."
    )

# --- Private downloads --------------------------------------------------------------------------
# Behind deploy/nginx set PRIVATE_DOWNLOADS=proxy (compose does): the proxy sends the bytes.
if PRIVATE_DOWNLOADS not in ("stream", "proxy"):  # noqa: F405
    raise ImproperlyConfigured('PRIVATE_DOWNLOADS must be "stream" or "proxy".')

# --- Logs, errors and metrics -----------------------------------------------------------------
# JSON lines by default (udhaengning/logs.py); LOG_FORMAT=text for plain lines.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"  # noqa: F405
# Celery keeps Django's logging (the same JSON lines) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Task events, for Flower (`docker compose --profile tools up flower`) and `celery events`.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True

# Error reports to Sentry (or a compatible service such as GlitchTip) only when SENTRY_DSN is
# set. No personal data: no user names, e-mail or IP addresses, cookies or request bodies; the
# request id and user id travel as tags, so an error can be found in the logs.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    def _sentry_before_send(event, hint):
        from udhaengning.logs import current_request_id

        request = event.get("request") or {}
        for field in ("cookies", "data", "query_string", "env"):
            request.pop(field, None)
        headers = request.get("headers") or {}
        for name in list(headers):
            if name.lower() in ("cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip"):
                headers.pop(name)
        event.pop("user", None)
        request_id = current_request_id()
        if request_id:
            event.setdefault("tags", {})["request_id"] = request_id
        return event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=None),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        before_send=_sentry_before_send,
    )

# Prometheus metrics at /metrics (django-prometheus) when METRICS_ENABLED=True. The path is open
# only to the addresses deploy/nginx allows (NGINX_METRICS_ALLOW); a scraper inside the compose
# network may also read each web replica directly on port 8000.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
if METRICS_ENABLED:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]  # noqa: F405
    MIDDLEWARE = [  # noqa: F405
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,  # noqa: F405
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
