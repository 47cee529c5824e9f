"""Who may do what with reports: part of the one access policy (accounts.permissions,
incidents.policy), applied to report rows.

- Managers of the incident's unit (and the units above) generate, see and download every
  report and bundle of the incident (`incidents.policy.may_report`).
- The employee concerned may see and download an internal report that was generated
  without internal notes, and nothing else (no other kinds, no bundles).
- Union reps, admins and everyone else: never, also when an employee has shared the
  incident with a union rep: the report pages answer 404 to anyone who is neither a
  manager of the incident nor the employee concerned.
- A statistics report (no incident) is seen and downloaded by the user who asked for it,
  while they still have statistics (`accounts.permissions.statistics_units`), and by
  nobody else: its figures were counted for that user's roles (404 for everyone else).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts import permissions
from incidents import policy as incident_policy

from .models import EvidenceBundle, Report, Status


def may_generate(user, incident) -> bool:
    return incident_policy.may_report(user, incident)


def may_see_reports(user, incident) -> bool:
    """Managers of the incident and the employee concerned; never anyone it is only shared with."""
    return may_generate(user, incident) or incident_policy.is_employee_of(user, incident)


def employee_reports(reports: QuerySet) -> QuerySet:
    """What the employee concerned may download: internal reports made without internal notes."""
    return reports.filter(kind=Report.Kind.INTERNAL_HR, includes_internal_notes=False, status=Status.READY)


def visible_reports(user, incident) -> QuerySet:
    """The incident's reports the user may see (call after the incident was found visible)."""
    reports = Report.objects.filter(incident=incident)
    if may_generate(user, incident):
        return reports
    if incident_policy.is_employee_of(user, incident):
        return employee_reports(reports)
    return reports.none()


def get_incident_for_reports_or_404(user, reference: str):
    """The incident, if the user may see its reports (404 otherwise, also for a union rep it is shared with)."""
    incident = incident_policy.get_incident_or_404(user, reference)
    if not may_see_reports(user, incident):
        raise Http404
    return incident


def get_report_or_404(user, incident, report_id: int) -> Report:
    report = visible_reports(user, incident).select_related("requested_by").filter(pk=report_id).first()
    if report is None:
        raise Http404
    report.incident = incident  # already loaded with its unit and organisation
    return report


def get_bundle_or_404(user, report: Report, bundle_id: int | None = None) -> EvidenceBundle:
    """A bundle of the report (the newest ready one when no id is given); managers only."""
    if not may_generate(user, report.incident):
        raise Http404
    bundles = EvidenceBundle.objects.filter(report=report)
    bundle = (
        bundles.filter(pk=bundle_id)
        if bundle_id is not None
        else bundles.filter(status=Status.READY).order_by("-created_at", "-id")
    ).first()
    if bundle is None:
        raise Http404
    bundle.report = report
    return bundle


def visible_statistics_reports(user) -> QuerySet:
    """The statistics reports the user asked for (none once the user has no statistics)."""
    if not getattr(user, "is_authenticated", False) or not permissions.statistics_units(user):
        return Report.objects.none()
    return Report.objects.filter(kind=Report.Kind.STATISTICS, requested_by=user)


def get_statistics_report_or_404(user, report_id: int) -> Report:
    report = visible_statistics_reports(user).select_related("organisation").filter(pk=report_id).first()
    if report is None:
        raise Http404
    report.requested_by = user
    return report
