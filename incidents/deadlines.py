"""Deadlines of an incident as the pages show them: due, days left, and whether the
action that meets them has been recorded. Shared by the incident page, the manager's
dashboard and the reminders (notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .assessment import Assessment

# A deadline is met once this action is on the timeline (DOMAIN.md 4.3 ↔ 4.4).
# The other deadlines (follow-up, private prosecution) stay until the
# case is closed: no single action proves them done.
MET_BY_ACTION = {
    "police_report_72h": "police_report",
    "easy_14_days": "occupational_injury",
    "takedown_follow_up_7_days": "content_removed",
}


@dataclass(frozen=True)
class DeadlineView:
    code: str
    title: str
    reason: str
    due: datetime
    met: bool
    overdue: bool
    days_left: int  # calendar days from today to the due date; negative when past
    dismissal: object = None  # a DeadlineDismissal: marked as not relevant, with its reason


# The takedown check is met when a watched page (incidents.capture.watch) was seen removed
# and has not come back since: `content_removed` joins the actions done.
REMOVAL_KINDS = ("page_removed", "page_back")


def content_removed(timeline) -> bool:
    """The latest removal/back entry of the (loaded) timeline says the content is gone."""
    last = None
    for entry in timeline:
        if entry.kind in REMOVAL_KINDS:
            last = entry.kind
    return last == "page_removed"


def incidents_with_content_removed(incident_ids) -> set[int]:
    """Of these incidents, those whose latest removal/back entry is a removal (one query)."""
    from .models import TimelineEntry

    latest: dict[int, str] = {}
    for incident_id, kind in (
        TimelineEntry.objects.filter(incident_id__in=list(incident_ids), kind__in=REMOVAL_KINDS)
        .order_by("created_at", "id")
        .values_list("incident_id", "kind")
    ):
        latest[incident_id] = kind
    return {pk for pk, kind in latest.items() if kind == "page_removed"}


def deadline_met(incident, code: str, actions_done: set[str]) -> bool:
    """The one rule for "met": the assessment is confirmed (or the case moved on), or the action
    that meets the deadline is in `actions_done` (see `actions_done_by_incident`)."""
    if code == "assessment_due":
        return incident.confirmed_at is not None or incident.status != "reported"
    action = MET_BY_ACTION.get(code)
    return bool(action and action in actions_done)


DISMISSED = "dismissed:"


def deadline_settled(incident, code: str, actions_done: set[str]) -> bool:
    """Met, or marked as not relevant by a manager (`dismissed:<code>` in `actions_done`, see
    `actions_done_by_incident(…, with_dismissals=True)`): nothing to remind anyone of."""
    return f"{DISMISSED}{code}" in actions_done or deadline_met(incident, code, actions_done)


def actions_done_by_incident(incident_ids, *, with_dismissals: bool = False) -> dict[int, set[str]]:
    """Per incident, the actions that meet a deadline (timeline actions, `content_removed` where a
    watched page was found removed) and, with `with_dismissals`, `dismissed:<code>` for each deadline
    a manager marked as not relevant. Two or three queries, whatever the number of incidents."""
    from .models import DeadlineDismissal, TimelineEntry

    ids = list(incident_ids)
    done: dict[int, set[str]] = {}
    for incident_id, action in TimelineEntry.objects.filter(
        incident_id__in=ids, kind=TimelineEntry.Kind.ACTION, action_code__in=list(MET_BY_ACTION.values())
    ).values_list("incident_id", "action_code"):
        done.setdefault(incident_id, set()).add(action)
    for incident_id in incidents_with_content_removed(ids):
        done.setdefault(incident_id, set()).add("content_removed")
    if with_dismissals:
        for incident_id, code in DeadlineDismissal.objects.filter(incident_id__in=ids).values_list(
            "incident_id", "code"
        ):
            done.setdefault(incident_id, set()).add(f"{DISMISSED}{code}")
    return done


def deadlines_of(
    incident,
    actions_done: set[str],
    now: datetime | None = None,
    assessment: dict | None = None,
    dismissals: dict | None = None,
) -> list[DeadlineView]:
    """The stored deadlines of the incident (or of `assessment`, the same one in another language), earliest
    first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = []
    stored = Assessment.from_dict(assessment if assessment is not None else incident.assessment)
    for item in stored.deadlines:
        due = item.due
        dismissal = (dismissals or {}).get(item.code)
        met = deadline_met(incident, item.code, actions_done)
        result.append(
            DeadlineView(
                code=item.code,
                title=item.title,
                reason=item.reason,
                due=due,
                met=met,
                overdue=not met and dismissal is None and due < now,
                days_left=(timezone.localdate(due) - today).days,
                dismissal=dismissal,
            )
        )
    return sorted(result, key=lambda d: d.due)
