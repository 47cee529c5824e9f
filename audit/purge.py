"""The audit app's purge hook for the retention run (`retention/`): the oldest events of a chain
go once the organisation's audit retention period (`Organisation.audit_retention_months`) has
passed, and the chain stays verifiable.

    audit_purge_before(*, chain, before) -> AuditCheckpoint | None

Under the chain head's lock (so no event is appended meanwhile), the events older than
`before` are first verified (links and HMACs, from the previous checkpoint); a broken chain is
never purged, so deleting cannot hide tampering. Then an `AuditCheckpoint` with the last
deleted event's position and hash (and its own HMAC) is written, and the events up to it are
deleted; on PostgreSQL the trigger of migration 0004 allows exactly those deletions.
`audit_verify` then starts each chain at its checkpoint: the first kept event must link to it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditCheckpoint, AuditEvent, audit_key
from .services import _iter, _lock_head, _walk

logger = logging.getLogger(__name__)


class ChainBroken(RuntimeError):
    """The part of the chain to delete does not verify: nothing is deleted."""


def audit_purge_before(*, chain: int, before) -> AuditCheckpoint | None:
    key = audit_key()
    with transaction.atomic():
        _lock_head(chain)
        last = (
            AuditEvent.objects.filter(chain=chain, seq__isnull=False, at__lt=before)
            .order_by("-seq")
            .only("seq", "hash")
            .first()
        )
        previous = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()
        start_seq, start_hash = (previous.seq, previous.hash) if previous else (0, GENESIS_HASH)
        if last is None or last.seq <= start_seq:
            return None
        doomed = AuditEvent.objects.filter(chain=chain, seq__isnull=False, seq__gt=start_seq, seq__lte=last.seq)
        broken, position, last_hash, _seen = _walk(
            _iter(doomed, 5000, "seq"), key=key, chain=chain, start_seq=start_seq, start_hash=start_hash
        )
        if broken is not None or position != last.seq or last_hash != last.hash:
            raise ChainBroken(
                f"audit chain {chain} does not verify before seq {last.seq}: "
                f"{broken.problem if broken else 'events missing'}; nothing deleted"
            )
        checkpoint = AuditCheckpoint(
            chain=chain, seq=last.seq, hash=last.hash, before=before, at=timezone.now(), deleted=last.seq - start_seq
        )
        checkpoint.mac = checkpoint.compute_mac(key)
        checkpoint.save()
        doomed.delete()  # nothing points at events; on PostgreSQL the trigger checks the checkpoint covers each
    return checkpoint
