"""The chain heads, exported outside the database.

Every few minutes (beat schedule) each chain's head — its number of events and newest
hash — is written as a line to the log "audit.anchor" (which the log collector keeps
elsewhere) and appended as one JSON line to `AUDIT_ANCHOR_FILE`. The file is only ever
opened for appending; on Linux make it append-only for everyone with `chattr +a`, so the
app's user can add lines but not rewrite or shorten them, and copy it off the host with the
logs (docs/audit.md). `audit_verify` checks each chain against every exported head: a chain
rewritten, shortened or truncated through the database no longer contains them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("audit.anchor")


@dataclass(frozen=True)
class Anchor:
    chain: int
    seq: int
    hash: str
    at: str


def _path(path=None) -> Path:
    return Path(path or settings.AUDIT_ANCHOR_FILE)


def anchors_read(path=None) -> dict[int, list[Anchor]]:
    """Every exported head, by chain, oldest first. A missing file has none."""
    found: dict[int, list[Anchor]] = {}
    file = _path(path)
    if not file.exists():
        return found
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                anchor = Anchor(int(row["chain"]), int(row["seq"]), str(row["hash"]), str(row["at"]))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{file}, line {number}: not an exported chain head") from error
            found.setdefault(anchor.chain, []).append(anchor)
    return found


def _append(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, text.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def anchors_export(*, path=None) -> list[Anchor]:
    """Export the head of every chain that has grown since its last export."""
    from .models import AuditChainHead

    file = _path(path)
    latest = {chain: rows[-1].seq for chain, rows in anchors_read(file).items()}
    now = timezone.now().isoformat()
    written = []
    for head in AuditChainHead.objects.filter(chain__isnull=False, count__gt=0).order_by("chain"):
        if latest.get(head.chain) == head.count:
            continue
        written.append(Anchor(head.chain, head.count, head.last_hash, now))
    if written:
        _append(
            file,
            "".join(
                json.dumps({"chain": a.chain, "seq": a.seq, "hash": a.hash, "at": a.at}, sort_keys=True) + "\n"
                for a in written
            ),
        )
    for anchor in written:
        logger.info("audit chain head: chain=%s seq=%s hash=%s at=%s", anchor.chain, anchor.seq, anchor.hash, anchor.at)
    return written
