"""Writing and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditChainHead, AuditEvent


def _client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy sets X-Forwarded-For.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


def audit_record(
    *,
    request=None,
    actor=None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    incident_reference: str = "",
    summary: str = "",
    details: dict | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction, if any)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        incident_reference = incident_reference or getattr(obj, "audit_reference", "")
        organisation_id = organisation_id or getattr(obj, "audit_organisation_id", None)
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else "system"),
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            incident_reference=incident_reference,
            summary=summary[:300],
            details=details or {},
            ip_address=_client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, count=head.count + 1)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    problem: str = ""


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in order and report the first broken link."""
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev:
                return ChainReport(False, checked, event.pk, "prev_hash does not match the event before it")
            if event.compute_hash() != event.hash:
                return ChainReport(False, checked, event.pk, "content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainReport(False, checked, None, "the newest events are missing (chain head differs)")
    return ChainReport(True, checked)
