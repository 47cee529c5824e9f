"""Celery adapters for the outbox: ids in, a service call, retries on the decorator.

- deliver_notification(id): enqueued after commit for each e-mail row. Failures are
  retried with exponential backoff and full jitter (30 s, 60 s, 120 s … capped at an
  hour, each a random wait up to that bound), 6 attempts in all; then the row is marked
  failed with the error, for the admin to see and retry.
- sweep_pending(): every few minutes (udhaengning/beat.py) re-enqueues e-mail rows left
  pending, e.g. because the broker was down when the event happened, or whose worker
  died while sending.
- send_reminders() and send_weekly_digest(): deadlines and the Monday overview.

A task that runs twice for the same row sends once: notification_deliver claims the row
with one atomic UPDATE before it sends.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from . import services

RETRY_BACKOFF = 30  # seconds; the first retry waits up to this, each next one up to twice as long
RETRY_BACKOFF_MAX = 60 * 60
MAX_RETRIES = 5  # so 6 attempts in all


def retry_window(attempts: int) -> timedelta:
    """The longest Celery's jittered backoff waits after attempt number `attempts`."""
    return timedelta(seconds=min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2 ** max(0, attempts - 1)))


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(services.DeliveryFailed,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=45,
    time_limit=60,  # below NOTIFICATIONS_LEASE_SECONDS (120): a lease outlives its task
    ignore_result=True,
)
def deliver_notification(self, notification_id: int) -> str:
    """Send one e-mail row of the outbox (a vanished row is a no-op)."""
    return services.notification_deliver(
        notification_id, max_attempts=self.max_retries + 1, retry_window=retry_window
    )


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def sweep_pending() -> int:
    """Re-enqueue e-mail rows the broker never got or whose worker died."""
    return services.notification_sweep()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True)
def send_reminders() -> int:
    """Deadline reminders, before and when due (DOMAIN.md 4.4)."""
    return services.reminders_due()


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, ignore_result=True)
def send_weekly_digest() -> int:
    """The weekly overview for managers."""
    return services.digest_weekly()
