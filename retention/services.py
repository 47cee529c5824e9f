"""Retention: closed incidents are deleted when the organisation's retention period has run out.

The retention run: an orchestration app at the top of the layers (bin/import_matrix), so it
may import every app; each owning app exposes a small purge hook and imports nothing above it:
`incidents.purge` and `incidents.due` (when an incident falls due), `reports.purge`,
`notifications.purge`, `recordings.purge`, `stats.purge`; the file deletion queue is
`incidents.storage`.

Public interface (used by the Celery task `retention.tasks.purge_expired_incidents`, the
command `manage.py purge_incidents`; the incident page and the admin overview read
`incidents.due`, re-exported here):

    retention_candidates(now) -> list[Candidate]
        closed incidents whose retention period has run out and that are not on legal hold,
        oldest first, with what a purge would delete (evidence, reports, notifications).

    retention_held(now) -> list[Candidate]
        the same, but on legal hold: kept until the hold is cleared.

    retention_purge(*, now, dry_run, actor=None, time_budget=None) -> PurgeSummary
        deletes the candidates (dry_run=True only lists them and changes nothing), streaming
        them in batches (candidate_batches) in constant memory; records a RetentionRun.

    The same run handles, each with a period of its own on the organisation (issue 16):
    recording requests older than `recording_retention_months` (not linked to an incident that
    still exists) are anonymised, their coded facts kept for the statistics (`recordings.purge`);
    audit events older than `audit_retention_months`,
    replaced by a checkpoint with the last deleted hash so the chain stays verifiable
    (`audit.purge`). Candidates never journalised (no `journal_number`) are listed and logged.

    retention_last_runs(*, organisation_ids) -> dict[int, RetentionRun]
        each organisation's share of the latest real run (time and counts), for the admin overview.

    retention_due(incident) -> datetime | None
        when a closed incident falls due (None while it is open).

    retention_upcoming(now, within) -> list[Upcoming]
        closed incidents not on legal hold that fall due after `now` and at most `within` later.

    retention_warn(*, now) -> int
        "Sag slettes snart": tells the managers over the unit of each incident falling due
        within RETENTION_WARNING_DAYS (incidents.notify.retention_warnings_send); once
        per incident and due date. Run right after the purge by the nightly task and by
        `manage.py purge_incidents`.

    retention_overview(now, *, organisation_ids) -> dict[int, RetentionOverview]
        counts per organisation for the admin dashboard: closed incidents deleted within
        RETENTION_WARNING_DAYS, incidents on legal hold and how many of those are past their period.

Rules:

- Due means: status closed and `closed_at` plus `Organisation.retention_months` calendar
  months (local time; the 31st becomes the month's last day) has passed. A closed incident
  without `closed_at` (not possible through the app) counts from its last change.
- `legal_hold` keeps an incident whatever its age; reopening it keeps it too.
- Each incident is purged in its own transaction, locked and checked again first, so two
  runs at once, or a manager reopening it meanwhile, never purge it twice or wrongly. An
  incident with a report or evidence bundle still being generated waits for the next run.
- What goes: the incident with its publications, evidence (rows and files), timeline,
  notes, deadlines, shares with union reps, targets, reports and evidence bundles (rows and
  files) and the notifications about it (the anonymous notice to union reps of a serious
  incident included). Recording requests linked to it stay, with the link cleared and
  `linked_incident_purged_on` set, so the recording statistics keep counting them.
- What stays: an anonymised residue row for the statistics (`stats.residue`), written
  first, and a tombstone in the audit log (action delete: reference, registered and closed
  dates, the counts of what was deleted, who – "system" or the actor – and why). Earlier
  audit events name the incident by reference in text, so the hash chain stays valid.
- Warning: RETENTION_WARNING_DAYS (30) days before the due date the managers over the
  incident's unit get a notification (in-app, and e-mail unless they turned it off) with the
  date, the retention period and how to keep the incident (legal hold). An incident that is
  due sooner than that when it is closed (a period of one month) is warned at the first run
  after closing. Reopening and closing again gives a new due date and a new warning. An
  incident that is already due when first seen (the organisation shortened its period) is
  not warned: the next run deletes it.
- Files are deleted after the commit. Their names are first written to
  `PendingFileDeletion` in the purge's transaction; a file deleted (or already missing)
  loses its row, a failed delete keeps it with the error and is retried at the start of
  the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit import purge as audit_purge
from audit.models import AuditEvent
from audit.services import audit_record
from incidents import purge as incidents_purge
from incidents.due import (  # noqa: F401 - re-exported: the read side of retention
    RETENTION_WARNING,
    RETENTION_WARNING_DAYS,
    RetentionOverview,
    Upcoming,
    add_months,
    closed_on,
    closed_queryset,
    retention_due,
    retention_last_runs,
    retention_overview,
    retention_upcoming,
)
from incidents.models import Incident, PendingFileDeletion, RetentionRun
from incidents.notify import retention_warnings_send
from incidents.storage import (  # noqa: F401 - re-exported for the run and its callers
    deletion_grace,
    files_delete_after_commit,
    pending_files_delete,
    pending_files_retry,
)
from notifications import purge as notifications_purge
from notifications.purge import notifications_q  # noqa: F401 - re-exported
from recordings import purge as recordings_purge
from reports import purge as reports_purge
from stats import purge as stats_purge

logger = logging.getLogger(__name__)

REASON = "retention"
_notifications_q = notifications_q  # the name the tests and benchmarks know

# --- Candidates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    incident_id: int
    reference: str
    unit_name: str
    organisation_id: int
    retention_months: int
    registered_at: datetime
    closed_at: datetime
    due: datetime
    # What a purge would delete with it; None where the listing did not count it (a summary
    # counts only the candidates it lists, `LISTED`: the purge itself needs no count).
    evidence: int | None
    reports: int | None
    notifications: int | None
    journal_number: str = ""  # "" = never journalised in the municipality's document system


# Candidates are listed in batches of this many: a constant number of queries per batch and a
# constant amount of memory whatever the backlog.
BATCH_SIZE = 1000


def candidate_batches(
    now: datetime, *, legal_hold: bool, batch_size: int | None = None, counted: int | None = None
) -> Iterator[list[Candidate]]:
    """The candidates (or, with legal_hold, the held ones), oldest closing first, in lists of at
    most `batch_size`. One ordered scan of the closed incidents streamed from a server-side cursor
    on PostgreSQL, then three grouped counts per batch (evidence, reports, notifications): no
    correlated subquery per incident, and memory bounded by the batch. With `counted`, only the
    batches holding the first `counted` candidates are counted (the rest carry None), so a run
    that lists only the first few does not count files for the whole backlog."""
    batch_size = batch_size or BATCH_SIZE
    rows = closed_queryset(now, legal_hold=legal_hold).values_list(
        "id",
        "reference",
        "registered_at",
        "closed_on",
        "unit__name",
        "unit__organisation_id",
        "unit__organisation__retention_months",
        "journal_number",
    )
    batch: list[tuple] = []
    seen = 0
    for row in rows.iterator(chunk_size=batch_size):
        due = add_months(row[3], row[6])  # (id, reference, registered, closed, unit, org, months, journal)
        if due > now:
            continue
        batch.append((*row, due))
        if len(batch) >= batch_size:
            yield _candidates_of(batch, count=counted is None or seen < counted)
            seen += len(batch)
            batch = []
    if batch:
        yield _candidates_of(batch, count=counted is None or seen < counted)


def _candidates_of(rows: list[tuple], *, count: bool = True) -> list[Candidate]:
    ids = [row[0] for row in rows]
    evidence = incidents_purge.evidence_counts(ids) if count else None
    reports = reports_purge.report_counts(ids) if count else None
    notifications = notifications_purge.notification_counts(ids) if count else None
    return [
        Candidate(
            incident_id=pk,
            reference=reference,
            unit_name=unit_name,
            organisation_id=org_id,
            retention_months=months,
            registered_at=registered_at,
            closed_at=closed_on,
            due=due,
            evidence=None if evidence is None else evidence.get(pk, 0),
            reports=None if reports is None else reports.get(pk, 0),
            notifications=None if notifications is None else notifications.get(pk, 0),
            journal_number=journal_number,
        )
        for pk, reference, registered_at, closed_on, unit_name, org_id, months, journal_number, due in rows
    ]


def _candidates(now: datetime, *, legal_hold: bool) -> list[Candidate]:
    return [candidate for batch in candidate_batches(now, legal_hold=legal_hold) for candidate in batch]


def retention_candidates(now: datetime) -> list[Candidate]:
    """Closed incidents past their retention period and not on legal hold, oldest closing first."""
    return _candidates(now, legal_hold=False)


def retention_held(now: datetime) -> list[Candidate]:
    """Closed incidents past their retention period that legal hold keeps."""
    return _candidates(now, legal_hold=True)


# --- Warning before the deletion ------------------------------------------------------------


def retention_warn(*, now: datetime) -> int:
    """Tell the managers over the unit of each closed incident deleted within RETENTION_WARNING_DAYS
    ("Sag slettes snart"), once per incident and due date. Returns how many notifications were
    written (in-app and e-mail rows); a second run on the same day writes none."""
    return retention_warnings_send(items=retention_upcoming(now, RETENTION_WARNING))


# --- Purging ----------------------------------------------------------------------------

# A summary lists at most this many candidates, held incidents, purged and skipped references;
# the counts beside them are complete.
LISTED = 1000


@dataclass
class PurgeSummary:
    now: datetime
    dry_run: bool
    candidates: list[Candidate] = field(default_factory=list)  # the first LISTED, oldest first
    held: list[Candidate] = field(default_factory=list)  # the first LISTED
    candidate_count: int = 0
    held_count: int = 0
    purged: list[str] = field(default_factory=list)  # references (the first LISTED)
    skipped: list[str] = field(default_factory=list)  # changed meanwhile or still generating a report
    purged_count: int = 0
    skipped_count: int = 0
    remaining: int = 0  # left for the next run when the time budget ran out
    files_deleted: int = 0
    files_failed: int = 0
    files_pending: int = 0  # deletions owed after this run (failed now or earlier)
    statistics_reports: int = 0  # statistics reports past the period (deleted unless a dry run)
    recording_requests: int = 0  # recording requests past their own period (anonymised unless a dry run)
    audit_events: int = 0  # audit events past the audit period, replaced by a checkpoint (not in a dry run)
    audit_failed: list[int] = field(default_factory=list)  # chains that did not verify: nothing deleted
    # Candidates without a journal number (offentlighedsloven § 15): the first LISTED references, and the count.
    not_journalised: list[str] = field(default_factory=list)
    not_journalised_count: int = 0
    seconds: float = 0.0
    # organisation id -> counter name -> count (candidates, held, purged, skipped, remaining)
    by_organisation: dict[int, dict[str, int]] = field(default_factory=dict)

    def listed(self, name: str, item) -> None:
        if len(getattr(self, name)) < LISTED:
            getattr(self, name).append(item)

    def counted(self, organisation_id: int, name: str) -> None:
        counters = self.by_organisation.setdefault(organisation_id, {})
        counters[name] = counters.get(name, 0) + 1


def retention_purge(*, now: datetime, dry_run: bool, actor=None, time_budget: float | None = None) -> PurgeSummary:
    """Delete every candidate (see the module docstring); with dry_run only list them.

    `actor` is the user who started the purge (None: the system, as in the scheduled task).
    `time_budget` (seconds) stops before the next incident once spent; the rest waits for
    the next run. The candidates are streamed in batches (`candidate_batches`), so memory does
    not grow with the backlog; the run's time and counts are kept as a RetentionRun."""
    started_at, started = timezone.now(), time.monotonic()
    summary = PurgeSummary(now=now, dry_run=dry_run)
    for batch in candidate_batches(now, legal_hold=True, counted=LISTED):
        summary.held_count += len(batch)
        for candidate in batch:
            summary.listed("held", candidate)
            summary.counted(candidate.organisation_id, "held")
    if not dry_run:
        pending_files_retry(summary)
    for batch in candidate_batches(now, legal_hold=False, counted=LISTED):
        for candidate in batch:
            summary.candidate_count += 1
            summary.listed("candidates", candidate)
            summary.counted(candidate.organisation_id, "candidates")
            if not candidate.journal_number:
                summary.not_journalised_count += 1
                summary.listed("not_journalised", candidate.reference)
            if dry_run:
                continue
            if summary.remaining or (time_budget is not None and time.monotonic() - started > time_budget):
                summary.remaining += 1
                summary.counted(candidate.organisation_id, "remaining")
                continue
            if _purge_one(candidate.incident_id, now=now, actor=actor, summary=summary):
                summary.purged_count += 1
                summary.listed("purged", candidate.reference)
                summary.counted(candidate.organisation_id, "purged")
            else:
                summary.skipped_count += 1
                summary.listed("skipped", candidate.reference)
                summary.counted(candidate.organisation_id, "skipped")
    if dry_run:
        summary.statistics_reports = sum(len(ids) for ids in _expired_statistics_reports(now).values())
        summary.recording_requests = sum(
            recordings_purge.expired_requests(org, _before_date(now, org.recording_retention_months)).count()
            for org in Organisation.objects.all()
        )
    else:
        _purge_statistics_reports(now=now, actor=actor, summary=summary)
        _purge_recording_requests(now=now, actor=actor, summary=summary)
        _purge_audit_log(now=now, actor=actor, summary=summary)
    if summary.not_journalised_count:
        logger.warning(
            "Retention: %s closed incident(s) past their period were never journalised in the municipality's "
            "document system (offentlighedsloven § 15)%s: %s",
            summary.not_journalised_count,
            "" if dry_run else " and are deleted now",
            ", ".join(summary.not_journalised[:20]),
        )
    summary.files_pending = PendingFileDeletion.objects.count()
    summary.seconds = time.monotonic() - started
    common = {"started_at": started_at, "seconds": summary.seconds, "dry_run": dry_run}
    rows = [
        RetentionRun(
            organisation=None,
            candidates=summary.candidate_count,
            held=summary.held_count,
            purged=summary.purged_count,
            skipped=summary.skipped_count,
            remaining=summary.remaining,
            files_deleted=summary.files_deleted,
            files_pending=summary.files_pending,
            **common,
        )
    ]
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        counters = summary.by_organisation.get(organisation_id, {})
        rows.append(RetentionRun(organisation_id=organisation_id, **counters, **common))
    RetentionRun.objects.bulk_create(rows)
    return summary


