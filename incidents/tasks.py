"""Celery adapters for incidents: the hourly deletion of queued files (udhaengning/beat.py).

The nightly retention purge is the retention app's (`retention.tasks.purge_expired_incidents`).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, ignore_result=True)
def delete_pending_files() -> int:
    """Delete the stored files whose rows are gone and whose grace period has passed."""
    from .files import pending_files_delete

    return pending_files_delete()
