"""The case's workflow: status changes, actions, notes, evidence removal, legal hold, the journal
number, the manager's confirmed level and deadlines marked as not relevant.

Part of `incidents.services`'s interface (imported there); each function writes its timeline
entry and audit event in the same transaction as the change.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from . import art14, notify
from .assessment import LEVEL_LABELS, Assessment
from .models import DeadlineDismissal, Evidence, Incident, Note, TimelineEntry
from .services import incident_reassess, timeline_add

# --- Workflow ---------------------------------------------------------------------------


class TransitionNotAllowed(ValueError):
    pass


class AlreadyInStatus(TransitionNotAllowed):
    """Someone else made this status change first; nothing was written."""

    def __init__(self, current: Incident):
        self.current = current
        super().__init__(
            _(
                "Sagen har allerede status «%(status)s» – en kollega har netop ændret den. Der er ikke "
                "skrevet noget nyt på tidslinjen."
            )
            % {"status": current.get_status_display()}
        )


@transaction.atomic
def incident_change_status(
    *, actor, incident: Incident, to_status: str, reason: str = "", request=None
) -> TimelineEntry:
    """Move the case along DOMAIN.md section 5; reopening needs a reason.

    A conditional update: the row is locked and its status read again, so when a colleague
    made the same change a moment before, AlreadyInStatus is raised and nothing is written
    (one "closed" entry on the timeline, not two).
    """
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.status == to_status:
        raise AlreadyInStatus(current)
    if current.version != incident.version:
        incident.refresh_from_db()
    if not incident.may_move_to(to_status):
        raise TransitionNotAllowed(
            _("En sag med status «%(from)s» kan ikke flyttes til «%(to)s».")
            % {"from": incident.get_status_display(), "to": Incident.Status(to_status).label}
        )
    if incident.status == Incident.Status.CLOSED and not reason.strip():
        raise TransitionNotAllowed(_("Skriv hvorfor sagen genåbnes."))
    if to_status == Incident.Status.CLOSED and art14.blocks_closing(current):
        raise TransitionNotAllowed(art14.close_refusal())
    from_status = incident.status
    incident.status = to_status
    incident.closed_at = timezone.now() if to_status == Incident.Status.CLOSED else None
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    entry = timeline_add(
        incident, actor=actor, kind=TimelineEntry.Kind.STATUS, text=reason, from_status=from_status, to_status=to_status
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Status ændret"),
        details={"from": from_status, "to": to_status},
    )
    notify.on_status_changed(incident, entry)
    return entry


@transaction.atomic
def incident_record_action(
    *,
    actor,
    incident: Incident,
    action_code: str,
    occurred_on: date,
    note: str = "",
    external_reference: str = "",
    request=None,
) -> TimelineEntry:
    """Record an action taken (a code of DOMAIN.md 4.3) on the timeline."""
    entry = timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.ACTION,
        action_code=action_code,
        occurred_on=occurred_on,
        text=note,
        external_reference=external_reference,
    )
    if action_code == "platform_takedown" and incident.takedown_requested_at is None:
        incident.takedown_requested_at = timezone.make_aware(
            datetime.combine(occurred_on, datetime.min.time().replace(hour=12))
        )
        incident.save(update_fields=["takedown_requested_at", "updated_at"])
        incident_reassess(incident)
    if incident.status in (Incident.Status.REPORTED, Incident.Status.ASSESSING):
        from_status = incident.status
        incident.status = Incident.Status.IN_PROGRESS
        incident.save(update_fields=["status", "updated_at"])
        status_entry = timeline_add(
            incident, actor=actor, kind=TimelineEntry.Kind.STATUS, from_status=from_status, to_status=incident.status
        )
        notify.on_status_changed(incident, status_entry)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Handling registreret"),
        details={"action": action_code, "external_reference": external_reference},
    )
    return entry


@transaction.atomic
def note_add(*, actor, incident: Incident, body: str, visibility: str, request=None) -> Note:
    note = Note.objects.create(incident=incident, author=actor, body=body, visibility=visibility)
    timeline_add(
        incident, actor=actor, kind=TimelineEntry.Kind.NOTE, text=body, visible=visibility == Note.Visibility.SHARED
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=note,
        incident_reference=incident.reference,
        organisation_id=incident.unit.organisation_id,
        summary=_("Note tilføjet"),
        details={"visibility": visibility},
    )
    notify.on_note_shared(note)
    return note


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence, reason: str, request=None) -> Evidence:
    """Remove the file but keep a tombstone row: who, when, why and the hash. The file itself
    goes through the deletion queue (incidents.storage.files_delete_after_commit)."""
    if not reason.strip():
        raise ValueError(_("Skriv hvorfor dokumentationen fjernes."))
    if evidence.is_removed:
        return evidence
    storage_name = evidence.file.name
    evidence.removed_at = timezone.now()
    evidence.removed_by = actor
    evidence.removal_reason = reason
    evidence.file = ""
    evidence.save(update_fields=["removed_at", "removed_by", "removal_reason", "file"])
    timeline_add(
        evidence.incident,
        actor=actor,
        kind=TimelineEntry.Kind.EVIDENCE_REMOVED,
        text=f"{evidence.original_name} (SHA-256 {evidence.sha256}): {reason}",
        visible=True,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=evidence,
        summary=_("Dokumentation fjernet"),
        details={"sha256": evidence.sha256, "name": evidence.original_name, "reason": reason},
    )
    if storage_name:
        # Queued, deleted after the grace period: a backup running now may still name it.
        from .storage import files_delete_after_commit

        files_delete_after_commit([storage_name])
    return evidence


@transaction.atomic
def incident_set_legal_hold(*, actor, incident: Incident, hold: bool, reason: str, request=None) -> bool:
    """Set or clear legal hold with a reason: while it is set, retention never deletes the
    incident (`retention.services`). Returns False when the hold already was as asked."""
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Skriv hvorfor retligt hold sættes eller ophæves."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.legal_hold == hold:
        return False
    incident.legal_hold = hold
    incident.save(update_fields=["legal_hold", "updated_at"])
    summary = _("Retligt hold sat") if hold else _("Retligt hold ophævet")
    timeline_add(incident, actor=actor, kind=TimelineEntry.Kind.EDITED, text=f"{summary}: {reason}", visible=False)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=summary,
        details={"legal_hold": hold, "reason": reason},
    )
    return True


@transaction.atomic
def incident_set_journal_number(*, actor, incident: Incident, journal_number: str, request=None) -> bool:
    """Record (or correct) the journal number under which the case archive was journalised in the
    municipality's document system (offentlighedsloven § 15). Returns False when unchanged."""
    journal_number = " ".join(journal_number.split())
    if not journal_number:
        raise ValueError(_("Skriv journalnummeret fra kommunens dokumenthåndteringssystem."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.journal_number == journal_number:
        return False
    previous = incident.journal_number
    incident.journal_number = journal_number
    incident.journalised_at, incident.journalised_by = timezone.now(), actor
    incident.save(update_fields=["journal_number", "journalised_at", "journalised_by", "updated_at"])
    text = _("Journaliseret i kommunens dokumenthåndteringssystem som %(number)s") % {"number": journal_number}
    timeline_add(incident, actor=actor, kind=TimelineEntry.Kind.EDITED, text=text, visible=False)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Journalnummer registreret"),
        details={"journal_number": journal_number, "previous": previous},
    )
    return True


@transaction.atomic
def incident_confirm_level(*, actor, incident: Incident, level: int, justification: str = "", request=None) -> Incident:
    """The manager confirms the computed level or overrides it with a written reason.

    Both levels are kept (`assessed_level` beside `confirmed_level`) and audited; the
    facts hash at confirmation lets the page show when the facts changed afterwards.
    """
    if level not in (1, 2, 3, 4):
        raise ValueError(_("Vælg et niveau fra 1 til 4."))
    justification = justification.strip()
    if level != incident.assessed_level and not justification:
        raise ValueError(_("Skriv hvorfor niveauet afviger fra det beregnede."))
    if (
        incident.confirmed_level == level
        and incident.override_justification == justification
        and incident.confirmed_facts_hash == incident.facts_hash
        and incident.confirmed_at is not None
    ):
        return incident  # saved again unchanged (back and save): nothing new for the timeline
    previous = incident.confirmed_level
    incident.confirmed_level = level
    incident.override_justification = justification
    incident.confirmed_by = actor
    incident.confirmed_at = timezone.now()
    incident.confirmed_facts_hash = incident.facts_hash
    fields = [
        "confirmed_level",
        "override_justification",
        "confirmed_by",
        "confirmed_at",
        "confirmed_facts_hash",
        "updated_at",
    ]
    from_status = incident.status
    if incident.status == Incident.Status.REPORTED:
        incident.status = Incident.Status.ASSESSING
        fields.append("status")
    incident.save(update_fields=fields)
    labels = {lvl: _(label) for lvl, label in LEVEL_LABELS.items()}
    if level == incident.assessed_level:
        text = _("Niveau bekræftet: %(level)s.") % {"level": labels[level]}
    else:
        text = _("Niveau ændret fra beregnet %(assessed)s til %(level)s: %(why)s") % {
            "assessed": labels[incident.assessed_level],
            "level": labels[level],
            "why": justification,
        }
    kind = TimelineEntry.Kind.ASSESSMENT if level == incident.assessed_level else TimelineEntry.Kind.ASSESSMENT_OVERRIDE
    timeline_add(incident, actor=actor, kind=kind, text=text, visible=False)
    if from_status != incident.status:
        status_entry = timeline_add(
            incident, actor=actor, kind=TimelineEntry.Kind.STATUS, from_status=from_status, to_status=incident.status
        )
        notify.on_status_changed(incident, status_entry)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Vurdering bekræftet"),
        details={
            "assessed_level": incident.assessed_level,
            "confirmed_level": level,
            "previous_confirmed_level": previous,
            "justification": justification,
            "rules_version": incident.rules_version,
        },
    )
    notify.on_incident_assessed(incident)
    return incident


