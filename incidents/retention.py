"""Retention: closed incidents are deleted when the organisation's retention period has run out.

Public interface (used by the Celery task `incidents.tasks.purge_expired_incidents`, the
command `manage.py purge_incidents` and the incident page):

    retention_candidates(now) -> list[Candidate]
        closed incidents whose retention period has run out and that are not on legal hold,
        oldest first, with what a purge would delete (evidence, reports, notifications).

    retention_held(now) -> list[Candidate]
        the same, but on legal hold: kept until the hold is cleared.

    retention_purge(*, now, dry_run, actor=None, time_budget=None) -> PurgeSummary
        deletes the candidates (dry_run=True only lists them and changes nothing), streaming
        them in batches (candidate_batches) in constant memory; records a RetentionRun.

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
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.services import audit_record
from common.dates import add_months_local as add_months
from notifications.models import Notification
from recordings.models import RecordingRequest
from reports.models import STALE_AFTER, UNFINISHED, EvidenceBundle, Report
from stats.residue import residue_record

from .models import Evidence, Incident, PendingFileDeletion, RetentionRun
from .notify import retention_warnings_send
from .storage import deletion_grace, files_delete_after_commit, pending_files_delete  # noqa: F401 - names other modules import from here

logger = logging.getLogger(__name__)

REASON = "retention"
# Candidates are first narrowed in the database with this much slack, then checked exactly
# (adding months is not invertible at month ends: 29, 30 and 31 August + 6 months are all 28 February).
_SLACK = timedelta(days=4)
# The managers are warned this many days before a closed incident is deleted.
RETENTION_WARNING_DAYS = 30
RETENTION_WARNING = timedelta(days=RETENTION_WARNING_DAYS)


def _closed_on(incident: Incident) -> datetime:
    return incident.closed_at or incident.updated_at


def retention_due(incident: Incident) -> datetime | None:
    """When the closed incident falls due for deletion (None while it is open)."""
    if incident.status != Incident.Status.CLOSED:
        return None
    return add_months(_closed_on(incident), incident.unit.organisation.retention_months)


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
    evidence: int
    reports: int
    notifications: int


def _notifications_q(incident_id) -> Q:
    """The notifications about an incident: linked to it, and the anonymous notice to union reps
    of a serious incident (linked to the unit; the incident only in `about_incident_id`)."""
    return Q(incident_id=incident_id) | Q(about_incident_id=incident_id)


# Candidates are listed in batches of this many: a constant number of queries per batch and a
# constant amount of memory whatever the backlog.
BATCH_SIZE = 1000


def _counts_by_incident(queryset, field: str, ids: list[int]) -> dict[int, int]:
    rows = queryset.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("*")).order_by()
    return {row[field]: row["n"] for row in rows}


def _notification_counts(ids: list[int]) -> dict[int, int]:
    """Per incident id, the notifications `_notifications_q` finds, each row once."""
    counts: dict[int, int] = {}
    rows = (
        Notification.objects.filter(Q(incident_id__in=ids) | Q(about_incident_id__in=ids))
        .values_list("incident_id", "about_incident_id")
    )
    wanted = set(ids)
    for incident_id, about_id in rows.iterator(chunk_size=BATCH_SIZE):
        owner = incident_id if incident_id in wanted else about_id
        counts[owner] = counts.get(owner, 0) + 1
    return counts


def _closed_queryset(now: datetime, *, legal_hold: bool, since: datetime | None = None, organisation_ids=None):
    """Closed incidents (on legal hold or not) closed at least about their organisation's period
    before `now`; with `since`, also at most about their period before `since` (those falling due
    between `since` and `now`). A superset, by the slack: callers check each due date exactly.
    `organisation_ids` narrows to those organisations."""
    organisations = Organisation.objects.all()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    closed_between = Q()
    for org_id, months in organisations.values_list("pk", "retention_months"):
        window = Q(unit__organisation_id=org_id, closed_on__lte=add_months(now, -months) + _SLACK)
        if since is not None:
            window &= Q(closed_on__gt=add_months(since, -months) - _SLACK)
        closed_between |= window
    if not closed_between:
        return Incident.objects.none()
    queryset = (
        Incident.objects.filter(status=Incident.Status.CLOSED, legal_hold=legal_hold)
        .annotate(closed_on=Coalesce("closed_at", "updated_at"))
        .filter(closed_between)
    )
    return queryset.select_related("unit__organisation").order_by("closed_on", "id")


def candidate_batches(now: datetime, *, legal_hold: bool, batch_size: int | None = None) -> Iterator[list[Candidate]]:
    """The candidates (or, with legal_hold, the held ones), oldest closing first, in lists of at
    most `batch_size`. One ordered scan of the closed incidents streamed from a server-side cursor
    on PostgreSQL, then three grouped counts per batch (evidence, reports, notifications): no
    correlated subquery per incident, and memory bounded by the batch."""
    batch_size = batch_size or BATCH_SIZE
    rows = _closed_queryset(now, legal_hold=legal_hold).values_list(
        "id", "reference", "registered_at", "closed_on", "unit__name", "unit__organisation_id",
        "unit__organisation__retention_months",
    )
    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=batch_size):
        due = add_months(row[3], row[6])
        if due > now:
            continue
        batch.append((*row, due))
        if len(batch) >= batch_size:
            yield _candidates_of(batch)
            batch = []
    if batch:
        yield _candidates_of(batch)


def _candidates_of(rows: list[tuple]) -> list[Candidate]:
    ids = [row[0] for row in rows]
    evidence = _counts_by_incident(Evidence.objects.all(), "incident_id", ids)
    reports = _counts_by_incident(Report.objects.all(), "incident_id", ids)
    notifications = _notification_counts(ids)
    return [
        Candidate(
            incident_id=pk, reference=reference, unit_name=unit_name, organisation_id=org_id, retention_months=months,
            registered_at=registered_at, closed_at=closed_on, due=due, evidence=evidence.get(pk, 0),
            reports=reports.get(pk, 0), notifications=notifications.get(pk, 0),
        )
        for pk, reference, registered_at, closed_on, unit_name, org_id, months, due in rows
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

@dataclass(frozen=True)
class Upcoming:
    """A closed incident, not on legal hold, that falls due for deletion soon."""

    incident: Incident  # with unit and organisation loaded
    closed_at: datetime
    due: datetime
    retention_months: int


def retention_upcoming(now: datetime, within: timedelta, *, organisation_ids=None) -> list[Upcoming]:
    """Closed incidents not on legal hold that fall due after `now` and no later than
    `now + within`, soonest first. Those already due are the purge's (retention_candidates)."""
    found = []
    for incident in _closed_queryset(now + within, legal_hold=False, since=now,
                                     organisation_ids=organisation_ids):
        months = incident.unit.organisation.retention_months
        due = add_months(incident.closed_on, months)
        if now < due <= now + within:
            found.append(Upcoming(incident=incident, closed_at=incident.closed_on, due=due, retention_months=months))
    found.sort(key=lambda item: (item.due, item.incident.pk))
    return found


