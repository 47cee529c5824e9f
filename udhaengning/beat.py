"""Periodic tasks, kept in version control.

Each entry has a comment saying why it runs and an `expires` (seconds) so that a beat
tick queued while no worker was running does not pile up and run late many times over.
Later features add their entries here.
"""

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE: dict[str, dict] = {
    # Single sign-on: deactivate users the identity provider's directory no longer knows
    # (only providers the organisation gave a directory address). Nightly; a tick that
    # waited more than two hours is dropped.
    "sso-directory-check": {
        "task": "accounts.tasks.sso_directory_check_all",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 60 * 60 * 2},
    },
    # Remove expired sessions from the database so the table does not grow forever.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
        "options": {"expires": 60 * 60},
    },
    # Hand e-mail notifications to the worker again when their first enqueue failed (the
    # broker was down at the time of the event) or their worker died while sending.
    # Expires before the next tick so ticks never stack up.
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_pending",
        "schedule": 60 * 5,
        "options": {"expires": 60 * 4},
    },
    # Reports and evidence bundles left `rendering` by a worker that died (or `pending` with a
    # lost message) past their deadline are queued again, or failed after three tries
    # (reports.services.stuck_jobs_sweep). Every JOBS_SWEEP_SECONDS (2 minutes).
    "reports-sweep-stuck-jobs": {
        "task": "reports.tasks.sweep_stuck_jobs",
        "schedule": settings.JOBS_SWEEP_SECONDS,
        "options": {"expires": max(1, settings.JOBS_SWEEP_SECONDS - 10)},
    },
    # Delete stored files queued by evidence removal, retention and erasure once their grace
    # period (FILE_DELETION_GRACE_SECONDS, a day) has passed: a backup that started before the
    # rows went still finds every file its database snapshot names (bin/backup).
    "incidents-delete-pending-files": {
        "task": "incidents.tasks.delete_pending_files",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 30},
    },
    # Forget the answers kept under Idempotency-Keys and form tokens after a day (idempotency/).
    "idempotency-purge": {
        "task": "idempotency.tasks.purge_idempotency_records",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 30},
    },
    # Deadline reminders to managers, before and when due (DOMAIN.md 4.4). Every quarter
    # of an hour, so a 72-hour police deadline is flagged close to the hour it falls due;
    # each reminder is sent once whatever the number of ticks (outbox key).
    "notifications-deadline-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": 60 * 15,
        "options": {"expires": 60 * 10},
    },
    # Monday morning overview of open incidents and the week's deadlines for managers.
    # A tick that waited more than six hours is dropped; the next Monday brings a new one.
    "notifications-weekly-digest": {
        "task": "notifications.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
        "options": {"expires": 60 * 60 * 6},
    },
    # Retention: delete closed incidents whose organisation's retention period has run out
    # (retention/services.py), every night at 03:30 (clear of the daylight-saving hour). A tick
    # that waited more than six hours is dropped; the next night's run catches up (the purge is
    # idempotent). After the purge the same task warns the managers of incidents deleted within
    # 30 days («Sag slettes snart», once per incident and due date).
    "incidents-retention-purge": {
        "task": "retention.tasks.purge_expired_incidents",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 60 * 60 * 6},
    },
    # Statistics: recount every block (unit × month) of the rollup the dashboard reads and repair
    # the rows that differ (stats.rollup: writes that sent no signal), at 04:30, after the
    # retention purge. A tick that waited more than six hours is dropped; the next night's run repairs.
    "stats-reconcile-rollup": {
        "task": "stats.tasks.reconcile_rollup",
        "schedule": crontab(minute=30, hour=4),
        "options": {"expires": 60 * 60 * 6},
    },
    # Seal the reads recorded without a lock (the list pages, audit.PendingAuditEvent) into
    # their organisations' chains, so the chain lags the list pages by at most a minute.
    # Expires before the next tick; what a skipped tick leaves waits for the next one.
    "audit-seal-pending": {
        "task": "audit.tasks.seal_pending_reads",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Export each audit chain's head to the log and the append-only anchor file
    # (audit/anchors.py), so a chain rewritten through the database no longer matches.
    # Expires before the next tick; a skipped tick is caught up by the next one.
    "audit-export-chain-heads": {
        "task": "audit.tasks.export_chain_heads",
        "schedule": settings.AUDIT_ANCHOR_INTERVAL_SECONDS,
        "options": {"expires": max(settings.AUDIT_ANCHOR_INTERVAL_SECONDS - 60, 30)},
    },
    # Re-check captured web pages (incidents.capture.watch): each watch has its own next slot
    # (back-off from 1 hour up to a day) and each organisation a daily cap; this tick only picks
    # the due ones and enqueues their checks on the "capture" queue. Expires before the next tick.
    "capture-watch-pages": {
        "task": "incidents.capture.tasks.watch_due_pages",
        "schedule": 60 * 10,
        "options": {"expires": 60 * 8},
    },
}
