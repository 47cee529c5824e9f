"""Made-up incidents for the demo and the benchmarks, inserted in bulk.

`demo_incidents_seed(organisation=..., count=N)` adds N realistic incidents to an
organisation: spread over its units and the last three years, with publications on the
usual platforms, feature combinations at plausible frequencies, the caseworkers of the
unit as targets, a workflow history that fits the incident's age, and the assessment
(with its deadline rows) computed by the same rules engine and facts as
`incidents.services` (the rows are written by demo.writer). The incident and publication
rows come from `demo.factories.incident_row` / `publication_row`, the definitions the
factories the tests use draw from; the people and the history are drawn here. Every name,
handle, link and text is invented; none describes a real person.

Speed: rows are built as plain dicts in batches of `BATCH_SIZE` and written with COPY on
PostgreSQL (`bulk_create` elsewhere); references are reserved per year with one upsert on
`ReferenceCounter`, so registrations made afterwards continue the sequence; the whole
seed is one transaction. See bench/README.md for the time 100,000 incidents take.

The same `seed` gives the same incidents (counts, facts, texts) for the same
organisation and `now`; references depend on what the counter already holds.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, Unit
from accounts.tree import UnitTree
from audit.models import AuditEvent
from audit.services import audit_record
from incidents.assessment import LEVEL_LABELS, Facts, assess
from incidents.models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    Incident,
    ReferenceCounter,
    TimelineEntry,
)
from incidents.services import facts_hash_of
from stats.rollup import rollup_rebuild

from .factories import incident_row, pick, publication_row
from .writer import _FactoryWriter, _historical_timestamps, _Writer

BATCH_SIZE = 5000
HISTORY_DAYS = 3 * 365

# --- Frequencies ----------------------------------------------------------------------
# What an incident and its publications look like (features, relations, platforms, texts) is
# defined in demo.factories, which the tests share; who is concerned and the case's life are here.

SELF_REPORT_SHARE = 0.35
# Status by age: most older cases are closed, recent ones still open.
STATUS_WEIGHTS_OLD = {"closed": 80, "in_progress": 15, "assessing": 3, "reported": 2}  # > 180 days
STATUS_WEIGHTS_MONTHS = {"closed": 40, "in_progress": 40, "assessing": 10, "reported": 10}  # 31–180 days
STATUS_WEIGHTS_RECENT = {"reported": 35, "assessing": 25, "in_progress": 35, "closed": 5}  # ≤ 30 days

# --- Names and notes (invented) --------------------------------------------------------

TARGET_FIRST_NAMES = ("Lene", "Mads", "Pia", "Søren", "Hanne", "Jesper", "Camilla", "Bo", "Trine", "Kasper")
TARGET_LAST_INITIALS = "ABDFHJKLMNPRST"

JUSTIFICATIONS = (
    "Medarbejderen er særligt hårdt ramt, og opslaget er delt bredt i lokalområdet.",
    "Afsenderen har tidligere opsøgt medarbejderen; vi vurderer risikoen højere end beregnet.",
)
ACTION_NOTES = {
    "support_conversation": "Samtale med medarbejderen; tilbudt psykolog via kommunens ordning.",
    "secure_evidence": "Skærmbilleder med link og tidspunkt gemt i sagen.",
    "involve_amr_tr": "TR og AMR orienteret.",
    "no_engagement": "Aftalt at medarbejderen ikke svarer på opslaget.",
    "platform_takedown": "Anmodning om fjernelse sendt via platformens formular.",
    "police_report": "Politianmeldelse sendt af arbejdsgiveren.",
    "datatilsynet_report": "Klage sendt til Datatilsynet.",
    "safety_assessment": "Sikkerhedsvurdering: møder holdes med to medarbejdere.",
    "complaint_system": "Borgeren er vejledt om klageadgang.",
    "bisidder": "Borgeren er tilbudt at tage en bisidder med til næste møde.",
    "change_caseworker": "Borgeren er tilbudt en anden sagsbehandler.",
    "recording_guidelines": "Retningslinjer for optagelse gennemgået med afdelingen.",
    "occupational_injury": "Arbejdsulykke anmeldt i EASY.",
    "restraining_order": "Politiet er bedt om at overveje et tilhold.",
}
ACTION_CHANCE = {
    "support_conversation": 0.6,
    "secure_evidence": 0.3,
    "involve_amr_tr": 0.15,
    "no_engagement": 0.05,
    "platform_takedown": 0.7,
    "police_report": 0.5,
    "datatilsynet_report": 0.3,
    "safety_assessment": 0.5,
    "complaint_system": 0.3,
    "bisidder": 0.1,
    "change_caseworker": 0.2,
    "recording_guidelines": 0.3,
    "occupational_injury": 0.8,
    "restraining_order": 0.2,
}
MAX_ACTIONS = 3  # actions recorded per incident at most

# --- The organisation -------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitPeople:
    unit: Unit
    caseworkers: tuple[int, ...]
    managers: tuple[int, ...]  # managers of the unit or a unit above it


def _people_by_unit(organisation: Organisation) -> list[_UnitPeople]:
    units = list(Unit.objects.filter(organisation=organisation).order_by("pk"))
    tree = UnitTree.of_units(units)
    by_role: dict[tuple[int, str], list[int]] = {}
    for unit_id, role, user_id in (
        Membership.objects.filter(unit__organisation=organisation, user__is_active=True)
        .order_by("pk")
        .values_list("unit_id", "role", "user_id")
    ):
        by_role.setdefault((unit_id, role), []).append(user_id)
    people = []
    for unit in units:
        managers = [user_id for node in tree.ancestors(unit.pk) for user_id in by_role.get((node, Role.MANAGER), [])]
        people.append(_UnitPeople(unit, tuple(by_role.get((unit.pk, Role.CASEWORKER), ())), tuple(managers)))
    return people


# --- Drawing one incident ---------------------------------------------------------------


@dataclass
class _Draft:
    """One incident and its rows, as dicts keyed by column."""

    incident: dict
    publications: list[dict]
    target_ids: list[int]
    timeline: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _status_for_age(rng: random.Random, age_days: int) -> str:
    if age_days > 180:
        return pick(rng, STATUS_WEIGHTS_OLD)
    if age_days > 30:
        return pick(rng, STATUS_WEIGHTS_MONTHS)
    return pick(rng, STATUS_WEIGHTS_RECENT)


def _draw(
    rng: random.Random, people: _UnitPeople, registered_at: datetime, now: datetime, labels: dict[str, str]
) -> _Draft:
    """One incident of the unit (demo.factories.incident_row), its publications, people and history."""
    unit = people.unit
    row, platforms = incident_row(rng, unit.name, registered_at)
    features = {code for code in FEATURE_FIELDS if row[code]}

    # Who is concerned and who registered it.
    target_ids: list[int] = []
    target_names = ""
    if people.caseworkers and rng.random() < 0.8:
        target_ids = rng.sample(people.caseworkers, min(len(people.caseworkers), 2 if rng.random() < 0.1 else 1))
    else:
        target_names = f"{rng.choice(TARGET_FIRST_NAMES)} {rng.choice(TARGET_LAST_INITIALS)}."
    if target_ids and rng.random() < SELF_REPORT_SHARE:
        channel, reporter_id = Incident.Channel.SELF_REPORT.value, target_ids[0]
    else:
        channel = Incident.Channel.MANAGER.value
        reporter_id = rng.choice(people.managers) if people.managers else None
    row.update(unit_id=unit.pk, channel=channel, reporter_id=reporter_id, target_names=target_names)

    publications = [
        publication_row(
            rng,
            platform,
            title=row["title"],
            discovered_at=row["discovered_at"],
            registered_at=registered_at,
            features=features,
        )
        for platform in platforms
    ]
    draft = _Draft(row, publications, target_ids)
    _workflow(rng, draft, platforms, now, labels, people)
    return draft


def _facts(incident: dict, publications: Sequence[dict]) -> Facts:
    """The facts `incidents.services.incident_facts` would read from the saved incident."""
    tz = timezone.get_current_timezone()
    takedown = incident.get("takedown_requested_at")
    published = sorted(pub["published_at"] for pub in publications if pub.get("published_at") is not None)
    return Facts(
        frozenset(code for code in FEATURE_FIELDS if incident.get(code)),
        perpetrator_relation=incident["perpetrator_relation"],
        related_phenomena=frozenset(code for code, name in PHENOMENON_FIELDS.items() if incident.get(name)),
        platforms=frozenset(pub["platform"] for pub in publications),
        reaches=frozenset(pub["reach"] for pub in publications if pub.get("reach")),
        publication_count=len(publications),
        first_published_at=published[0].astimezone(tz) if published else None,
        last_published_at=published[-1].astimezone(tz) if published else None,
        absence_days=incident["absence_days"],
        absence_start=incident["absence_start"],
        psychological_harm=incident["psychological_harm"],
        discovered_at=incident["discovered_at"].astimezone(tz),
        registered_at=incident["registered_at"].astimezone(tz),
        self_report=incident["channel"] == Incident.Channel.SELF_REPORT,
        takedown_requested_at=takedown.astimezone(tz) if takedown else None,
    )


def _workflow(
    rng: random.Random,
    draft: _Draft,
    platforms: Sequence[str],
    now: datetime,
    labels: dict[str, str],
    people: _UnitPeople,
) -> None:
    """Give the incident a history that fits its age, and its assessment.

    The moments are drawn first, so the assessment (which a takedown request changes)
    is computed once for most incidents.
    """
    incident = draft.incident
    registered_at = incident["registered_at"]
    manager = rng.choice(people.managers) if people.managers else None
    tz = timezone.get_current_timezone()
    age_days = (now - registered_at).days
    status = _status_for_age(rng, age_days)
    when = registered_at
    step = max(1, min(age_days, 120))  # later steps fall between registration and now

    def later(max_days: int) -> datetime:
        nonlocal when
        when = min(now, when + timedelta(minutes=rng.randint(60, max(61, min(step, max_days) * 24 * 60))))
        return when

    assessing_at = confirmed_at = acting_at = None
    if status != "reported":
        if rng.random() < 0.5 or status == "assessing":
            assessing_at = later(2)
        if rng.random() < 0.9:
            confirmed_at = later(3)
        if status in ("in_progress", "closed"):
            acting_at = later(14)
            if rng.random() < ACTION_CHANCE["platform_takedown"]:
                incident["takedown_requested_at"] = _at(acting_at.astimezone(tz).date(), 12, 0)

    facts = _facts(incident, draft.publications)
    result = assess(facts)
    recommended = [item.code for item in result.actions]
    if "takedown_requested_at" in incident and "platform_takedown" not in recommended:
        del incident["takedown_requested_at"]  # not a case for the platform after all
        facts = _facts(incident, draft.publications)
        result = assess(facts)
    incident["assessed_level"] = result.severity.level
    incident["assessment"] = result.to_dict()
    # As incidents.services.deadlines_sync mirrors them.
    draft.deadlines = [
        {"code": d.code, "title": d.title[:200], "due": d.due.replace(microsecond=0)} for d in result.deadlines
    ]
    incident["rules_version"] = result.rules_version
    incident["facts_hash"] = facts_hash_of(facts)
    incident["status"] = status

    timeline = draft.timeline

    def entry(
        at: datetime,
        kind: str,
        actor_id,
        *,
        visible: bool = True,
        action_code: str = "",
        text: str = "",
        external_reference: str = "",
        from_status: str = "",
        to_status: str = "",
    ) -> None:
        timeline.append(
            {
                "kind": kind,
                "action_code": action_code,
                "occurred_on": at.astimezone(tz).date(),
                "created_at": at,
                "actor_id": actor_id,
                "text": text,
                "external_reference": external_reference,
                "from_status": from_status,
                "to_status": to_status,
                "visible_to_employee": visible,
            }
        )

    status_kind = TimelineEntry.Kind.STATUS.value
    entry(registered_at, TimelineEntry.Kind.REGISTERED.value, incident["reporter_id"], text=labels[incident["channel"]])
    previous = "reported"
    if assessing_at:
        entry(assessing_at, status_kind, manager, from_status=previous, to_status="assessing")
        previous = "assessing"
    if confirmed_at:
        confirmed = result.severity.level
        if rng.random() < 0.05 and confirmed < 4:
            confirmed += 1
            incident["override_justification"] = rng.choice(JUSTIFICATIONS)
        incident.update(
            confirmed_level=confirmed,
            confirmed_by_id=manager,
            confirmed_at=confirmed_at,
            confirmed_facts_hash=incident["facts_hash"],
        )
        entry(
            confirmed_at,
            (
                TimelineEntry.Kind.ASSESSMENT
                if confirmed == result.severity.level
                else TimelineEntry.Kind.ASSESSMENT_OVERRIDE
            ).value,
            manager,
            visible=False,
            text=LEVEL_LABELS[confirmed],
        )
    if acting_at:
        chosen = ["platform_takedown"] if "takedown_requested_at" in incident else []
        chosen += [
            code for code in recommended if code != "platform_takedown" and rng.random() < ACTION_CHANCE.get(code, 0.3)
        ]
        for code in chosen[:MAX_ACTIONS]:
            acted_at = acting_at or later(14)
            acting_at = None
            external = ""
            if code == "police_report":
                external = (
                    f"{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}-{rng.randint(0, 99999):05d}-{acted_at:%y}"
                )
            elif code == "platform_takedown":
                external = f"Sag #{rng.randrange(10**9, 10**10)}"
            entry(
                acted_at,
                TimelineEntry.Kind.ACTION.value,
                manager,
                action_code=code,
                text=ACTION_NOTES.get(code, ""),
                external_reference=external,
            )
            if previous != "in_progress":
                entry(acted_at, status_kind, manager, from_status=previous, to_status="in_progress")
                previous = "in_progress"
        if previous != "in_progress":
            entry(acting_at or later(7), status_kind, manager, from_status=previous, to_status="in_progress")
            previous = "in_progress"
    if status == "closed":
        incident["closed_at"] = later(60)
        if incident.get("perpetrator_name") or incident.get("perpetrator_profile_url"):
            # Closing needs the art. 14 record (incidents.art14): the manager informed the person that day.
            incident["art14_informed_on"] = incident["closed_at"].astimezone(tz).date()
            incident["art14_recorded_by_id"] = manager
            incident["art14_recorded_at"] = incident["closed_at"]
        entry(when, status_kind, manager, from_status=previous, to_status="closed")
    incident["updated_at"] = when


# --- Dates and references ---------------------------------------------------------------


def _registration_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` office-hour moments in the last HISTORY_DAYS days, oldest first; weekdays mostly."""
    today = timezone.localdate(now)
    latest = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    times = []
    while len(times) < count:
        day = today - timedelta(days=rng.randrange(HISTORY_DAYS))
        if day.weekday() >= 5 and rng.random() < 0.8:
            continue
        moment = _at(day, rng.randint(7, 16), rng.randrange(60))
        times.append(min(moment, latest))
    times.sort()
    return times


