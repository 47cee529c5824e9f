"""Local development: the embedded default `make run` serves.

SQLite, Celery tasks executed in-process, e-mail printed to the console. The secret key
below is for this machine only; production refuses to start without its own.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The audit chain's key for this machine only (production needs its own, see docs/audit.md).
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="") or "dev-only-audit-key-" + SECRET_KEY
