"""Work on incidents that touches several rows or the outside world.

Views and the API call these functions; each one writes its timeline entry and its
audit event in the same transaction as the change, and recomputes the assessment
whenever the facts change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from . import art14, notify
from .assessment import LEVEL_LABELS, REPEATED_PUBLICATION_COUNT, RULES_VERSION, Assessment, Facts, assess
from .models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    DeadlineDismissal,
    Evidence,
    Incident,
    IncidentDeadline,
    Note,
    Publication,
    TimelineEntry,
)

# Fields whose change alters the assessment (and so the facts hash).
FACT_FIELDS = (
    *FEATURE_FIELDS,
    *PHENOMENON_FIELDS.values(),
    "perpetrator_relation",
    "absence_days",
    "absence_start",
    "psychological_harm",
    "discovered_at",
)
# Fields a manager may edit through incident_update.
EDITABLE_FIELDS = (
    "unit",
    "title",
    "description",
    "target_names",
    "perpetrator_name",
    "perpetrator_profile_url",
    "emotional_load",
    *FACT_FIELDS,
)


# --- References -------------------------------------------------------------------------


def next_reference(year: int) -> tuple[int, str]:
    """The next number of the year, as `UDH-YYYY-NNNN`.

    One atomic upsert on the counter row: concurrent registrations queue on its row lock
    until the first commits, so numbers are unique and without gaps (a rolled-back
    registration gives its number back). Works on PostgreSQL and SQLite alike.
    """
    table = connection.ops.quote_name("incidents_referencecounter")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "  # noqa: S608 - constant table name
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [year],
        )
        number = cursor.fetchone()[0]
    return number, f"UDH-{year}-{number:04d}"


# --- Assessment -------------------------------------------------------------------------


def incident_facts(
    incident: Incident, *, publication_count: int | None = None, platforms: Iterable[str] | None = None
) -> Facts:
    """The engine's facts of a saved (or about to be saved) incident.

    The publications give the platforms, reaches and the first and last `published_at`
    (DOMAIN.md 3.3 and 9); `publication_count`/`platforms` override them for forms that
    preview unsaved publications.
    """
    pubs = list(incident.publications.values_list("platform", "reach", "published_at")) if incident.pk else []
    if publication_count is None:
        publication_count = len(pubs)
    if platforms is None:
        platforms = [platform for platform, _reach, _published in pubs]
    reaches = frozenset(reach for _platform, reach, _published in pubs if reach)
    published = sorted(moment for _platform, _reach, moment in pubs if moment is not None)
    tz = timezone.get_current_timezone()
    return Facts(
        features=incident.features,
        perpetrator_relation=incident.perpetrator_relation or "unknown",
        related_phenomena=incident.related_phenomena,
        platforms=frozenset(platforms),
        reaches=reaches,
        publication_count=publication_count,
        first_published_at=timezone.localtime(published[0], tz) if published else None,
        last_published_at=timezone.localtime(published[-1], tz) if published else None,
        absence_days=incident.absence_days or 0,
        absence_start=incident.absence_start,
        psychological_harm=incident.psychological_harm,
        discovered_at=timezone.localtime(incident.discovered_at, tz),
        registered_at=timezone.localtime(incident.registered_at, tz),
        self_report=incident.channel == Incident.Channel.SELF_REPORT,
        takedown_requested_at=(
            timezone.localtime(incident.takedown_requested_at, tz) if incident.takedown_requested_at else None
        ),
    )


def facts_hash_of(facts: Facts) -> str:
    payload = {
        "features": sorted(facts.features),
        "relation": facts.perpetrator_relation,
        "phenomena": sorted(facts.related_phenomena),
        "platforms": sorted(facts.platforms),
        "reaches": sorted(facts.reaches),
        "first_published_at": facts.first_published_at.isoformat() if facts.first_published_at else None,
        "last_published_at": facts.last_published_at.isoformat() if facts.last_published_at else None,
        "repeated": facts.publication_count >= REPEATED_PUBLICATION_COUNT,
        "absence_days": facts.absence_days,
        "absence_start": str(facts.absence_start),
        "harm": facts.psychological_harm,
        "discovered_at": facts.discovered_at.isoformat(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def incident_reassess(incident: Incident, *, save: bool = True) -> Incident:
    """Recompute and store the assessment from the incident's current facts."""
    facts = incident_facts(incident)
    result = assess(facts)
    incident.assessed_level = result.severity.level
    incident.assessment = result.to_dict()
    incident.rules_version = result.rules_version
    incident.facts_hash = facts_hash_of(facts)
    if save:
        incident.save(update_fields=["assessed_level", "assessment", "rules_version", "facts_hash", "updated_at"])
        deadlines_sync(incident)
    return incident


