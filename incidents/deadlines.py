"""Deadlines of an incident as the pages show them: due, days left, and whether the
action that meets them has been recorded. Shared by the incident page, the manager's
dashboard and the reminders (notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

# A deadline is met once this action is on the timeline (DOMAIN.md 4.3 ↔ 4.4).
# The other deadlines (follow-up, takedown check, private prosecution) stay until the
# case is closed: no single action proves them done.
MET_BY_ACTION = {
    "police_report_72h": "police_report",
    "easy_14_days": "occupational_injury",
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


def deadline_met(incident, code: str, actions_done: set[str]) -> bool:
    if code == "assessment_due":
        return incident.confirmed_at is not None or incident.status != "reported"
    action = MET_BY_ACTION.get(code)
    return bool(action and action in actions_done)


def deadlines_of(incident, actions_done: set[str], now: datetime | None = None,
                 assessment: dict | None = None, dismissals: dict | None = None) -> list[DeadlineView]:
    """The stored deadlines of the incident (or of `assessment`, the same one in another language), earliest
    first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = []
    for item in (assessment if assessment is not None else incident.assessment or {}).get("deadlines") or ():
        due = parse_datetime(item.get("due") or "")
        if due is None:
            continue
        dismissal = (dismissals or {}).get(item.get("code", ""))
        met = deadline_met(incident, item.get("code", ""), actions_done)
        result.append(DeadlineView(
            code=item.get("code", ""), title=item.get("title", ""), reason=item.get("reason", ""), due=due,
            met=met, overdue=not met and dismissal is None and due < now,
            days_left=(timezone.localdate(due) - today).days, dismissal=dismissal,
        ))
    return sorted(result, key=lambda d: d.due)
