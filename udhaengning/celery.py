"""The Celery application.

Configuration is read from Django settings (the CELERY_ prefix); tasks are found in each
app's tasks.py. The beat schedule lives in `udhaengning/beat.py` so it is versioned.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udhaengning.settings.dev")

app = Celery("udhaengning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _load_beat_schedule() -> None:
    from udhaengning.beat import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


app.on_after_configure.connect(lambda sender, **kwargs: _load_beat_schedule(), weak=False)
