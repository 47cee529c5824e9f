"""Evidence upload, download and removal: managers of the unit and the employee concerned.

- Upload (POST): several files at once; each is checked and stored on its own, so the
  files that pass are kept when another is refused. A file above the size limit is
  stopped while it streams (incidents.upload_handlers). When everything is stored the
  browser goes back to the incident; otherwise the evidence page is shown again with
  what was typed and a Danish message per file.
- Download (GET): a permission-checked, audited attachment with headers that stop a
  browser from rendering or running it.
- Removal (POST): managers only, with a reason; leaves a tombstone.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from idempotency.views import idempotent_form

from .. import policy, services
from ..evidence import (
    EvidenceRejected,
    evidence_duplicate_of,
    evidence_list_for,
    evidence_open,
    served_content_type,
    too_large_message,
)
from ..evidence import evidence_store as store_file
from ..forms.evidence import EvidenceRemoveForm, EvidenceUploadForm
from ..upload_handlers import install_evidence_upload_handlers

logger = logging.getLogger(__name__)

DOWNLOAD_CSP = "default-src 'none'; sandbox"


def _evidence_page(request, incident, *, evidence_form=None, remove_form=None, remove_evidence_id=None, status=200):
    """The incident's evidence on a page of its own (after a refused upload, or for GET)."""
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=_("Dokumentation vist"))
    context = {
        "incident": incident,
        "evidence_list": list(evidence_list_for(incident)),
        "may_add_evidence": policy.may_add_evidence(request.user, incident),
        "may_remove_evidence": policy.may_remove_evidence(request.user, incident),
        "evidence_form": evidence_form,
        "remove_form": remove_form,
        "remove_evidence_id": remove_evidence_id,
    }
    return render(request, "incidents/evidence_page.html", context, status=status)


@login_required
@csrf_exempt  # CSRF is checked by _evidence_upload, after the size-limit handler is installed
@require_http_methods(["GET", "POST"])
def evidence_upload(request, reference):
    # The upload handlers must be in place before anything reads request.POST or FILES.
    limiter = install_evidence_upload_handlers(request)
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_add_evidence(request.user, incident):
        raise Http404
    return _evidence_upload(request, incident, limiter)


@csrf_protect
@idempotent_form
def _evidence_upload(request, incident, limiter):
    if request.method == "GET":
        return _evidence_page(request, incident, evidence_form=EvidenceUploadForm(incident=incident))
    form = EvidenceUploadForm(request.POST, request.FILES, incident=incident)
    refused = [too_large_message(name) for name in limiter.too_large]
    if not form.is_valid():
        if refused:
            form.errors.pop("files", None)  # files were sent, but all were too large: say that instead
        for message in refused:
            messages.error(request, message)
        if form.errors:
            messages.error(request, _("Ret fejlene nedenfor. Ingen filer er gemt; vælg dem igen."))
        return _evidence_page(request, incident, evidence_form=form, status=400)

    stored = 0
    for uploaded in form.cleaned_data["files"]:
        try:
            evidence = store_file(
                actor=request.user,
                incident=incident,
                uploaded_file=uploaded,
                description=form.cleaned_data["description"],
                captured_at=form.cleaned_data["captured_at"],
                publication=form.cleaned_data["publication"],
                request=request,
            )
        except EvidenceRejected as exc:
            refused.append(str(exc))
            continue
        stored += 1
        messages.success(
            request,
            _("«%(name)s» er gemt (%(size)s, SHA-256 %(hash)s).")
            % {
                "name": evidence.original_name,
                "size": filesizeformat(evidence.size),
                "hash": evidence.sha256,
            },
        )
        duplicate = evidence_duplicate_of(evidence)
        if duplicate is not None:
            messages.info(
                request,
                _("«%(name)s» er identisk med «%(other)s», som allerede ligger på sagen.")
                % {"name": evidence.original_name, "other": duplicate.original_name},
            )
    if not refused:
        return _back_to_case(incident)
    for message in refused:
        messages.error(request, message)
    if stored:
        messages.warning(request, _("De øvrige filer er gemt. Vælg de afviste filer igen, hvis de skal med."))
    # Keep what was typed (the form stays bound); a browser cannot be given the files back.
    return _evidence_page(request, incident, evidence_form=form, status=200 if stored else 400)


@login_required
@require_http_methods(["GET", "HEAD"])
def evidence_download(request, reference, evidence_id):
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_view(request.user, incident):
        raise Http404
    evidence = policy.get_evidence_or_404(request.user, incident, evidence_id)
    if evidence.is_removed:
        raise Http404
    try:
        handle = evidence_open(evidence)
    except FileNotFoundError as exc:
        logger.error("Evidence %s of %s is missing from storage", evidence.pk, incident.reference)
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=evidence,
        summary=_("Dokumentation hentet"),
        details={"sha256": evidence.sha256, "name": evidence.original_name, "size": evidence.size},
    )
    response = stored_file_response(
        handle, name=evidence.file.name, filename=evidence.original_name, content_type=served_content_type(evidence)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Evidence-SHA256"] = evidence.sha256
    return response


@login_required
@require_POST
def evidence_remove(request, reference, evidence_id):
    incident = policy.get_incident_or_404(request.user, reference)
    evidence = policy.get_evidence_or_404(request.user, incident, evidence_id)
    if not policy.may_remove_evidence(request.user, incident):
        raise PermissionDenied
    form = EvidenceRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("«%(name)s» er ikke fjernet: skriv en begrundelse.") % {"name": evidence.original_name}
        )
        return _evidence_page(
            request,
            incident,
            evidence_form=EvidenceUploadForm(incident=incident),
            remove_form=form,
            remove_evidence_id=evidence.pk,
            status=400,
        )
    if evidence.is_removed:
        messages.info(request, _("«%(name)s» var allerede fjernet.") % {"name": evidence.original_name})
    else:
        services.evidence_remove(
            actor=request.user, evidence=evidence, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(
            request,
            _("«%(name)s» er fjernet. Sagen beholder filnavn, SHA-256 og begrundelse.")
            % {"name": evidence.original_name},
        )
    return _back_to_case(incident)


def _back_to_case(incident):
    return redirect(reverse("incidents:detail", args=[incident.reference]) + "#dokumentation-overskrift")
