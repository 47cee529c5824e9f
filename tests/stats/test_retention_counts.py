"""Statistics survive retention (issue 9): a purged incident leaves an anonymised residue that
`stats.queries.counts_for` counts like the incident, so a period's figures are the same before
and after the purge – for the manager's exact figures and the union rep's disclosure view –
except the share of employees targeted, which counts live incidents only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from demo.recordings import demo_guideline_seed
from incidents.models import Incident, Publication, TimelineEntry
from recordings import services as recording_services
from retention.services import retention_purge
from stats import queries
from stats.forms import default_period
from stats.models import IncidentResidue, IncidentResiduePlatform
from stats.queries import add_months
from stats.residue import residue_record
from tests.factories import member

from .conftest import bulk_incidents, recount

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
THIS_MONTH = default_period()[1]
FIRST = add_months(THIS_MONTH, -40)
LAST = add_months(THIS_MONTH, -29)
PERIODS = (
    {"from": FIRST.strftime("%Y-%m"), "to": LAST.strftime("%Y-%m")},
    # Overlapping the edges of the data: months with and without purged incidents.
    {"from": add_months(FIRST, -3).strftime("%Y-%m"), "to": add_months(FIRST, 2).strftime("%Y-%m")},
)
PLATFORM_SETS = ([], ["facebook"], ["facebook", "youtube"], ["blog", "facebook", "x"])
RELATIONS = ("citizen_own_case", "relative", "other_citizen", "unknown", "other")
PHENOMENA = ((), ("bullying",), ("threats", "stalking"), ("case_complaint",))


def _specs(personas, count: int = 72) -> list[dict]:
    units = (personas.family, personas.team, personas.jobcenter)
    specs = []
    for n in range(count):
        actions = []
        if n % 3 == 0:
            actions.append(("police_report", n % 9 - 2))  # some before the registration: day 0
        if n % 5 == 0:
            actions.append(("datatilsynet_report", n % 4))
        if n % 7 == 0:
            actions.append(("support_conversation", n % 11))
        specs.append(
            {
                "unit": units[n % 3],
                "registered": add_months(FIRST, n % 12) + timedelta(days=n % 27),
                "hour": 0 if n % 6 == 0 else 12,  # 00:00 local on the 1st is still the day before in UTC
                "level": n % 4 + 1,
                "confirmed": (4 if n % 10 == 0 else None),
                "relation": RELATIONS[n % 5],
                "phenomena": PHENOMENA[n % 4],
                "platforms": PLATFORM_SETS[n % 4],
                "actions": actions,
            }
        )
    return specs


def _close_most(incidents: list[Incident]) -> tuple[set[int], set[int]]:
    """Close three in four long ago (due), keep every fourth open; one due one on legal hold."""
    due, kept = set(), set()
    for index, incident in enumerate(incidents):
        if index % 4 == 3:
            kept.add(incident.pk)
            continue
        closed_at = incident.registered_at + timedelta(days=40)
        Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=closed_at, legal_hold=index == 5)
        (kept if index == 5 else due).add(incident.pk)
    recount(incidents)  # QuerySet.update sends no signal
    return due, kept


@pytest.fixture
def history(personas):
    for unit, n in ((personas.family, 6), (personas.team, 5), (personas.jobcenter, 6)):
        for _ in range(n):
            member(unit, Role.CASEWORKER)
    incidents = bulk_incidents(_specs(personas))
    due, kept = _close_most(incidents)
    # Recording requests linked to incidents that will be purged: still counted as linked afterwards.
    demo_guideline_seed(personas.org)
    for incident in incidents[:3]:
        request = recording_services.recording_request_register(
            actor=personas.manager,
            unit=personas.family,
            reasons=["memory_problems"],
            fields={
                "request_date": incident.registered_at.date(),
                "media": "video",
                "setting": "meeting",
                "free_text": "",
                "decision": "allowed",
                "conditions": "",
                "justification": "Hukommelse.",
                "hidden_recording_discovered": False,
                "hidden_recording_note": "",
            },
        )
        recording_services.recording_request_link_incident(
            actor=personas.manager, recording_request=request, incident=incident
        )
    return incidents, due, kept


def _statistics(client, user, params) -> dict:
    client.force_login(user)
    response = client.get(reverse("stats:export_json"), params)
    assert response.status_code == 200
    data = response.json()
    data.pop("generated_at")
    return data


def _differences(before, after, path: str = "") -> list[str]:
    """Where two JSON values differ, as paths (so a failure names the table and cell)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            d
            for key in before.keys() | after.keys()
            for d in _differences(before.get(key), after.get(key), f"{path}.{key}")
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d
            for i, (x, y) in enumerate(zip(before, after, strict=True))
            for d in _differences(x, y, f"{path}[{x.get('code', i) if isinstance(x, dict) else i}]")
        ]
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def _purge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return retention_purge(now=timezone.now(), dry_run=False)


