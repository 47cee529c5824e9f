"""When closed incidents fall due for deletion under their organisation's retention period.

The read side of retention that the incident page, the admin overview and the purge share
(the purge itself is the top-layer app `retention/`):

    add_months(moment, months)      the same local wall-clock time months later; day clamped
    retention_due(incident)         when a closed incident falls due (None while open)
    closed_queryset(now, ...)       closed incidents about due by `now` (a superset, by a slack)
    retention_upcoming(now, within) closed, not held, due after `now` and at most `within` later
    retention_overview(now, ...)    counts per organisation for the admin dashboard
    retention_last_runs(...)        each organisation's share of the latest real purge run

Due means: status closed and `closed_at` plus `Organisation.retention_months` calendar months
(local time; the 31st becomes the month's last day) has passed. A closed incident without
`closed_at` (not possible through the app) counts from its last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from accounts.models import Organisation
from common.dates import add_months_local as add_months

from .models import Incident, RetentionRun

# Candidates are first narrowed in the database with this much slack, then checked exactly
# (adding months is not invertible at month ends: 29, 30 and 31 August + 6 months are all 28 February).
SLACK = timedelta(days=4)
# The managers are warned this many days before a closed incident is deleted.
RETENTION_WARNING_DAYS = 30
RETENTION_WARNING = timedelta(days=RETENTION_WARNING_DAYS)


def closed_on(incident: Incident) -> datetime:
    return incident.closed_at or incident.updated_at


def retention_due(incident: Incident) -> datetime | None:
    """When the closed incident falls due for deletion (None while it is open)."""
    if incident.status != Incident.Status.CLOSED:
        return None
    return add_months(closed_on(incident), incident.unit.organisation.retention_months)


def closed_queryset(now: datetime, *, legal_hold: bool, since: datetime | None = None, organisation_ids=None):
    """Closed incidents (on legal hold or not) closed at least about their organisation's period
    before `now`; with `since`, also at most about their period before `since` (those falling due
    between `since` and `now`). A superset, by the slack: callers check each due date exactly.
    `organisation_ids` narrows to those organisations. Annotated with `closed_on`."""
    organisations = Organisation.objects.all()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    closed_between = Q()
    for org_id, months in organisations.values_list("pk", "retention_months"):
        window = Q(unit__organisation_id=org_id, closed_on__lte=add_months(now, -months) + SLACK)
        if since is not None:
            window &= Q(closed_on__gt=add_months(since, -months) - SLACK)
        closed_between |= window
    if not closed_between:
        return Incident.objects.none()
    queryset = (
        Incident.objects.filter(status=Incident.Status.CLOSED, legal_hold=legal_hold)
        .annotate(closed_on=Coalesce("closed_at", "updated_at"))
        .filter(closed_between)
    )
    return queryset.select_related("unit__organisation").order_by("closed_on", "id")


@dataclass(frozen=True)
class Upcoming:
    """A closed incident, not on legal hold, that falls due for deletion soon."""

    incident: Incident  # with unit and organisation loaded
    closed_at: datetime
    due: datetime
    retention_months: int


def retention_upcoming(now: datetime, within: timedelta, *, organisation_ids=None) -> list[Upcoming]:
    """Closed incidents not on legal hold that fall due after `now` and no later than
    `now + within`, soonest first. Those already due are the purge's (retention_candidates)."""
    found = []
    for incident in closed_queryset(now + within, legal_hold=False, since=now, organisation_ids=organisation_ids):
        months = incident.unit.organisation.retention_months
        due = add_months(incident.closed_on, months)
        if now < due <= now + within:
            found.append(Upcoming(incident=incident, closed_at=incident.closed_on, due=due, retention_months=months))
    found.sort(key=lambda item: (item.due, item.incident.pk))
    return found


@dataclass(frozen=True)
class RetentionOverview:
    """Counts only (an admin sees no incidents)."""

    due_soon: int = 0  # closed, not on legal hold, deleted within RETENTION_WARNING_DAYS (or at the next run)
    held: int = 0  # on legal hold, open or closed
    held_past_period: int = 0  # on legal hold and closed longer ago than the retention period
    not_journalised: int = 0  # closed and without a journal number (offentlighedsloven § 15)


def _due_count(queryset, now: datetime) -> dict[int, int]:
    """Per organisation, how many rows of a `closed_queryset` are due by `now` (checked exactly)."""
    counts: dict[int, int] = {}
    rows = queryset.values_list("unit__organisation_id", "unit__organisation__retention_months", "closed_on")
    for org_id, months, closed_at in rows:
        if add_months(closed_at, months) <= now:
            counts[org_id] = counts.get(org_id, 0) + 1
    return counts


def retention_overview(
    now: datetime, *, organisation_ids, within: timedelta = RETENTION_WARNING
) -> dict[int, RetentionOverview]:
    """For the admin dashboard, per organisation: closed incidents deleted by `now + within`
    (those already due and waiting for the next run included), incidents on legal hold, how
    many of those would be gone without it, and closed incidents never journalised. A fixed
    number of queries, whatever the number of incidents."""
    organisation_ids = list(organisation_ids)
    due_soon = _due_count(
        closed_queryset(now + within, legal_hold=False, organisation_ids=organisation_ids), now + within
    )
    held_past = _due_count(closed_queryset(now, legal_hold=True, organisation_ids=organisation_ids), now)
    held = dict(
        Incident.objects.filter(legal_hold=True, unit__organisation_id__in=organisation_ids)
        .values("unit__organisation_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit__organisation_id", "n")
    )
    not_journalised = dict(
        not_journalised_queryset(organisation_ids=organisation_ids)
        .values("unit__organisation_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit__organisation_id", "n")
    )
    return {
        org_id: RetentionOverview(
            due_soon=due_soon.get(org_id, 0),
            held=held.get(org_id, 0),
            held_past_period=held_past.get(org_id, 0),
            not_journalised=not_journalised.get(org_id, 0),
        )
        for org_id in organisation_ids
    }


def not_journalised_queryset(*, organisation_ids=None):
    """Closed incidents without a journal number in the municipality's document system."""
    queryset = Incident.objects.filter(status=Incident.Status.CLOSED, journal_number="")
    if organisation_ids is not None:
        queryset = queryset.filter(unit__organisation_id__in=list(organisation_ids))
    return queryset


def retention_last_runs(*, organisation_ids) -> dict[int, RetentionRun]:
    """Per organisation, its share of the latest real run of the purge, for the admin overview."""
    latest = RetentionRun.objects.filter(dry_run=False, organisation__isnull=True).order_by("-started_at").first()
    if latest is None:
        return {}
    rows = RetentionRun.objects.filter(
        dry_run=False, started_at=latest.started_at, organisation_id__in=organisation_ids
    )
    return {row.organisation_id: row for row in rows}