def _expired_statistics_reports(now: datetime) -> dict[Organisation, list[int]]:
    """Statistics reports past their organisation's retention period (`reports.purge`)."""
    return reports_purge.expired_statistics_reports(now, Organisation.objects.all())


def _purge_statistics_reports(*, now: datetime, actor, summary: PurgeSummary) -> None:
    for organisation, ids in _expired_statistics_reports(now).items():
        with transaction.atomic():
            deleted, files = reports_purge.statistics_reports_delete(ids)
            files_delete_after_commit(files, summary)
            audit_record(
                actor=actor,
                action=AuditEvent.Action.DELETE,
                object_type="reports.report",
                organisation_id=organisation.pk,
                summary=_("Statistikrapporter slettet, fordi opbevaringsperioden på %(months)s måneder er udløbet.")
                % {"months": organisation.retention_months},
                details={
                    "reason": REASON,
                    "retention_months": organisation.retention_months,
                    "statistics_reports": deleted,
                    "ids": ids,
                },
            )
        summary.statistics_reports += deleted


def _purge_one(incident_id: int, *, now: datetime, actor, summary: PurgeSummary) -> bool:
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("unit__organisation")
            .filter(pk=incident_id)
            .first()
        )
        if incident is None or incident.legal_hold:
            return False
        due = retention_due(incident)
        if due is None or due > now or reports_purge.generating(incident, now):
            return False
        organisation = incident.unit.organisation
        evidence_files = incidents_purge.evidence_files(incident)
        report_files, bundle_files = reports_purge.files_of_incident(incident)
        files = [*evidence_files, *report_files, *bundle_files]

        stats_purge.residue_keep(incident)
        unlinked = recordings_purge.unlink_incident(incident, actor=actor, today=timezone.localdate(now), reason=REASON)
        notifications = notifications_purge.notifications_delete(incident.pk)
        deleted = incidents_purge.incident_delete(incident)

        def n(label: str) -> int:
            return deleted.get(label, 0)

        details = {
            "reason": REASON,
            "retention_months": organisation.retention_months,
            "registered_at": incident.registered_at.isoformat(),
            "closed_at": closed_on(incident).isoformat(),
            "due": due.isoformat(),
            "deleted": {
                "publications": n("incidents.Publication"),
                "evidence": n("incidents.Evidence"),
                "evidence_files": len(evidence_files),
                "timeline_entries": n("incidents.TimelineEntry"),
                "notes": n("incidents.Note"),
                "deadlines": n("incidents.IncidentDeadline"),
                "shares": n("incidents.IncidentShare"),
                "targets": n("incidents.Incident_targets"),
                "reports": n("reports.Report"),
                "report_files": len(report_files),
                "evidence_bundles": n("reports.EvidenceBundle"),
                "bundle_files": len(bundle_files),
                "notifications": notifications,
            },
            "recording_requests_unlinked": unlinked,
        }
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            object_type="incidents.incident",
            object_id=str(incident_id),
            incident_reference=incident.reference,
            organisation_id=organisation.pk,
            summary=_("Sagen er slettet, fordi opbevaringsperioden på %(months)s måneder efter afslutning er udløbet.")
            % {"months": organisation.retention_months},
            details=details,
        )
        files_delete_after_commit(files, summary)
    return True


