"""The counting, done by the database.

Every function here sends a GROUP BY or a conditional COUNT and returns small dictionaries
(one entry per month and level, per unit, per platform …), never rows of incidents, so the
cost in Python does not grow with the number of incidents. No names, references or free
text are selected. Months are calendar months in the organisation's time zone
(settings.TIME_ZONE), so an incident registered at 00:30 on 1 March counts in March.

Incidents purged after the retention period (`retention.services`) left an anonymised
residue row (`stats.models.IncidentResidue`); `counts_for` adds the residue of the
selection to every count, grouped in the database the same way, so a period's figures do
not change when its incidents are deleted. The share of employees targeted is the one
exception: it needs the employees, which the residue does not keep, so it counts live
incidents only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, F, Min, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Role, User
from common.dates import add_months
from incidents.assessment import LEVELS, PERPETRATOR_RELATIONS
from incidents.models import PHENOMENON_FIELDS, Incident, Publication, TimelineEntry

from .models import IncidentResidue, IncidentResiduePlatform

REPORT_ACTIONS = {"police": "police_report", "datatilsynet": "datatilsynet_report"}
# The residue's column per entry of REPORT_ACTIONS.
RESIDUE_REPORTED = {"police": "reported_to_police", "datatilsynet": "reported_to_datatilsynet"}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(month: date) -> datetime:
    """Midnight at the start of the month, in the local time zone."""
    return timezone.make_aware(datetime(month.year, month.month, 1), local_zone())


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class Counts:
    """Raw counts for one selection (units × months). `total` is the number of incidents."""

    total: int = 0
    month_level: dict[tuple[date, int], int] = field(default_factory=dict)
    by_unit: dict[int, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_relation: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_phenomenon: dict[str, int] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)
    with_action: int = 0
    days_to_first_action: dict[int, int] = field(default_factory=dict)
    employees: int = 0
    employees_targeted: int = 0


def selection(unit_ids, first: date, last: date, *, prefix: str = "") -> dict:
    """Filter arguments for incidents of the units registered from the start of `first` to
    the end of `last` (`prefix` "incident__" filters rows that point at an incident)."""
    return {
        f"{prefix}unit_id__in": list(unit_ids),
        f"{prefix}registered_at__gte": month_start(first),
        f"{prefix}registered_at__lt": month_start(add_months(last, 1)),
    }


def incidents_in(unit_ids, first: date, last: date):
    return Incident.objects.filter(**selection(unit_ids, first, last))


def _conditional_counts(level_field: str) -> dict:
    """The conditional counts of one (month, unit) group; incidents and residue share the column names."""
    conditional = {f"level_{level}": Count("id", filter=Q(**{level_field: level})) for level in LEVELS}
    conditional.update({f"status_{code}": Count("id", filter=Q(status=code)) for code in Incident.Status.values})
    conditional.update(
        {f"relation_{code}": Count("id", filter=Q(perpetrator_relation=code)) for code in PERPETRATOR_RELATIONS}
    )
    conditional.update(
        {
            f"phenomenon_{code}": Count("id", filter=Q(**{field_name: True}))
            for code, field_name in PHENOMENON_FIELDS.items()
        }
    )
    return conditional


def grouped_counts(base) -> list[dict]:
    """One GROUP BY (month, unit) with conditional counts per level in force, status,
    perpetrator relation and related phenomenon. Every table but platforms is a sum over
    these rows (months × units, never incidents). Grouping by (month, unit) only keeps the
    groups few (grouping by all five columns was slower), and on PostgreSQL every column read
    is in the index incidents.incident_stats_idx, so the incidents table is not visited."""
    return list(
        base.annotate(
            month=TruncMonth("registered_at", tzinfo=local_zone(), output_field=DateField()),
            level_in_force=Coalesce("confirmed_level", "assessed_level"),
        )
        .values("month", "unit_id")
        .annotate(n=Count("id"), **_conditional_counts("level_in_force"))
        .order_by()
    )


def residue_in(unit_ids, first: date, last: date):
    """The residue of purged incidents of the units registered in the months `first` to `last`."""
    return IncidentResidue.objects.filter(
        unit_id__in=list(unit_ids),
        registered_month__gte=first.replace(day=1),
        registered_month__lte=last.replace(day=1),
    )


def residue_grouped_counts(residue) -> list[dict]:
    """`grouped_counts` for the residue: the same rows (month, unit, n, level_1 …), one GROUP BY."""
    return list(
        residue.values("unit_id", month=F("registered_month"))
        .annotate(n=Count("id"), **_conditional_counts("level"))
        .order_by()
    )


def platform_counts(base) -> dict[str, int]:
    """Incidents with at least one publication on each platform (an incident may count on several)."""
    return dict(
        Publication.objects.filter(incident__in=base.values("pk"))
        .values("platform")
        .annotate(n=Count("incident_id", distinct=True))
        .values_list("platform", "n")
        .order_by()
    )


@dataclass(frozen=True)
class ActionCounts:
    days_to_first_action: dict[int, int]
    reported: dict[str, int]


def first_action_delay_sql() -> tuple[str, list]:
    """SQL for the days from `s.registered_at` (local date) to `s.first_action`, and its params,
    over a subquery `s` with those two columns (PostgreSQL or SQLite)."""
    zone = str(local_zone())
    if connection.vendor == "postgresql":
        return "s.first_action - (s.registered_at AT TIME ZONE %s)::date", [zone]
    return (
        "CAST(julianday(s.first_action) - julianday(django_datetime_cast_date(s.registered_at, %s, %s)) AS INTEGER)",
        [zone, connection.timezone_name],
    )


def action_counts(unit_ids, first: date, last: date) -> ActionCounts:
    """From the actions on the timelines: how many incidents had their first action n days
    after registration (by n), and how many were reported to the police and to Datatilsynet.

    Days are the first action's date minus the local registration date; an action dated
    before the registration (evidence secured first) counts as day 0. One query: the action
    entries grouped per incident (built by the ORM), then grouped by the delay. It reads only
    columns of the partial index on action entries (incidents.TimelineEntry), so PostgreSQL
    does not visit the timeline table."""
    per_incident = (
        TimelineEntry.objects.filter(
            kind=TimelineEntry.Kind.ACTION, **selection(unit_ids, first, last, prefix="incident__")
        )
        .values("incident_id")
        .annotate(
            registered_at=Min("incident__registered_at"),
            first_action=Min("occurred_on"),
            **{name: Count("action_code", filter=Q(action_code=code)) for name, code in REPORT_ACTIONS.items()},
        )
        .order_by()
    )
    inner, params = per_incident.query.sql_with_params()
    delay, delay_params = first_action_delay_sql()
    reported = ", ".join(f"SUM(CASE WHEN s.{name} > 0 THEN 1 ELSE 0 END)" for name in REPORT_ACTIONS)
    sql = f"SELECT {delay} AS delay, COUNT(*), {reported} FROM ({inner}) s GROUP BY 1"  # noqa: S608 - no user input
    histogram: dict[int, int] = {}
    totals = dict.fromkeys(REPORT_ACTIONS, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*delay_params, *params])
        for delay_days, n, *by_report in cursor.fetchall():
            days = max(0, int(delay_days))
            histogram[days] = histogram.get(days, 0) + n
            for name, value in zip(REPORT_ACTIONS, by_report, strict=True):
                totals[name] += int(value or 0)
    return ActionCounts(histogram, totals)


def residue_platform_counts(residue) -> dict[str, int]:
    """Purged incidents per platform (each residue holds a platform at most once)."""
    return dict(
        IncidentResiduePlatform.objects.filter(residue__in=residue.values("pk"))
        .values("platform")
        .annotate(n=Count("id"))
        .values_list("platform", "n")
        .order_by()
    )


def residue_action_counts(residue) -> ActionCounts:
    """`action_counts` for the residue: one GROUP BY the days to the first action."""
    histogram: dict[int, int] = {}
    totals = dict.fromkeys(REPORT_ACTIONS, 0)
    rows = (
        residue.filter(days_to_first_action__isnull=False)
        .values("days_to_first_action")
        .annotate(
            n=Count("id"), **{name: Count("id", filter=Q(**{field: True})) for name, field in RESIDUE_REPORTED.items()}
        )
        .order_by()
    )
    for row in rows:
        histogram[row["days_to_first_action"]] = row["n"]
        for name in REPORT_ACTIONS:
            totals[name] += row[name]
    return ActionCounts(histogram, totals)


def employee_counts(unit_ids, first: date, last: date) -> tuple[int, int]:
    """(employees, employees targeted by an incident of these units registered in the months).

    Employees are active users with a caseworker membership in the units. The users targeted
    by the incidents are an uncorrelated IN (subquery): PostgreSQL joins the incidents of the
    period with their targets once, where an EXISTS per employee scanned incidents per employee."""
    unit_ids = list(unit_ids)
    employees = User.objects.filter(
        pk__in=Membership.objects.filter(role=Role.CASEWORKER, unit_id__in=unit_ids).values("user_id"),
        is_active=True,
    )
    incidents = incidents_in(unit_ids, first, last)
    targeted = Incident.targets.through.objects.filter(incident__in=incidents.values("pk")).values("user_id")
    row = employees.aggregate(total=Count("pk"), targeted=Count("pk", filter=Q(pk__in=targeted)))
    return row["total"], row["targeted"]


def counts_for(unit_ids, first: date, last: date, *, employees_from: date) -> Counts:
    """Everything the statistics page shows for the units and months, counted by the database:
    the live incidents plus the residue of purged ones (all but the employees targeted).

    `employees_from` is the first month of the 12 months the share of employees targeted
    looks at (they end with `last`)."""
    base = incidents_in(unit_ids, first, last)
    residue = residue_in(unit_ids, first, last)
    counts = Counts()

    def add(table: dict, key, n: int) -> None:
        table[key] = table.get(key, 0) + n

    for row in [*grouped_counts(base), *residue_grouped_counts(residue)]:
        counts.total += row["n"]
        add(counts.by_unit, row["unit_id"], row["n"])
        for level in LEVELS:
            add(counts.month_level, (row["month"], level), row[f"level_{level}"])
        for code in Incident.Status.values:
            add(counts.by_status, code, row[f"status_{code}"])
        for code in PERPETRATOR_RELATIONS:
            add(counts.by_relation, code, row[f"relation_{code}"])
        for code in PHENOMENON_FIELDS:
            add(counts.by_phenomenon, code, row[f"phenomenon_{code}"])
    counts.by_platform = platform_counts(base)
    for platform, n in residue_platform_counts(residue).items():
        add(counts.by_platform, platform, n)
    actions = action_counts(unit_ids, first, last)
    purged = residue_action_counts(residue)
    counts.days_to_first_action = dict(actions.days_to_first_action)
    for days, n in purged.days_to_first_action.items():
        add(counts.days_to_first_action, days, n)
    counts.reported = {name: actions.reported.get(name, 0) + purged.reported.get(name, 0) for name in REPORT_ACTIONS}
    counts.with_action = sum(counts.days_to_first_action.values())
    counts.employees, counts.employees_targeted = employee_counts(unit_ids, employees_from, last)
    return counts


# --- Blocks for the disclosure control (issue 22) ---------------------------------------------
#
# The union rep's figures are sums of rounded blocks (one month × one unit, `stats.disclosure`).
# The functions below count every block of a selection in one GROUP BY (month, unit) per
# source, with a conditional count per code (names n_<code>; n is the block's incidents).


def rounding_secret() -> bytes:
    """The secret that decides each block cell's rounding offset (from the installation's secret key)."""
    import hashlib

    return hashlib.blake2b(b"statistics-rounding", key=settings.SECRET_KEY.encode()[:64]).digest()


def _conditional(conditions: dict[str, Q]) -> dict:
    """The block's count (n) and a count per condition (n_<code>)."""
    return {"n": Count("id"), **{f"n_{name}": Count("id", filter=condition) for name, condition in conditions.items()}}


