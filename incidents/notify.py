"""The incident events of the outbox (notifications.services): who is told what.

    on_incident_registered(incident)   self-report → managers; by a manager → the employee;
                                       level 3–4 → union reps, anonymised (if allowed)
    on_incident_assessed(incident)     level 3–4 → union reps (once per incident)
    on_status_changed(incident, entry) → the employee concerned
    on_note_shared(note)               a shared note → the employee (never an internal one)
    on_incident_shared(share)          → the union rep it was shared with
    on_page_watch(incident, check)     a watched page gone, changed or back → managers
    retention_warnings_send(items)     closed incidents deleted within 30 days → managers
                                       (items from incidents.due; run by the nightly purge)

Called by the services inside their transaction. Deadline reminders and the weekly digest
are in incidents.reminders. Messages carry references, units, levels, statuses and deadlines
only: never an incident's title, description, names or the text of a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, Unit, User
from accounts.tree import UnitTree
from notifications.models import Kind, Notification
from notifications.services import UNIT_TYPE, Message, notification_enqueue, notifications_enqueue_bulk

SERIOUS_LEVEL = 3


# --- Who is told ------------------------------------------------------------------------


class Directory:
    """Who holds which role over which unit; loaded once per organisation."""

    def __init__(self) -> None:
        self._trees: dict[int, UnitTree] = {}
        self._holders: dict[int, dict[tuple[int, str], list[User]]] = {}

    def _load(self, organisation_id: int) -> None:
        if organisation_id in self._trees:
            return
        self._trees[organisation_id] = UnitTree.of_organisations([organisation_id])
        holders: dict[tuple[int, str], list[User]] = defaultdict(list)
        for membership in (
            Membership.objects.filter(
                unit__organisation_id=organisation_id, user__is_active=True, role__in=[Role.MANAGER, Role.UNION_REP]
            )
            .select_related("user")
            .order_by("user_id")
        ):
            holders[(membership.unit_id, membership.role)].append(membership.user)
        self._holders[organisation_id] = holders

    def over(self, unit: Unit, role: str) -> list[User]:
        """Users holding `role` in the unit or any unit above it."""
        self._load(unit.organisation_id)
        holders = self._holders[unit.organisation_id]
        users: dict[int, User] = {}
        for node in self._trees[unit.organisation_id].ancestors(unit.pk):
            for user in holders.get((node, role), ()):
                users.setdefault(user.pk, user)
        return [users[pk] for pk in sorted(users)]


def employees_of(incident, *, targets=None) -> list[User]:
    """The employee(s) concerned: the targets (`targets` when the caller has them at hand),
    and the reporter of a self-report."""
    users = {
        user.pk: user
        for user in (
            incident.targets.filter(is_active=True) if targets is None else (user for user in targets if user.is_active)
        )
    }
    if incident.channel == "self_report" and incident.reporter_id and incident.reporter.is_active:
        users.setdefault(incident.reporter_id, incident.reporter)
    return [users[pk] for pk in sorted(users)]


def excluded_managers(incident_ids) -> set[tuple[int, int]]:
    """(incident, manager) for the managers kept out of a case (issue 17, `incidents.policy`):
    they are told nothing about it, as for a case outside their units."""
    from .models import CaseExclusion

    return set(
        CaseExclusion.objects.filter(incident_id__in=list(incident_ids)).values_list("incident_id", "manager_id")
    )


def _incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.reference])


def _incident_context(incident) -> dict:
    return {
        "reference": incident.reference,
        "unit_name": incident.unit.name,
        "level": incident.level,
        "level_label": incident.level_label,
        "status_label": str(incident.get_status_display()),
        "channel_label": str(incident.get_channel_display()),
    }


# --- Events -----------------------------------------------------------------------------


def _tell_each(people, *, incident, kind: str, key: str, template: str, context: dict) -> list[Notification]:
    """One notification about `incident` for each of `people`, keyed `{key}:{person}`, so an
    event reported twice tells each person once."""
    created: list[Notification] = []
    for person in people:
        created += notification_enqueue(
            recipient=person,
            kind=kind,
            key=f"{key}:{person.pk}",
            organisation_id=incident.unit.organisation_id,
            template=template,
            context=context,
            incident=incident,
            target_url=_incident_url(incident),
        )
    return created


def on_incident_registered(incident, *, targets=None, new: bool = False) -> list[Notification]:
    """A new incident: a self-report tells the managers over the unit; one registered by a
    manager tells the employee(s) it is about; a serious one tells the union reps.

    incident_register passes the `targets` it has just saved and `new` (the incident was
    created in this transaction, so no notification about it exists yet)."""
    created: list[Notification] = []
    org_id = incident.unit.organisation_id
    context = _incident_context(incident)
    if incident.channel == "self_report":
        created += _tell_each(
            (m for m in Directory().over(incident.unit, Role.MANAGER) if m.pk != incident.reporter_id),
            incident=incident,
            kind=Kind.SELF_REPORT,
            key=f"self_report:{incident.pk}",
            template="self_report",
            context=context,
        )
    else:
        created += notifications_enqueue_bulk(
            [
                Message(
                    recipient=employee,
                    kind=Kind.INCIDENT_REGISTERED,
                    key=f"incident_registered:{incident.pk}:{employee.pk}",
                    organisation_id=org_id,
                    template="incident_registered",
                    context=context,
                    incident=incident,
                    target_url=_incident_url(incident),
                )
                for employee in employees_of(incident, targets=targets)
                if employee.pk != incident.reporter_id
            ],
            new_keys=new,
        )
    created += on_incident_assessed(incident)
    return created


# The unit the user's statistics count an incident of `unit` under: the unit itself, or the unit
# a small one is folded into (the statistics' disclosure rules); None when the user's statistics
# do not cover it (the message then names no unit). The statistics app registers it
# (stats.apps, stats.scope.unit_as_statistics_show_it), so this app imports no statistics.
_statistics_unit: list[Callable[[User, Unit], object | None]] = []


def register_statistics_unit(find: Callable[[User, Unit], object | None]) -> None:
    _statistics_unit[:] = [find]


def _unit_as_statistics_show_it(user, unit):
    return _statistics_unit[0](user, unit) if _statistics_unit else None


def on_incident_assessed(incident) -> list[Notification]:
    """Level 3 or 4 tells the union reps over the unit, once per incident, if the
    organisation allows it. Anonymised: the unit and the level, nothing else; the link
    goes to the statistics page, not to the incident."""
    if incident.level < SERIOUS_LEVEL:
        return []
    unit = incident.unit
    if not unit.organisation.notify_union_reps_of_serious:
        return []
    created: list[Notification] = []
    for rep in Directory().over(unit, Role.UNION_REP):
        shown = _unit_as_statistics_show_it(rep, unit)
        context = {
            "unit_name": shown.name if shown else "",
            "level": incident.level,
            "level_label": incident.level_label,
        }
        created += notification_enqueue(
            recipient=rep,
            kind=Kind.SERIOUS_INCIDENT,
            key=f"serious_incident:{incident.pk}:{rep.pk}",
            about_incident_id=incident.pk,
            organisation_id=unit.organisation_id,
            template="serious_incident",
            context=context,
            object_type=UNIT_TYPE,
            object_id=str(shown.id) if shown else "",
            target_url=reverse("dashboard:union_rep"),
        )
    return created


def on_status_changed(incident, entry) -> list[Notification]:
    """The employee is told the new status (not the reason, which may be internal)."""
    status = entry.to_status or incident.status
    return _tell_each(
        (e for e in employees_of(incident) if e.pk != entry.actor_id),
        incident=incident,
        kind=Kind.STATUS_CHANGED,
        key=f"status_changed:{entry.pk}",
        template="status_changed",
        context={**_incident_context(incident), "status_label": str(type(incident).Status(status).label)},
    )


def on_note_shared(note) -> list[Notification]:
    """A note shared with the employee: they are told there is one, not what it says.
    An internal note never notifies the employee."""
    if note.visibility != "shared":
        return []
    incident = note.incident
    return _tell_each(
        (e for e in employees_of(incident) if e.pk != note.author_id),
        incident=incident,
        kind=Kind.NOTE_SHARED,
        key=f"note_shared:{note.pk}",
        template="note_shared",
        context=_incident_context(incident),
    )


def on_incident_shared(share) -> list[Notification]:
    """An employee shared an incident with a named union rep: tell the rep.

    `share` has `pk`, `incident` and the rep as `union_rep` (or `shared_with`)."""
    rep = getattr(share, "union_rep", None) or getattr(share, "shared_with", None)
    incident = share.incident
    if rep is None:
        return []
    return notification_enqueue(
        recipient=rep,
        kind=Kind.INCIDENT_SHARED,
        key=f"incident_shared:{share.pk}:{rep.pk}",
        organisation_id=incident.unit.organisation_id,
        template="incident_shared",
        context=_incident_context(incident),
        incident=incident,
        target_url=_incident_url(incident),
    )


def on_page_watch(incident, check) -> list[Notification]:
    """A watched page (incidents.capture.watch) is gone, changed or back: tell the managers
    over the unit. Only the reference, unit and outcome: never the URL (it may name people)."""
    context = {
        **_incident_context(incident),
        "outcome": check.outcome,
        "outcome_label": str(check.get_outcome_display()).lower(),
        "checked_at": timezone.localtime(check.checked_at).strftime("%d.%m.%Y %H:%M"),
    }
    excluded = excluded_managers([incident.pk])
    return _tell_each(
        (m for m in Directory().over(incident.unit, Role.MANAGER) if (incident.pk, m.pk) not in excluded),
        incident=incident,
        kind=Kind.PAGE_WATCH,
        key=f"page_watch:{check.pk}",
        template="page_watch",
        context=context,
    )


# --- Retention ------------------------------------------------------------------------------


def retention_warnings_send(*, items) -> int:
    """ "Sag slettes snart": the managers over the unit of each closed incident that is deleted
    soon are told when, why (the organisation's retention period, GDPR storage limitation) and
    how to keep it (legal hold), with a link to the incident's retention card.

    `items` come from `incidents.due.retention_upcoming` (each with `incident`, with its
    unit loaded, `due`, `closed_at` and `retention_months`). The key holds the incident and the
    local due date, so a rerun writes nothing and an incident reopened and closed again (a new
    due date) is warned again. A fixed number of queries per organisation, whatever the number
    of incidents. Returns how many notifications were written."""
    directory = Directory()
    messages: list[Message] = []
    items = list(items)
    excluded = excluded_managers({item.incident.pk for item in items})
    for item in items:
        incident = item.incident
        due = timezone.localtime(item.due)
        context = {
            **_incident_context(incident),
            "due": due,
            "closed_at": timezone.localtime(item.closed_at),
            "retention_months": item.retention_months,
            # Never journalised in the municipality's document system (offentlighedsloven § 15).
            "not_journalised": not incident.journal_number,
        }
        for manager in directory.over(incident.unit, Role.MANAGER):
            if (incident.pk, manager.pk) in excluded:
                continue
            messages.append(
                Message(
                    recipient=manager,
                    kind=Kind.RETENTION_WARNING,
                    key=f"retention_warning:{incident.pk}:{due.date().isoformat()}:{manager.pk}",
                    organisation_id=incident.unit.organisation_id,
                    template="retention_warning",
                    context=context,
                    incident=incident,
                    target_url=_incident_url(incident) + "#opbevaring",
                )
            )
    return len(notifications_enqueue_bulk(messages))


def retention_warning_still_due(notification: Notification) -> str:
    """Asked by the outbox before the e-mail goes out: "" while the incident is still due for deletion."""
    from .models import Incident

    if Incident.objects.filter(pk=notification.incident_id, status=Incident.Status.CLOSED, legal_hold=False).exists():
        return ""
    return "the incident is no longer due for deletion (legal hold set or reopened)"


def may_open_incident_notification(user, notification: Notification) -> bool:
    """The access policy, asked again when a notification about an incident is opened."""
    from . import policy

    incident = notification.incident
    return incident is not None and policy.may_view(user, incident)