# --- Deadlines marked as not relevant (DOMAIN.md 4.4) -------------------------------------


@transaction.atomic
def deadline_dismiss(*, actor, incident: Incident, code: str, reason: str, request=None) -> DeadlineDismissal:
    """Mark a deadline of the current assessment as not relevant, with a reason (audited)."""
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Skriv hvorfor fristen ikke er relevant."))
    titles = {item.code: item.title for item in Assessment.from_dict(incident.assessment).deadlines}
    if code not in titles:
        raise ValueError(_("Fristen findes ikke i sagens vurdering."))
    dismissal, created = DeadlineDismissal.objects.get_or_create(
        incident=incident, code=code, defaults={"reason": reason, "dismissed_by": actor}
    )
    if not created:
        dismissal.reason, dismissal.dismissed_by = reason, actor
        dismissal.save(update_fields=["reason", "dismissed_by"])
    title = _(titles[code]) if titles[code] else code
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EDITED,
        visible=False,
        text=_("Frist markeret som ikke relevant: %(title)s. Begrundelse: %(reason)s")
        % {"title": title, "reason": reason},
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Frist markeret som ikke relevant"),
        details={"deadline": code, "reason": reason},
    )
    return dismissal


@transaction.atomic
def deadline_restore(*, actor, incident: Incident, code: str, request=None) -> bool:
    """Take back a "not relevant" mark; the deadline counts again. False when there was none."""
    deleted, _count = DeadlineDismissal.objects.filter(incident=incident, code=code).delete()
    if not deleted:
        return False
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EDITED,
        visible=False,
        text=_("Frist gælder igen: %(code)s") % {"code": code},
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Frist gælder igen"),
        details={"deadline": code},
    )
    return True