def incident_conditions(level_field: str, *, residue: bool) -> dict[str, Q]:
    from incidents.assessment import PLATFORMS as PLATFORM_CODES

    conditions = {f"level_{level}": Q(**{level_field: level}) for level in LEVELS}
    conditions.update({f"status_{code}": Q(status=code) for code in Incident.Status.values})
    conditions.update({f"relation_{code}": Q(perpetrator_relation=code) for code in PERPETRATOR_RELATIONS})
    conditions.update({f"phenomenon_{code}": Q(**{field_name: True}) for code, field_name in PHENOMENON_FIELDS.items()})
    conditions.update({f"platform_{code}": Q(**{f"on_{code}": True}) for code in PLATFORM_CODES})
    if residue:
        conditions.update(
            {f"reported_{name}": Q(**{field_name: True}) for name, field_name in RESIDUE_REPORTED.items()}
        )
        conditions["with_action"] = Q(days_to_first_action__isnull=False)
    else:
        conditions.update({f"reported_{name}": Q(**{f"has_{name}": True}) for name in REPORT_ACTIONS})
        conditions["with_action"] = Q(has_action=True)
    return conditions


def incident_block_rows(unit_ids, first: date, last: date) -> list[dict]:
    """One row per (month, unit) of live and purged incidents: n and n_<code>."""
    from django.db.models import Exists, OuterRef

    from incidents.assessment import PLATFORMS as PLATFORM_CODES

    live = incidents_in(unit_ids, first, last).annotate(
        month=TruncMonth("registered_at", tzinfo=local_zone(), output_field=DateField()),
        level_in_force=Coalesce("confirmed_level", "assessed_level"),
        has_action=Exists(TimelineEntry.objects.filter(incident=OuterRef("pk"), kind=TimelineEntry.Kind.ACTION)),
        **{
            f"has_{name}": Exists(
                TimelineEntry.objects.filter(incident=OuterRef("pk"), kind=TimelineEntry.Kind.ACTION, action_code=code)
            )
            for name, code in REPORT_ACTIONS.items()
        },
        **{
            f"on_{code}": Exists(Publication.objects.filter(incident=OuterRef("pk"), platform=code))
            for code in PLATFORM_CODES
        },
    )
    rows = list(
        live.values("month", "unit_id")
        .annotate(**_conditional(incident_conditions("level_in_force", residue=False)))
        .order_by()
    )
    purged = residue_in(unit_ids, first, last).annotate(
        **{
            f"on_{code}": Exists(IncidentResiduePlatform.objects.filter(residue=OuterRef("pk"), platform=code))
            for code in PLATFORM_CODES
        },
    )
    rows += list(
        purged.values("unit_id", month=F("registered_month"))
        .annotate(**_conditional(incident_conditions("level", residue=True)))
        .order_by()
    )
    return rows


