"""Production settings: everything unsafe is off, and missing essentials stop the start.

Required: SECRET_KEY, DATABASE_URL (PostgreSQL), ALLOWED_HOSTS, CELERY_BROKER_URL and
CACHE_URL (Redis). Each missing one is named in the error, so an operator can fix all of
them in one go.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

_missing = [
    name
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "CACHE_URL")
    if not env.str(name, default="").strip()
]
if _missing:
    raise ImproperlyConfigured(
        "Production settings refuse to start: set "
        + ", ".join(_missing)
        + " in the environment (see .env.example)."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "change-me")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random value of at least 50 characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": env.cache_url("CACHE_URL")}
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
    raise ImproperlyConfigured("CAPTURE_TSA_URLS is set: set CAPTURE_TSA_CA_FILE to the authorities' root "
                               "certificate(s) (PEM) so verify_evidence can check the tokens.")