def retention_warn(*, now: datetime) -> int:
    """Tell the managers over the unit of each closed incident deleted within RETENTION_WARNING_DAYS
    ("Sag slettes snart"), once per incident and due date. Returns how many notifications were
    written (in-app and e-mail rows); a second run on the same day writes none."""
    return retention_warnings_send(items=retention_upcoming(now, RETENTION_WARNING))


@dataclass(frozen=True)
class RetentionOverview:
    """Counts only (an admin sees no incidents)."""

    due_soon: int = 0  # closed, not on legal hold, deleted within RETENTION_WARNING_DAYS (or at the next run)
    held: int = 0  # on legal hold, open or closed
    held_past_period: int = 0  # on legal hold and closed longer ago than the retention period


def _due_count(queryset, now: datetime) -> dict[int, int]:
    """Per organisation, how many rows of a `_closed_queryset` are due by `now` (checked exactly)."""
    counts: dict[int, int] = {}
    rows = queryset.values_list("unit__organisation_id", "unit__organisation__retention_months", "closed_on")
    for org_id, months, closed_on in rows:
        if add_months(closed_on, months) <= now:
            counts[org_id] = counts.get(org_id, 0) + 1
    return counts


def retention_overview(now: datetime, *, organisation_ids, within: timedelta = RETENTION_WARNING
                       ) -> dict[int, RetentionOverview]:
    """For the admin dashboard, per organisation: closed incidents deleted by `now + within`
    (those already due and waiting for the next run included), incidents on legal hold, and how
    many of those would be gone without it. A fixed number of queries, whatever the number of
    incidents."""
    organisation_ids = list(organisation_ids)
    due_soon = _due_count(_closed_queryset(now + within, legal_hold=False, organisation_ids=organisation_ids,
                                           ), now + within)
    held_past = _due_count(_closed_queryset(now, legal_hold=True, organisation_ids=organisation_ids), now)
    held = dict(
        Incident.objects.filter(legal_hold=True, unit__organisation_id__in=organisation_ids)
        .values("unit__organisation_id").annotate(n=Count("id")).order_by().values_list("unit__organisation_id", "n")
    )
    return {
        org_id: RetentionOverview(due_soon=due_soon.get(org_id, 0), held=held.get(org_id, 0),
                                  held_past_period=held_past.get(org_id, 0))
        for org_id in organisation_ids
    }


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
    for batch in candidate_batches(now, legal_hold=True):
        summary.held_count += len(batch)
        for candidate in batch:
            summary.listed("held", candidate)
            summary.counted(candidate.organisation_id, "held")
    if not dry_run:
        pending_files_retry(summary)
    for batch in candidate_batches(now, legal_hold=False):
        for candidate in batch:
            summary.candidate_count += 1
            summary.listed("candidates", candidate)
            summary.counted(candidate.organisation_id, "candidates")
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
    else:
        _purge_statistics_reports(now=now, actor=actor, summary=summary)
    summary.files_pending = PendingFileDeletion.objects.count()
    summary.seconds = time.monotonic() - started
    common = {"started_at": started_at, "seconds": summary.seconds, "dry_run": dry_run}
    rows = [RetentionRun(
        organisation=None, candidates=summary.candidate_count, held=summary.held_count, purged=summary.purged_count,
        skipped=summary.skipped_count, remaining=summary.remaining, files_deleted=summary.files_deleted,
        files_pending=summary.files_pending, **common,
    )]
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        counters = summary.by_organisation.get(organisation_id, {})
        rows.append(RetentionRun(organisation_id=organisation_id, **counters, **common))
    RetentionRun.objects.bulk_create(rows)
    return summary


