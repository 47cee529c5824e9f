"""Template helpers for the reports card on the incident page
(templates/reports/includes/incident_reports_card.html)."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from incidents import policy as incident_policy
from incidents.models import Incident

from .. import policy as report_policy
from ..models import EvidenceBundle, Report, Status

register = template.Library()


@register.simple_tag(takes_context=True)
def incident_reports(context, incident) -> dict:
    """The newest report of each kind, with the manifest hash of its newest ready bundle, in one query.

    Managers of the incident get every kind; the employee concerned gets only internal
    reports made without internal notes (whether the user is the employee is asked inside
    the same query); anyone else (a union rep the case is shared with) gets nothing. The
    access policy answers from its per-request cache, so this adds a single query.
    """
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    as_manager = bool(user is not None and incident_policy.is_manager_of(user, incident))
    bundles = EvidenceBundle.objects.filter(report=OuterRef("pk"), status=Status.READY).order_by("-created_at", "-id")
    reports = Report.objects.filter(incident=incident)
    if not as_manager:
        is_employee = Q(
            incident__reporter_id=getattr(user, "pk", None), incident__channel=Incident.Channel.SELF_REPORT
        ) | Q(
            Exists(Incident.targets.through.objects.filter(incident_id=incident.pk, user_id=getattr(user, "pk", None)))
        )
        reports = report_policy.employee_reports(reports).filter(is_employee)
    reports = (
        reports.defer("plain_text", "options", "evidence_ids")
        .annotate(
            bundle_id=Subquery(bundles.values("pk")[:1]),
            bundle_manifest_sha256=Subquery(bundles.values("manifest_sha256")[:1]),
        )
        .order_by("kind", "-version", "-id")
    )
    latest: dict[str, Report] = {}
    total = 0
    for report in reports:
        report.incident = incident
        total += 1
        latest.setdefault(report.kind, report)
    return {
        "as_manager": as_manager,
        "latest": [latest[kind] for kind in Report.Kind.values if kind in latest],
        "count": total,
        "list_url": reverse("reports:list", args=[incident.reference]),
    }
