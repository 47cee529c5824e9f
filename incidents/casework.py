"""The manager's case workspace (issue 17): the case owner, managers kept out of a case, the
message thread between the employee and the managers on the case, and the personal watch list.

    case_assign(*, actor, incident, owner, request)            take the case, or give it to a colleague
    case_exclude(*, actor, incident, manager, reason, request) keep a manager out of the case
    case_include(*, actor, incident, manager, request)         let them in again
    case_message_post(*, actor, incident, body, request)       a message in the thread
    watch_set(*, user, incident, watching, request)            the personal watch list

Each writes its rows, the timeline entry (internal: never shown to the employee) and the audit
event in one transaction; notifications go through the outbox (`notifications.services`).
Messages and notices carry the reference only, never the text of a message.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.services import audit_record
from notifications import services as notifications
from notifications.models import Kind

from . import notify, policy
from .models import CaseExclusion, CaseMessage, Incident, TimelineEntry, WatchListEntry
from .services import timeline_add

MESSAGE_MAX_LENGTH = 5000


class CaseworkRefused(ValueError):
    """The change is not allowed; the text says why, in Danish."""


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def managers_of_case(incident: Incident) -> list[User]:
    """Active managers over the incident's unit who are not kept out of the case."""
    return policy.managers_on_case(incident, notify.Directory().over(incident.unit, Role.MANAGER))


def _incident_url(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.reference])


@transaction.atomic
def case_assign(*, actor, incident: Incident, owner: User | None, request=None) -> bool:
    """Make `owner` the case owner (None: nobody). The new owner is told, unless they took it
    themselves. Returns False when nothing changed."""
    incident = Incident.objects.select_for_update().select_related("unit").get(pk=incident.pk)
    if owner is not None:
        if not (owner.is_active and permissions.may_change_unit_incidents(owner, incident.unit_id)):
            raise CaseworkRefused(_("Den valgte person er ikke leder for sagens enhed."))
        if policy.is_excluded(owner, incident):
            raise CaseworkRefused(_("Den valgte leder er holdt ude af sagen og kan ikke være sagsansvarlig."))
    if incident.owner_id == (owner.pk if owner else None):
        return False
    previous = incident.owner
    incident.owner = owner
    incident.owner_since = timezone.now() if owner else None
    incident.save(update_fields=["owner", "owner_since", "updated_at"])
    if owner is None:
        text = _("Sagen har ikke længere en sagsansvarlig.")
    elif owner.pk == actor.pk:
        text = _("%(name)s har taget sagen.") % {"name": _name(owner)}
    else:
        text = _("Sagen er givet til %(name)s.") % {"name": _name(owner)}
    timeline_add(incident, actor=actor, kind=TimelineEntry.Kind.OWNER, text=text, visible=False)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Sagsansvarlig ændret"),
        details={"owner": owner.pk if owner else None, "previous": previous.pk if previous else None},
    )
    if owner is not None and owner.pk != actor.pk:
        notifications.notification_enqueue(
            recipient=owner,
            kind=Kind.CASE_ASSIGNED,
            key=f"case_assigned:{incident.pk}:{owner.pk}:{incident.owner_since.isoformat()}",
            organisation_id=incident.unit.organisation_id,
            template="case_assigned",
            context={
                "reference": incident.reference,
                "unit_name": incident.unit.name,
                "level_label": incident.level_label,
            },
            incident=incident,
            target_url=_incident_url(incident),
        )
    return True