def deadlines_sync(incident: Incident) -> None:
    """Mirror the assessment's deadlines into IncidentDeadline rows."""
    rows = [
        IncidentDeadline(incident=incident, code=item.code, title=item.title[:200], due=item.due)
        for item in Assessment.from_dict(incident.assessment).deadlines
    ]
    IncidentDeadline.objects.filter(incident=incident).delete()
    IncidentDeadline.objects.bulk_create(rows)


# --- Registration -----------------------------------------------------------------------


def _timeline(
    incident: Incident,
    *,
    actor,
    kind: str,
    text: str = "",
    visible: bool = True,
    occurred_on: date | None = None,
    **extra,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        text=text,
        visible_to_employee=visible,
        occurred_on=occurred_on or timezone.localdate(),
        **extra,
    )


@transaction.atomic
def incident_register(
    *,
    actor,
    unit,
    channel: str,
    fields: dict,
    targets: Iterable = (),
    publications: Iterable[dict] = (),
    request=None,
    now: datetime | None = None,
) -> Incident:
    """Register a new incident with its publications; the assessment is computed at once."""
    now = now or timezone.now()
    year = timezone.localtime(now).year
    number, reference = next_reference(year)
    incident = Incident(
        reference=reference,
        year=year,
        number=number,
        unit=unit,
        channel=channel,
        reporter=actor,
        registered_at=now,
        status=Incident.Status.REPORTED,
        **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS and k != "unit"},
    )
    incident.save()
    targets = list(targets)
    if targets:
        incident.targets.set(targets)
    Publication.objects.bulk_create([Publication(incident=incident, **pub) for pub in publications])
    _sync_repeated(incident)
    incident_reassess(incident)
    _timeline(incident, actor=actor, kind=TimelineEntry.Kind.REGISTERED, text=incident.get_channel_display())
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=incident,
        summary=_("Hændelse registreret"),
        details={"channel": channel, "publications": len(list(incident.publications.all()))},
    )
    notify.on_incident_registered(incident)
    return incident


def _sync_repeated(incident: Incident) -> None:
    """DOMAIN 3.1: `repeated` is also true when the incident has 3 or more publications."""
    if not incident.repeated and incident.publications.count() >= REPEATED_PUBLICATION_COUNT:
        incident.repeated = True
        incident.save(update_fields=["repeated", "updated_at"])


class StaleVersion(Exception):
    """The change was based on an older version of the incident; `current` is the row now."""

    def __init__(self, current: Incident):
        super().__init__(f"incident {current.pk} is at version {current.version}")
        self.current = current


