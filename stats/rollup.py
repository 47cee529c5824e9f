"""The statistics' rollup (issue 20): one `MonthlyCount` row per block (unit × month), and one
`MonthlyTarget` row per caseworker targeted by a live incident of the block.

The dashboard, the downloads, the PDF and the API read a selection's blocks from this table
(`block_rows`: tens to hundreds of rows) instead of counting the incidents, their
publications and their timelines each time. A row holds exactly what the direct count of
`stats.queries.incident_block_rows` gives for its block (live incidents and the residue of
purged ones) plus the histogram of days to the first action, so the figures are the same.
The share of employees targeted counts distinct users over a window of months, which no sum
of monthly counts gives; `targeted_by_unit` reads the distinct users of the window's
`MonthlyTarget` rows instead (live incidents only, as `queries.people_by_unit` counts them).
Both tables are recounted together, block by block, everywhere below.

Kept exact three ways:

- on commit: `stats.signals` marks the block of an incident that was saved or deleted (and
  of one whose publications, action entries or targets (an "edited" entry) changed) with
  `cell_mark`/`incident_mark`; after the transaction commits, the worker
  (`stats.tasks.refresh_blocks`) recomputes those blocks from the source rows (a few GROUP
  BYs over one unit and month) and replaces their rows. A read of the statistics first
  recounts the blocks its own thread marked and those its process handed to the worker
  lately (`pending_flush`), so it sees its own changes before the worker has run (see
  "Marks" below). Recomputing from the source is idempotent: a block recomputed
  twice, or for a transaction that was rolled back, is still right.
- nightly: `rollup_reconcile` (Celery beat "stats-reconcile-rollup") recounts every block
  and repairs the rows that differ (writes done without signals: bulk inserts, raw SQL).
- on demand: `manage.py rebuild_statistics` (`rollup_rebuild`) recounts everything.

Writes take one transaction-level advisory lock on PostgreSQL, so two recomputations of
the same block never interleave; each counts after it holds the lock (READ COMMITTED), so
the last one sees every committed change.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import DateField, Max, Min, Q
from django.db.models.aggregates import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Unit
from common.dates import add_months
from incidents.models import Incident, TimelineEntry

from . import queries
from .models import IncidentResidue, MonthlyCount, MonthlyTarget

logger = logging.getLogger(__name__)

LOCK_KEY = 7_020_020  # pg_advisory_xact_lock key of the rollup's writes (issue 20)
CHUNK_MONTHS = 12  # months counted per pass of a rebuild or a reconciliation

_pending = threading.local()


def month_of(moment: datetime) -> date:
    """The calendar month (local time zone) of an instant, as its first day."""
    return timezone.localtime(moment, queries.local_zone()).date().replace(day=1)


def _as_month(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.replace(day=1)


# --- Counting blocks from the source rows ----------------------------------------------------


def _action_histograms(unit_ids, first: date, last: date) -> list[tuple[int, date, int, int]]:
    """(unit, month, days to the first action, incidents) of live incidents, one query: the action
    entries grouped per incident (as in `queries.action_counts`), then by unit, month and delay."""
    per_incident = (
        TimelineEntry.objects.filter(
            kind=TimelineEntry.Kind.ACTION, **queries.selection(unit_ids, first, last, prefix="incident__")
        )
        .values("incident_id")
        .annotate(
            unit_ref=Min("incident__unit_id"),
            registered_at=Min("incident__registered_at"),
            first_action=Min("occurred_on"),
        )
        .annotate(month=TruncMonth("registered_at", tzinfo=queries.local_zone(), output_field=DateField()))
        .order_by()
    )
    inner, params = per_incident.query.sql_with_params()
    delay, delay_params = queries.first_action_delay_sql()
    sql = f"SELECT s.unit_ref, s.month, {delay}, COUNT(*) FROM ({inner}) s GROUP BY 1, 2, 3"  # noqa: S608 - no user input
    with connection.cursor() as cursor:
        cursor.execute(sql, [*delay_params, *params])
        return [(unit, _as_month(month), max(0, int(days)), n) for unit, month, days, n in cursor.fetchall()]


def cells_count(unit_ids, first: date, last: date) -> dict[tuple[int, date], dict]:
    """{(unit, month): {"incidents": n, "counts": {name: n}, "days": {"days": n}}} of every block
    with incidents (live or purged) in the units and months, counted from the source rows."""
    cells: dict[tuple[int, date], dict] = {}

    def cell(unit_id: int, month) -> dict:
        return cells.setdefault((unit_id, _as_month(month)), {"incidents": 0, "counts": {}, "days": {}})

    for row in queries.incident_block_rows(unit_ids, first, last):
        counts = cell(row["unit_id"], row["month"])
        counts["incidents"] += row["n"]
        for name, value in row.items():
            if name.startswith("n_") and value:
                counts["counts"][name[2:]] = counts["counts"].get(name[2:], 0) + value
    histograms = _action_histograms(unit_ids, first, last)
    histograms += [
        (unit, month, days, n)
        for unit, month, days, n in queries.residue_in(unit_ids, first, last)
        .filter(days_to_first_action__isnull=False)
        .values_list("unit_id", "registered_month", "days_to_first_action")
        .annotate(n=Count("id"))
        .order_by()
    ]
    for unit, month, days, n in histograms:
        days_of = cell(unit, month)["days"]
        days_of[str(days)] = days_of.get(str(days), 0) + n
    return cells


def targets_count(unit_ids, first: date, last: date) -> set[tuple[int, date, int]]:
    """{(unit, month, user)}: the users targeted by live incidents of the units registered in the
    months, counted from the incidents' targets (one query)."""
    return {
        (unit, _as_month(month), user)
        for unit, month, user in Incident.targets.through.objects.filter(
            **queries.selection(unit_ids, first, last, prefix="incident__")
        )
        .annotate(month=TruncMonth("incident__registered_at", tzinfo=queries.local_zone(), output_field=DateField()))
        .values_list("incident__unit_id", "month", "user_id")
        .distinct()
    }


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _rows(fresh: dict, keys) -> list[MonthlyCount]:
    return [
        MonthlyCount(unit_id=unit, month=month, **fresh[(unit, month)])
        for unit, month in sorted(keys)
        if (unit, month) in fresh
    ]


