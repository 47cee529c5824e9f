"""Requesting, rendering and bundling reports (DOMAIN.md section 6).

    report_request(*, actor, incident, kind, options, request=None) -> Report
        a new version (status pending), audited; the rendering task is enqueued after commit.
    statistics_report_request(*, actor, first, last, unit_id, unit_label="", request=None) -> Report
        the same for a statistics report (no incident; versions per user).
    report_retry(*, actor, report, request=None) -> Report
        a failed report back to pending and enqueued again.
    report_render(report_id) -> Report | None
        the work (called by the Celery task): HTML from the kind's template, WeasyPrint →
        PDF bytes, SHA-256, private storage, ready. The PDF comes from the renderer registered
        for the report's kind (reports.renderers: the incident kinds here, `statistics` by the
        statistics app, stats.report_pdf); storing, hashing and failing are shared.
        A report that cannot be made is marked failed with a Danish reason. Transient errors
        (database, storage) propagate so the task can retry; `report_fail` marks the report
        failed when the retries run out.
    report_mark_sent(*, actor, report, sent_on, external_reference="", request=None) -> Report
        the report went to its recipient; ticks the matching action on the checklist.
    bundle_request(*, actor, report, request=None) -> EvidenceBundle
    bundle_build(bundle_id) -> EvidenceBundle | None
        the ZIP: the report, the original evidence files byte for byte (each hash checked
        against the one recorded at upload) and manifest.json + manifest.txt (each file with
        who uploaded it and whether its capture time was typed in or the system's).
    report_open(report) / bundle_open(bundle)
        the stored file, opened for reading.

Rows that vanished (the incident was deleted) are skipped quietly. A report already
ready is not rendered again (a redelivered task is harmless).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.models import Incident
from incidents.storage import delete_quietly

from . import checks, content, pdf, renderers
from .models import MAX_ATTEMPTS, UNFINISHED, CaseArchive, EvidenceBundle, Report, Status, render_deadline
from .notify import on_report_finished
from .renderers import Made, ReportProblem

logger = logging.getLogger(__name__)

Kind = Report.Kind

TEMPLATES: dict[str, str] = {
    Kind.POLICE: "reports/pdf/police.html",
    Kind.DATATILSYNET: "reports/pdf/datatilsynet.html",
    Kind.DSA_NOTICE: "reports/pdf/dsa_notice.html",
    Kind.BREACH_RECORD: "reports/pdf/breach_record.html",
    Kind.INTERNAL_HR: "reports/pdf/internal_hr.html",
    Kind.INTERNAL_AMO: "reports/pdf/internal_amo.html",
}
TEXT_TEMPLATES: dict[str, str] = {Kind.DSA_NOTICE: "reports/pdf/dsa_notice.txt"}

# Errors worth another try: the database or the storage did not answer.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (DatabaseError, OSError)

CHUNK_SIZE = 256 * 1024

# --- Requesting -----------------------------------------------------------------------------------


def spool_store(spool, row, filename: str) -> tuple[str, str, int]:
    """Store a finished temporary file as `row`'s `file` (under the field's upload path) and
    return (stored name, SHA-256, size); the file is read once to hash it, then saved from the start."""
    spool.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: spool.read(CHUNK_SIZE), b""):
        digest.update(chunk)
    size = spool.tell()
    spool.seek(0)
    name = type(row)._meta.get_field("file").generate_filename(row, filename)
    return default_storage.save(name, File(spool, name=filename)), digest.hexdigest(), size


def _notify_finished(row, ok: bool) -> None:
    on_report_finished(row, ok)


def _render_task():
    from .tasks import render_report  # the tasks module imports this one

    return render_report


def _bundle_task():
    from .tasks import build_bundle

    return build_bundle


def _archive_task():
    from .tasks import build_case_archive

    return build_case_archive


def _enqueue(task: Callable[[], Any], row_id: int, fail: Callable[[int, str], object]) -> None:
    """Hand the row to Celery (`task()` gives the task); if the broker cannot be reached, mark it
    failed (retry button)."""
    try:
        task().delay(row_id)
    except Exception:  # noqa: BLE001 - a broker outage must not break the page
        logger.exception("Could not enqueue %s for %s", task.__name__, row_id)
        fail(row_id, _("Rapportkøen kunne ikke nås, så arbejdet er ikke gået i gang. Prøv igen om lidt."))


@transaction.atomic
def report_request(*, actor, incident: Incident, kind: str, options: dict, request=None) -> Report:
    """A new version of the kind for the incident, rendered by a worker after commit."""
    if kind not in Report.INCIDENT_KINDS:
        raise ValueError(f"not a kind of incident report: {kind!r}")
    # Lock the incident row so two requests cannot take the same version number.
    Incident.objects.select_for_update().filter(pk=incident.pk).values_list("pk", flat=True).first()
    latest = Report.objects.filter(incident=incident, kind=kind).aggregate(v=Max("version"))["v"] or 0
    report = Report.objects.create(
        incident=incident,
        kind=kind,
        version=latest + 1,
        options=options,
        includes_internal_notes=kind == Kind.INTERNAL_HR and bool(options.get("include_internal_notes")),
        requested_by=actor,
        status=Status.PENDING,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=report,
        summary=_("Rapport bestilt"),
        details={"kind": kind, "version": report.version, "options": _audit_options(options)},
    )
    transaction.on_commit(lambda: _enqueue(_render_task, report.pk, report_fail))
    return report


@transaction.atomic
def statistics_report_request(
    *, actor, first: date, last: date, unit_id: int | None, unit_label: str = "", request=None, period: str = "month"
) -> Report:
    """A statistics report of whole months `first`–`last` (and the unit's subtree), for `actor` only.

    The caller has checked the filters with the statistics form; the worker counts the
    statistics for `actor` when it renders, under the disclosure control that applies then.
    """
    from accounts import permissions
    from accounts.models import Unit, User

    organisation_id = actor.organisation_id or (
        Unit.objects.filter(pk__in=permissions.statistics_units(actor))
        .values_list("organisation_id", flat=True)
        .order_by("organisation_id")
        .first()
    )
    if organisation_id is None:
        raise ValueError("the user has no organisation to make statistics for")
    # Lock the user's row so two requests cannot take the same version number.
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
    latest = Report.objects.filter(requested_by=actor, kind=Kind.STATISTICS).aggregate(v=Max("version"))["v"] or 0
    options = {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "unit": unit_id, "unit_label": unit_label}
    if period != "month":
        options["period"] = period
    report = Report.objects.create(
        incident=None,
        organisation_id=organisation_id,
        kind=Kind.STATISTICS,
        version=latest + 1,
        options=options,
        requested_by=actor,
        status=Status.PENDING,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=report,
        summary=_("Statistikrapport bestilt"),
        details={
            "kind": report.kind,
            "version": report.version,
            "from": options["from"],
            "to": options["to"],
            "unit": unit_id,
        },
    )
    transaction.on_commit(lambda: _enqueue(_render_task, report.pk, report_fail))
    return report


def _audit_options(options: dict) -> dict:
    """The choices, without free text (that stays in the report row)."""
    return {key: value for key, value in options.items() if key not in ("employee_address", "explanations", "breach")}


@transaction.atomic
def report_retry(*, actor, report: Report, request=None) -> Report:
    """Send a failed (or stale) report to the worker again (same version, same choices)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.may_retry:
        return report
    report.status = Status.PENDING
    report.error = ""
    report.started_at = report.finished_at = None
    report.save(update_fields=["status", "error", "started_at", "finished_at"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=report,
        summary=_("Rapport bestilt igen"),
        details={"kind": report.kind, "version": report.version},
    )
    transaction.on_commit(lambda: _enqueue(_render_task, report.pk, report_fail))
    return report


# --- Rendering ------------------------------------------------------------------------------------


def _claim(model, row_id: int, select_related: tuple[str, ...]):
    """Mark the row as being worked on; None when it vanished, is already done, or another
    worker is on it (`rendering` and not past its deadline: a duplicate message is a no-op;
    the stuck-job sweep re-queues a row whose worker died)."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=row_id).first()
        if row is None or row.status not in UNFINISHED:
            return None, row
        if row.status == Status.RENDERING and row.started_at and row.started_at > timezone.now() - render_deadline():
            logger.info("%s %s is being rendered by another worker; nothing to do", model.__name__, row_id)
            return None, row
        row.status = Status.RENDERING
        row.started_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["status", "started_at", "attempts"])
    return model.objects.select_related(*select_related).get(pk=row_id), None


def make_incident_report(report: Report, *, now=None) -> Made:
    """The renderer of the incident kinds (registered in reports.apps)."""
    context = content.report_context(report, now=now)
    problems = checks.blocking_problems(report.kind, context["options"], context["publications"], context["incident"])
    if problems:
        raise ReportProblem(" ".join(problems))
    rendered = pdf.html_to_pdf(pdf.render_html(TEMPLATES[report.kind], context))
    plain_text = pdf.render_text(TEXT_TEMPLATES[report.kind], context) if report.kind in TEXT_TEMPLATES else ""
    return Made(
        content=rendered.content,
        pages=rendered.pages,
        organisation_id=context["organisation"].pk,
        plain_text=plain_text,
        evidence_ids=context["evidence_ids"],
    )


def report_render(report_id: int, *, now=None) -> Report | None:
    """Render the report's PDF and mark it ready, or failed with a Danish reason."""
    report, done = _claim(Report, report_id, ("incident", "incident__unit", "organisation", "requested_by"))
    if report is None:
        if done is None:
            logger.info("Report %s vanished before it was rendered", report_id)
        return done
    try:
        rendered = renderers.renderer_for(report.kind)(report, now=now)
    except ReportProblem as exc:
        return report_fail(report_id, _("Rapporten kunne ikke dannes: %(reason)s") % {"reason": exc})
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("Report %s could not be rendered", report_id)
        return report_fail(report_id, _unexpected(report_id))

    digest = hashlib.sha256(rendered.content).hexdigest()
    name = Report._meta.get_field("file").generate_filename(report, "report.pdf")
    stored = default_storage.save(name, ContentFile(rendered.content))
    try:
        with transaction.atomic():
            row = Report.objects.select_for_update().get(pk=report_id)
            row.status = Status.READY
            row.error = ""
            row.file.name = stored
            row.sha256 = digest
            row.size = len(rendered.content)
            row.page_count = rendered.pages
            row.plain_text = rendered.plain_text
            row.evidence_ids = rendered.evidence_ids
            row.finished_at = timezone.now()
            row.save(
                update_fields=[
                    "status",
                    "error",
                    "file",
                    "sha256",
                    "size",
                    "page_count",
                    "plain_text",
                    "evidence_ids",
                    "finished_at",
                ]
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                obj=row,
                summary=_("Rapport dannet"),
                details={
                    "kind": row.kind,
                    "version": row.version,
                    "sha256": digest,
                    "size": row.size,
                    "pages": row.page_count,
                },
                organisation_id=rendered.organisation_id,
            )
            _notify_finished(row, True)
    except Report.DoesNotExist:
        delete_quietly(stored)
        logger.info("Report %s vanished while it was rendered", report_id)
        return None
    except TRANSIENT_ERRORS:
        delete_quietly(stored)
        raise
    except Exception:
        delete_quietly(stored)
        logger.exception("Report %s could not be marked ready", report_id)
        return report_fail(report_id, _unexpected(report_id))
    return row


def _unexpected(report_id: int) -> str:
    return _(
        "Der opstod en uventet fejl, da PDF-filen skulle dannes. Prøv igen; sker det igen, så kontakt "
        "support og oplys rapport-id %(id)s."
    ) % {"id": report_id}


def _mark_failed(model, row_id: int, reason: str, *, notify: bool = False):
    """The row (report or bundle) failed with a Danish reason the page shows beside a retry
    button; a row already ready, or gone, is left as it is."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=row_id).first()
        if row is None or row.status == Status.READY:
            return row
        row.status = Status.FAILED
        row.error = reason
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
        if notify:
            _notify_finished(row, False)
    return row


def report_fail(report_id: int, reason: str) -> Report | None:
    """Mark the report failed (the requester is notified)."""
    return _mark_failed(Report, report_id, reason, notify=True)


def report_open(report: Report):
    """The stored PDF, opened for binary reading (FileNotFoundError when it is not there)."""
    if not (report.is_ready and report.file.name):
        raise FileNotFoundError("the report has no file")
    return default_storage.open(report.file.name, "rb")


# --- Sending --------------------------------------------------------------------------------------


@transaction.atomic
def report_mark_sent(*, actor, report: Report, sent_on: date, external_reference: str = "", request=None) -> Report:
    """The report was sent to its recipient: record it on the report and tick the matching action
    on the incident's checklist (DSA notice → platform_takedown, which starts the 7-day check;
    police report → police_report with the police journal number; DOMAIN.md 4.3)."""
    from incidents.services import incident_record_action

    report = (
        Report.objects.select_for_update(of=("self",)).select_related("incident", "incident__unit").get(pk=report.pk)
    )
    if not report.is_ready or report.kind not in content.SENT_ACTIONS or report.incident is None:
        raise ValueError("only a ready report sent to an outside recipient can be marked as sent")
    report.sent_at = timezone.now()
    report.sent_by = actor
    report.sent_reference = external_reference.strip()[:200]
    report.save(update_fields=["sent_at", "sent_by", "sent_reference"])
    note = _("%(kind)s version %(version)s sendt") % {"kind": report.get_kind_display(), "version": report.version}
    incident_record_action(
        actor=actor,
        incident=report.incident,
        action_code=content.SENT_ACTIONS[report.kind],
        occurred_on=sent_on,
        note=note,
        external_reference=report.sent_reference,
        request=request,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=report,
        summary=_("Rapport markeret som sendt"),
        details={
            "kind": report.kind,
            "version": report.version,
            "sent_on": sent_on.isoformat(),
            "external_reference": report.sent_reference,
        },
    )
    return report


# --- Evidence bundles -----------------------------------------------------------------------------


@transaction.atomic
def bundle_request(*, actor, report: Report, request=None) -> EvidenceBundle:
    if not report.is_ready or report.is_statistics:
        raise ValueError("only a ready incident report can be bundled")
    bundle = EvidenceBundle.objects.create(report=report, created_by=actor, status=Status.PENDING)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=bundle,
        summary=_("Bevispakke bestilt"),
        details={"report": report.pk, "kind": report.kind, "version": report.version},
    )
    transaction.on_commit(lambda: _enqueue(_bundle_task, bundle.pk, bundle_fail))
    return bundle


def bundle_fail(bundle_id: int, reason: str) -> EvidenceBundle | None:
    return _mark_failed(EvidenceBundle, bundle_id, reason)


# --- Stuck jobs -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    requeued: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)


def _stuck(model, requested_field: str, cutoff):
    """Rows `rendering` past the deadline (their worker died), or `pending` that long (the
    message was lost: the broker restarted, an enqueue failed silently)."""
    return model.objects.filter(
        Q(status=Status.RENDERING, started_at__lt=cutoff)
        | Q(status=Status.PENDING, **{f"{requested_field}__lt": cutoff}, retried_at__isnull=True)
        | Q(status=Status.PENDING, retried_at__lt=cutoff)
    ).order_by()


def stuck_jobs_sweep(*, now=None, limit: int = 200) -> SweepResult:
    """Re-queue reports, bundles and case archives whose worker stopped (SIGKILL, a lost machine) or whose
    message was lost, so no page polls "rendering" for ever; a row tried MAX_ATTEMPTS times
    is marked failed with a Danish reason (the page offers "Prøv igen"). Called by the beat
    task `reports.tasks.sweep_stuck_jobs` every JOBS_SWEEP_SECONDS."""
    now = now or timezone.now()
    cutoff = now - render_deadline()
    result = SweepResult()
    from .archive import case_archive_fail

    kinds = (
        (Report, "requested_at", _render_task, report_fail),
        (EvidenceBundle, "created_at", _bundle_task, bundle_fail),
        (CaseArchive, "created_at", _archive_task, case_archive_fail),
    )
    for model, requested_field, task_name, fail in kinds:
        for row_id in list(_stuck(model, requested_field, cutoff).values_list("pk", flat=True)[:limit]):
            with transaction.atomic():
                row = (
                    _stuck(model, requested_field, cutoff).select_for_update(skip_locked=True).filter(pk=row_id).first()
                )
                if row is None:
                    continue  # finished or taken meanwhile
                if row.attempts >= MAX_ATTEMPTS:
                    reason = _(
                        "Arbejdet blev afbrudt %(count)d gange og er opgivet. Prøv igen; sker det igen, så "
                        "kontakt support."
                    ) % {"count": row.attempts}
                    fail(row_id, reason)
                    result.failed.append((model.__name__, row_id))
                    continue
                row.status = Status.PENDING
                row.retried_at = now
                row.save(update_fields=["status", "retried_at"])
                logger.warning("%s %s was stuck (attempt %s); queued again", model.__name__, row_id, row.attempts)
                transaction.on_commit(partial(_enqueue, task_name, row_id, fail))
                result.requeued.append((model.__name__, row_id))
    return result


# Building the evidence bundles (their own module; part of this interface).
from .bundles import bundle_build, bundle_open, manifest_text  # noqa: E402, F401
