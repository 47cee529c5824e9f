"""The statistics' rollup (stats.rollup, issue 20): kept equal to a direct count through
registrations, changes, status changes, actions, deletions, purges and a rebuild; the
employees targeted (MonthlyTarget) likewise through changes of the targets; the nightly
task and the command; the dashboard's queries pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from incidents import services
from incidents.models import Incident, Publication
from stats import queries, rollup
from stats.models import MonthlyCount, MonthlyTarget
from stats.residue import residue_record
from stats.scope import StatisticsUnits
from stats.tasks import reconcile_rollup
from tests.factories import member
from udhaengning.beat import BEAT_SCHEDULE

from .conftest import bulk_incidents

pytestmark = pytest.mark.django_db


def _stored() -> dict:
    return {
        (row.unit_id, row.month): {"incidents": row.incidents, "counts": row.counts, "days": row.days}
        for row in MonthlyCount.objects.all()
    }


def _direct(personas) -> dict:
    first, last = timezone.localdate().replace(day=1) - timedelta(days=800), timezone.localdate()
    return rollup.cells_count(_ids(personas), first.replace(day=1), last.replace(day=1))


def _assert_equal_to_a_direct_count(personas) -> None:
    rollup.pending_flush()
    assert _stored() == _direct(personas)
    # … and the rollup's sums equal the older direct counting of stats.queries.
    first = timezone.localdate().replace(day=1) - timedelta(days=800)
    last = timezone.localdate().replace(day=1)
    direct = queries.counts_for(_ids(personas), first.replace(day=1), last, employees_from=last)
    rows, histogram = rollup.block_rows(_ids(personas), first.replace(day=1), last)
    assert sum(row["n"] for row in rows) == direct.total
    for code, n in direct.by_platform.items():
        assert sum(row.get(f"n_platform_{code}", 0) for row in rows) == n
    for code, n in direct.by_status.items():
        assert sum(row.get(f"n_status_{code}", 0) for row in rows) == n
    assert histogram == direct.days_to_first_action


def _ids(personas) -> list[int]:
    return [personas.root.pk, personas.family.pk, personas.team.pk, personas.jobcenter.pk]


@pytest.fixture
def units(personas):
    return personas


def test_the_rollup_follows_every_change_and_equals_a_direct_count(units, django_capture_on_commit_callbacks):
    personas = units
    manager = personas.manager
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_register(
            actor=manager,
            unit=personas.family,
            channel="manager",
            fields={
                "title": "Rollup",
                "discovered_at": timezone.now(),
                "perpetrator_relation": "relative",
                "related_threats": True,
            },
            publications=[{"platform": "facebook", "url": "https://example.org/a"}],
        )
        other = services.incident_register(
            actor=manager,
            unit=personas.jobcenter,
            channel="manager",
            fields={"title": "Rollup 2", "discovered_at": timezone.now()},
        )
    _assert_equal_to_a_direct_count(personas)
    assert MonthlyCount.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):  # an action: in progress, reported to the police
        services.incident_record_action(
            actor=manager, incident=incident, action_code="police_report", occurred_on=timezone.localdate()
        )
    _assert_equal_to_a_direct_count(personas)
    cell = MonthlyCount.objects.get(unit=personas.family)
    assert cell.counts["reported_police"] == 1 and cell.counts["status_in_progress"] == 1 and cell.days == {"0": 1}

    with django_capture_on_commit_callbacks(execute=True):  # a change of a counted field, a new publication
        incident.perpetrator_relation = "other_citizen"
        incident.save()
        Publication.objects.create(incident=incident, platform="youtube", url="https://example.org/b")
        Publication.objects.filter(incident=incident, platform="facebook").get().delete()
    _assert_equal_to_a_direct_count(personas)

    with django_capture_on_commit_callbacks(execute=True):  # a status change
        services.incident_change_status(actor=manager, incident=other, to_status="assessing")
    _assert_equal_to_a_direct_count(personas)
    assert MonthlyCount.objects.get(unit=personas.jobcenter).counts.get("status_assessing") == 1

    with django_capture_on_commit_callbacks(execute=True):  # moved to another unit
        incident.unit = personas.team
        incident.save()
    _assert_equal_to_a_direct_count(personas)
    assert not MonthlyCount.objects.filter(unit=personas.family).exists()

    with django_capture_on_commit_callbacks(execute=True):  # purged: the residue keeps the figures
        before = _stored()
        residue_record(incident=incident)
        incident.delete()
    assert _stored() == before
    _assert_equal_to_a_direct_count(personas)

    with django_capture_on_commit_callbacks(execute=True):  # deleted without a residue
        Incident.objects.get(pk=other.pk).delete()
    _assert_equal_to_a_direct_count(personas)
    assert not MonthlyCount.objects.filter(unit=personas.jobcenter).exists()


def test_writes_without_signals_are_repaired_by_the_reconciliation_and_the_rebuild(units):
    personas = units
    month = timezone.localdate().replace(day=1) - timedelta(days=40)
    incidents = bulk_incidents(
        [{"unit": personas.family, "registered": month, "platforms": ["facebook"], "actions": [("police_report", 2)]}]
        * 3
    )
    _assert_equal_to_a_direct_count(personas)
    Incident.objects.filter(pk=incidents[0].pk).update(status="closed")  # no signal
    MonthlyCount.objects.create(unit=personas.jobcenter, month=month.replace(day=1), incidents=9)  # a stray row
    assert _stored() != _direct(personas)
    assert reconcile_rollup() == 2
    assert _stored() == _direct(personas)
    assert reconcile_rollup() == 0

    MonthlyCount.objects.all().delete()
    call_command("rebuild_statistics")
    _assert_equal_to_a_direct_count(personas)
    MonthlyCount.objects.filter(unit=personas.family).update(incidents=1)
    call_command("rebuild_statistics", "--check")
    _assert_equal_to_a_direct_count(personas)


def test_the_reconciliation_runs_nightly():
    entry = BEAT_SCHEDULE["stats-reconcile-rollup"]
    assert entry["task"] == "stats.tasks.reconcile_rollup" and entry["options"]["expires"]


# The dashboard's queries (issue 20): session, user, the unit tree, the caseworkers, the rollup's
# blocks, the requests to record, the rollup's targeted employees, the reports list, the audit
# read (one insert, sealed into the chain later), the unread notifications; a union rep's page also
# lists the cases shared with them. None of them reads the incidents.
DASHBOARD_QUERIES = {"manager": 10, "union_rep": 11}


@pytest.mark.parametrize("reader", sorted(DASHBOARD_QUERIES))
def test_the_dashboard_reads_the_rollup_in_a_fixed_number_of_queries(
    client, units, reader, django_assert_max_num_queries
):
    personas = units
    month = timezone.localdate().replace(day=1) - timedelta(days=40)
    bulk_incidents(
        [
            {
                "unit": personas.family,
                "registered": month,
                "platforms": ["facebook", "blog"],
                "targets": [personas.caseworker],
            }
        ]
        * 30
    )
    client.force_login(getattr(personas, reader))
    client.get(reverse("dashboard:union_rep"))
    with django_assert_max_num_queries(DASHBOARD_QUERIES[reader]):
        response = client.get(reverse("dashboard:union_rep"))
    assert response.status_code == 200
    bulk_incidents([{"unit": personas.jobcenter, "registered": month - timedelta(days=31)}] * 30)
    with django_assert_max_num_queries(DASHBOARD_QUERIES[reader]):  # the same with more incidents and months
        assert client.get(reverse("dashboard:union_rep")).status_code == 200


def _span():
    last = timezone.localdate().replace(day=1)
    return (last - timedelta(days=800)).replace(day=1), last


def _assert_targeted_equal_to_a_direct_count(personas) -> None:
    """The rollup's targeted employees equal the incidents' targets: the stored rows as counted
    from the incidents, and the employees targeted per unit over several windows."""
    rollup.pending_flush()
    first, last = _span()
    assert set(MonthlyTarget.objects.values_list("unit_id", "month", "user_id")) == rollup.targets_count(
        _ids(personas), first, last
    )
    caseworkers = StatisticsUnits(personas.manager).scope().caseworkers  # as the dashboard reads them
    for window_first in (first, last - timedelta(days=40), last):
        window_first = window_first.replace(day=1)
        direct = queries.people_by_unit(_ids(personas), window_first, last)
        assert rollup.people_by_unit(_ids(personas), window_first, last) == direct
        assert rollup.people_by_unit(_ids(personas), window_first, last, caseworkers=caseworkers) == direct


def test_the_targeted_employees_follow_every_change_of_the_targets(units, django_capture_on_commit_callbacks):
    personas = units
    team_worker = member(personas.team, Role.CASEWORKER, username="team_worker")

    def targets_set(incident, users):
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_update(actor=personas.manager, incident=incident, fields={}, targets=users)

    with django_capture_on_commit_callbacks(execute=True):  # registered with a target
        incident = services.incident_register(
            actor=personas.manager,
            unit=personas.family,
            channel="manager",
            fields={"title": "Mål", "discovered_at": timezone.now()},
            targets=[personas.caseworker],
        )
    _assert_targeted_equal_to_a_direct_count(personas)
    _employees, targeted = rollup.people_by_unit(_ids(personas), *_span())
    assert targeted == {personas.family.pk: {personas.caseworker.pk}}

    # targets added (one of another unit: counted only where employed), one removed, all removed
    targets_set(incident, [personas.caseworker, personas.other_caseworker, team_worker])
    _assert_targeted_equal_to_a_direct_count(personas)
    assert MonthlyTarget.objects.filter(unit=personas.family).count() == 3
    targets_set(incident, [personas.other_caseworker, team_worker])
    _assert_targeted_equal_to_a_direct_count(personas)
    assert not MonthlyTarget.objects.filter(user=personas.caseworker).exists()
    targets_set(incident, [])
    _assert_targeted_equal_to_a_direct_count(personas)
    assert not MonthlyTarget.objects.exists()
    targets_set(incident, [personas.caseworker, team_worker])

    older = timezone.localdate().replace(day=1) - timedelta(days=75)
    (earlier,) = bulk_incidents([{"unit": personas.family, "registered": older, "targets": [personas.caseworker]}])
    _assert_targeted_equal_to_a_direct_count(personas)

    with django_capture_on_commit_callbacks(execute=True):  # moved to another unit, a target added
        services.incident_update(
            actor=personas.manager,
            incident=incident,
            fields={"unit": personas.jobcenter},
            targets=[personas.caseworker, team_worker, personas.other_caseworker],
        )
    incident.refresh_from_db()
    assert incident.unit_id == personas.jobcenter.pk
    _assert_targeted_equal_to_a_direct_count(personas)
    _employees, targeted = rollup.people_by_unit(_ids(personas), *_span())
    assert targeted == {
        personas.jobcenter.pk: {personas.other_caseworker.pk},
        personas.family.pk: {personas.caseworker.pk},
    }

    with django_capture_on_commit_callbacks(execute=True):  # purged: the residue keeps no person
        residue_record(incident=incident)
        incident.delete()
    _assert_targeted_equal_to_a_direct_count(personas)
    assert not MonthlyTarget.objects.filter(unit=personas.jobcenter).exists()

    with django_capture_on_commit_callbacks(execute=True):  # a user deleted: the rows go with the user
        personas.caseworker.delete()
    _assert_targeted_equal_to_a_direct_count(personas)
    assert not MonthlyTarget.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # an incident deleted without a residue
        services.incident_update(actor=personas.manager, incident=earlier, fields={}, targets=[team_worker])
    rollup.pending_flush()  # the worker's recount, done here (this process wrote it)
    assert MonthlyTarget.objects.filter(user=team_worker).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Incident.objects.get(pk=earlier.pk).delete()
    _assert_targeted_equal_to_a_direct_count(personas)
    assert not MonthlyTarget.objects.exists()


def test_targets_written_without_signals_are_repaired_by_the_reconciliation_and_the_rebuild(units):
    personas = units
    month = timezone.localdate().replace(day=1) - timedelta(days=40)
    (incident,) = bulk_incidents([{"unit": personas.family, "registered": month, "targets": [personas.caseworker]}])
    _assert_targeted_equal_to_a_direct_count(personas)
    through = Incident.targets.through
    through.objects.bulk_create([through(incident=incident, user=personas.other_caseworker)])  # no signal
    MonthlyTarget.objects.create(unit=personas.jobcenter, month=month.replace(day=1), user=personas.caseworker)
    assert reconcile_rollup() == 2
    _assert_targeted_equal_to_a_direct_count(personas)
    incident.targets.add(personas.caseworker)  # outside incidents.services, from both sides: nothing marked
    personas.other_caseworker.targeted_incidents.clear()
    assert reconcile_rollup() == 1
    _assert_targeted_equal_to_a_direct_count(personas)
    assert reconcile_rollup() == 0

    MonthlyTarget.objects.all().delete()
    call_command("rebuild_statistics")
    _assert_targeted_equal_to_a_direct_count(personas)
    assert MonthlyTarget.objects.count() == 1
