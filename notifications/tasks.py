"""Celery adapters for the outbox: ids in, a service call, retries on the decorator.

- deliver_notification(id): enqueued after commit for each e-mail row. A failed attempt
  waits twice as long as the one before: 1, 2, 4 … minutes, capped at 24 hours, 14
  attempts over about two and a half days (`retry_delay`), so an SMTP server that is down
  for minutes or hours loses nothing. Waits up to CELERY_RETRY_LIMIT are Celery retries;
  longer ones are left to the sweep, which enqueues the row when its `next_attempt_at` is
  due (a countdown of hours would outlive the broker's visibility timeout). After the last
  attempt the row is marked failed with the error, and the organisation's admins are
  alerted in the app (Kind.ADMIN_ALERT) to fix the cause and retry it.
- sweep_pending(): every few minutes (udhaengning/beat.py) re-enqueues e-mail rows left
  pending, e.g. because the broker was down when the event happened, or whose worker
  died while sending.
- The deadline reminders and the Monday overview are incident rules: their tasks are in
  incidents/tasks.py (their Celery names stay notifications.tasks.send_reminders and
  notifications.tasks.send_weekly_digest, which udhaengning/beat.py schedules).

A task that runs twice for the same row sends once: notification_deliver claims the row
with one atomic UPDATE before it sends.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from . import services

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=24)
MAX_ATTEMPTS = 14
# Longer waits are left to the sweep (udhaengning/beat.py, every 5 minutes).
CELERY_RETRY_LIMIT = timedelta(minutes=15)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after failed attempt number `attempts` before the next one."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, attempts - 1))


retry_window = retry_delay  # the name notification_deliver's callers know


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MAX_ATTEMPTS,
    soft_time_limit=45,
    time_limit=60,  # below NOTIFICATIONS_LEASE_SECONDS (120): a lease outlives its task
    ignore_result=True,
)
def deliver_notification(self, notification_id: int) -> str:
    """Send one e-mail row of the outbox (a vanished row is a no-op)."""
    try:
        return services.notification_deliver(notification_id, max_attempts=MAX_ATTEMPTS, retry_window=retry_delay)
    except services.DeliveryFailed as exc:
        wait = services.retry_due_in(notification_id)
        if wait is not None and wait <= CELERY_RETRY_LIMIT:
            raise self.retry(exc=exc, countdown=max(1, int(wait.total_seconds()))) from exc
        return "waiting"  # the sweep enqueues it when it is due


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def sweep_pending() -> int:
    """Re-enqueue e-mail rows the broker never got or whose worker died."""
    return services.notification_sweep()
