"""The recordings app's purge hook for the retention run (`retention/`).

    unlink_incident(incident, *, actor, today, reason) -> n
        recording requests linked to an incident being purged stay; the link goes
        (`linked_incident_purged_on` set, so the statistics keep counting them), each change audited.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import RecordingRequest


def unlink_incident(incident, *, actor, today, reason: str) -> int:
    requests = list(RecordingRequest.objects.filter(incident=incident).select_related("unit"))
    for recording_request in requests:
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=recording_request,
            incident_reference=incident.reference,
            summary=_("Anmodning om optagelse ikke længere knyttet til hændelse: sagen er slettet efter "
                      "opbevaringsperioden"),
            details={"incident": "", "previous": incident.reference, "reason": reason},
        )
    return RecordingRequest.objects.filter(incident=incident).update(incident=None, linked_incident_purged_on=today)


def expired_requests(organisation, before_date):
    """Recording requests of the organisation dated before `before_date` and no longer linked to an
    incident that still exists (one linked to a live incident waits until retention deletes it)."""
    return RecordingRequest.objects.filter(unit__organisation=organisation, request_date__lt=before_date,
                                           incident__isnull=True)


def requests_delete(organisation, before_date) -> list[str]:
    """Delete the expired requests; returns their references (for the audit event)."""
    rows = expired_requests(organisation, before_date)
    references = [row.reference for row in rows.only("pk", "request_date")]
    rows.delete()
    return references
