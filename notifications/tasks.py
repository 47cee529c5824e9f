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

One connection per batch: after its own row a delivery task goes on with the other rows due
now (`services.emails_claim`, BATCH_READ rows claimed in one transaction, up to BATCH_SIZE
rows and BATCH_SECONDS) over the same SMTP connection, so a burst of events costs one
connect, EHLO, TLS and login, not one per e-mail, and one committed claim per BATCH_READ
rows, not per row (issue 20). Each row is still checked just before it is sent and marked
sent just after, one by one, so the window for a duplicate is the same as with one row per
task; a crash mid-batch leaves the claimed rows not yet sent to their lease and the sweep
(they were never sent, so sending them then is no duplicate); the rows' own messages find
them sent ("noop"). A failed row goes back to pending with its backoff like any other and
ends the batch (the server is probably down), and the rest of the batch is given back
untouched: its own message, or the sweep, tries it again.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task

from . import delivery, services

logger = logging.getLogger(__name__)

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=24)
MAX_ATTEMPTS = 14
# Longer waits are left to the sweep (udhaengning/beat.py, every 5 minutes).
CELERY_RETRY_LIMIT = timedelta(minutes=15)
# A batch: the rows one task sends over its connection after its own, and the time after
# which it claims no more (well inside the task's soft time limit of 45 s).
BATCH_SIZE = 200
BATCH_SECONDS = 10.0
# Rows read at a time (with their recipients): a second's worth, so what is checked before
# each send (recipient active, address, e-mail choice) is at most that old.
BATCH_READ = 20


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
    """Send one e-mail row of the outbox (a vanished row is a no-op), then the other rows due
    now over the same connection."""
    started = time.monotonic()
    with delivery.Mailer() as mailer:
        try:
            result = services.notification_deliver(
                notification_id, max_attempts=MAX_ATTEMPTS, retry_window=retry_delay, mailer=mailer
            )
        except services.DeliveryFailed as exc:
            wait = services.retry_due_in(notification_id)
            if wait is not None and wait <= CELERY_RETRY_LIMIT:
                raise self.retry(exc=exc, countdown=max(1, int(wait.total_seconds()))) from exc
            return "waiting"  # the sweep enqueues it when it is due
        if result != "failed":
            deliver_due(mailer, started=started)
    return result


def deliver_due(mailer: delivery.Mailer, *, started: float) -> int:
    """Send the rows due now over `mailer`'s connection: claimed BATCH_READ at a time
    (`services.emails_claim`), each checked, sent and marked on its own; stops after
    BATCH_SIZE rows, BATCH_SECONDS, or the first failure, and gives the claimed rows it did not
    send back. Returns how many rows it took up (sent, skipped or failed)."""
    taken = 0
    while taken < BATCH_SIZE and time.monotonic() - started < BATCH_SECONDS:
        due = services.emails_claim(limit=min(BATCH_READ, BATCH_SIZE - taken))
        if not due:
            break
        for index, row in enumerate(due):
            if time.monotonic() - started >= BATCH_SECONDS:
                services.claims_release(due[index:])
                return taken
            taken += 1
            try:
                result = services.notification_deliver(
                    row.pk, max_attempts=MAX_ATTEMPTS, retry_window=retry_delay, mailer=mailer, loaded=row
                )
            except services.DeliveryFailed:
                result = "failed"  # pending again with its backoff; its own message or the sweep retries it
            if result == "failed":
                services.claims_release(due[index + 1 :])
                return taken
    return taken


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def sweep_pending() -> int:
    """Re-enqueue e-mail rows the broker never got or whose worker died."""
    return services.notification_sweep()
