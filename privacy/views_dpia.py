"""The DPIA draft (art. 35): the page, the PDF made by the worker, its status and download.

Who may: the same as the record of processing (`privacy.policy.record_organisation_ids`):
the organisation's admins and managers; the DPO uses it through one of those roles. Everyone
else, an admin of another organisation included, gets 404. Each showing, ordering and download
is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from reports.views import protect_download

from . import dpia, policy
from .dpia_models import DpiaDraft


def _organisations(request) -> tuple[Organisation, list[Organisation]]:
    organisations = list(
        Organisation.objects.filter(pk__in=policy.record_organisation_ids(request.user)).order_by("name")
    )
    if not organisations:
        raise Http404
    chosen = request.POST.get("organisation") or request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    return organisation, organisations


def _draft_or_404(request, pk: int) -> DpiaDraft:
    draft = (
        DpiaDraft.objects.select_related("organisation", "requested_by")
        .filter(pk=pk, organisation_id__in=policy.record_organisation_ids(request.user))
        .first()
    )
    if draft is None:
        raise Http404
    return draft


@login_required
@require_safe
def dpia_page(request):
    organisation, organisations = _organisations(request)
    drafts = list(DpiaDraft.objects.filter(organisation=organisation).select_related("requested_by")[:10])
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="privacy.dpiadraft",
        summary=_("Udkast til konsekvensanalyse (DPIA) vist"),
        organisation_id=organisation.pk,
    )
    return render(
        request,
        "privacy/dpia.html",
        {
            "dpia": dpia.build_dpia(organisation),
            "organisation": organisation,
            "organisations": organisations,
            "drafts": drafts,
        },
    )


@login_required
@require_POST
def dpia_request(request):
    organisation, _organisations_ = _organisations(request)
    draft = dpia.dpia_request(actor=request.user, organisation=organisation, request=request)
    messages.success(request, _("PDF'en er bestilt. Siden opdaterer sig selv, når den er klar."))
    return redirect(draft.get_absolute_url())


@login_required
@require_safe
def dpia_detail(request, pk: int):
    draft = _draft_or_404(request, pk)
    return render(request, "privacy/dpia_detail.html", {"draft": draft})


@login_required
@require_safe
def dpia_status(request, pk: int):
    draft = _draft_or_404(request, pk)
    response = JsonResponse(
        {
            "id": draft.pk,
            "version": draft.version,
            "status": draft.status,
            "status_label": str(draft.get_status_display()),
            "unfinished": draft.is_unfinished,
            "error": draft.error,
            "sha256": draft.sha256,
            "pages": draft.page_count,
            "size": draft.size,
            "download_url": draft.get_download_url() if draft.is_ready else None,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def dpia_retry(request, pk: int):
    draft = _draft_or_404(request, pk)
    if draft.may_retry:
        dpia.dpia_retry(actor=request.user, draft=draft, request=request)
        messages.info(request, _("Udkastet er sendt til dannelse igen."))
    return redirect(draft.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD"])
def dpia_download(request, pk: int):
    from django.core.files.storage import default_storage

    draft = _draft_or_404(request, pk)
    if not (draft.is_ready and draft.file.name):
        raise Http404
    try:
        handle = default_storage.open(draft.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=draft,
        summary=_("Udkast til konsekvensanalyse (DPIA) hentet"),
        details={"version": draft.version, "sha256": draft.sha256},
    )
    response = stored_file_response(
        handle, name=draft.file.name, filename=draft.download_name, content_type="application/pdf"
    )
    return protect_download(response, draft.sha256)
