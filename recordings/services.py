"""Changes to recording requests and guidelines. Each writes its audit event in the same
transaction. The audit details hold codes only, never the free text."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Unit
from audit.models import AuditEvent
from audit.services import audit_record

from .codes import ALLOWED_WITH_CONDITIONS
from .models import REASON_FIELDS, GuidelinePassage, RecordingGuideline, RecordingRequest
from .selectors import current_guideline

REQUEST_FIELDS = (
    "request_date",
    "media",
    "setting",
    "free_text",
    "decision",
    "conditions",
    "justification",
    "hidden_recording_discovered",
    "hidden_recording_note",
)


def _codes(recording_request: RecordingRequest) -> dict:
    return {
        "reasons": list(recording_request.reasons),
        "media": recording_request.media,
        "setting": recording_request.setting,
        "decision": recording_request.decision,
        "suggested_decision": recording_request.suggested_decision,
    }


@transaction.atomic
def recording_request_register(
    *, actor, unit: Unit, reasons: list[str], fields: dict, request=None
) -> RecordingRequest:
    """Register a request and the decision on it, with the suggestion under the guideline in force."""
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    now = timezone.now()
    recording_request = RecordingRequest(
        unit=unit, registered_by=actor, registered_at=now, decided_by=actor, decided_at=now, **fields
    )
    for code, name in REASON_FIELDS.items():
        setattr(recording_request, name, code in reasons)
    if recording_request.decision != ALLOWED_WITH_CONDITIONS:
        recording_request.conditions = ""
    if recording_request.hidden_recording_discovered:
        recording_request.hidden_recording_at = now
    else:
        recording_request.hidden_recording_note = ""
    recording_request.guideline = current_guideline(unit.organisation_id, on=recording_request.request_date)
    recording_request.suggested_decision = recording_request.compute_suggestion().decision
    recording_request.save()
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=recording_request,
        summary=_("Anmodning om optagelse registreret"),
        details=_codes(recording_request),
    )
    return recording_request


@transaction.atomic
def recording_request_review(
    *, actor, recording_request: RecordingRequest, note: str, request=None
) -> RecordingRequest:
    """A manager has looked at the decision; their note is kept beside it."""
    recording_request.reviewed_by = actor
    recording_request.reviewed_at = timezone.now()
    recording_request.review_note = note
    recording_request.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=recording_request,
        summary=_("Anmodning om optagelse gennemgået af leder"),
        details={"reviewed": True},
    )
    return recording_request


@transaction.atomic
def recording_request_mark_hidden(
    *, actor, recording_request: RecordingRequest, note: str, request=None
) -> RecordingRequest:
    """A hidden recording of a conversation in this case was discovered."""
    recording_request.hidden_recording_discovered = True
    recording_request.hidden_recording_note = note
    recording_request.hidden_recording_at = timezone.now()
    recording_request.save(
        update_fields=["hidden_recording_discovered", "hidden_recording_note", "hidden_recording_at"]
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=recording_request,
        summary=_("Skjult optagelse registreret"),
        details={"hidden_recording_discovered": True},
    )
    return recording_request


@transaction.atomic
def recording_request_link_incident(
    *, actor, recording_request: RecordingRequest, incident, request=None
) -> RecordingRequest:
    """Link the request to the incident where the recording was published (None unlinks).

    The caller has checked that the actor may see the incident (incidents.policy)."""
    previous = recording_request.incident.reference if recording_request.incident else ""
    recording_request.incident = incident
    recording_request.save(update_fields=["incident"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=recording_request,
        incident_reference=incident.reference if incident else previous,
        summary=(
            _("Anmodning om optagelse knyttet til hændelse")
            if incident
            else _("Anmodning om optagelse ikke længere knyttet til hændelse")
        ),
        details={"incident": incident.reference if incident else "", "previous": previous},
    )
    return recording_request


# --- Guidelines ---------------------------------------------------------------------------------


@transaction.atomic
def guideline_create(
    *,
    actor,
    organisation: Organisation,
    title: str,
    body: str,
    effective_from: date,
    passages: dict[str, str] | None = None,
    without_legitimate_reason: str | None = None,
    request=None,
) -> RecordingGuideline:
    """A new version of the organisation's guideline with its passages (key -> text)."""
    guideline = RecordingGuideline(
        organisation=organisation, title=title, body=body, effective_from=effective_from, created_by=actor
    )
    if without_legitimate_reason:
        guideline.without_legitimate_reason = without_legitimate_reason
    guideline.full_clean()
    guideline.save()
    GuidelinePassage.objects.bulk_create(
        [GuidelinePassage(guideline=guideline, key=key, text=text) for key, text in (passages or {}).items() if text]
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=guideline,
        organisation_id=organisation.pk,
        summary=_("Retningslinje for optagelse oprettet"),
        details={"effective_from": effective_from.isoformat()},
    )
    return guideline


@transaction.atomic
def guideline_copy(*, actor, guideline: RecordingGuideline, effective_from: date, request=None) -> RecordingGuideline:
    """A new version that starts as a copy of `guideline`, to be edited before it takes effect."""
    return guideline_create(
        actor=actor,
        organisation=guideline.organisation,
        title=guideline.title,
        body=guideline.body,
        effective_from=effective_from,
        without_legitimate_reason=guideline.without_legitimate_reason,
        passages={p.key: p.text for p in guideline.passages.all()},
        request=request,
    )
