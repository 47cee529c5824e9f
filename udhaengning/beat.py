"""Periodic tasks, kept in version control.

Each entry has a comment saying why it runs and an `expires` (seconds) so that a beat
tick queued while no worker was running does not pile up and run late many times over.
Later features (reminders, outbox sweep, retention) add their entries here.
"""

BEAT_SCHEDULE: dict[str, dict] = {
    # Remove expired sessions from the database so the table does not grow forever.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
        "options": {"expires": 60 * 60},
    },
}
