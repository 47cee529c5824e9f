"""Object-level access to incidents: part of the one access policy (accounts.permissions).

- Managers see and act on every incident of their units and the units below, except a case
  they are excluded from (`CaseExclusion`, issue 17): for them it is as if it were outside
  their units (404 everywhere, absent from lists). Every manager check goes through
  `_managed_q` / `is_manager_of` here, so pages, API, reports and evidence agree.
- A caseworker sees the incidents where they are a target or the reporter, as the
  employee: never internal notes, never the manager's tools.
- A union rep sees an incident the employee has shared with them (`incidents.sharing`),
  read-only: no notes, no evidence upload, nothing to change; withdrawing the share, or
  losing the union rep role, ends it.
- Anyone else gets 404 for an incident, so its existence does not leak.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Role

from .models import CaseExclusion, Evidence, Incident, IncidentShare


def _employee_q(user) -> Q:
    """Targets, and the employee who reported it themselves (a manager who registered an
    incident is not "the employee concerned" and loses access with their membership)."""
    through = Incident.targets.through
    return Q(reporter=user, channel=Incident.Channel.SELF_REPORT) | Q(
        Exists(through.objects.filter(incident_id=OuterRef("pk"), user_id=user.pk))
    )


def _holds_union_rep_role(user) -> bool:
    return Role.UNION_REP in permissions.roles(user)


def _shared_q(user) -> Q:
    """Incidents with an active share to the user (who must still be a union rep)."""
    return Q(
        Exists(
            IncidentShare.objects.filter(incident_id=OuterRef("pk"), union_rep_id=user.pk, withdrawn_at__isnull=True)
        )
    )


def _managed_q(user) -> Q:
    """Incidents of the units the user manages, less the cases the user is excluded from."""
    return Q(unit_id__in=permissions.units_for(user, Role.MANAGER)) & ~Q(
        Exists(CaseExclusion.objects.filter(incident_id=OuterRef("pk"), manager_id=user.pk))
    )


def is_excluded(user, incident: Incident) -> bool:
    """The user is kept out of this case as manager (cached on the incident for the request)."""
    cache = incident.__dict__.setdefault("_excluded_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            bool(user.pk) and CaseExclusion.objects.filter(incident_id=incident.pk, manager_id=user.pk).exists()
        )
    return cache[user.pk]


def visible_incidents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every incident the user may open (as manager, as the employee concerned, or as the
    union rep it is shared with)."""
    qs = Incident.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    condition = _managed_q(user) | _employee_q(user)
    if _holds_union_rep_role(user):
        condition |= _shared_q(user)
    return qs.filter(condition)


def shared_incidents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Incidents shared with the user as union rep (active shares only)."""
    qs = Incident.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active and _holds_union_rep_role(user)):
        return qs.none()
    return qs.filter(_shared_q(user))


def managed_incidents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Incidents the user handles as manager (never one they are excluded from)."""
    qs = Incident.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    return qs.filter(_managed_q(user))


def own_incidents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Incidents where the user is the employee concerned (target or reporter)."""
    qs = Incident.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    return qs.filter(_employee_q(user))


def is_manager_of(user, incident: Incident) -> bool:
    return permissions.may_view_unit_incidents(user, incident.unit_id) and not is_excluded(user, incident)


def is_employee_of(user, incident: Incident) -> bool:
    """The user is a target or the reporter of the incident."""
    if not (user.is_authenticated and user.is_active):
        return False
    if incident.reporter_id == user.pk and incident.channel == Incident.Channel.SELF_REPORT:
        return True
    return incident.targets.filter(pk=user.pk).exists()


def is_shared_with(user, incident: Incident) -> bool:
    """An active share of the incident with the user, who still holds the union rep role."""
    if not (user.is_authenticated and user.is_active and _holds_union_rep_role(user)):
        return False
    return IncidentShare.objects.filter(incident=incident, union_rep_id=user.pk, withdrawn_at__isnull=True).exists()


def may_view(user, incident: Incident) -> bool:
    return is_manager_of(user, incident) or is_employee_of(user, incident) or is_shared_with(user, incident)


def may_share(user, incident: Incident) -> bool:
    """Share with a union rep, or withdraw a share: the employee concerned."""
    return is_employee_of(user, incident)


def may_change(user, incident: Incident) -> bool:
    """Edit facts, change status, record actions, write notes: managers."""
    return permissions.may_change_unit_incidents(user, incident.unit_id) and not is_excluded(user, incident)


def may_assess(user, incident: Incident) -> bool:
    return permissions.may_assess(user, incident.unit_id) and not is_excluded(user, incident)


def may_report(user, incident: Incident) -> bool:
    return permissions.may_report(user, incident.unit_id) and not is_excluded(user, incident)


def managers_on_case(incident: Incident, managers) -> list:
    """Of these managers (over the unit), those not excluded from the case."""
    excluded = set(CaseExclusion.objects.filter(incident=incident).values_list("manager_id", flat=True))
    return [manager for manager in managers if manager.pk not in excluded]


def may_take_case(user, incident: Incident) -> bool:
    """Become the case owner, assign it to a colleague, or keep a manager out: managers of the case."""
    return may_change(user, incident)


def may_exclude_manager(user, incident: Incident) -> bool:
    return may_change(user, incident)


def may_write_message(user, incident: Incident) -> bool:
    """The thread with the employee: the employee concerned and the managers on the case;
    never a union rep it is shared with (the thread is between employee and employer)."""
    return is_manager_of(user, incident) or is_employee_of(user, incident)


def sees_messages(user, incident: Incident) -> bool:
    return may_write_message(user, incident)


def may_watch(user, incident: Incident) -> bool:
    """Put the case on one's own watch list: managers of the case."""
    return is_manager_of(user, incident)


def may_add_evidence(user, incident: Incident) -> bool:
    """Managers, and the employee on their own case (not a union rep it is shared with)."""
    return is_manager_of(user, incident) or is_employee_of(user, incident)


def may_remove_evidence(user, incident: Incident) -> bool:
    return may_change(user, incident)


def may_set_legal_hold(user, incident: Incident) -> bool:
    """Set or clear legal hold, which keeps a closed incident past its retention period
    (`retention.services`): the managers of the incident's unit."""
    return may_change(user, incident)


def may_journalise(user, incident: Incident) -> bool:
    """Export the case archive and record the journal number (offentlighedsloven § 15): the
    managers of the incident's unit, like the reports the archive holds."""
    return may_report(user, incident)


def may_dismiss_deadline(user, incident: Incident) -> bool:
    """Mark a deadline as not relevant, with a reason (DOMAIN.md 4.4): the managers of the unit."""
    return may_change(user, incident)


def sees_internal_notes(user, incident: Incident) -> bool:
    return is_manager_of(user, incident)


def sees_shared_notes(user, incident: Incident) -> bool:
    """Notes shared with the employee: the employee and managers, never a union rep."""
    return is_manager_of(user, incident) or is_employee_of(user, incident)


def get_incident_or_404(user, reference: str, *, queryset: QuerySet | None = None) -> Incident:
    """The incident by reference if the user may see it; otherwise 404."""
    if queryset is None:
        queryset = Incident.objects.select_related("unit", "unit__organisation", "reporter", "owner")
    qs = queryset
    incident = visible_incidents(user, qs).filter(reference=reference).first()
    if incident is None:
        raise Http404
    return incident


def get_evidence_or_404(user, incident: Incident, evidence_id: int) -> Evidence:
    evidence = Evidence.objects.filter(incident=incident, pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence
