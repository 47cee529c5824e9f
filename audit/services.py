"""Writing and verifying the audit log.

One keyed chain per organisation (events of no organisation form chain 0), so audited
work in one organisation never waits for another's chain head. `audit_verify` walks each
chain, recomputes every HMAC with the key from the settings and compares the chain with
the heads exported outside the database (audit/anchors.py).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from common.client_ip import client_ip

from . import anchors
from .models import GENESIS_HASH, AuditChainHead, AuditCheckpoint, AuditEvent, PendingAuditEvent, audit_key


def _lock_head(chain: int) -> AuditChainHead:
    """The chain's head row, locked until the end of the transaction (created when new)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def _event_fields(
    *, request, actor, action, obj, object_type, object_id, incident_reference, summary, details, organisation_id
) -> dict:
    """The content of one event (who, what, where from), the same for chained and pending ones."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        incident_reference = incident_reference or getattr(obj, "audit_reference", "")
        organisation_id = organisation_id or getattr(obj, "audit_organisation_id", None)
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    return {
        "at": timezone.now(),
        "actor": actor,
        "actor_label": (actor.get_username() if actor is not None else "system"),
        "organisation_id": organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "incident_reference": incident_reference,
        "summary": summary[:300],
        "details": details or {},
        "ip_address": client_ip(request),
        "user_agent": (request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        "chain": organisation_id or 0,
    }


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
    """Append one event to its organisation's chain (in the caller's transaction, if any)."""
    fields = _event_fields(
        request=request,
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        incident_reference=incident_reference,
        summary=summary,
        details=details,
        organisation_id=organisation_id,
    )
    key = audit_key()
    # Inside the caller's transaction no savepoint (two round trips): an event that cannot be
    # written fails the whole change, as it must.
    with transaction.atomic(savepoint=False):
        head = _lock_head(fields["chain"])
        event = AuditEvent(**fields, seq=head.count + 1, prev_hash=head.last_hash)
        event.hash = event.compute_hash(key)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=event.hash, count=event.seq)
    return event


def audit_record_read(
    *,
    request=None,
    actor=None,
    object_type: str = "",
    summary: str = "",
    details: dict | None = None,
    organisation_id: int | None = None,
) -> PendingAuditEvent:
    """Record a read of a list page with one INSERT and no lock (sealed into the chain within
    a minute by `audit_seal_pending`). Changes, downloads and exports use `audit_record`."""
    fields = _event_fields(
        request=request,
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=None,
        object_type=object_type,
        object_id="",
        incident_reference="",
        summary=summary,
        details=details,
        organisation_id=organisation_id,
    )
    pending = PendingAuditEvent(**fields)
    pending.mac = pending.compute_mac()
    pending.save()
    return pending


SEAL_BATCH_SIZE = 1000


def audit_seal_pending(*, batch_size: int = SEAL_BATCH_SIZE) -> int:
    """Append the waiting reads to their chains, oldest first; returns how many were sealed.

    Each batch is one transaction: the rows are taken with SKIP LOCKED (two sealers never
    take the same row), each chain's head is locked once, and the rows are appended in the
    order they were written and deleted from the waiting table. A row whose HMAC no longer
    matches its content is left waiting, and `audit_verify` reports it."""
    key = audit_key()
    sealed = 0
    while True:
        with transaction.atomic():
            batch = list(PendingAuditEvent.objects.select_for_update(skip_locked=True).order_by("id")[:batch_size])
            if not batch:
                return sealed
            intact = [row for row in batch if row.compute_mac(key) == row.mac]
            by_chain: dict[int, list[PendingAuditEvent]] = {}
            for row in intact:
                by_chain.setdefault(row.chain, []).append(row)
            events = []
            for chain in sorted(by_chain):
                head = _lock_head(chain)
                seq, prev = head.count, head.last_hash
                for row in by_chain[chain]:
                    seq += 1
                    event = AuditEvent(
                        **{name: getattr(row, name) for name in PendingAuditEvent.FIELDS}, seq=seq, prev_hash=prev
                    )
                    event.hash = prev = event.compute_hash(key)
                    events.append(event)
                AuditChainHead.objects.filter(pk=head.pk).update(last_hash=prev, count=seq)
            AuditEvent.objects.bulk_create(events)
            PendingAuditEvent.objects.filter(pk__in=[row.pk for row in intact]).delete()
            sealed += len(intact)
            if len(intact) < len(batch):  # tampered rows stay; do not loop over them forever
                return sealed


def security_event(
    *,
    request=None,
    actor=None,
    kind: str,
    summary: str,
    subject=None,
    organisation_id: int | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Record a security event (sign-in, lockout, password/TOTP change, token created or
    revoked, role granted …) in the chain. `kind` is a short dotted name such as
    "auth.login_failed" or "token.created"; `subject` is the user the event concerns."""
    if organisation_id is None:
        organisation_id = getattr(subject, "organisation_id", None) or getattr(actor, "organisation_id", None)
    return audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        object_type=subject._meta.label_lower if subject is not None else "security",
        object_id=str(subject.pk) if subject is not None else "",
        summary=summary,
        details={"kind": kind, **(details or {})},
        organisation_id=organisation_id,
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    problem: str = ""
    chain: int | None = None
    chains: dict = field(default_factory=dict)
    pending: int = 0