def retention_last_runs(*, organisation_ids) -> dict[int, RetentionRun]:
    """Per organisation, its share of the latest real run of the purge, for the admin overview."""
    latest = RetentionRun.objects.filter(dry_run=False, organisation__isnull=True).order_by("-started_at").first()
    if latest is None:
        return {}
    rows = RetentionRun.objects.filter(dry_run=False, started_at=latest.started_at,
                                       organisation_id__in=organisation_ids)
    return {row.organisation_id: row for row in rows}


def _expired_statistics_reports(now: datetime) -> dict[Organisation, list[int]]:
    """Statistics reports (no incident) asked for longer ago than their organisation's retention
    period, per organisation. They name no one, but nothing is kept without a reason."""
    expired: dict[Organisation, list[int]] = {}
    with_reports = Report.objects.filter(kind=Report.Kind.STATISTICS).values("organisation_id")
    for organisation in Organisation.objects.filter(pk__in=with_reports):
        ids = list(Report.objects.filter(
            kind=Report.Kind.STATISTICS, organisation=organisation,
            requested_at__lt=add_months(now, -organisation.retention_months),
        ).exclude(status__in=UNFINISHED).values_list("pk", flat=True))
        if ids:
            expired[organisation] = ids
    return expired


def _purge_statistics_reports(*, now: datetime, actor, summary: PurgeSummary) -> None:
    for organisation, ids in _expired_statistics_reports(now).items():
        with transaction.atomic():
            rows = Report.objects.filter(pk__in=ids)
            files_delete_after_commit(list(rows.exclude(file="").values_list("file", flat=True)), summary)
            deleted = rows.delete()[1].get("reports.Report", 0)
            audit_record(
                actor=actor, action=AuditEvent.Action.DELETE, object_type="reports.report",
                organisation_id=organisation.pk,
                summary=_("Statistikrapporter slettet, fordi opbevaringsperioden på %(months)s måneder er udløbet.")
                % {"months": organisation.retention_months},
                details={"reason": REASON, "retention_months": organisation.retention_months,
                         "statistics_reports": deleted, "ids": ids},
            )
        summary.statistics_reports += deleted


