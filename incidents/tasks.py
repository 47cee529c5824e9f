"""Celery adapters for incidents: the daily retention purge (scheduled in udhaengning/beat.py).

The task calls the same service as `manage.py purge_incidents`. It is idempotent: each
incident is locked and checked again before it is purged, so a tick that runs twice, or
two workers at once, purge every incident once. It stops taking new incidents well before
its soft time limit; what is left waits for the next day's run.

After the purge the same run warns the managers of the incidents deleted within the next
RETENTION_WARNING_DAYS ("Sag slettes snart", `retention.retention_warn`): once a day is
enough for a 30-day warning, the warning and the deletion use one clock and one rule, and
the warning is written even when the purge failed (it runs in `finally`). Each warning is
written once (outbox key per incident and due date), so a second run warns no one again.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import retention

SOFT_TIME_LIMIT = 60 * 55
TIME_LIMIT = 60 * 60
# Seconds of purging after which the run stops taking new incidents (leaves room for the last one).
TIME_BUDGET = 60 * 45


@shared_task(acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT, ignore_result=True)
def purge_expired_incidents() -> int:
    """Delete closed incidents whose retention period has run out, then warn the managers of
    those deleted within RETENTION_WARNING_DAYS; returns how many were purged."""
    now = timezone.now()
    try:
        summary = retention.retention_purge(now=now, dry_run=False, actor=None, time_budget=TIME_BUDGET)
    finally:
        retention.retention_warn(now=now)
    return summary.purged_count


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, ignore_result=True)
def delete_pending_files() -> int:
    """Delete the stored files whose rows are gone and whose grace period has passed."""
    from .retention import pending_files_delete

    return pending_files_delete()


# The outbox's scheduled incident rules. Their Celery names are kept from when they lived in
# notifications/tasks.py (udhaengning/beat.py schedules them by name).
@shared_task(name="notifications.tasks.send_reminders", acks_late=True, soft_time_limit=240, time_limit=300,
             ignore_result=True)
def send_reminders() -> int:
    """Deadline reminders, before and when due (DOMAIN.md 4.4)."""
    from .reminders import reminders_due

    return reminders_due()


@shared_task(name="notifications.tasks.send_weekly_digest", acks_late=True, soft_time_limit=540, time_limit=600,
             ignore_result=True)
def send_weekly_digest() -> int:
    """The weekly overview for managers."""
    from .reminders import digest_weekly

    return digest_weekly()
