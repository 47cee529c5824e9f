"""Celery adapters for reports: ids in, the service does the work.

Both tasks are acknowledged late (a worker that dies mid-render gives the message back),
retry transient database and storage errors a few times with a growing pause, and mark
the row failed with a Danish reason when the retries run out. Rows that vanished are
skipped by the services.
"""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from . import services

MAX_RETRIES = 3


def _countdown(retries: int) -> int:
    return 5 * 2**retries  # 5, 10, 20 seconds


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def render_report(self, report_id: int) -> None:
    try:
        services.report_render(report_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.report_fail(
                report_id, _("Lageret eller databasen svarede ikke, så rapporten blev ikke færdig. Prøv igen om lidt.")
            )
            return
        raise self.retry(exc=exc, countdown=_countdown(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def build_bundle(self, bundle_id: int) -> None:
    try:
        services.bundle_build(bundle_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.bundle_fail(
                bundle_id,
                _("Lageret eller databasen svarede ikke, så bevispakken blev ikke færdig. Prøv igen om lidt."),
            )
            return
        raise self.retry(exc=exc, countdown=_countdown(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def build_case_archive(self, archive_id: int) -> None:
    """The case archive for journalisation (reports.archive)."""
    from . import archive

    try:
        archive.case_archive_build(archive_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            archive.case_archive_fail(
                archive_id,
                _("Lageret eller databasen svarede ikke, så sagsarkivet blev ikke færdigt. Prøv igen om lidt."),
            )
            return
        raise self.retry(exc=exc, countdown=_countdown(self.request.retries)) from exc


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def sweep_stuck_jobs() -> int:
    """Re-queue (or fail) reports and bundles left rendering by a worker that died."""
    result = services.stuck_jobs_sweep()
    return len(result.requeued) + len(result.failed)
