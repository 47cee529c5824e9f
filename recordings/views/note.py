"""The note for the citizen's case file on one recording decision, as text and as PDF.

Whoever may open the request (the registering caseworker and the unit's managers,
`recordings.policy.get_request_or_404`) may take the note; everyone else gets 404.
Each download is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import audit_record

from .. import note, policy


def _audit(request, recording_request, fmt: str) -> None:
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=recording_request,
        summary=_("Notat om anmodning om optagelse hentet"),
        details={"format": fmt},
    )


@login_required
@require_safe
def note_text(request, pk: int):
    recording_request = policy.get_request_or_404(request.user, pk)
    _audit(request, recording_request, "txt")
    response = HttpResponse(note.note_text(recording_request), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notat-{recording_request.reference.lower()}.txt"'
    return response


@login_required
@require_safe
def note_pdf(request, pk: int):
    recording_request = policy.get_request_or_404(request.user, pk)
    _audit(request, recording_request, "pdf")
    response = HttpResponse(note.note_pdf(recording_request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notat-{recording_request.reference.lower()}.pdf"'
    return response