@transaction.atomic
def case_exclude(*, actor, incident: Incident, manager: User, reason: str, request=None) -> CaseExclusion:
    """Keep `manager` out of the case: from now on it answers 404 for them everywhere."""
    reason = reason.strip()
    if not reason:
        raise CaseworkRefused(_("Skriv hvorfor lederen skal holdes ude af sagen."))
    if manager.pk == actor.pk:
        raise CaseworkRefused(_("Du kan ikke holde dig selv ude af sagen. Bed en anden leder om det."))
    if not permissions.may_change_unit_incidents(manager, incident.unit_id):
        raise CaseworkRefused(_("Den valgte person er ikke leder for sagens enhed."))
    exclusion, created = CaseExclusion.objects.get_or_create(
        incident=incident, manager=manager, defaults={"reason": reason, "excluded_by": actor}
    )
    if not created:
        raise CaseworkRefused(_("Lederen er allerede holdt ude af sagen."))
    incident.__dict__.pop("_excluded_cache", None)
    if Incident.objects.filter(pk=incident.pk, owner=manager).update(
        owner=None, owner_since=None, version=F("version") + 1
    ):
        incident.refresh_from_db()  # an owner who is kept out is no longer the owner
    WatchListEntry.objects.filter(incident=incident, user=manager).delete()
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EXCLUSION,
        text=_("%(name)s er holdt ude af sagen. Begrundelse: %(reason)s") % {"name": _name(manager), "reason": reason},
        visible=False,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Leder holdt ude af sagen"),
        details={"manager": manager.pk, "reason": reason},
    )
    return exclusion


@transaction.atomic
def case_include(*, actor, incident: Incident, manager: User, request=None) -> bool:
    """Let an excluded manager in again. False when they were not excluded."""
    deleted, _count = CaseExclusion.objects.filter(incident=incident, manager=manager).delete()
    if not deleted:
        return False
    incident.__dict__.pop("_excluded_cache", None)
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EXCLUSION,
        text=_("%(name)s har adgang til sagen igen.") % {"name": _name(manager)},
        visible=False,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Leder har adgang til sagen igen"),
        details={"manager": manager.pk},
    )
    return True


@transaction.atomic
def case_message_post(*, actor, incident: Incident, body: str, request=None) -> CaseMessage:
    """A message in the thread. From the employee it goes to the case owner (or, with no owner,
    to the managers on the case); from a manager to the employee(s) concerned. Each recipient
    gets an in-app notice and an e-mail unless they turned e-mail off for new messages."""
    body = body.strip()
    if not body:
        raise CaseworkRefused(_("Skriv en besked, før du sender."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise CaseworkRefused(_("Beskeden er for lang (højst %(max)d tegn).") % {"max": MESSAGE_MAX_LENGTH})
    from_employee = not policy.is_manager_of(actor, incident)
    message = CaseMessage.objects.create(incident=incident, author=actor, from_employee=from_employee, body=body)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=incident,
        summary=_("Besked sendt på sagen"),
        details={"message": message.pk, "from_employee": from_employee},
    )
    if from_employee:
        owner = incident.owner if incident.owner_id and not policy.is_excluded(incident.owner, incident) else None
        recipients = [owner] if owner and owner.is_active else managers_of_case(incident)
    else:
        recipients = notify.employees_of(incident)
    context = {"reference": incident.reference, "from_employee": from_employee}
    for recipient in recipients:
        if recipient.pk == actor.pk:
            continue
        notifications.notification_enqueue(
            recipient=recipient,
            kind=Kind.CASE_MESSAGE,
            key=f"case_message:{message.pk}:{recipient.pk}",
            organisation_id=incident.unit.organisation_id,
            template="case_message",
            context=context,
            incident=incident,
            target_url=_incident_url(incident) + "#beskeder",
        )
    return message


def thread_of(incident: Incident) -> list[CaseMessage]:
    return list(CaseMessage.objects.filter(incident=incident).select_related("author").order_by("created_at", "id"))


@transaction.atomic
def watch_set(*, user, incident: Incident, watching: bool, request=None) -> bool:
    """Add the case to, or take it off, the user's watch list. Returns whether it changed."""
    if watching:
        _entry, changed = WatchListEntry.objects.get_or_create(user=user, incident=incident)
    else:
        changed = bool(WatchListEntry.objects.filter(user=user, incident=incident).delete()[0])
    if changed:
        summary = _("Sag sat på overvågningslisten") if watching else _("Sag fjernet fra overvågningslisten")
        audit_record(request=request, actor=user, action=AuditEvent.Action.UPDATE, obj=incident, summary=summary)
    return changed
