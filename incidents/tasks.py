"""Celery adapters for incidents: the hourly deletion of queued files (udhaengning/beat.py).

The nightly retention purge is the retention app's (`retention.tasks.purge_expired_incidents`).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, ignore_result=True)
def delete_pending_files() -> int:
    """Delete the stored files whose rows are gone and whose grace period has passed."""
    from .storage import pending_files_delete

    return pending_files_delete()


# The outbox's scheduled incident rules. Their Celery names are kept from when they lived in
# notifications/tasks.py (udhaengning/beat.py schedules them by name).
@shared_task(
    name="notifications.tasks.send_reminders", acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True
)
def send_reminders() -> int:
    """Deadline reminders, before and when due (DOMAIN.md 4.4)."""
    from .reminders import reminders_due

    return reminders_due()


@shared_task(
    name="notifications.tasks.send_weekly_digest",
    acks_late=True,
    soft_time_limit=540,
    time_limit=600,
    ignore_result=True,
)
def send_weekly_digest() -> int:
    """The weekly overview for managers."""
    from .reminders import digest_weekly

    return digest_weekly()
