"""Celery adapter for privacy: an access export (JSON or PDF) rendered by the worker, id in."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, soft_time_limit=280, time_limit=300,
             ignore_result=True)
def render_access_export(self, export_id: int) -> None:
    try:
        services.access_export_render(export_id)
    except (DatabaseError, OSError) as exc:
        if self.request.retries >= self.max_retries:
            services.access_export_fail(export_id, _("Lageret eller databasen svarede ikke, så udtrækket blev "
                                                     "ikke færdigt. Prøv igen om lidt."))
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
