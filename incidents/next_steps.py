"""What the manager should do next on a case, in order (issue 17, "next step first").

The incident page opens with what is urgent now:

1. acute danger: "ring 112" (with a threat);
2. deadlines running out: not met, not marked as not relevant, due within 72 hours or past,
   with the hours left;
3. the police report, when recommended and not yet made;
4. the safety assessment, when recommended and not yet made;

then the rest of the recommended actions grouped by when they matter (now / this week /
when relevant), each with the deadline it serves; actions already done fold away.

Plain Python over the shaped assessment (`incidents.selectors.assessment_summary`): no queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

URGENT_WINDOW = timedelta(hours=72)

# Which deadline an action serves (DOMAIN.md 4.3 ↔ 4.4).
ACTION_DEADLINE = {
    "police_report": "police_report_72h",
    "breach_assessment": "breach_72h",
    "occupational_injury": "easy_14_days",
    "support_conversation": "follow_up_14_days",
    "restraining_order": "request_6_months",
}

GROUP_NOW, GROUP_WEEK, GROUP_RELEVANT = "now", "week", "relevant"
GROUP_LABELS = {
    GROUP_NOW: _("Nu"),
    GROUP_WEEK: _("Denne uge"),
    GROUP_RELEVANT: _("Når det er relevant"),
}
ACTION_GROUP = {
    "secure_evidence": GROUP_NOW,
    "support_conversation": GROUP_NOW,
    "no_engagement": GROUP_NOW,
    "breach_assessment": GROUP_NOW,
    "police_report": GROUP_NOW,
    "safety_assessment": GROUP_NOW,
    "platform_takedown": GROUP_WEEK,
    "platform_report": GROUP_WEEK,
    "involve_amr_tr": GROUP_WEEK,
    "occupational_injury": GROUP_WEEK,
    "occupational_disease": GROUP_WEEK,
    "datatilsynet_report": GROUP_WEEK,
    "contact_publisher": GROUP_WEEK,
}  # everything else: when relevant

URGENT_ACTIONS = ("police_report", "safety_assessment")


@dataclass
class UrgentDeadline:
    code: str
    title: str
    reason: str
    due: datetime
    hours_left: int  # negative when past
    overdue: bool

    @property
    def hours_ago(self) -> int:
        return -self.hours_left

    @property
    def days_ago(self) -> int:
        return -self.hours_left // 24


@dataclass
class Step:
    action: dict  # the checklist item: code, title, reason, anchor, done
    deadline: object = None  # the DeadlineView it serves, if any


@dataclass
class NextSteps:
    acute_112: dict | None = None
    deadlines: list[UrgentDeadline] = field(default_factory=list)
    urgent_actions: list[Step] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)  # {"code", "label", "steps"}
    done: list[dict] = field(default_factory=list)

    @property
    def has_urgent(self) -> bool:
        return bool(self.acute_112 or self.deadlines or self.urgent_actions)


def next_steps(summary: dict, *, is_open: bool = True, now: datetime | None = None) -> NextSteps:
    """The urgent block and the grouped checklist from `assessment_summary(...)`."""
    now = now or timezone.now()
    deadlines = {d.code: d for d in summary.get("deadlines") or ()}
    result = NextSteps()
    if is_open:
        for d in summary.get("deadlines") or ():
            if d.met or d.dismissal is not None or d.due - now > URGENT_WINDOW:
                continue
            hours = int((d.due - now).total_seconds() // 3600)
            result.deadlines.append(
                UrgentDeadline(
                    code=d.code, title=d.title, reason=d.reason, due=d.due, hours_left=hours, overdue=d.due < now
                )
            )
    grouped: dict[str, list[Step]] = {GROUP_NOW: [], GROUP_WEEK: [], GROUP_RELEVANT: []}
    for item in summary.get("actions") or ():
        code = item.get("code")
        if code == "acute_112":
            if is_open:
                result.acute_112 = item
            continue
        if item.get("done"):
            result.done.append(item)
            continue
        step = Step(action=item, deadline=deadlines.get(ACTION_DEADLINE.get(code, "")))
        if code in URGENT_ACTIONS and is_open:
            result.urgent_actions.append(step)
        else:
            grouped[ACTION_GROUP.get(code, GROUP_RELEVANT)].append(step)
    result.urgent_actions.sort(key=lambda step: URGENT_ACTIONS.index(step.action["code"]))
    result.done += list(summary.get("other_actions") or ())
    result.groups = [
        {"code": code, "label": GROUP_LABELS[code], "steps": steps} for code, steps in grouped.items() if steps
    ]
    return result