@transaction.atomic
def incident_update(
    *,
    actor,
    incident: Incident,
    fields: dict,
    targets: Iterable | None = None,
    save_related: Callable[[Incident], bool] | None = None,
    expected_version: int | None = None,
    request=None,
) -> list[str]:
    """Change the facts; returns the names of the fields that changed.

    `save_related` saves dependent rows (the publications formset) inside the same
    transaction and returns whether it changed anything.

    `expected_version` is the version the change was based on (the form's hidden field, the
    API's If-Match): when a colleague saved in between, StaleVersion is raised with the row
    as it is now and nothing is written. The row is locked first, so two saves never
    interleave and one never overwrites the other unseen.
    """
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current)
    if current.version != incident.version:
        incident.refresh_from_db()  # compare with, and write over, the row as it is now
    changed = []
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    if changed:
        incident.save()
    if targets is not None:
        targets = list(targets)
        if {u.pk for u in targets} != set(incident.targets.values_list("pk", flat=True)):
            incident.targets.set(targets)
            changed.append("targets")
    if save_related is not None and save_related(incident):
        changed.append("publications")
    if not changed:
        return []
    _sync_repeated(incident)
    incident_reassess(incident)
    _timeline(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EDITED,
        visible=False,
        text=", ".join(_field_label(name) for name in changed),
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Hændelse ændret"),
        details={"fields": changed},
    )
    notify.on_incident_assessed(incident)
    return changed


# Facts the reports to outside recipients need (issue 14); they change no assessment.
REPORT_FACT_FIELDS = (
    "publisher_contacted_at",
    "publisher_contact_method",
    "publisher_answer",
    "consent_police_report",
    "consent_dsa_notice",
    "consent_name_to_amo",
    "employee_police_contact",
    "witnesses",
    "compensation_wanted",
    "bistandsadvokat_wanted",
    "injury_copy_to_amo",
)


@transaction.atomic
def incident_update_report_facts(*, actor, incident: Incident, values: dict, request=None) -> list[str]:
    """Record the facts the reports need (consents, the publisher's answer, witnesses …); returns
    the names of the fields that changed. A timeline entry (internal) and an audit event say which."""
    changed = [name for name in REPORT_FACT_FIELDS if name in values and getattr(incident, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(incident, name, values[name])
    incident.save(update_fields=[*changed, "updated_at"])
    _timeline(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.EDITED,
        visible=False,
        text=", ".join(_field_label(name) for name in changed),
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Oplysninger til rapporter ændret"),
        details={"fields": changed},
    )
    return changed


def _field_label(name: str) -> str:
    if name == "targets":
        return str(_("berørte medarbejdere"))
    if name == "publications":
        return str(_("offentliggørelser"))
    try:
        field = Incident._meta.get_field(name)
        # A reverse relation has no verbose_name: its label is its name.
        return name if isinstance(field, ForeignObjectRel) else str(field.verbose_name)
    except Exception:  # noqa: BLE001 - a label is cosmetic
        return name


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
    entry = _timeline(
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
    entry = _timeline(
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
        status_entry = _timeline(
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
    _timeline(
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
    _timeline(
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
    _timeline(incident, actor=actor, kind=TimelineEntry.Kind.EDITED, text=f"{summary}: {reason}", visible=False)
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
    _timeline(incident, actor=actor, kind=TimelineEntry.Kind.EDITED, text=text, visible=False)
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
    _timeline(incident, actor=actor, kind=kind, text=text, visible=False)
    if from_status != incident.status:
        status_entry = _timeline(
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
    _timeline(
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
    _timeline(
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


# --- A new rules version for the open incidents (DOMAIN.md 9) ------------------------------


def assessment_changes(before: dict, after: dict) -> dict:
    """What changed between two stored assessments: level, references, actions, deadlines."""
    old_assessment, new_assessment = Assessment.from_dict(before), Assessment.from_dict(after)

    def codes(assessment: Assessment, key: str) -> dict:
        return {item.code: item for item in getattr(assessment, key)}

    changes: dict = {}
    level_before = old_assessment.severity.level or None
    level_after = new_assessment.severity.level or None
    if level_before != level_after:
        changes["level"] = (level_before, level_after)
    for key in ("legal_references", "actions", "deadlines"):
        old, new = codes(old_assessment, key), codes(new_assessment, key)
        added = [code for code in new if code not in old]
        removed = [code for code in old if code not in new]
        moved = [code for code in new if code in old and key == "deadlines" and old[code].due != new[code].due]
        if added or removed or moved:
            changes[key] = {"added": added, "removed": removed, "moved": moved}
    return changes


def _describe_changes(changes: dict, before_dict: dict, after_dict: dict) -> str:
    before, after = Assessment.from_dict(before_dict), Assessment.from_dict(after_dict)

    def title(assessment: Assessment, key: str, code: str) -> str:
        item = next((item for item in getattr(assessment, key) if item.code == code), None)
        return (item.title or code) if item is not None else code

    def due(assessment: Assessment, code: str) -> str:
        deadline = assessment.deadline(code)
        return timezone.localtime(deadline.due).strftime("%d.%m.%Y %H:%M") if deadline else ""

    lines = [
        _("Vurderingen er beregnet igen efter regelsæt %(new)s (før %(old)s).")
        % {"new": after.rules_version, "old": before.rules_version or "–"}
    ]
    if "level" in changes:
        old, new = changes["level"]
        lines.append(
            _("Niveau: %(old)s → %(new)s.")
            % {"old": _(LEVEL_LABELS.get(old, "–")) if old else "–", "new": _(LEVEL_LABELS[new])}
        )
    headings = {
        "legal_references": (_("Nye lovhenvisninger"), _("Udgåede lovhenvisninger")),
        "actions": (_("Nye anbefalede handlinger"), _("Udgåede anbefalede handlinger")),
        "deadlines": (_("Nye frister"), _("Udgåede frister")),
    }
    for key, (added_heading, removed_heading) in headings.items():
        change = changes.get(key)
        if not change:
            continue
        if change["added"]:
            items = [
                title(after, key, code) + (f" ({due(after, code)})" if key == "deadlines" else "")
                for code in change["added"]
            ]
            lines.append(f"{added_heading}: {'; '.join(items)}.")
        if change["removed"]:
            lines.append(f"{removed_heading}: {'; '.join(title(before, key, code) for code in change['removed'])}.")
        if change.get("moved"):
            items = [
                f"{title(after, key, code)} ({due(before, code)} → {due(after, code)})" for code in change["moved"]
            ]
            lines.append(f"{_('Flyttede frister')}: {'; '.join(items)}.")
    if len(lines) == 1:
        lines.append(_("Intet i vurderingen er ændret."))
    return "\n".join(lines)


@transaction.atomic
def incident_apply_rules_version(incident: Incident, *, actor=None) -> dict | None:
    """Re-assess one open incident under the rules in force and write what changed on its
    timeline (internal) and in the audit log. Closed incidents keep the assessment they
    had (None). Returns the changes (empty when nothing but the version changed)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        return None
    before = dict(incident.assessment or {})
    before.setdefault("rules_version", incident.rules_version)
    old_hash = incident.facts_hash
    incident_reassess(incident)
    if incident.confirmed_facts_hash and incident.confirmed_facts_hash == old_hash:
        # Same facts, hashed the new way (reaches and publication dates count since 2026.2).
        incident.confirmed_facts_hash = incident.facts_hash
        incident.save(update_fields=["confirmed_facts_hash"])
    after = incident.assessment
    changes = assessment_changes(before, after)
    _timeline(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.REASSESSED,
        visible=False,
        text=_describe_changes(changes, before, after),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Vurdering beregnet efter nye regler"),
        details={
            "from": before.get("rules_version", ""),
            "to": after.get("rules_version"),
            "changes": {key: (list(value) if isinstance(value, tuple) else value) for key, value in changes.items()},
        },
    )
    return changes


def open_incidents_under_older_rules():
    """The open incidents whose stored assessment was computed under another rules version."""
    return Incident.objects.exclude(status=Incident.Status.CLOSED).exclude(rules_version=RULES_VERSION).order_by("pk")
