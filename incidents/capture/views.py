"""«Sikr side»: capture a page of an incident, follow the capture, upload one's own capture.

Every view looks the incident up through the access policy (404 when it may not be seen or
the user is not a manager of it), validates with a form and calls one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.models import AuditEvent
from audit.services import audit_record

from . import policy, selectors, services
from .forms import CaptureForm, CaptureUploadForm
from .models import Capture


def _list_page(request, incident, *, form=None, upload_form=None, status=200):
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=_("Sikringer af websider vist"))
    context = {
        "incident": incident,
        "rows": selectors.capture_rows(incident),
        "form": form or CaptureForm(incident=incident),
        "upload_form": upload_form or CaptureUploadForm(incident=incident),
    }
    return render(request, "capture/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def capture_list(request, reference):
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    if request.method != "POST":
        initial = {}
        publication_id = request.GET.get("offentliggoerelse", "")
        if publication_id.isdigit():
            publication = incident.publications.filter(pk=int(publication_id)).first()
            if publication is not None:
                initial = {"publication": publication, "url": publication.url}
        return _list_page(request, incident, form=CaptureForm(incident=incident, initial=initial))
    form = CaptureForm(request.POST, incident=incident)
    if not form.is_valid():
        return _list_page(request, incident, form=form, status=400)
    try:
        capture = services.capture_request(
            actor=request.user,
            incident=incident,
            url=form.cleaned_data["url"],
            publication=form.cleaned_data["publication"],
            request=request,
        )
    except services.CaptureRefused as exc:
        form.add_error("url", str(exc))
        return _list_page(request, incident, form=form, status=400)
    messages.info(request, _("Siden sikres nu. Siden her opdaterer sig selv, når sikringen er færdig."))
    return redirect(capture.get_absolute_url())


@login_required
@require_POST
def capture_upload(request, reference):
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    form = CaptureUploadForm(request.POST, request.FILES, incident=incident)
    if not form.is_valid():
        return _list_page(request, incident, upload_form=form, status=400)
    try:
        capture = services.capture_upload(
            actor=request.user,
            incident=incident,
            uploaded_file=form.cleaned_data["file"],
            url=form.cleaned_data["url"],
            publication=form.cleaned_data["publication"],
            request=request,
        )
    except services.CaptureRefused as exc:
        form.add_error("file", str(exc))
        return _list_page(request, incident, upload_form=form, status=400)
    messages.success(request, _("Din sikring er gemt med SHA-256 og manifest."))
    return redirect(capture.get_absolute_url())


@login_required
@require_safe
def capture_detail(request, reference, capture_id):
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    capture = policy.get_capture_or_404(request.user, incident, capture_id)
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=capture, summary=_("Sikring af webside vist"))
    row = next((r for r in selectors.capture_rows(incident) if r["capture"].pk == capture.pk), None)
    context = {
        "incident": incident,
        "capture": capture,
        "row": row,
        "upload_form": CaptureUploadForm(
            incident=incident, initial={"url": capture.url, "publication": capture.publication}
        ),
    }
    return render(request, "capture/detail.html", context)


def status_json(capture: Capture) -> dict:
    return {
        "id": capture.pk,
        "status": capture.status,
        "status_label": str(capture.get_status_display()),
        "unfinished": capture.is_unfinished and not capture.is_stale,
        "error": capture.error,
        "manifest_sha256": capture.manifest_sha256,
        "http_status": capture.http_status,
        "login_required": capture.login_required,
    }


@login_required
@require_safe
def capture_status(request, reference, capture_id):
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    capture = policy.get_capture_or_404(request.user, incident, capture_id)
    response = JsonResponse(status_json(capture))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def capture_again(request, reference, capture_id):
    """One click: capture the same address again (after a failure, or because the page changed)."""
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    capture = policy.get_capture_or_404(request.user, incident, capture_id)
    try:
        new = services.capture_retry(actor=request.user, capture=capture, request=request)
    except services.CaptureRefused as exc:
        messages.error(request, str(exc))
        return redirect(capture.get_absolute_url())
    messages.info(request, _("Siden sikres igen."))
    return redirect(new.get_absolute_url())


@login_required
@require_safe
def token_download(request, reference, capture_id, token_id):
    incident = policy.get_incident_for_capture_or_404(request.user, reference)
    capture = policy.get_capture_or_404(request.user, incident, capture_id)
    token = policy.get_token_or_404(capture, token_id)
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=capture,
        summary=_("Tidsstempel hentet"),
        details={"token": token.pk, "tsa": token.tsa_url},
    )
    response = HttpResponse(bytes(token.response), content_type="application/timestamp-reply")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}-sikring-{capture.pk}-{token.pk}.tsr"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def incident_capture_url(incident) -> str:
    return reverse("capture:list", args=[incident.reference])
