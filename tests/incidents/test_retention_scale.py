"""Retention at scale (issue 24): the candidates are listed in batches with grouped counts (no
correlated count per incident), so the queries grow with the batches, not the incidents; the
anonymous notice to union reps is found by its stored incident id; every run leaves its time and
counts per organisation for the admin overview, and an admin sees only their organisation's."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from incidents import services
from incidents.models import Evidence, Incident, RetentionRun
from notifications.models import Kind, Notification
from reports.models import Report
from retention import services as retention
from retention.services import add_months, candidate_batches, retention_candidates, retention_purge
from tests.factories import OrganisationFactory, UnitFactory, member

pytestmark = pytest.mark.django_db


def _closed(personas, title: str, *, months_ago: int = 25, unit=None) -> Incident:
    incident = services.incident_register(
        actor=personas.manager,
        unit=unit or personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, "discovered_at": timezone.now() - timedelta(days=1), "named": True},
        targets=[personas.caseworker] if unit is None else [],
        publications=[{"platform": "facebook", "url": "https://facebook.com/p/1"}],
    )
    closed_at = add_months(timezone.now(), -months_ago)
    Incident.objects.filter(pk=incident.pk).update(
        status=Incident.Status.CLOSED, closed_at=closed_at, registered_at=closed_at - timedelta(days=30)
    )
    return incident


def _serious_notice(personas, incident: Incident, *, with_about: bool = True) -> Notification:
    """The anonymous notice to a union rep: linked to the unit only, the incident in its key."""
    return Notification.objects.create(
        organisation=personas.org,
        recipient=personas.union_rep,
        kind=Kind.SERIOUS_INCIDENT,
        channel="in_app",
        key=f"serious_incident:{incident.pk}:{personas.union_rep.pk}:in_app",
        about_incident_id=incident.pk if with_about else None,
        subject="Alvorlig hændelse",
        body="…",
    )


def test_batches_give_the_same_candidates_and_counts_as_one_list(personas):
    made = [_closed(personas, f"sag {n}", months_ago=25 + n) for n in range(5)]
    _serious_notice(personas, made[0])
    _serious_notice(personas, made[3])
    Report.objects.create(incident=made[1], kind="internal_hr", version=1, requested_by=personas.manager)
    now = timezone.now()

    batches = list(candidate_batches(now, legal_hold=False, batch_size=2))

    assert [len(batch) for batch in batches] == [2, 2, 1]
    flat = [c for batch in batches for c in batch]
    assert [c.reference for c in flat] == [c.reference for c in retention_candidates(now)]
    assert [c.incident_id for c in flat] == [i.pk for i in reversed(made)]  # oldest closing first
    by_id = {c.incident_id: c for c in flat}
    for incident in made:
        linked = Notification.objects.filter(incident=incident).count()
        notices = 1 if incident in (made[0], made[3]) else 0
        assert by_id[incident.pk].notifications == linked + notices
    assert by_id[made[1].pk].reports == 1 and by_id[made[2].pk].reports == 0
    assert all(c.evidence == Evidence.objects.filter(incident_id=c.incident_id).count() for c in flat)


def test_queries_grow_with_batches_not_incidents(personas):
    for n in range(6):
        _closed(personas, f"sag {n}")
    now = timezone.now()

    def queries(batch_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert sum(len(b) for b in candidate_batches(now, legal_hold=False, batch_size=batch_size)) == 6
        return len(captured.captured_queries)

    one_batch, three_batches = queries(6), queries(2)
    # One ordered scan (plus the organisations' periods), then three grouped counts per batch.
    assert three_batches - one_batch == 2 * 3
    assert one_batch <= 6


def test_a_listing_counts_only_the_batches_it_shows(personas):
    for n in range(5):
        _closed(personas, f"sag {n}")
    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        batches = list(candidate_batches(now, legal_hold=False, batch_size=2, counted=2))
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert all(c.notifications is not None and c.evidence is not None for c in batches[0])
    assert all(
        c.notifications is None and c.evidence is None and c.reports is None for batch in batches[1:] for c in batch
    )
    with CaptureQueriesContext(connection) as all_counted:
        list(candidate_batches(now, legal_hold=False, batch_size=2))
    assert len(all_counted.captured_queries) - len(captured.captured_queries) == 2 * 3  # two batches not counted


def test_the_purge_deletes_the_anonymous_notice_by_its_stored_incident_id(personas):
    incident = _closed(personas, "alvorlig")
    notice = _serious_notice(personas, incident)

    summary = retention_purge(now=timezone.now(), dry_run=False)

    assert summary.purged_count == 1 and summary.purged == [incident.reference]
    assert not Notification.objects.filter(pk=notice.pk).exists()


def test_migration_backfills_the_incident_id_of_older_notices(personas):
    incident = _closed(personas, "ældre")
    old = _serious_notice(personas, incident, with_about=False)
    Notification.objects.filter(incident=incident).update(about_incident_id=None)
    linked = Notification.objects.filter(incident=incident).count()
    migration = importlib.import_module("notifications.migrations.0003_i24_about_incident")

    migration.backfill(apps, None)

    old.refresh_from_db()
    assert old.about_incident_id == incident.pk
    assert [c.notifications for c in retention_candidates(timezone.now())] == [linked + 1]
    assert set(Notification.objects.filter(incident=incident).values_list("about_incident_id", flat=True)) == {
        incident.pk
    }


def test_summary_lists_a_bounded_number_but_counts_all(personas, monkeypatch):
    monkeypatch.setattr(retention, "LISTED", 2)
    for n in range(3):
        _closed(personas, f"sag {n}")

    summary = retention_purge(now=timezone.now(), dry_run=True)

    assert summary.candidate_count == 3 and len(summary.candidates) == 2
    assert Incident.objects.count() == 3  # a dry run deletes nothing


def test_each_run_is_recorded_per_organisation_and_shown_to_that_admin_only(personas, client):
    _closed(personas, "vores")
    neighbour = OrganisationFactory(name="Nabokommune")
    their_unit = UnitFactory(organisation=neighbour, name="Ydelser")
    for n in range(3):
        _closed(personas, f"deres {n}", unit=their_unit)
    member(their_unit, Role.ADMIN, username="nabo_admin", is_staff=True)

    summary = retention_purge(now=timezone.now(), dry_run=False)

    assert summary.purged_count == 4
    total = RetentionRun.objects.get(organisation=None, dry_run=False)
    assert (total.candidates, total.purged, total.remaining) == (4, 4, 0) and total.seconds > 0
    ours = RetentionRun.objects.get(organisation=personas.org)
    theirs = RetentionRun.objects.get(organisation=neighbour)
    assert (ours.candidates, ours.purged, theirs.candidates, theirs.purged) == (1, 1, 3, 3)

    client.force_login(personas.admin)
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert 'data-retention="last-run"' in page
    assert "1 af 1 sager over perioden slettet" in page
    assert "3 af 3" not in page


def test_time_budget_leaves_the_rest_counted_for_the_next_run(personas):
    for n in range(3):
        _closed(personas, f"sag {n}")

    summary = retention_purge(now=timezone.now(), dry_run=False, time_budget=-1)

    assert summary.purged_count == 0 and summary.remaining == 3
    assert RetentionRun.objects.get(organisation=personas.org).remaining == 3