# --- Recording requests and the audit log: periods of their own (issue 16) ------------------------


def _before_date(now: datetime, months: int):
    return add_months(now, -months).date()


def _purge_recording_requests(*, now: datetime, actor, summary: PurgeSummary) -> None:
    """Recording requests dated longer ago than `Organisation.recording_retention_months` (and not
    linked to an incident that still exists) are anonymised: free text and names go, the coded facts
    stay for the statistics (`recordings.purge`); one audit event per organisation."""
    for organisation in Organisation.objects.all():
        before = _before_date(now, organisation.recording_retention_months)
        with transaction.atomic():
            references = recordings_purge.requests_anonymise(organisation, before, today=timezone.localdate(now))
            if not references:
                continue
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                object_type="recordings.recordingrequest",
                organisation_id=organisation.pk,
                summary=_(
                    "Anmodninger om optagelse anonymiseret, fordi deres opbevaringsperiode på %(months)s "
                    "måneder er udløbet."
                )
                % {"months": organisation.recording_retention_months},
                details={
                    "reason": REASON,
                    "recording_retention_months": organisation.recording_retention_months,
                    "before": before.isoformat(),
                    "count": len(references),
                    "references": references,
                },
            )
        summary.recording_requests += len(references)


def _purge_audit_log(*, now: datetime, actor, summary: PurgeSummary) -> None:
    """Audit events older than `Organisation.audit_retention_months` are deleted chain by chain,
    replaced by a checkpoint so the chain stays verifiable (`audit.purge`); the run itself is
    audited as the first event after the checkpoint's successors."""
    for organisation in Organisation.objects.all():
        before = add_months(now, -organisation.audit_retention_months)
        try:
            checkpoint = audit_purge.audit_purge_before(chain=organisation.pk, before=before)
        except audit_purge.ChainBroken:
            logger.error(
                "Retention: the audit chain of organisation %s does not verify; nothing deleted",
                organisation.pk,
                exc_info=True,
            )
            summary.audit_failed.append(organisation.pk)
            continue
        if checkpoint is None:
            continue
        summary.audit_events += checkpoint.deleted
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            object_type="audit.auditevent",
            organisation_id=organisation.pk,
            summary=_(
                "Revisionsloggen afkortet: hændelser ældre end %(months)s måneder er slettet; kæden fortsætter "
                "fra et kontrolpunkt."
            )
            % {"months": organisation.audit_retention_months},
            details={
                "reason": REASON,
                "audit_retention_months": organisation.audit_retention_months,
                "before": before.isoformat(),
                "deleted": checkpoint.deleted,
                "checkpoint": {"seq": checkpoint.seq, "hash": checkpoint.hash},
            },
        )
