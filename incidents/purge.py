"""The incidents app's purge hook for the retention run (`retention/`).

    evidence_files(incident) -> list[str]     stored evidence files of the incident
    evidence_counts(ids) -> {incident id: n}  evidence rows per incident
    incident_delete(incident) -> dict          deletes the incident (its own rows and every
                                               row that cascades with it), counts per model label

The retention app calls every owning app's hook in one transaction per incident; this module
imports nothing above `incidents`.
"""

from __future__ import annotations

from django.db.models import Count

from .models import Evidence, Incident


def counts_by(queryset, field: str, ids: list[int]) -> dict[int, int]:
    """Rows of `queryset` per value of `field` among `ids`, in one grouped query."""
    rows = queryset.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("*")).order_by()
    return {row[field]: row["n"] for row in rows}


def evidence_files(incident: Incident) -> list[str]:
    return list(Evidence.objects.filter(incident=incident).exclude(file="").values_list("file", flat=True))


def evidence_counts(ids: list[int]) -> dict[int, int]:
    return counts_by(Evidence.objects.all(), "incident_id", ids)


def incident_delete(incident: Incident) -> dict[str, int]:
    """Delete the incident; the rows that go with it, per model label ("incidents.Evidence": 2)."""
    _total, deleted = incident.delete()
    return deleted