def _walk(events, *, key: bytes | None, chain: int | None, start_seq: int = 0, start_hash: str = GENESIS_HASH):
    """Check links and hashes of one chain, in order; return (report or None, position, last hash).
    A chain whose oldest events were deleted by retention starts after its checkpoint
    (`start_seq`, `start_hash`): the first kept event must link to the last deleted one."""
    prev = start_hash
    checked = start_seq
    seen: dict[int, str] = {}
    for event in events:
        if chain is not None and event.seq != checked + 1:
            return (
                ChainReport(False, checked, event.pk, "an event is missing before this one (sequence gap)", chain),
                checked,
                prev,
                seen,
            )
        if event.prev_hash != prev:
            return (
                ChainReport(False, checked, event.pk, "prev_hash does not match the event before it", chain),
                checked,
                prev,
                seen,
            )
        if event.compute_hash(key) != event.hash:
            return ChainReport(False, checked, event.pk, "content does not match its hash", chain), checked, prev, seen
        prev = event.hash
        checked += 1
        if chain is not None:
            seen[event.seq] = event.hash
    return None, checked, prev, seen


def _iter(queryset, batch_size: int, order: str):
    last = None
    while True:
        qs = queryset if last is None else queryset.filter(**{f"{order}__gt": last})
        batch = list(qs.order_by(order)[:batch_size])
        if not batch:
            return
        yield from batch
        last = getattr(batch[-1], order)


def _checkpoint(chain: int, key: bytes) -> tuple[AuditCheckpoint | None, ChainReport | None]:
    """The chain's latest checkpoint (retention deleted the events up to it), checked against its HMAC."""
    checkpoint = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()
    if checkpoint is not None and not hmac.compare_digest(checkpoint.compute_mac(key), checkpoint.mac):
        return None, ChainReport(
            False, 0, None, "the retention checkpoint does not match its HMAC (forged or changed)", chain
        )
    return checkpoint, None


def _verify_chain(chain: int, *, key: bytes, exported: list[anchors.Anchor], batch_size: int) -> ChainReport:
    checkpoint, forged = _checkpoint(chain, key)
    if forged is not None:
        return forged
    start_seq, start_hash = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS_HASH)
    events = AuditEvent.objects.filter(chain=chain, seq__isnull=False, seq__gt=start_seq)
    broken, position, last_hash, seen = _walk(
        _iter(events, batch_size, "seq"), key=key, chain=chain, start_seq=start_seq, start_hash=start_hash
    )
    if broken is not None:
        return broken
    checked = position - start_seq
    if checkpoint is not None:
        seen[checkpoint.seq] = checkpoint.hash
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.last_hash != last_hash or head.count != position):
        return ChainReport(False, checked, None, "the newest events are missing (chain head differs)", chain)
    for anchor in exported:
        if anchor.seq < start_seq:
            continue  # deleted by retention; the checkpoint (with its HMAC) stands for it
        if anchor.seq > position:
            return ChainReport(
                False,
                checked,
                None,
                f"the chain ends before the exported head {anchor.seq} of {anchor.at} "
                "(events deleted or the table truncated)",
                chain,
            )
        if seen.get(anchor.seq) != anchor.hash:
            return ChainReport(
                False,
                checked,
                None,
                f"event {anchor.seq} differs from the head exported at {anchor.at} (the chain was rewritten)",
                chain,
            )
    return ChainReport(True, checked, chain=chain)


def audit_verify(*, organisation_id: int | None = None, batch_size: int = 5000, anchor_file=None) -> ChainReport:
    """Verify one organisation's chain, or (without `organisation_id`) the legacy chain and
    every organisation's chain, including chains known only from the exported heads."""
    key = audit_key()
    exported = anchors.anchors_read(anchor_file)
    broken, pending = _verify_pending(key=key, chain=organisation_id, batch_size=batch_size)
    if broken is not None:
        return broken
    if organisation_id is not None:
        report = _verify_chain(
            organisation_id, key=key, exported=exported.get(organisation_id, []), batch_size=batch_size
        )
        return replace(report, pending=pending)
    total = 0
    per_chain: dict[int | None, int] = {}
    legacy = _iter(AuditEvent.objects.filter(seq__isnull=True), batch_size, "pk")
    broken, checked, last_hash, _ = _walk(legacy, key=None, chain=None)
    if broken is not None:
        return broken
    head = AuditChainHead.objects.filter(chain__isnull=True).first()
    if head is not None and head.last_hash != last_hash:
        return ChainReport(False, checked, None, "the newest events are missing (chain head differs)")
    total += checked
    if checked:
        per_chain[None] = checked
    chains = set(AuditChainHead.objects.filter(chain__isnull=False).values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.filter(seq__isnull=False).values_list("chain", flat=True).distinct())
    chains |= set(exported)
    for chain in sorted(chains):
        report = _verify_chain(chain, key=key, exported=exported.get(chain, []), batch_size=batch_size)
        if not report.ok:
            return ChainReport(False, total + report.checked, report.broken_event_id, report.problem, chain, per_chain)
        total += report.checked
        per_chain[chain] = report.checked
    return ChainReport(True, total, chains=per_chain, pending=pending)


def _verify_pending(*, key: bytes, chain: int | None, batch_size: int) -> tuple[ChainReport | None, int]:
    """Check every read still waiting for its chain against its own HMAC."""
    rows = PendingAuditEvent.objects.all() if chain is None else PendingAuditEvent.objects.filter(chain=chain)
    checked = 0
    for row in _iter(rows, batch_size, "pk"):
        if row.compute_mac(key) != row.mac:
            return ChainReport(
                False, 0, None, f"read {row.pk} waiting for its chain does not match its HMAC", row.chain
            ), checked
        checked += 1
    return None, checked
