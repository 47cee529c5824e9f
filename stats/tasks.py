"""Celery adapter for the statistics: the nightly reconciliation of the rollup (scheduled in
udhaengning/beat.py, entry "stats-reconcile-rollup"; the same as `manage.py
rebuild_statistics --check`). Idempotent: a second run finds nothing to repair."""

from __future__ import annotations

from celery import shared_task

from .rollup import rollup_reconcile


@shared_task(acks_late=True, soft_time_limit=60 * 55, time_limit=60 * 60, ignore_result=True)
def reconcile_rollup() -> int:
    return rollup_reconcile()
