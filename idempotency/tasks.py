"""Celery adapter: forget answers kept longer than IDEMPOTENCY_TTL_HOURS."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True)
def purge_idempotency_records() -> int:
    return services.records_purge()