def _target_rows(fresh: set, keys) -> list[MonthlyTarget]:
    keys = set(keys)
    return [
        MonthlyTarget(unit_id=unit, month=month, user_id=user)
        for unit, month, user in sorted(fresh)
        if (unit, month) in keys
    ]


def _where(keys) -> Q:
    """The rows of the blocks `keys`, one condition per month."""
    by_month: dict[date, set[int]] = {}
    for unit, month in keys:
        by_month.setdefault(month, set()).add(unit)
    condition = Q(pk__in=[])
    for month, units in by_month.items():
        condition |= Q(month=month, unit_id__in=sorted(units))
    return condition


def cells_refresh(keys) -> None:
    """Recount the blocks `keys` ((unit, month) pairs) and replace their rows."""
    keys = set(keys)
    if not keys:
        return
    with transaction.atomic():
        _lock()
        months = [month for _unit, month in keys]
        unit_ids = {unit for unit, _month in keys}
        fresh = cells_count(unit_ids, min(months), max(months))
        targets = targets_count(unit_ids, min(months), max(months))
        MonthlyCount.objects.filter(_where(keys)).delete()
        MonthlyCount.objects.bulk_create(_rows(fresh, keys))
        MonthlyTarget.objects.filter(_where(keys)).delete()
        MonthlyTarget.objects.bulk_create(_target_rows(targets, keys))


# --- Marks, recounted after the commit ------------------------------------------------------------
#
# A write marks its blocks in its thread (`cell_mark`, `incident_mark`). After the commit the marks
# go to the worker (`stats.tasks.refresh_blocks`), so the request that wrote does not wait for
# the recount (8 queries and ~20 ms of building the counting query for a registration), and
# they are kept in this process for a while (`RECENT_SECONDS`): a read of the statistics in
# this process recounts them first (`pending_flush`), so a writer always reads its own change,
# even before the worker has run. Readers in other processes see it once the worker has run
# (normally within a second; if the broker is down the recount is done at once instead, and
# the nightly reconciliation repairs whatever was missed). In-process task execution (no
# broker: `make run`) recounts at the commit, as before.

RECENT_SECONDS = 300.0
REFRESH_EXPIRES = 3600  # seconds: a refresh not run within an hour is left to the reconciliation

_recent_lock = threading.Lock()
_recent_cells: dict[tuple[int, date], float] = {}
_recent_incidents: dict[int, float] = {}


def _marks():
    if not hasattr(_pending, "cells"):
        _pending.cells, _pending.incidents = set(), set()
    return _pending


def cell_mark(unit_id: int | None, registered_at: datetime | None) -> None:
    """The block of an incident of `unit_id` registered at `registered_at` changed: recount it after the commit."""
    if unit_id is None or registered_at is None:
        return
    _marks().cells.add((unit_id, month_of(registered_at)))
    transaction.on_commit(pending_commit, robust=True)


