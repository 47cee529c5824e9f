"""Celery adapter for retention: the daily purge (scheduled in udhaengning/beat.py, entry
"incidents-retention-purge").

The task calls the same service as `manage.py purge_incidents`. It is idempotent: each
incident is locked and checked again before it is purged, so a tick that runs twice, or
two workers at once, purge every incident once. It stops taking new incidents well before
its soft time limit; what is left waits for the next day's run.

After the purge the same run warns the managers of the incidents deleted within the next
RETENTION_WARNING_DAYS ("Sag slettes snart", `services.retention_warn`): once a day is
enough for a 30-day warning, the warning and the deletion use one clock and one rule, and
the warning is written even when the purge failed (it runs in `finally`). Each warning is
written once (outbox key per incident and due date), so a second run warns no one again.

The task was `incidents.tasks.purge_expired_incidents` before the retention app existed; a
message queued under that name (by a beat still running the old schedule) runs the same code.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services

SOFT_TIME_LIMIT = 60 * 55
TIME_LIMIT = 60 * 60
# Seconds of purging after which the run stops taking new incidents (leaves room for the last one).
TIME_BUDGET = 60 * 45


def _run() -> int:
    now = timezone.now()
    try:
        summary = services.retention_purge(now=now, dry_run=False, actor=None, time_budget=TIME_BUDGET)
    finally:
        services.retention_warn(now=now)
    return summary.purged_count


@shared_task(acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT, ignore_result=True)
def purge_expired_incidents() -> int:
    """Delete closed incidents whose retention period has run out, then warn the managers of
    those deleted within RETENTION_WARNING_DAYS; returns how many were purged."""
    return _run()


@shared_task(
    name="incidents.tasks.purge_expired_incidents",
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def purge_expired_incidents_old_name() -> int:
    """The same task under its name before the retention app (messages already queued)."""
    return _run()
