"""Celery adapters for captures; routed to the "capture" queue (settings.CELERY_TASK_ROUTES)."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from . import services, watch

# The browser has its own deadline (CAPTURE_TIMEOUT_SECONDS); these are the last resort.
SOFT_LIMIT = settings.CAPTURE_TIMEOUT_SECONDS + 60
HARD_LIMIT = settings.CAPTURE_TIMEOUT_SECONDS + 90


@shared_task(
    name="incidents.capture.tasks.capture_page", soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT, acks_late=True
)
def capture_page(capture_id: int) -> str:
    try:
        capture = services.capture_run(capture_id)
    except SoftTimeLimitExceeded:
        services.capture_fail(capture_id, _("Siden kunne ikke sikres: tidsgrænsen blev overskredet."))
        return "failed"
    return capture.status if capture is not None else "skipped"


@shared_task(name="incidents.capture.tasks.check_watch", soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT)
def check_watch(watch_id: int) -> str:
    check = watch.watch_check(watch_id)
    return check.outcome if check is not None else "skipped"


@shared_task(name="incidents.capture.tasks.watch_due_pages")
def watch_due_pages() -> int:
    ids = watch.watch_due()
    for watch_id in ids:
        check_watch.delay(watch_id)
    return len(ids)
