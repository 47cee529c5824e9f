"""Settings for a Celery worker started as a subprocess by test_reliability.py.

The test settings, plus a file-based mail sink that can be told to hang, a short lease
and a short visibility timeout so a killed worker's message comes back quickly.
"""

import os

from udhaengning.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.mailbackends.BlockingFileBackend"
EMAIL_FILE_PATH = os.environ["NOTIFICATION_MAIL_SINK"]
NOTIFICATIONS_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_LEASE_SECONDS", "3"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