def _reserve_numbers(year: int, count: int) -> int:
    """Reserve `count` consecutive numbers of `year` on the counter; returns the first.

    The block version of `incidents.services.next_reference`: one upsert, so the counter
    row stays locked until the seed commits and later registrations continue after it.
    """
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "  # noqa: S608 - constant table name
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + excluded.last_number "
            "RETURNING last_number",
            [year, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


# --- The seed ---------------------------------------------------------------------------


def demo_incidents_seed(
    *,
    organisation: Organisation,
    count: int,
    seed: int = 1,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    through_factories: bool = False,
) -> int:
    """Add `count` made-up incidents to `organisation`; returns how many were added.

    The rows are written in bulk, or with `through_factories` created one by one through
    demo.factories (the same incidents, for a small sample)."""
    if count <= 0:
        return 0
    people = _people_by_unit(organisation)
    if not people:
        raise ValueError(f"{organisation} has no units to add incidents to.")
    now = now or timezone.now()
    rng = random.Random(seed)
    unit_weights = [3 if p.caseworkers else 1 for p in people]
    labels = {str(value): str(label) for value, label in Incident.Channel.choices}
    tz = timezone.get_current_timezone()

    with transaction.atomic(), _historical_timestamps():
        times = _registration_times(rng, count, now)
        years = Counter(t.astimezone(tz).year for t in times)
        next_number = {year: _reserve_numbers(year, n) for year, n in sorted(years.items())}
        writer = _FactoryWriter(p.unit for p in people) if through_factories else _Writer(count, batch_size)
        references = []
        try:
            for start in range(0, count, batch_size):
                drafts = []
                for registered_at in times[start : start + batch_size]:
                    draft = _draw(rng, rng.choices(people, weights=unit_weights)[0], registered_at, now, labels)
                    year = registered_at.astimezone(tz).year
                    number = next_number[year]
                    next_number[year] += 1
                    draft.incident.update(year=year, number=number, reference=f"UDH-{year}-{number:04d}")
                    drafts.append(draft)
                references += (drafts[0].incident["reference"], drafts[-1].incident["reference"])
                writer.write(drafts)
        finally:
            writer.finish()
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            object_type="incidents.incident",
            organisation_id=organisation.pk,
            summary=_("Demodata: %(count)d hændelser oprettet") % {"count": count},
            details={"count": count, "seed": seed, "first": references[0], "last": references[-1]},
        )
        # Written in bulk, past the statistics' signals: recount the organisation's rollup.
        rollup_rebuild(organisation)
    return count
