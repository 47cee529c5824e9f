"""What is held about a person, exported for an access request (GDPR art. 15): JSON and PDF,
at once or rendered by the worker (`AccessExport`), with what was withheld and why.

Part of `privacy.services`'s interface (imported there).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from reports import pdf as report_pdf

from .models import AccessExport, DataSubjectRequest
from .selectors import OWN_AUDIT_EVENTS_SHOWN, Findings, findings_for
from .services import ErasurePlan, erasure_plan, take_on

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "udhaengning.indsigt/1"
PDF_TEMPLATE = "privacy/pdf/subject_export.html"


# --- Export -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    content: bytes
    sha256: str
    filename: str
    content_type: str
    pages: int | None = None
    withheld: int = 0


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def export_data(findings: Findings, plan: ErasurePlan | None, *, generated_at: datetime, generated_by: str) -> dict:
    dsr = findings.request
    return {
        "format": EXPORT_FORMAT,
        "generated_at": generated_at.isoformat(),
        "generated_by": generated_by,
        "request": {
            "reference": dsr.reference,
            "organisation": dsr.organisation.name,
            "kind": dsr.kind,
            "kind_label": str(dsr.get_kind_display()),
            "subject_type": dsr.subject_type,
            "subject": dsr.subject_label,
            "received_on": dsr.received_on.isoformat(),
            "due_on": dsr.due_on.isoformat(),
            "requester": dsr.requester,
            "status": dsr.status,
            "decision": dsr.decision,
            "justification": dsr.justification,
        },
        "sections": {
            section.key: {
                "title": section.title,
                "count": section.count,
                "columns": {c.key: c.label for c in section.columns},
                "rows": section.rows,
            }
            for section in findings.sections
        },
        "erasure_plan": plan.as_dict() if plan is not None else None,
        "erasure_result": dsr.erasure_result or None,
        "withheld": withheld_statement(findings),
    }


def withheld_statement(findings: Findings) -> dict | None:
    """What the answer says about withheld items: that there are some, how many under which
    exception of databeskyttelsesloven § 22, never what they are."""
    if not findings.withheld_count:
        return None
    return {
        "statement": _(
            "Nogle oplysninger er undtaget fra indsigt efter databeskyttelseslovens § 22 og er ikke "
            "medtaget i dette udtræk. Du kan klage over afgørelsen til Datatilsynet."
        ),
        "count": findings.withheld_count,
        "exceptions": [{"exception": item.label, "count": item.count} for item in findings.withheld],
    }


def _filename(dsr: DataSubjectRequest, extension: str) -> str:
    return f"{dsr.reference}-{'sletning' if dsr.is_erasure else 'indsigt'}.{extension}"


def render_json(findings: Findings, plan: ErasurePlan | None, *, generated_at: datetime, generated_by: str) -> bytes:
    data = export_data(findings, plan, generated_at=generated_at, generated_by=generated_by)
    return json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable).encode("utf-8")


def render_pdf_html(findings: Findings, plan: ErasurePlan | None, *, generated_at: datetime, generated_by: str) -> str:
    """The HTML the PDF is laid out from (autoescaped: what people typed stays text)."""
    dsr = findings.request
    return report_pdf.render_html(
        PDF_TEMPLATE,
        {
            "dsr": dsr,
            "organisation": dsr.organisation,
            "sections": findings.sections,
            "plan": plan,
            "withheld": withheld_statement(findings),
            "result": dsr.erasure_result or None,
            "generated_at": generated_at,
            "generated_by": generated_by,
        },
    )


def render_pdf(
    findings: Findings, plan: ErasurePlan | None, *, generated_at: datetime, generated_by: str
) -> report_pdf.RenderedPdf:
    return report_pdf.html_to_pdf(render_pdf_html(findings, plan, generated_at=generated_at, generated_by=generated_by))


def _export_content(findings: Findings, plan: ErasurePlan | None, *, fmt: str, now: datetime, who: str):
    if fmt == "json":
        return render_json(findings, plan, generated_at=now, generated_by=who), None, "application/json"
    rendered = render_pdf(findings, plan, generated_at=now, generated_by=who)
    return rendered.content, rendered.pages, "application/pdf"


@transaction.atomic
def dsr_export(*, actor, dsr: DataSubjectRequest, fmt: str, request=None) -> Export:
    """The whole answer as JSON or PDF, rendered here (the worker's `access_export_render` and the
    tests use it); its SHA-256 is recorded on the request and in the audit log. Items withheld
    under § 22 are left out and the answer says so."""
    if fmt not in ("json", "pdf"):
        raise ValueError(f"unknown export format {fmt!r}")
    now = timezone.now()
    findings = findings_for(dsr, audit_limit=None if fmt == "json" else OWN_AUDIT_EVENTS_SHOWN, for_subject=True)
    plan = erasure_plan(findings, actor=actor, now=now) if dsr.is_erasure and not dsr.erased else None
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    content, pages, content_type = _export_content(findings, plan, fmt=fmt, now=now, who=who)
    sha256 = hashlib.sha256(content).hexdigest()
    changed = take_on(dsr, actor) if actor is not None else []
    dsr.result_format, dsr.result_sha256, dsr.result_exported_at = fmt, sha256, now
    dsr.save(update_fields=[*changed, "result_format", "result_sha256", "result_exported_at", "updated_at"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=dsr,
        summary=_("Oplysninger om en registreret udleveret som %(format)s") % {"format": fmt.upper()},
        details={
            "reference": dsr.reference,
            "format": fmt,
            "sha256": sha256,
            "size": len(content),
            "pages": pages,
            "found": findings.counts,
            "withheld": findings.withheld_count,
        },
    )
    return Export(
        content=content,
        sha256=sha256,
        filename=_filename(dsr, fmt),
        content_type=content_type,
        pages=pages,
        withheld=findings.withheld_count,
    )


# --- Exports rendered by the worker ------------------------------------------------------------------


def _enqueue_export(export_id: int) -> None:
    from . import tasks

    try:
        tasks.render_access_export.delay(export_id)
    except Exception:  # noqa: BLE001 - a broker outage must not break the page
        logger.exception("Could not enqueue the access export %s", export_id)
        access_export_fail(export_id, _("Køen kunne ikke nås, så udtrækket er ikke gået i gang. Prøv igen om lidt."))


@transaction.atomic
def access_export_request(*, actor, dsr: DataSubjectRequest, fmt: str, request=None) -> AccessExport:
    """Order an export; the worker renders it after the commit (never inside the web request)."""
    if fmt not in AccessExport.Format.values:
        raise ValueError(f"unknown export format {fmt!r}")
    export = AccessExport.objects.create(request=dsr, fmt=fmt, requested_by=actor)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=export,
        summary=_("Udtræk til en registreret bestilt (%(format)s)") % {"format": fmt.upper()},
        details={"reference": dsr.reference, "format": fmt},
    )
    transaction.on_commit(lambda: _enqueue_export(export.pk))
    return export


def access_export_render(export_id: int) -> AccessExport | None:
    """Render the export (as the person who ordered it), store it privately and mark it ready."""
    with transaction.atomic():
        export = AccessExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or not export.is_unfinished:
            return export
        export.status, export.started_at = AccessExport.Status.RENDERING, timezone.now()
        export.attempts += 1
        export.save(update_fields=["status", "started_at", "attempts"])
    export = AccessExport.objects.select_related("request__organisation", "requested_by").get(pk=export_id)
    try:
        made = dsr_export(actor=export.requested_by, dsr=export.request, fmt=export.fmt)
    except (DatabaseError, OSError):
        raise
    except Exception:
        logger.exception("Access export %s could not be rendered", export_id)
        return access_export_fail(
            export_id,
            _(
                "Der opstod en uventet fejl, da udtrækket skulle dannes. Prøv igen; "
                "sker det igen, så kontakt support og oplys udtræk-id %(id)s."
            )
            % {"id": export_id},
        )
    name = AccessExport._meta.get_field("file").generate_filename(export, f"export.{export.fmt}")
    stored = default_storage.save(name, ContentFile(made.content))
    with transaction.atomic():
        row = AccessExport.objects.select_for_update().get(pk=export_id)
        row.status, row.error, row.file.name = AccessExport.Status.READY, "", stored
        row.sha256, row.size, row.pages, row.withheld = made.sha256, len(made.content), made.pages, made.withheld
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "error", "file", "sha256", "size", "pages", "withheld", "finished_at"])
    return row


def access_export_fail(export_id: int, reason: str) -> AccessExport | None:
    with transaction.atomic():
        row = AccessExport.objects.select_for_update().filter(pk=export_id).first()
        if row is None or row.is_ready:
            return row
        row.status, row.error, row.finished_at = AccessExport.Status.FAILED, reason, timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
    return row


def access_export_download(*, actor, export: AccessExport, request=None):
    """The stored file, opened for reading; the download is audited."""
    if not (export.is_ready and export.file.name):
        raise FileNotFoundError("the export has no file")
    handle = default_storage.open(export.file.name, "rb")
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.DOWNLOAD,
        obj=export,
        summary=_("Udtræk til en registreret hentet"),
        details={"reference": export.request.reference, "format": export.fmt, "sha256": export.sha256},
    )
    return handle
