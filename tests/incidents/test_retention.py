"""Retention (issue 9): closed incidents are deleted with everything about them once the
organisation's retention period has run out; legal hold and open incidents are kept; the
audit log keeps a tombstone and still verifies; stored files go after the commit, and a
failed file delete is retried by the next run."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_verify
from incidents import services
from incidents.models import (
    Evidence,
    Incident,
    IncidentDeadline,
    IncidentShare,
    Note,
    PendingFileDeletion,
    Publication,
    TimelineEntry,
)
from incidents.sharing import incident_share
from notifications.models import Notification
from recordings import services as recording_services
from reports.models import EvidenceBundle, Report
from retention import services as retention
from retention.services import add_months, retention_candidates, retention_held, retention_purge
from retention.tasks import purge_expired_incidents
from stats.models import IncidentResidue
from tests.factories import member
from tests.security.world import build_world, private_storage
from udhaengning.beat import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    root = tmp_path / "private"
    root.mkdir()
    private_storage(settings, root)
    return root


def _register(personas, title: str, **fields) -> Incident:
    return services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, "discovered_at": timezone.now() - timedelta(days=1), "named": True, **fields},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://facebook.com/p/1"}],
    )


def _close(incident: Incident, closed_at: datetime, **fields) -> Incident:
    """Closed at `closed_at` (as if closed then), registered a month before."""
    Incident.objects.filter(pk=incident.pk).update(
        status=Incident.Status.CLOSED, closed_at=closed_at, registered_at=closed_at - timedelta(days=30), **fields
    )
    return Incident.objects.select_related("unit__organisation").get(pk=incident.pk)


def _months_ago(months: int, now=None) -> datetime:
    return add_months(now or timezone.now(), -months)


def _files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def _snapshot() -> list:
    models = (
        Incident,
        Publication,
        Evidence,
        TimelineEntry,
        Note,
        IncidentDeadline,
        IncidentShare,
        Report,
        EvidenceBundle,
        Notification,
        AuditEvent,
        IncidentResidue,
        PendingFileDeletion,
    )
    return [list(model.objects.order_by("pk").values()) for model in models]


# --- Which incidents are due ------------------------------------------------------------------


def test_only_closed_incidents_past_the_period_and_not_on_hold_are_due(personas):
    now = timezone.now()
    due = _close(_register(personas, "due"), _months_ago(25, now))
    not_due = _close(_register(personas, "not due"), _months_ago(23, now))
    held = _close(_register(personas, "held"), _months_ago(30, now), legal_hold=True)
    still_open = _register(personas, "open")
    Incident.objects.filter(pk=still_open.pk).update(registered_at=_months_ago(40, now), status="in_progress")

    assert personas.org.retention_months == 24  # the default
    assert [c.reference for c in retention_candidates(now)] == [due.reference]
    assert [c.reference for c in retention_held(now)] == [held.reference]

    personas.org.retention_months = 12
    personas.org.save()
    refs = [c.reference for c in retention_candidates(now)]
    assert refs == [due.reference, not_due.reference]  # oldest closing first
    assert still_open.reference not in refs


def test_due_is_calendar_months_after_closing_in_local_time(personas):
    closed = datetime(2024, 8, 31, 10, 0, tzinfo=COPENHAGEN)
    personas.org.retention_months = 6
    personas.org.save()
    incident = _close(_register(personas, "month end"), closed)
    due = datetime(2025, 2, 28, 10, 0, tzinfo=COPENHAGEN)  # no 31 February: the month's last day
    assert retention.retention_due(incident) == due
    assert retention_candidates(due - timedelta(seconds=1)) == []
    [candidate] = retention_candidates(due)
    assert candidate.due == due and candidate.closed_at == closed
    assert candidate.retention_months == 6


# --- A whole incident goes -------------------------------------------------------------------


@pytest.fixture
def world(personas, storage):
    world = build_world(personas)
    incident = world.incident
    services.note_add(actor=personas.manager, incident=incident, body="Intern bemærkning", visibility="internal")
    incident_share(actor=personas.caseworker, incident=incident, union_rep=personas.union_rep)
    recording_services.recording_request_link_incident(
        actor=personas.manager, recording_request=world.recording, incident=incident
    )
    _close(incident, _months_ago(25))
    return world


def _other_incident(personas) -> Incident:
    """A recent, open incident that must not be touched."""
    return _register(personas, "Et andet opslag")


def test_dry_run_lists_what_would_go_and_changes_nothing(personas, world, storage):
    other = _other_incident(personas)
    before, files = _snapshot(), _files(storage)
    summary = retention_purge(now=timezone.now(), dry_run=True)
    assert summary.dry_run and summary.purged == []
    [candidate] = summary.candidates
    assert candidate.reference == world.incident.reference
    assert candidate.unit_name == personas.family.name
    assert candidate.evidence == 1
    assert candidate.reports == 4  # internal HR, police, DSA, Datatilsynet (tests.security.world)
    # Linked to the incident, and the anonymous notice to union reps of a serious incident (the world is serious).
    from retention.services import _notifications_q

    assert candidate.notifications == Notification.objects.filter(_notifications_q(world.incident.pk)).count() > 0
    assert _snapshot() == before
    assert _files(storage) == files
    assert Incident.objects.filter(pk=other.pk).exists()


def test_purge_deletes_the_incident_with_everything_about_it(
    personas, world, storage, django_capture_on_commit_callbacks
):
    incident = world.incident
    reference, pk = incident.reference, incident.pk
    other = _other_incident(personas)
    other_notifications = Notification.objects.filter(incident=other).count()
    stored = {
        world.evidence.file.name,
        world.report.file.name,
        world.police.file.name,
        world.dsa.file.name,
        world.bundle.file.name,
    }
    assert stored <= _files(storage)
    earlier_events = AuditEvent.objects.filter(incident_reference=reference).count()
    assert earlier_events > 0

    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)

    assert summary.purged == [reference]
    assert summary.files_deleted == 6 and summary.files_failed == 0
    assert not Incident.objects.filter(pk=pk).exists()
    for model in (Publication, Evidence, TimelineEntry, Note, IncidentDeadline, IncidentShare, Report):
        assert not model.objects.filter(incident_id=pk).exists(), model
    assert not EvidenceBundle.objects.filter(pk=world.bundle.pk).exists()
    assert not Notification.objects.filter(incident_id=pk).exists()
    assert not Notification.objects.filter(object_type="incidents.incident", object_id=str(pk)).exists()
    assert Notification.objects.filter(incident=other).count() == other_notifications
    assert not (stored & _files(storage)), "stored files are gone from private storage"
    for name in stored:
        assert not default_storage.exists(name)
    assert not PendingFileDeletion.objects.exists()
    assert Incident.objects.filter(pk=other.pk).exists()

    # The recording request stays, without the link.
    world.recording.refresh_from_db()
    assert world.recording.incident_id is None
    assert world.recording.linked_incident_purged_on == timezone.localdate()

    # The tombstone: who, why, what; earlier events untouched; the chain verifies.
    tombstone = AuditEvent.objects.get(
        incident_reference=reference, action=AuditEvent.Action.DELETE, object_type="incidents.incident"
    )
    assert tombstone.actor is None and tombstone.actor_label == "system"
    assert tombstone.object_id == str(pk)
    assert tombstone.organisation_id == personas.org.pk
    assert "24 måneder" in tombstone.summary
    details = tombstone.details
    assert details["reason"] == "retention" and details["retention_months"] == 24
    assert details["registered_at"] and details["closed_at"] and details["due"]
    assert details["deleted"]["evidence"] == 1 and details["deleted"]["evidence_files"] == 1
    assert details["deleted"]["reports"] == 4 and details["deleted"]["report_files"] == 4
    assert details["deleted"]["evidence_bundles"] == 1 and details["deleted"]["bundle_files"] == 1
    assert details["deleted"]["publications"] == 1 and details["deleted"]["notes"] == 1
    assert details["deleted"]["shares"] == 1 and details["deleted"]["targets"] == 1
    assert details["deleted"]["timeline_entries"] >= 3 and details["deleted"]["notifications"] >= 1
    assert details["recording_requests_unlinked"] == 1
    assert "Sara" not in str(details) and "Facebook-gruppe" not in str(details)
    assert AuditEvent.objects.filter(incident_reference=reference).count() == earlier_events + 2  # + unlink
    report = audit_verify()
    assert report.ok, report.problem

    # The statistics keep an anonymised residue.
    assert IncidentResidue.objects.count() == 1

    # A second run finds nothing: the purge is idempotent.
    again = retention_purge(now=timezone.now(), dry_run=False)
    assert again.candidates == [] and again.purged == []


def test_the_anonymous_notice_to_union_reps_goes_with_the_incident(
    personas, storage, django_capture_on_commit_callbacks
):
    incident = _register(personas, "Trusler", threat=True)  # critical: the union rep is told, anonymously
    notices = Notification.objects.filter(recipient=personas.union_rep, kind="serious_incident")
    assert notices.count() == 2  # in the app and by e-mail
    assert {(n.incident_id, n.object_type) for n in notices} == {(None, "accounts.unit")}
    _close(incident, _months_ago(25))
    [candidate] = retention_candidates(timezone.now())
    assert candidate.notifications == Notification.objects.filter(incident=incident).count() + 2
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [incident.reference]
    assert not notices.all().exists()


def test_a_file_already_missing_is_not_an_error(personas, world, storage, django_capture_on_commit_callbacks):
    os.remove(storage / world.evidence.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [world.incident.reference]
    assert summary.files_failed == 0 and not PendingFileDeletion.objects.exists()


def test_a_failed_file_delete_is_kept_and_retried_by_the_next_run(
    personas, world, storage, django_capture_on_commit_callbacks
):
    # A real storage failure: where the evidence file was, a folder that is not empty (rmdir refuses).
    path = storage / world.evidence.file.name
    os.remove(path)
    path.mkdir()
    (path / "blocker").write_bytes(b"x")

    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [world.incident.reference]  # the rows go whatever the storage says
    assert summary.files_failed == 1
    [owed] = PendingFileDeletion.objects.all()
    assert owed.name == world.evidence.file.name
    assert owed.attempts == 1 and owed.last_attempt_at is not None
    assert "OSError" in owed.last_error

    (path / "blocker").unlink()  # the storage works again
    with django_capture_on_commit_callbacks(execute=True):
        again = retention_purge(now=timezone.now(), dry_run=False)
    assert again.files_deleted == 1 and again.files_pending == 0  # retried at the start, before counting
    assert not path.exists()
    assert not PendingFileDeletion.objects.exists()


def test_legal_hold_keeps_an_incident_until_it_is_cleared(personas, storage, django_capture_on_commit_callbacks):
    incident = _close(_register(personas, "Retssag"), _months_ago(30))
    services.incident_set_legal_hold(actor=personas.manager, incident=incident, hold=True, reason="Verserende retssag")
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [] and [c.reference for c in summary.held] == [incident.reference]
    assert Incident.objects.filter(pk=incident.pk).exists()

    incident.refresh_from_db()
    services.incident_set_legal_hold(actor=personas.manager, incident=incident, hold=False, reason="Dom afsagt")
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [incident.reference]


def test_an_incident_reopened_after_the_candidates_were_listed_is_skipped(personas, storage):
    incident = _close(_register(personas, "Genåbnet"), _months_ago(30))
    now = timezone.now()
    [candidate] = retention_candidates(now)
    services.incident_change_status(
        actor=personas.manager, incident=incident, to_status="in_progress", reason="Nyt opslag"
    )
    summary = retention.PurgeSummary(now=now, dry_run=False, candidates=[candidate], held=[])
    assert retention._purge_one(candidate.incident_id, now=now, actor=None, summary=summary) is False
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_a_report_still_being_generated_makes_the_incident_wait(personas, storage, django_capture_on_commit_callbacks):
    incident = _close(_register(personas, "Rapport undervejs"), _months_ago(30))
    report = Report.objects.create(
        incident=incident, kind="internal_hr", version=1, status="rendering", started_at=timezone.now()
    )
    summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [] and summary.skipped == [incident.reference]
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - timedelta(hours=1))  # lost its task
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.purged == [incident.reference]


def test_a_purge_started_by_a_person_names_them(personas, storage):
    incident = _close(_register(personas, "Manuelt"), _months_ago(30))
    retention_purge(now=timezone.now(), dry_run=False, actor=personas.admin)
    tombstone = AuditEvent.objects.get(incident_reference=incident.reference, action=AuditEvent.Action.DELETE)
    assert tombstone.actor == personas.admin and tombstone.actor_label == "admin"


# --- The task, the schedule and the command ----------------------------------------------------


def test_the_celery_task_runs_the_purge(personas, storage, django_capture_on_commit_callbacks):
    due = _close(_register(personas, "Gammel"), _months_ago(30))
    recent = _close(_register(personas, "Ny"), _months_ago(2))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_incidents() == 1  # called as the worker would, without a broker
    assert not Incident.objects.filter(pk=due.pk).exists()
    assert Incident.objects.filter(pk=recent.pk).exists()
    assert purge_expired_incidents() == 0
    assert purge_expired_incidents.acks_late
    assert purge_expired_incidents.soft_time_limit < purge_expired_incidents.time_limit


def test_the_purge_runs_every_night_and_expires():
    entry = BEAT_SCHEDULE["incidents-retention-purge"]
    assert entry["task"] == "retention.tasks.purge_expired_incidents"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    assert 0 < entry["options"]["expires"] < 24 * 60 * 60


def test_the_command_lists_with_dry_run_and_purges_without(personas, storage):
    closed = datetime(2023, 5, 17, 14, 0, tzinfo=COPENHAGEN)
    incident = _close(_register(personas, "Kommando"), closed)
    held = _close(_register(personas, "Holdt"), closed, legal_hold=True)
    out = StringIO()
    call_command("purge_incidents", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1 closed incident(s) past their retention period would be deleted" in text
    line = next(line for line in text.splitlines() if line.startswith(incident.reference))
    notifications = Notification.objects.filter(incident=incident).count()
    assert line.split()[1:] == ["Børn", "og", "Familie", "2023-05-17", "2025-05-17", "0", "0", str(notifications)]
    assert f"Kept on legal hold: {held.reference}" in text
    assert "Dry run: nothing was deleted." in text
    assert Incident.objects.filter(pk=incident.pk).exists()

    out = StringIO()
    call_command("purge_incidents", stdout=out)
    assert "Deleted 1 incident(s)" in out.getvalue()
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert Incident.objects.filter(pk=held.pk).exists()


# --- Legal hold on the incident page ------------------------------------------------------------


def test_a_manager_sets_and_clears_legal_hold_with_a_reason(client, personas, storage):
    incident = _close(_register(personas, "Hold"), _months_ago(3))
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "Opbevaring og sletning" in page
    due = retention.retention_due(incident)
    assert f"slettes automatisk {timezone.localtime(due):%d.%m.%Y}" in page
    assert "Sæt retligt hold" in page

    url = reverse("incidents:legal_hold", args=[incident.reference])
    response = client.post(url, {"hold-hold": "1", "hold-reason": "  "})
    assert response.status_code == 200
    assert "Skriv hvorfor retligt hold sættes eller ophæves." in response.content.decode()
    incident.refresh_from_db()
    assert not incident.legal_hold

    response = client.post(url, {"hold-hold": "1", "hold-reason": "Borgeren har anlagt sag"}, follow=True)
    incident.refresh_from_db()
    assert incident.legal_hold
    page = response.content.decode()
    assert "Retligt hold er sat" in page and "Sagen slettes ikke, så længe retligt hold er sat." in page
    assert "Ophæv retligt hold" in page
    event = AuditEvent.objects.filter(incident_reference=incident.reference, summary="Retligt hold sat").get()
    assert event.actor == personas.manager
    assert event.details == {"legal_hold": True, "reason": "Borgeren har anlagt sag"}
    entry = incident.timeline.filter(kind=TimelineEntry.Kind.EDITED).latest("id")
    assert entry.text == "Retligt hold sat: Borgeren har anlagt sag" and not entry.visible_to_employee

    client.post(url, {"hold-hold": "0", "hold-reason": "Sagen er afgjort"})
    incident.refresh_from_db()
    assert not incident.legal_hold
    assert AuditEvent.objects.filter(
        incident_reference=incident.reference, summary="Retligt hold ophævet", details__reason="Sagen er afgjort"
    ).exists()


def test_only_managers_of_the_incident_may_set_legal_hold(client, personas, storage):
    incident = _close(_register(personas, "Hold"), _months_ago(3))
    url = reverse("incidents:legal_hold", args=[incident.reference])
    for user in (
        personas.other_manager,
        personas.caseworker,
        personas.union_rep,
        personas.admin,
        member(personas.family, "caseworker"),
    ):
        client.force_login(user)
        assert client.post(url, {"hold-hold": "1", "hold-reason": "x"}).status_code == 404
    incident.refresh_from_db()
    assert not incident.legal_hold
    client.force_login(personas.caseworker)
    page = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "retligt hold" not in page.lower()


def test_statistics_reports_past_the_period_go_too(client, personas, storage, django_capture_on_commit_callbacks):
    from reports.services import report_render

    client.force_login(personas.manager)
    month = timezone.localdate().strftime("%Y-%m")
    for _ in range(2):
        response = client.post(reverse("stats:report_request"), {"from": month, "to": month})
        assert response.status_code == 302
        report_render(int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    old, recent = Report.objects.filter(kind=Report.Kind.STATISTICS).order_by("pk")
    assert old.is_ready and recent.is_ready and old.file.name in _files(storage)
    Report.objects.filter(pk=old.pk).update(requested_at=_months_ago(personas.org.retention_months + 1))

    dry = retention_purge(now=timezone.now(), dry_run=True)
    assert dry.statistics_reports == 1 and Report.objects.filter(pk=old.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.statistics_reports == 1
    assert list(Report.objects.filter(kind=Report.Kind.STATISTICS)) == [recent]
    assert old.file.name not in _files(storage) and recent.file.name in _files(storage)
    event = AuditEvent.objects.get(object_type="reports.report", action=AuditEvent.Action.DELETE)
    assert event.details["statistics_reports"] == 1 and event.details["ids"] == [old.pk]
    assert audit_verify().ok
