"""Work on incidents that touches several rows or the outside world.

Views and the API call these functions; each one writes its timeline entry and its
audit event in the same transaction as the change, and recomputes the assessment
whenever the facts change. This module holds references, the assessment, registration
and changes of the facts; the case's workflow (status, actions, notes, evidence removal,
legal hold, journal number, the confirmed level, dismissed deadlines) is in
`incidents.workflow` and a new rules version for open incidents in `incidents.rules_update`.
Both are part of this module's interface: their functions are imported here.
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

from . import notify
from .assessment import REPEATED_PUBLICATION_COUNT, Assessment, Facts, assess
from .models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    Incident,
    IncidentDeadline,
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
    incident: Incident,
    *,
    publication_count: int | None = None,
    platforms: Iterable[str] | None = None,
    publications: Iterable[Publication] | None = None,
) -> Facts:
    """The engine's facts of a saved (or about to be saved) incident.

    The publications give the platforms, reaches and the first and last `published_at`
    (DOMAIN.md 3.3 and 9): the saved ones, or `publications` (rows about to be saved) when
    given; `publication_count`/`platforms` override them for forms that preview unsaved
    publications.
    """
    pubs = (
        [(pub.platform, pub.reach, pub.published_at) for pub in publications]
        if publications is not None
        else list(incident.publications.values_list("platform", "reach", "published_at"))
        if incident.pk
        else []
    )
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


def incident_reassess(incident: Incident, *, save: bool = True, publications=None) -> Incident:
    """Recompute and store the assessment from the incident's current facts (`publications`:
    see incident_facts)."""
    facts = incident_facts(incident, publications=publications)
    result = assess(facts)
    incident.assessed_level = result.severity.level
    incident.assessment = result.to_dict()
    incident.rules_version = result.rules_version
    incident.facts_hash = facts_hash_of(facts)
    if save:
        incident.save(update_fields=["assessed_level", "assessment", "rules_version", "facts_hash", "updated_at"])
        deadlines_sync(incident)
    return incident


def deadlines_sync(incident: Incident, *, new: bool = False) -> None:
    """Mirror the assessment's deadlines into IncidentDeadline rows (`new`: there are none yet)."""
    rows = [
        IncidentDeadline(incident=incident, code=item.code, title=item.title[:200], due=item.due)
        for item in Assessment.from_dict(incident.assessment).deadlines
    ]
    if not new:
        IncidentDeadline.objects.filter(incident=incident).delete()
    IncidentDeadline.objects.bulk_create(rows)


# --- Registration -----------------------------------------------------------------------


def timeline_add(
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
    """Register a new incident with its publications; the assessment is computed at once, from
    the rows before they are saved, so the incident is inserted once (issue 20: fewer queries)."""
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
    rows = [Publication(**pub) for pub in publications]
    if len(rows) >= REPEATED_PUBLICATION_COUNT:  # as _sync_repeated
        incident.repeated = True
    incident_reassess(incident, save=False, publications=rows)
    incident.save()
    targets = list(targets)
    if targets:
        incident.targets.add(*targets)
    for row in rows:
        row.incident = incident
    Publication.objects.bulk_create(rows)
    deadlines_sync(incident, new=True)
    timeline_add(incident, actor=actor, kind=TimelineEntry.Kind.REGISTERED, text=incident.get_channel_display())
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=incident,
        summary=_("Hændelse registreret"),
        details={"channel": channel, "publications": len(rows)},
    )
    notify.on_incident_registered(incident, targets=targets, new=True)
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
    timeline_add(
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
    timeline_add(
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


# The rest of the interface (see the module docstring); imported last, as both modules use the above.
from .rules_update import (  # noqa: E402, F401
    assessment_changes,
    incident_apply_rules_version,
    open_incidents_under_older_rules,
)
from .workflow import (  # noqa: E402, F401
    AlreadyInStatus,
    TransitionNotAllowed,
    deadline_dismiss,
    deadline_restore,
    evidence_remove,
    incident_change_status,
    incident_confirm_level,
    incident_record_action,
    incident_set_journal_number,
    incident_set_legal_hold,
    note_add,
)