@pytest.mark.parametrize("persona", ["manager", "union_rep"])
def test_figures_of_a_period_are_the_same_before_and_after_the_purge(
    client, personas, history, persona, django_capture_on_commit_callbacks
):
    incidents, due, kept = history
    user = getattr(personas, persona)
    before = [_statistics(client, user, params) for params in PERIODS]
    assert before[0]["exact"] is (persona == "manager")
    shown = before[0]["incidents"]["value"]
    if persona == "manager":
        assert shown == len(incidents)
    else:  # a sum of 12 months × 2 reporting units, each rounded to a multiple of 5
        assert shown % 5 == 0 and abs(shown - len(incidents)) < 5 * 24
    assert before[0]["median_days_to_first_action"]["days"] is not None
    rounded = [cell for table in before[1]["tables"] for row in table["cells"] for cell in row if cell["rounded"]]
    assert bool(rounded) is (persona == "union_rep")  # the union rep's view is under disclosure control

    summary = _purge(django_capture_on_commit_callbacks)

    assert len(summary.purged) == len(due) and Incident.objects.filter(pk__in=due).count() == 0
    assert set(Incident.objects.values_list("pk", flat=True)) == kept
    assert IncidentResidue.objects.count() == len(due)
    after = [_statistics(client, user, params) for params in PERIODS]
    assert not _differences(before, after)
    assert after == before


def test_the_residue_is_anonymous_and_counted_like_the_incident(personas):
    registered = datetime(2023, 3, 1, 0, 30, tzinfo=COPENHAGEN)  # 23:30 UTC on 28 February
    [incident] = bulk_incidents(
        [
            {
                "unit": personas.team,
                "registered": date(2023, 3, 1),
                "hour": 0,
                "level": 2,
                "confirmed": 3,
                "relation": "relative",
                "phenomena": ["threats"],
                "platforms": ["facebook", "facebook", "tiktok"],
                "actions": [("police_report", -1), ("platform_takedown", 4)],
            }
        ]
    )
    Incident.objects.filter(pk=incident.pk).update(registered_at=registered, status="closed")
    incident.refresh_from_db()
    residue = residue_record(incident=incident)

    assert {f.name for f in IncidentResidue._meta.get_fields()} == {
        "id",
        "unit",
        "registered_month",
        "level",
        "status",
        "perpetrator_relation",
        "related_bullying",
        "related_threats",
        "related_stalking",
        "related_case_complaint",
        "reported_to_police",
        "reported_to_datatilsynet",
        "days_to_first_action",
        "platforms",
    }
    assert residue.unit_id == personas.team.pk
    assert residue.registered_month == date(2023, 3, 1)
    assert residue.level == 3  # the level in force: the manager's confirmation
    assert residue.status == "closed" and residue.perpetrator_relation == "relative"
    assert residue.related_threats and not residue.related_bullying
    assert residue.reported_to_police and not residue.reported_to_datatilsynet
    assert residue.days_to_first_action == 0  # the action dated before the registration counts as day 0
    assert sorted(residue.platforms.values_list("platform", flat=True)) == ["facebook", "tiktok"]


def test_counts_for_adds_the_residue_in_the_database(personas, django_capture_on_commit_callbacks):
    """The same number of queries whatever the number of residue rows: GROUP BY, no loop per row."""

    def query_count() -> tuple[int, queries.Counts]:
        with CaptureQueriesContext(connection) as captured:
            counts = queries.counts_for(
                [personas.family.pk, personas.team.pk, personas.jobcenter.pk],
                FIRST,
                LAST,
                employees_from=add_months(LAST, -11),
            )
        return len(captured), counts

    few = bulk_incidents(_specs(personas, 6))
    _close_most(few)
    _purge(django_capture_on_commit_callbacks)
    n_few, counts_few = query_count()
    many = bulk_incidents(_specs(personas, 60))
    _close_most(many)
    _purge(django_capture_on_commit_callbacks)
    n_many, counts_many = query_count()

    assert IncidentResidue.objects.count() > 40 and IncidentResiduePlatform.objects.exists()
    assert n_few == n_many
    assert counts_few.total == 6 and counts_many.total == 66
    assert sum(counts_many.by_unit.values()) == 66
    assert sum(counts_many.month_level.values()) == 66


def test_the_share_of_employees_targeted_counts_live_incidents_only(
    client, personas, django_capture_on_commit_callbacks
):
    spec = {"unit": personas.family, "registered": LAST, "targets": [personas.caseworker]}
    [gone, live] = bulk_incidents([spec, {**spec, "unit": personas.jobcenter, "targets": [personas.other_caseworker]}])
    Incident.objects.filter(pk=gone.pk).update(status="closed", closed_at=gone.registered_at + timedelta(days=1))
    recount([gone])
    params = {"from": LAST.strftime("%Y-%m"), "to": LAST.strftime("%Y-%m")}

    before = _statistics(client, personas.manager, params)
    _purge(django_capture_on_commit_callbacks)
    after = _statistics(client, personas.manager, params)

    assert before["incidents"] == after["incidents"] and after["incidents"]["value"] == 2
    assert before["employees_targeted_12_months"]["part"]["value"] == 2
    assert after["employees_targeted_12_months"]["part"]["value"] == 1  # the purged incident's employee is gone
    assert not Publication.objects.filter(incident_id=gone.pk).exists()
    assert not TimelineEntry.objects.filter(incident_id=gone.pk).exists()
