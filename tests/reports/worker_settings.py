"""Settings for a Celery worker started as a subprocess by test_stuck_jobs.py.

The test settings, with the test's private storage folder, a short render deadline and a
sweep every two seconds; the broker's visibility timeout stays long (an hour), so what
brings a killed worker's report back is the sweep, not the broker.
"""

import os

from udhaengning.settings.test import *  # noqa: F403
from udhaengning.settings.test import STORAGES

STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["TEST_PRIVATE_STORAGE"], "base_url": None},
    },
}
REPORTS_RENDER_DEADLINE_SECONDS = int(os.environ.get("REPORTS_RENDER_DEADLINE_SECONDS", "6"))
JOBS_SWEEP_SECONDS = int(os.environ.get("JOBS_SWEEP_SECONDS", "2"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