def _generating(incident: Incident, now: datetime) -> bool:
    """A report or evidence bundle of the incident is still being generated (and not stale)."""
    recent = now - STALE_AFTER
    return (
        Report.objects.filter(incident=incident, status__in=UNFINISHED)
        .filter(Q(started_at__gte=recent) | Q(started_at__isnull=True, requested_at__gte=recent)).exists()
        or EvidenceBundle.objects.filter(report__incident=incident, status__in=UNFINISHED)
        .filter(Q(started_at__gte=recent) | Q(started_at__isnull=True, created_at__gte=recent)).exists()
    )


def _purge_one(incident_id: int, *, now: datetime, actor, summary: PurgeSummary) -> bool:
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",)).select_related("unit__organisation")
            .filter(pk=incident_id).first()
        )
        if incident is None or incident.legal_hold:
            return False
        due = retention_due(incident)
        if due is None or due > now or _generating(incident, now):
            return False
        organisation = incident.unit.organisation
        evidence_files = list(Evidence.objects.filter(incident=incident).exclude(file="")
                              .values_list("file", flat=True))
        report_files = list(Report.objects.filter(incident=incident).exclude(file="").values_list("file", flat=True))
        bundle_files = list(EvidenceBundle.objects.filter(report__incident=incident).exclude(file="")
                            .values_list("file", flat=True))
        files = [*evidence_files, *report_files, *bundle_files]

        residue_record(incident=incident)
        unlinked = _unlink_recording_requests(incident, actor=actor, today=timezone.localdate(now))
        notifications, _by_model = Notification.objects.filter(_notifications_q(incident.pk)).delete()
        _total, deleted = incident.delete()

        def n(label: str) -> int:
            return deleted.get(label, 0)

        details = {
            "reason": REASON,
            "retention_months": organisation.retention_months,
            "registered_at": incident.registered_at.isoformat(),
            "closed_at": _closed_on(incident).isoformat(),
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
            actor=actor, action=AuditEvent.Action.DELETE, object_type="incidents.incident",
            object_id=str(incident_id), incident_reference=incident.reference, organisation_id=organisation.pk,
            summary=_("Sagen er slettet, fordi opbevaringsperioden på %(months)s måneder efter afslutning er udløbet.")
            % {"months": organisation.retention_months},
            details=details,
        )
        files_delete_after_commit(files, summary)
    return True


def _unlink_recording_requests(incident: Incident, *, actor, today) -> int:
    """Recording requests stay; the link goes, and each change is audited."""
    requests = list(RecordingRequest.objects.filter(incident=incident).select_related("unit"))
    for recording_request in requests:
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=recording_request,
            incident_reference=incident.reference,
            summary=_("Anmodning om optagelse ikke længere knyttet til hændelse: sagen er slettet efter "
                      "opbevaringsperioden"),
            details={"incident": "", "previous": incident.reference, "reason": REASON},
        )
    return RecordingRequest.objects.filter(incident=incident).update(incident=None, linked_incident_purged_on=today)


# --- Files --------------------------------------------------------------------------------

def pending_files_retry(summary: PurgeSummary | None = None) -> None:
    """Delete the queued files that are due (and retry those an earlier run could not delete)."""
    pending_files_delete(summary)