def incident_mark(incident_id: int | None) -> None:
    """Something counted about incident `incident_id` changed (a publication, an action entry, a target)."""
    if incident_id is None:
        return
    _marks().incidents.add(incident_id)
    transaction.on_commit(pending_commit, robust=True)


def blocks_refresh(cells, incident_ids) -> None:
    """Recount the blocks `cells` and those of the incidents `incident_ids` (their current blocks)."""
    keys = set(cells)
    if incident_ids:
        keys |= {
            (unit, month_of(registered))
            for unit, registered in Incident.objects.filter(pk__in=incident_ids).values_list("unit_id", "registered_at")
        }
    cells_refresh(keys)


def _take_marks() -> tuple[set, set]:
    marks = _marks()
    cells, incidents = set(marks.cells), set(marks.incidents)
    marks.cells -= cells
    marks.incidents -= incidents
    return cells, incidents


def pending_commit() -> None:
    """After a commit: hand this thread's marks to the worker and keep them for this process's reads."""
    cells, incidents = _take_marks()
    if not cells and not incidents:
        return
    from django.conf import settings

    from .tasks import refresh_blocks

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        blocks_refresh(cells, incidents)
        return
    try:
        refresh_blocks.apply_async(
            args=[[[unit, month.isoformat()] for unit, month in sorted(cells)], sorted(incidents)],
            expires=REFRESH_EXPIRES,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
        )
    except Exception:  # noqa: BLE001 - the broker is down: recount here, as the worker would have
        logger.warning("Statistics rollup: could not enqueue the recount; recounting now", exc_info=True)
        blocks_refresh(cells, incidents)
        return
    now = time.monotonic()
    with _recent_lock:
        _recent_cells.update(dict.fromkeys(cells, now))
        _recent_incidents.update(dict.fromkeys(incidents, now))


def _take_recent() -> tuple[set, set]:
    """The marks handed to the worker from this process in the last `RECENT_SECONDS` (forgotten here)."""
    since = time.monotonic() - RECENT_SECONDS
    with _recent_lock:
        cells = {key for key, at in _recent_cells.items() if at >= since}
        incidents = {key for key, at in _recent_incidents.items() if at >= since}
        _recent_cells.clear()
        _recent_incidents.clear()
    return cells, incidents


def marks_forget() -> None:
    """Drop every mark of this thread and process without recounting (tests start clean with it)."""
    _take_marks()
    _take_recent()


def pending_flush() -> None:
    """Recount now the blocks this thread marked (its transaction's changes, committed or not)
    and those this process handed to the worker lately, so a read sees its own writes."""
    cells, incidents = _take_marks()
    recent_cells, recent_incidents = _take_recent()
    cells |= recent_cells
    incidents |= recent_incidents
    if cells or incidents:
        blocks_refresh(cells, incidents)


# --- Reading ----------------------------------------------------------------------------------


def block_cells(unit_ids, first: date, last: date) -> tuple[list[tuple[int, date, int, dict]], dict[int, int]]:
    """The blocks of the units and months as stored: (unit, month, incidents, {name: n}), and the
    histogram {days to the first action: incidents} of all of them. One query over the rollup;
    the marks of this thread are flushed first."""
    pending_flush()
    cells, histogram = [], {}
    for unit_id, month, incidents, counts, days in MonthlyCount.objects.filter(
        unit_id__in=list(unit_ids), month__gte=first.replace(day=1), month__lte=last.replace(day=1)
    ).values_list("unit_id", "month", "incidents", "counts", "days"):
        cells.append((unit_id, month, incidents, counts))
        for value, n in days.items():
            histogram[int(value)] = histogram.get(int(value), 0) + n
    return cells, histogram


def block_rows(unit_ids, first: date, last: date) -> tuple[list[dict], dict[int, int]]:
    """The blocks of the units and months as `queries.incident_block_rows` gives them (month,
    unit_id, n, n_<name>), and the histogram {days to the first action: incidents} of all of them."""
    cells, histogram = block_cells(unit_ids, first, last)
    rows = [
        {"month": month, "unit_id": unit_id, "n": incidents, **{f"n_{k}": v for k, v in counts.items()}}
        for unit_id, month, incidents, counts in cells
    ]
    return rows, histogram


def targeted_by_unit(unit_ids, first: date, last: date) -> dict[int, set[int]]:
    """{unit: users targeted by a live incident of the unit registered in the months}, one query
    over the rollup (the distinct users of the months' `MonthlyTarget` rows)."""
    pending_flush()
    targeted: dict[int, set[int]] = {}
    for unit_id, user_id in (
        MonthlyTarget.objects.filter(
            unit_id__in=list(unit_ids), month__gte=first.replace(day=1), month__lte=last.replace(day=1)
        )
        .values_list("unit_id", "user_id")
        .distinct()
        .order_by()
    ):
        targeted.setdefault(unit_id, set()).add(user_id)
    return targeted


