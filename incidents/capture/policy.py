"""Who may capture pages of an incident: part of the one access policy (accounts.permissions,
incidents.policy). Capturing, re-capturing and uploading one's own capture are managers' tools
(`incidents.policy.may_change`); the files themselves are evidence and follow the evidence
rules. Anyone else gets 404, like for the incident itself."""

from __future__ import annotations

from django.http import Http404

from incidents import policy as incident_policy

from .models import Capture, TimestampToken


def may_capture(user, incident) -> bool:
    return incident_policy.may_change(user, incident)


def get_incident_for_capture_or_404(user, reference: str):
    incident = incident_policy.get_incident_or_404(user, reference)
    if not may_capture(user, incident):
        raise Http404
    return incident


def get_capture_or_404(user, incident, capture_id: int) -> Capture:
    capture = (
        Capture.objects.select_related("incident", "incident__unit", "publication", "requested_by")
        .filter(incident=incident, pk=capture_id)
        .first()
    )
    if capture is None or not may_capture(user, incident):
        raise Http404
    return capture


def get_token_or_404(capture: Capture, token_id: int) -> TimestampToken:
    token = capture.tokens.filter(pk=token_id).exclude(response=b"").first()
    if token is None:
        raise Http404
    return token
