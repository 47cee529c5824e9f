"""Settings for a Celery worker that sends to the test's SMTP sink (test_message_id.py).

The test settings with Django's SMTP backend pointed at the sink, a short lease and a short
visibility timeout, so a killed worker's rows come back within seconds.
"""

import os

from udhaengning.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["TEST_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 10
SITE_URL = "https://udh.test"
NOTIFICATIONS_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_LEASE_SECONDS", "3"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