def people_by_unit(
    unit_ids, first: date, last: date, *, caseworkers=None
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """`queries.people_by_unit` with the targeted users read from the rollup: ({unit: caseworkers},
    {unit: those of them targeted by a live incident of the unit registered in the months}).
    `caseworkers` ({unit: users}, as `queries.caseworkers_by_unit` gives them) when the caller has them."""
    if caseworkers is None:
        employees = queries.caseworkers_by_unit(unit_ids)
    else:
        employees = {unit_id: set(users) for unit_id, users in caseworkers.items() if users}
    return employees, queries.targeted_employees(employees, targeted_by_unit(unit_ids, first, last))


# --- Rebuilding and reconciling ------------------------------------------------------------------


def _span(unit_ids) -> tuple[date, date] | None:
    """The first and last month with incidents (live or purged) of the units."""
    live = Incident.objects.filter(unit_id__in=unit_ids).aggregate(
        first=Min("registered_at"), last=Max("registered_at")
    )
    purged = IncidentResidue.objects.filter(unit_id__in=unit_ids).aggregate(
        first=Min("registered_month"), last=Max("registered_month")
    )
    months = [month_of(live[key]) for key in ("first", "last") if live[key]]
    months += [purged[key] for key in ("first", "last") if purged[key]]
    return (min(months), max(months)) if months else None


def _chunks(first: date, last: date):
    while first <= last:
        end = min(last, add_months(first, CHUNK_MONTHS - 1))
        yield first, end
        first = add_months(end, 1)


def _units(organisation=None) -> list[int]:
    units = Unit.objects.all() if organisation is None else Unit.objects.filter(organisation=organisation)
    return list(units.values_list("pk", flat=True))


def rollup_rebuild(organisation=None, *, targets: bool = True) -> int:
    """Recount every block of the organisation's units (all organisations when None) in one
    transaction; returns the number of `MonthlyCount` rows written. `targets=False` leaves
    `MonthlyTarget` alone (for the migration that filled `MonthlyCount` before it existed)."""
    unit_ids = _units(organisation)
    written = 0
    with transaction.atomic():
        _lock()
        MonthlyCount.objects.filter(unit_id__in=unit_ids).delete()
        if targets:
            MonthlyTarget.objects.filter(unit_id__in=unit_ids).delete()
        span = _span(unit_ids)
        for first, last in _chunks(*span) if span else ():
            fresh = cells_count(unit_ids, first, last)
            written += len(MonthlyCount.objects.bulk_create(_rows(fresh, fresh)))
            if targets:
                fresh_targets = targets_count(unit_ids, first, last)
                MonthlyTarget.objects.bulk_create(_target_rows(fresh_targets, {key[:2] for key in fresh_targets}))
    return written


def rollup_reconcile(organisation=None) -> int:
    """Recount every block and repair the rows that differ from the count (its `MonthlyCount` row or its
    `MonthlyTarget` rows); returns how many blocks were repaired."""
    unit_ids = _units(organisation)
    span = _span(unit_ids)
    wrong: set[tuple[int, date]] = set()
    for first, last in _chunks(*span) if span else ():
        fresh = cells_count(unit_ids, first, last)
        stored = {
            (unit, month): {"incidents": n, "counts": counts, "days": days}
            for unit, month, n, counts, days in MonthlyCount.objects.filter(
                unit_id__in=unit_ids, month__gte=first, month__lte=last
            ).values_list("unit_id", "month", "incidents", "counts", "days")
        }
        wrong |= {key for key in fresh.keys() | stored.keys() if fresh.get(key) != stored.get(key)}
        stored_targets = set(
            MonthlyTarget.objects.filter(unit_id__in=unit_ids, month__gte=first, month__lte=last).values_list(
                "unit_id", "month", "user_id"
            )
        )
        wrong |= {(unit, month) for unit, month, _user in targets_count(unit_ids, first, last) ^ stored_targets}
    for model in (MonthlyCount, MonthlyTarget):
        outside = model.objects.filter(unit_id__in=unit_ids)
        if span:
            outside = outside.exclude(month__gte=span[0], month__lte=span[1])
        wrong |= set(outside.values_list("unit_id", "month"))
    if wrong:
        logger.warning("Statistics rollup: %s blocks differed from the count and were recounted", len(wrong))
        cells_refresh(wrong)
    return len(wrong)
