"""Celery adapter for the statistics' rollup: the recount of the blocks a committed write
changed (`refresh_blocks`, enqueued by `stats.rollup.pending_commit`) and the nightly
reconciliation (scheduled in udhaengning/beat.py, entry "stats-reconcile-rollup"; the same
as `manage.py rebuild_statistics --check`). Both are idempotent: they recount from the
source rows, so a second run, or a run for a block that did not change, writes the same."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import DatabaseError

from .rollup import blocks_refresh, rollup_reconcile


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def refresh_blocks(cells: list[list], incident_ids: list[int]) -> None:
    """Recount the blocks [unit, "YYYY-MM-DD"] and those of the incidents (their current blocks)."""
    blocks_refresh({(int(unit), date.fromisoformat(month)) for unit, month in cells}, incident_ids)


@shared_task(acks_late=True, soft_time_limit=60 * 55, time_limit=60 * 60, ignore_result=True)
def reconcile_rollup() -> int:
    return rollup_reconcile()
