"""The reports app's purge hook for the retention run (`retention/`).

    files_of_incident(incident) -> (report files, bundle and case archive files)
    report_counts(ids) -> {incident id: n}
    generating(incident, now) -> bool            a report, bundle or case archive still being made (not stale)
    expired_statistics_reports(now, organisations) -> {organisation: [report ids]}
    statistics_reports_delete(ids) -> (deleted, files)

The rows of an incident's reports and bundles go with the incident (cascade); this hook only
names their files and says when to wait.
"""

from __future__ import annotations

from django.db.models import Q

from incidents.due import add_months
from incidents.purge import counts_by

from .models import STALE_AFTER, UNFINISHED, CaseArchive, EvidenceBundle, Report


def files_of_incident(incident) -> tuple[list[str], list[str]]:
    """The incident's report files, and its bundle and case archive files (ZIPs)."""
    reports = list(Report.objects.filter(incident=incident).exclude(file="").values_list("file", flat=True))
    bundles = list(
        EvidenceBundle.objects.filter(report__incident=incident).exclude(file="").values_list("file", flat=True)
    )
    archives = list(CaseArchive.objects.filter(incident=incident).exclude(file="").values_list("file", flat=True))
    return reports, bundles + archives


def report_counts(ids: list[int]) -> dict[int, int]:
    return counts_by(Report.objects.all(), "incident_id", ids)


def generating(incident, now) -> bool:
    """A report or evidence bundle of the incident is still being generated (and not stale)."""
    recent = now - STALE_AFTER
    return (
        Report.objects.filter(incident=incident, status__in=UNFINISHED)
        .filter(Q(started_at__gte=recent) | Q(started_at__isnull=True, requested_at__gte=recent))
        .exists()
        or EvidenceBundle.objects.filter(report__incident=incident, status__in=UNFINISHED)
        .filter(Q(started_at__gte=recent) | Q(started_at__isnull=True, created_at__gte=recent))
        .exists()
        or CaseArchive.objects.filter(incident=incident, status__in=UNFINISHED)
        .filter(Q(started_at__gte=recent) | Q(started_at__isnull=True, created_at__gte=recent))
        .exists()
    )


def expired_statistics_reports(now, organisations) -> dict:
    """Statistics reports (no incident) asked for longer ago than their organisation's retention
    period, per organisation. They name no one, but nothing is kept without a reason."""
    expired = {}
    with_reports = Report.objects.filter(kind=Report.Kind.STATISTICS).values("organisation_id")
    for organisation in organisations.filter(pk__in=with_reports):
        ids = list(
            Report.objects.filter(
                kind=Report.Kind.STATISTICS,
                organisation=organisation,
                requested_at__lt=add_months(now, -organisation.retention_months),
            )
            .exclude(status__in=UNFINISHED)
            .values_list("pk", flat=True)
        )
        if ids:
            expired[organisation] = ids
    return expired


def statistics_reports_delete(ids: list[int]) -> tuple[int, list[str]]:
    """Delete these statistics reports; returns how many went and the files to queue."""
    rows = Report.objects.filter(pk__in=ids)
    files = list(rows.exclude(file="").values_list("file", flat=True))
    deleted = rows.delete()[1].get("reports.Report", 0)
    return deleted, files
