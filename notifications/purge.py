"""The notifications app's purge hook for the retention run (`retention/`).

    notifications_q(incident_id) -> Q       the notifications about an incident
    notification_counts(ids) -> {id: n}     per incident, each row once
    notifications_delete(incident_id) -> n  deletes them

Knows incidents by id only (no import of the incidents app).
"""

from __future__ import annotations

from django.db.models import Q

from .models import Notification

CHUNK = 1000


def notifications_q(incident_id) -> Q:
    """The notifications about an incident: linked to it, and the anonymous notice to union reps
    of a serious incident (linked to the unit; the incident only in `about_incident_id`)."""
    return Q(incident_id=incident_id) | Q(about_incident_id=incident_id)


def notification_counts(ids: list[int]) -> dict[int, int]:
    """Per incident id, the notifications `notifications_q` finds, each row once."""
    counts: dict[int, int] = {}
    rows = Notification.objects.filter(Q(incident_id__in=ids) | Q(about_incident_id__in=ids)).values_list(
        "incident_id", "about_incident_id"
    )
    wanted = set(ids)
    for incident_id, about_id in rows.iterator(chunk_size=CHUNK):
        owner = incident_id if incident_id in wanted else about_id
        counts[owner] = counts.get(owner, 0) + 1
    return counts


def notifications_delete(incident_id: int) -> int:
    deleted, _by_model = Notification.objects.filter(notifications_q(incident_id)).delete()
    return deleted
