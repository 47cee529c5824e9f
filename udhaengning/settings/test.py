"""Settings for the test suite (pytest sets DJANGO_SETTINGS_MODULE to this module).

The database is SQLite unless DATABASE_URL names PostgreSQL (CI does). Celery tasks are
not executed eagerly here: unit tests call the service functions directly and the
integration tests start a real worker against Redis.
"""

import os
import re

from .base import *  # noqa: F403
from .base import BASE_DIR, env

# `make test` runs the suite in parallel processes (pytest-xdist, `-n`); each has its own test
# database (pytest-django names it), files, audit anchors and broker database. A process the
# test starts (a worker, a server) inherits the same names from the environment.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # set by pytest-xdist, not a setting
_SUFFIX = f"-{_XDIST_WORKER}" if _XDIST_WORKER else ""

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
AUDIT_HMAC_KEY = "test-only-audit-key"  # noqa: S105
AUDIT_ANCHOR_FILE = BASE_DIR / "var" / f"test-audit-anchors{_SUFFIX}.jsonl"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / f"test-private{_SUFFIX}"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
if _XDIST_WORKER and not os.environ.get("UDH_TEST_BROKER_PER_WORKER"):
    # Worker gwN takes the broker database N below the one named (15, 14, …), once: the
    # environment then holds the moved URL for every process started from here.
    _broker = re.match(r"^(redis://[^/]*)/(\d+)$", CELERY_BROKER_URL)
    if _broker:
        _number = (int(_broker.group(2)) - int(_XDIST_WORKER.removeprefix("gw") or 0)) % 16
        CELERY_BROKER_URL = f"{_broker.group(1)}/{_number}"
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
    os.environ["UDH_TEST_BROKER_PER_WORKER"] = "1"
CELERY_TASK_ALWAYS_EAGER = False
# Between transactional tests Django empties every table with TRUNCATE, which the audit
# tables refuse (audit migration 0003) unless the session sets this switch. Tests of the
# refusal turn it off again for their own statement.
DATABASES = {"default": {**DATABASES["default"]}}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": "-c udh.audit_maintenance=on",
    }

# Stored files of deleted rows go at once in most tests; the backup tests set the grace period.
FILE_DELETION_GRACE_SECONDS = 0
