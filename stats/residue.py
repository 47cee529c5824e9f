"""Writing the anonymised residue of an incident about to be purged (see `stats.models`).

    residue_record(*, incident) -> IncidentResidue
        called by `retention.services` in the transaction that deletes the incident.

The values are computed the way `stats.queries` counts a live incident: the level in force
(confirmed, else computed), the registration month in the local time zone, a platform
once however many publications it has, reported to the police or Datatilsynet when the
timeline has that action, and the days from the local registration date to the earliest
action date (an action dated before the registration counts as day 0).
"""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone

from incidents.models import PHENOMENON_FIELDS, Incident, Publication, TimelineEntry

from . import rollup
from .models import IncidentResidue, IncidentResiduePlatform
from .queries import REPORT_ACTIONS, RESIDUE_REPORTED, local_zone


def residue_record(*, incident: Incident) -> IncidentResidue:
    registered = timezone.localtime(incident.registered_at, local_zone()).date()
    actions = TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.ACTION).aggregate(
        first=Min("occurred_on"),
        **{name: Count("id", filter=Q(action_code=code)) for name, code in REPORT_ACTIONS.items()},
    )
    days = None if actions["first"] is None else max(0, (actions["first"] - registered).days)
    residue = IncidentResidue.objects.create(
        unit_id=incident.unit_id,
        registered_month=registered.replace(day=1),
        level=incident.level,
        status=incident.status,
        perpetrator_relation=incident.perpetrator_relation,
        days_to_first_action=days,
        **{field: getattr(incident, field) for field in PHENOMENON_FIELDS.values()},
        **{field: bool(actions[name]) for name, field in RESIDUE_REPORTED.items()},
    )
    platforms = sorted(set(Publication.objects.filter(incident=incident).values_list("platform", flat=True)))
    IncidentResiduePlatform.objects.bulk_create(
        IncidentResiduePlatform(residue=residue, platform=platform) for platform in platforms
    )
    rollup.cell_mark(incident.unit_id, incident.registered_at)
    return residue
