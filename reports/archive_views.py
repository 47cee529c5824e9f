"""The case archive page of an incident (journalisation, offentlighedsloven § 15): order an archive,
follow it while the worker builds it, download it, record the journal number. Managers of the
incident only (`incidents.policy.may_journalise`); everyone else gets 404. Every showing,
order, download and change is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from incidents import policy as incident_policy
from incidents import services as incident_services

from . import archive as archives
from .forms import JournalNumberForm
from .models import CaseArchive


def _incident(request, reference: str):
    incident = incident_policy.get_incident_or_404(request.user, reference)
    if not incident_policy.may_journalise(request.user, incident):
        raise Http404
    return incident


def _archive_or_404(incident, archive_id: int) -> CaseArchive:
    row = CaseArchive.objects.filter(incident=incident, pk=archive_id).select_related("incident__unit").first()
    if row is None:
        raise Http404
    return row


def _page(request, incident, *, form=None, status: int = 200):
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=_("Sagsarkiv vist"))
    return render(
        request,
        "reports/archive.html",
        {
            "incident": incident,
            "archives": list(CaseArchive.objects.filter(incident=incident)[:10]),
            "sent_reports": archives.sent_reports(incident),
            "form": form or JournalNumberForm(initial={"journal_number": incident.journal_number}),
        },
        status=status,
    )


@login_required
@require_safe
def archive_page(request, reference):
    return _page(request, _incident(request, reference))


@login_required
@require_POST
def archive_create(request, reference):
    incident = _incident(request, reference)
    row = archives.case_archive_request(actor=request.user, incident=incident, request=request)
    return redirect("reports:archive_status", reference=incident.reference, archive_id=row.pk)


@login_required
@require_safe
def archive_status(request, reference, archive_id):
    incident = _incident(request, reference)
    row = _archive_or_404(incident, archive_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": row.status,
                "sha256": row.sha256,
                "metadata_sha256": row.metadata_sha256,
                "documents": row.document_count,
                "error": row.error,
            },
            headers={"Cache-Control": "private, no-store"},
        )
    return render(request, "reports/archive_status.html", {"incident": incident, "archive": row})


@login_required
@require_safe
def archive_download(request, reference, archive_id):
    incident = _incident(request, reference)
    row = _archive_or_404(incident, archive_id)
    try:
        handle = archives.case_archive_open(row)
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=row,
        summary=_("Sagsarkiv hentet"),
        details={"sha256": row.sha256, "metadata_sha256": row.metadata_sha256},
    )
    response = stored_file_response(
        handle, name=row.file.name, filename=row.download_name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = row.sha256
    return response


@login_required
@require_POST
def journal_number(request, reference):
    incident = _incident(request, reference)
    form = JournalNumberForm(request.POST)
    if not form.is_valid():
        return _page(request, incident, form=form, status=400)
    changed = incident_services.incident_set_journal_number(
        actor=request.user, incident=incident, journal_number=form.cleaned_data["journal_number"], request=request
    )
    messages.success(request, _("Journalnummeret er gemt.") if changed else _("Journalnummeret er uændret."))
    return redirect("reports:archive", reference=incident.reference)
