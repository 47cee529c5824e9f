"""The durable deletion queue of private-storage files (`PendingFileDeletion`).

Used by evidence removal, the retention purge (`retention/`) and erasure (privacy): the names
of the files are written to the queue in the transaction that deletes their rows; the files go
once the grace period has passed (hourly beat task `incidents.tasks.delete_pending_files` and the
nightly retention run); a delete that fails keeps its row with the error and is retried.

`summary` arguments are any object with `files_deleted` and `files_failed` counters (the
retention run's summary); None counts nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import PendingFileDeletion

logger = logging.getLogger(__name__)


def _delete_files(names: list[str], summary=None) -> None:
    """Delete stored files (missing ones count as deleted); forget each once it is gone."""
    for name in names:
        try:
            default_storage.delete(name)
        except FileNotFoundError:
            pass  # already gone: that is what we wanted
        except Exception as exc:  # noqa: BLE001 - any storage error: keep the row, retry next run
            logger.warning("Retention: could not delete the stored file %s; retried next run", name, exc_info=True)
            PendingFileDeletion.objects.filter(name=name).update(
                attempts=F("attempts") + 1, last_attempt_at=timezone.now(), last_error=repr(exc)[:2000],
            )
            if summary is not None:
                summary.files_failed += 1
            continue
        PendingFileDeletion.objects.filter(name=name).delete()
        if summary is not None:
            summary.files_deleted += 1


def deletion_grace() -> timedelta:
    """How long a file stays in storage after the rows naming it are gone
    (FILE_DELETION_GRACE_SECONDS, a day by default): longer than any backup runs, so a
    backup whose database snapshot still names the file finds it (bin/backup, issue 25)."""
    return timedelta(seconds=getattr(settings, "FILE_DELETION_GRACE_SECONDS", 24 * 60 * 60))


def files_delete_after_commit(names: list[str], summary=None) -> None:
    """Queue stored files for deletion in the current transaction (`PendingFileDeletion`).
    They are deleted once the grace period has passed, by `pending_files_delete` (hourly beat
    task and the nightly retention run); a deletion that fails is retried by the next run.
    With no grace period (FILE_DELETION_GRACE_SECONDS=0) they go right after the commit."""
    names = [name for name in names if name]
    if not names:
        return
    PendingFileDeletion.objects.bulk_create([PendingFileDeletion(name=name) for name in names], ignore_conflicts=True)
    if not deletion_grace():
        transaction.on_commit(lambda: _delete_files(names, summary))


def pending_files_delete(summary=None, *, now: datetime | None = None) -> int:
    """Delete the queued files whose grace period has passed; returns how many were due."""
    due_before = (now or timezone.now()) - deletion_grace()
    names = list(PendingFileDeletion.objects.filter(created_at__lte=due_before).values_list("name", flat=True))
    _delete_files(names, summary)
    return len(names)


def pending_files_retry(summary=None) -> None:
    """Delete the queued files that are due (and retry those an earlier run could not delete)."""
    pending_files_delete(summary)
