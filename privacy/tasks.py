"""Celery adapters for the privacy app: ids in, the service does the work (like reports.tasks).

The DPIA draft and the access exports (JSON or PDF) are rendered by the worker, never inside
a web request."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from reports.services import TRANSIENT_ERRORS

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def render_dpia(self, draft_id: int) -> None:
    from . import dpia

    try:
        dpia.dpia_render(draft_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            dpia.dpia_fail(
                draft_id, _("Lageret eller databasen svarede ikke, så udkastet blev ikke færdigt. Prøv igen om lidt.")
            )
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc


@shared_task(
    bind=True, acks_late=True, max_retries=MAX_RETRIES, soft_time_limit=280, time_limit=300, ignore_result=True
)
def render_access_export(self, export_id: int) -> None:
    try:
        services.access_export_render(export_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.access_export_fail(
                export_id, _("Lageret eller databasen svarede ikke, så udtrækket blev ikke færdigt. Prøv igen om lidt.")
            )
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