@functools.cache
def _recording_blocks():
    """The GROUP BY (month, unit) of the requests to record, without the selection: built (its
    15 conditional counts resolved) once per process, filtered per call (a clone)."""
    from recordings.codes import DECISIONS, MEDIA_LABELS, REASONS
    from recordings.models import REASON_FIELDS, RecordingRequest

    conditions = {f"decision_{code}": Q(decision=code) for code in DECISIONS}
    conditions.update({f"media_{code}": Q(media=code) for code in MEDIA_LABELS})
    conditions.update({f"reason_{code}": Q(**{REASON_FIELDS[code]: True}) for code in REASONS})
    conditions["hidden_recording"] = Q(hidden_recording_discovered=True)
    conditions["linked_to_incident"] = Q(incident__isnull=False) | Q(linked_incident_purged_on__isnull=False)
    return (
        RecordingRequest.objects.annotate(month=TruncMonth("request_date", output_field=DateField()))
        .values("month", "unit_id")
        .annotate(**_conditional(conditions))
        .order_by()
    )


def recording_block_rows(unit_ids, first: date, last: date) -> list[dict]:
    """One row per (month, unit) of citizens' requests to record: n and n_<code>. The filter on
    the unit and the date is a WHERE of the grouped query (neither is an aggregate)."""
    return list(
        _recording_blocks().filter(
            unit_id__in=list(unit_ids),
            request_date__gte=first.replace(day=1),
            request_date__lt=add_months(last.replace(day=1), 1),
        )
    )


