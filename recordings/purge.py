"""The recordings app's purge hook for the retention run (`retention/`).

unlink_incident(incident, *, actor, today, reason) -> n
    recording requests linked to an incident being purged stay; the link goes
    (`linked_incident_purged_on` set, so the statistics keep counting them), each change audited.
requests_anonymise(organisation, before_date, *, today) -> [references]
    requests past `Organisation.recording_retention_months` lose their free text and names.
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
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=recording_request,
            incident_reference=incident.reference,
            summary=_(
                "Anmodning om optagelse ikke længere knyttet til hændelse: sagen er slettet efter opbevaringsperioden"
            ),
            details={"incident": "", "previous": incident.reference, "reason": reason},
        )
    return RecordingRequest.objects.filter(incident=incident).update(incident=None, linked_incident_purged_on=today)


# Free text and people: what goes when a request's own retention period has run out.
ANONYMISED = {
    "free_text": "",
    "conditions": "",
    "justification": "",
    "review_note": "",
    "hidden_recording_note": "",
    "registered_by": None,
    "decided_by": None,
    "reviewed_by": None,
}


def expired_requests(organisation, before_date):
    """Recording requests of the organisation dated before `before_date`, not yet anonymised and no
    longer linked to an incident that still exists (one linked to a live incident waits until
    retention deletes the incident)."""
    return RecordingRequest.objects.filter(
        unit__organisation=organisation, request_date__lt=before_date, incident__isnull=True, anonymised_on__isnull=True
    )


def requests_anonymise(organisation, before_date, *, today) -> list[str]:
    """Anonymise the expired requests: the free text (the citizen's reasons in their own words, the
    conditions, the justification, the notes) and the employees' names go; the coded facts (unit,
    date, media, setting, reasons, decision) stay, so the recording statistics of past periods do
    not change. Returns their references (for the audit event)."""
    rows = expired_requests(organisation, before_date)
    references = [f"OPT-{pk}" for pk in rows.values_list("pk", flat=True)]
    rows.update(anonymised_on=today, **ANONYMISED)
    return references
