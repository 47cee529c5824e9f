"""Deadline reminders and the weekly digest (Celery tasks in incidents/tasks.py call these).

    reminders_due(now)   deadlines of DOMAIN.md 4.4, before and when due → managers over the unit
    digest_weekly(now)   open incidents and coming deadlines → each manager, once a week

"Met" is decided by incidents.deadlines (one rule for the incident page, the dashboard and
these reminders); a deadline a manager marked as not relevant is not reminded of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.tree import UnitTree
from notifications.models import Channel, Kind
from notifications.services import existing_keys, notification_enqueue

from .assessment import Assessment
from .deadlines import actions_done_by_incident, deadline_settled
from .notify import SERIOUS_LEVEL, Directory, _incident_context, _incident_url, excluded_managers

# --- Deadlines ----------------------------------------------------------------------------


# How long before a deadline the "before" reminder goes out.
REMINDER_LEAD: dict[str, timedelta] = {
    "assessment_due": timedelta(hours=24),
    "police_report_72h": timedelta(hours=24),
    "easy_14_days": timedelta(days=3),
    "private_prosecution_6_months": timedelta(days=14),  # rules 2026.1
    "request_6_months": timedelta(days=14),
    "breach_72h": timedelta(hours=24),
    "follow_up_14_days": timedelta(days=2),
    "takedown_follow_up_7_days": timedelta(days=1),
}
# A "due" reminder is still sent this long after the deadline (say beat was stopped),
# never later: old incidents do not flood managers when reminders are switched on.
DUE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DueDeadline:
    incident: object
    code: str
    title: str
    due: datetime
    stage: str  # "before" or "due"


def _deadlines(incident) -> list[tuple[str, str, datetime]]:
    stored = Assessment.from_dict(incident.assessment)
    return [(item.code, item.title or item.code, item.due) for item in stored.deadlines]


def _met(incident, code: str, actions: dict[int, set[str]]) -> bool:
    """Met or dismissed: the rule of incidents.deadlines."""
    return deadline_settled(incident, code, actions.get(incident.pk, set()))


def _open_incidents():
    from .models import Incident

    return (
        Incident.objects.exclude(status=Incident.Status.CLOSED)
        .select_related("unit", "unit__organisation")
        .only(
            "id",
            "reference",
            "status",
            "channel",
            "assessment",
            "assessed_level",
            "confirmed_level",
            "confirmed_at",
            "registered_at",
            "unit__id",
            "unit__name",
            "unit__organisation_id",
            "unit__organisation__notify_union_reps_of_serious",
        )
        .order_by("id")
    )


def _actions_taken(incident_ids: list[int]) -> dict[int, set[str]]:
    return actions_done_by_incident(incident_ids, with_dismissals=True)


def deadlines_due(now: datetime) -> list[DueDeadline]:
    """Deadlines of open incidents that call for a reminder now, and at which stage.

    Scans the open incidents (a municipality has hundreds at most); each carries its
    deadlines in `assessment["deadlines"]`.
    """
    incidents = list(_open_incidents())
    actions = _actions_taken([i.pk for i in incidents])
    result = []
    for incident in incidents:
        for code, title, due in _deadlines(incident):
            if _met(incident, code, actions):
                continue
            if due <= now < due + DUE_WINDOW:
                stage = "due"
            elif due - REMINDER_LEAD.get(code, timedelta(days=1)) <= now < due:
                stage = "before"
            else:
                continue
            result.append(DueDeadline(incident=incident, code=code, title=title, due=due, stage=stage))
    return result


def reminders_due(now: datetime | None = None) -> int:
    """Remind the managers over the unit of each deadline, once before and once when due
    (per incident, deadline and stage). Returns how many notifications were written."""
    now = now or timezone.now()
    directory = Directory()
    count = 0
    due = deadlines_due(now)
    excluded = excluded_managers({item.incident.pk for item in due})
    for item in due:
        incident = item.incident
        keys = {
            manager.pk: f"deadline:{incident.pk}:{item.code}:{item.stage}:{manager.pk}"
            for manager in directory.over(incident.unit, Role.MANAGER)
            if (incident.pk, manager.pk) not in excluded
        }
        done = existing_keys([f"{key}:{Channel.IN_APP}" for key in keys.values()])
        context = {
            **_incident_context(incident),
            "deadline_title": item.title,
            "due": timezone.localtime(item.due),
            "stage": item.stage,
        }
        for manager in directory.over(incident.unit, Role.MANAGER):
            if manager.pk not in keys:
                continue
            key = keys[manager.pk]
            if f"{key}:{Channel.IN_APP}" in done:
                continue
            with transaction.atomic():
                count += len(
                    notification_enqueue(
                        recipient=manager,
                        kind=Kind.DEADLINE_REMINDER,
                        key=key,
                        organisation_id=incident.unit.organisation_id,
                        template="deadline_reminder",
                        context=context,
                        incident=incident,
                        target_url=_incident_url(incident),
                    )
                )
    return count


DIGEST_HORIZON = timedelta(days=7)
DIGEST_LIST_LIMIT = 20


def digest_weekly(now: datetime | None = None) -> int:
    """Each manager gets one overview a week: their open incidents by status and level,
    and the deadlines of the coming 7 days (or overdue). Managers with no open incident
    get nothing. Returns how many notifications were written."""
    now = now or timezone.now()
    year, week, _ = timezone.localtime(now).isocalendar()
    incidents = list(_open_incidents())
    by_unit: dict[int, list] = defaultdict(list)
    for incident in incidents:
        by_unit[incident.unit_id].append(incident)
    actions = _actions_taken([i.pk for i in incidents])
    excluded = excluded_managers([i.pk for i in incidents])

    managed: dict[int, set[int]] = defaultdict(set)
    managers: dict[int, User] = {}
    organisations: dict[int, set[int]] = defaultdict(set)
    for membership in Membership.objects.filter(role=Role.MANAGER, user__is_active=True).select_related("user", "unit"):
        managed[membership.user_id].add(membership.unit_id)
        managers[membership.user_id] = membership.user
        organisations[membership.user_id].add(membership.unit.organisation_id)
    tree = UnitTree.of_organisations({org_id for org_ids in organisations.values() for org_id in org_ids})
    count = 0
    for user_id, direct in sorted(managed.items()):
        manager = managers[user_id]
        units = tree.descendants(direct)
        mine = [
            incident
            for unit_id in units
            for incident in by_unit.get(unit_id, ())
            if (incident.pk, user_id) not in excluded
        ]
        if not mine:
            continue
        mine.sort(key=lambda i: (-i.level, i.registered_at))
        deadlines = sorted(
            (
                {"reference": incident.reference, "title": title, "due": timezone.localtime(due), "overdue": due < now}
                for incident in mine
                for code, title, due in _deadlines(incident)
                if not _met(incident, code, actions) and due < now + DIGEST_HORIZON and due > now - DUE_WINDOW
            ),
            key=lambda d: d["due"],
        )
        by_status: dict[str, int] = defaultdict(int)
        for incident in mine:
            by_status[str(incident.get_status_display())] += 1
        context = {
            "week": week,
            "year": year,
            "open_count": len(mine),
            "serious_count": sum(1 for i in mine if i.level >= SERIOUS_LEVEL),
            "by_status": sorted(by_status.items()),
            "incidents": [_incident_context(i) for i in mine[:DIGEST_LIST_LIMIT]],
            "more_incidents": max(0, len(mine) - DIGEST_LIST_LIMIT),
            "deadlines": deadlines[:DIGEST_LIST_LIMIT],
        }
        org_id = manager.organisation_id or mine[0].unit.organisation_id
        with transaction.atomic():
            count += len(
                notification_enqueue(
                    recipient=manager,
                    kind=Kind.WEEKLY_DIGEST,
                    key=f"weekly_digest:{year}-W{week:02d}:{manager.pk}",
                    organisation_id=org_id,
                    template="weekly_digest",
                    context=context,
                    target_url=reverse("dashboard:manager"),
                )
            )
    return count