def caseworkers_by_unit(unit_ids) -> dict[int, set[int]]:
    """{unit: active users with a caseworker membership of the unit}; grows with users, not incidents."""
    employees: dict[int, set[int]] = {}
    for unit_id, user_id in Membership.objects.filter(
        role=Role.CASEWORKER, unit_id__in=list(unit_ids), user__is_active=True
    ).values_list("unit_id", "user_id"):
        employees.setdefault(unit_id, set()).add(user_id)
    return employees


def targeted_employees(employees: dict[int, set[int]], targeted: dict[int, set[int]]) -> dict[int, set[int]]:
    """{unit: the unit's caseworkers among the users targeted by its incidents} (units with any)."""
    out = {}
    for unit_id, users in targeted.items():
        hit = users & employees.get(unit_id, set())
        if hit:
            out[unit_id] = hit
    return out


def people_by_unit(unit_ids, first: date, last: date) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """({unit: caseworkers}, {unit: those of them targeted by an incident of the unit registered
    in the months}), counted from the incidents' targets. The statistics read the targeted users
    from the rollup instead (`stats.rollup.people_by_unit`, the same figures)."""
    unit_ids = list(unit_ids)
    employees = caseworkers_by_unit(unit_ids)
    targeted: dict[int, set[int]] = {}
    for unit_id, user_id in (
        Incident.targets.through.objects.filter(incident__in=incidents_in(unit_ids, first, last).values("pk"))
        .values_list("incident__unit_id", "user_id")
        .distinct()
    ):
        targeted.setdefault(unit_id, set()).add(user_id)
    return employees, targeted_employees(employees, targeted)
