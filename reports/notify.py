"""A finished report tells who asked for it (the outbox, notifications.services)."""

from __future__ import annotations

from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import INCIDENT_TYPE, notification_enqueue


def _incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.reference])


def on_report_finished(report, ok: bool) -> list[Notification]:
    """A report is ready (or failed): tell who asked for it.

    `report` is any row with `pk`, `requested_by`, optionally `incident`, `kind` with
    `get_kind_display()`, `get_absolute_url()` and, when it failed, `error`.
    """
    recipient = getattr(report, "requested_by", None)
    if recipient is None:
        return []
    incident = getattr(report, "incident", None)
    label = report._meta.label_lower
    kind = Kind.REPORT_READY if ok else Kind.REPORT_FAILED
    if hasattr(report, "get_absolute_url"):
        target = report.get_absolute_url()
    elif incident is not None:
        target = _incident_url(incident)
    else:
        target = ""
    context = {
        "report_label": str(report.get_kind_display()) if hasattr(report, "get_kind_display") else "",
        "reference": incident.reference if incident is not None else "",
    }
    # A statistics report has no incident; its organisation is on the report.
    org_id = (
        incident.unit.organisation_id
        if incident is not None
        else getattr(report, "audit_organisation_id", None) or recipient.organisation_id
    )
    if org_id is None:
        return []
    return notification_enqueue(
        recipient=recipient,
        kind=kind,
        key=f"{kind}:{label}:{report.pk}:{recipient.pk}",
        organisation_id=org_id,
        template=kind,
        context=context,
        incident=incident,
        object_type=INCIDENT_TYPE if incident is not None else label,
        object_id=str(incident.pk if incident is not None else report.pk),
        target_url=target,
    )
