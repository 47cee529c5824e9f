"""Who is told what, for each event of issue 6 (point 2).

The incident services do not call the event functions yet in every branch of this
project's history, so each test calls the service and then the event function, as the
service does; the outbox key makes a second call a no-op once the service calls it too.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import notify as incident_notify
from incidents.art14 import art14_record
from incidents.models import Incident, Note
from incidents.services import incident_change_status, note_add
from notifications import services
from notifications.models import Channel, Kind, Notification
from reports import notify as report_notify

pytestmark = pytest.mark.django_db

SELF = Incident.Channel.SELF_REPORT
BY_MANAGER = Incident.Channel.MANAGER
FREE_TEXT = ("Hængt ud af Bent Borger", "Bent Borger", "stjæler børn", "Sara", "Sagsbehandler")


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    from notifications import tasks

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *a, **kw: None)


def _rows(kind=None, **filters):
    qs = Notification.objects.filter(**filters)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.select_related("recipient").order_by("recipient__username", "channel"))


def _recipients(kind, channel=Channel.IN_APP):
    return sorted({n.recipient.username for n in _rows(kind, channel=channel)})


def _no_free_text(rows):
    """No incident title, description, perpetrator or employee name (but a greeting)."""
    for n in rows:
        for text in (n.subject, n.body, n.body_html):
            for secret in FREE_TEXT:
                if secret not in (n.recipient.first_name, n.recipient.last_name):
                    assert secret not in text, (n.kind, secret, text)


# --- Registration ----------------------------------------------------------------------


def test_self_report_tells_the_managers_over_the_unit(personas, register):
    incident = register(SELF, unit=personas.team)
    incident_notify.on_incident_registered(incident)
    assert _recipients(Kind.SELF_REPORT) == ["manager"]  # not other_manager (Jobcenter only)
    assert _recipients(Kind.SELF_REPORT, Channel.EMAIL) == ["manager"]
    row = _rows(Kind.SELF_REPORT, channel=Channel.IN_APP)[0]
    assert row.incident == incident
    assert row.target_url == reverse("incidents:detail", args=[incident.reference])
    assert incident.reference in row.subject and "Team Nord" in row.subject
    _no_free_text(_rows())


def test_a_manager_over_two_levels_is_told_once(personas, register):
    from accounts.models import Membership, Role

    Membership.objects.create(user=personas.manager, unit=personas.family, role=Role.MANAGER)
    incident_notify.on_incident_registered(register(SELF, unit=personas.team))
    assert len(_rows(Kind.SELF_REPORT, channel=Channel.IN_APP)) == 1


def test_registered_twice_notifies_once(personas, register):
    incident = register(SELF)
    incident_notify.on_incident_registered(incident)
    assert incident_notify.on_incident_registered(incident) == []
    assert sorted(Notification.objects.values_list("recipient__username", "channel")) == [
        ("manager", Channel.EMAIL),
        ("manager", Channel.IN_APP),
    ]


def test_a_manager_registering_tells_the_employee_not_the_manager(personas, register):
    incident = register(BY_MANAGER, targets=[personas.caseworker])
    incident_notify.on_incident_registered(incident)
    assert _recipients(Kind.INCIDENT_REGISTERED) == ["caseworker"]
    assert _rows(Kind.SELF_REPORT) == []
    row = _rows(Kind.INCIDENT_REGISTERED, channel=Channel.EMAIL)[0]
    assert row.subject == f"Din leder har oprettet en sag om udhængning af dig ({incident.reference})"
    assert "Hej Sara" in row.body
    _no_free_text([row])


def test_new_keys_are_written_without_a_savepoint_and_a_clash_fails_the_transaction(personas, register):
    """`new_keys` (the registration's own notifications): no savepoint round the inserts, and a
    key that exists all the same is not skipped quietly, it fails the caller's transaction."""
    from django.db import IntegrityError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    incident = register(BY_MANAGER, targets=[personas.caseworker])
    message = services.Message(
        recipient=personas.caseworker,
        kind=Kind.INCIDENT_REGISTERED,
        key=f"new_keys_test:{incident.pk}:{personas.caseworker.pk}",
        organisation_id=personas.org.pk,
        template="incident_registered",
        context={"reference": incident.reference, "unit_name": "Team", "level": 2, "level_label": "2"},
        incident=incident,
    )
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:  # the test's own savepoint outside
        rows = services.notifications_enqueue_bulk([message], new_keys=True)
    assert sorted(row.channel for row in rows) == [Channel.EMAIL, Channel.IN_APP]
    assert not [q["sql"] for q in captured.captured_queries if "SAVEPOINT" in q["sql"]]
    with pytest.raises(IntegrityError), transaction.atomic():
        services.notifications_enqueue_bulk([message], new_keys=True)
    assert services.notifications_enqueue_bulk([message]) == []  # without new_keys: skipped
    assert Notification.objects.filter(key__startswith="new_keys_test:").count() == 2


# --- Union reps: anonymised, only when serious and allowed -------------------------------------


def test_serious_incident_tells_union_reps_unit_and_level_only(personas, register):
    incident = register(SELF, threat=True)  # level 4
    incident_notify.on_incident_registered(incident)
    rows = _rows(Kind.SERIOUS_INCIDENT)
    assert {n.recipient.username for n in rows} == {"union_rep"}
    assert {n.channel for n in rows} == {Channel.IN_APP, Channel.EMAIL}
    for row in rows:
        assert row.incident is None
        # Børn og Familie has one employee (below k): it is folded into Socialforvaltning, as in the
        # statistics, and the message names the unit it is folded into (tests/notifications/test_folding.py).
        assert row.object_type == "accounts.unit" and row.object_id == str(personas.root.pk)
        assert row.target_url == reverse("dashboard:union_rep")
        assert "Socialforvaltning" in row.subject
        assert "Børn og Familie" not in row.subject + row.body + row.body_html
        assert "Kritisk" in row.body and "4 af 4" in row.body
        for text in (row.subject, row.body, row.body_html):
            assert incident.reference not in text
            assert "UDH-" not in text
    _no_free_text(rows)


@pytest.mark.parametrize("features", [{}, {"offensive_language": True}])
def test_levels_below_three_do_not_reach_union_reps(personas, register, features):
    incident_notify.on_incident_registered(register(SELF, **features))
    assert _rows(Kind.SERIOUS_INCIDENT) == []


def test_organisation_can_turn_union_rep_notices_off(personas, register):
    personas.org.notify_union_reps_of_serious = False
    personas.org.save()
    incident_notify.on_incident_registered(register(SELF, threat=True))
    assert _rows(Kind.SERIOUS_INCIDENT) == []


def test_level_raised_later_tells_union_reps_once(personas, register):
    incident = register(SELF)
    incident_notify.on_incident_registered(incident)
    incident.threat = True
    incident.assessed_level = 4
    incident_notify.on_incident_assessed(incident)
    incident_notify.on_incident_assessed(incident)
    assert len(_rows(Kind.SERIOUS_INCIDENT, channel=Channel.IN_APP)) == 1


# --- The employee's case ------------------------------------------------------------------------


def test_status_change_tells_the_employee_without_the_reason(personas, register):
    incident = register(BY_MANAGER, targets=[personas.caseworker])
    art14_record(actor=personas.manager, incident=incident, informed_on=timezone.localdate())  # needed to close
    entry = incident_change_status(actor=personas.manager, incident=incident, to_status="closed")
    entry2 = incident_change_status(
        actor=personas.manager, incident=incident, to_status="in_progress", reason="Bent Borger har skrevet igen"
    )
    incident_notify.on_status_changed(incident, entry)
    incident_notify.on_status_changed(incident, entry2)
    rows = _rows(Kind.STATUS_CHANGED, channel=Channel.IN_APP)
    assert [n.recipient.username for n in rows] == ["caseworker", "caseworker"]
    assert {n.body for n in rows} == {
        f"Status på din sag {incident.reference} er ændret til «Afsluttet».",
        f"Status på din sag {incident.reference} er ændret til «Handling iværksat».",
    }
    _no_free_text(_rows(Kind.STATUS_CHANGED))
    assert not _rows(Kind.STATUS_CHANGED, recipient=personas.manager)


def test_self_reporter_is_the_employee_of_their_report(personas, register):
    incident = register(SELF)
    entry = incident_change_status(actor=personas.manager, incident=incident, to_status="assessing")
    incident_notify.on_status_changed(incident, entry)
    assert _recipients(Kind.STATUS_CHANGED) == ["caseworker"]
    assert "Under vurdering" in _rows(Kind.STATUS_CHANGED, channel=Channel.IN_APP)[0].body


def test_shared_note_tells_the_employee_but_not_what_it_says(personas, register):
    incident = register(BY_MANAGER, targets=[personas.caseworker])
    note = note_add(
        actor=personas.manager,
        incident=incident,
        body="Bent Borger er kendt af politiet",
        visibility=Note.Visibility.SHARED,
    )
    incident_notify.on_note_shared(note)
    rows = _rows(Kind.NOTE_SHARED)
    assert {n.recipient.username for n in rows} == {"caseworker"}
    for row in rows:
        assert "politiet" not in row.body + row.subject + row.body_html
        assert incident.reference in row.subject
    _no_free_text(rows)


def test_internal_note_never_reaches_the_employee(personas, register):
    incident = register(BY_MANAGER, targets=[personas.caseworker])
    note = note_add(
        actor=personas.manager, incident=incident, body="Intern vurdering af Sara", visibility=Note.Visibility.INTERNAL
    )
    assert incident_notify.on_note_shared(note) == []
    assert not Notification.objects.filter(recipient=personas.caseworker, kind=Kind.NOTE_SHARED).exists()


# --- Reports and sharing (their apps are still to come) ------------------------------------------


class FakeReport(SimpleNamespace):
    _meta = SimpleNamespace(label_lower="reports.reportrequest")

    def get_kind_display(self):
        return "Politianmeldelse"

    def get_absolute_url(self):
        return f"/rapporter/{self.pk}/"


@pytest.mark.parametrize(
    ("ok", "kind", "words"),
    [
        (True, Kind.REPORT_READY, "er klar"),
        (False, Kind.REPORT_FAILED, "kunne ikke laves"),
    ],
)
def test_report_finished_tells_who_asked(personas, register, ok, kind, words):
    incident = register(BY_MANAGER)
    report = FakeReport(pk=7, requested_by=personas.manager, incident=incident)
    rows = report_notify.on_report_finished(report, ok)
    assert {(n.recipient.username, n.kind) for n in rows} == {("manager", kind)}
    row = next(n for n in rows if n.channel == Channel.EMAIL)
    assert words in row.subject and incident.reference in row.subject
    assert "Politianmeldelse" in row.body
    assert row.target_url == "/rapporter/7/"
    assert report_notify.on_report_finished(report, ok) == []


def test_shared_incident_tells_that_union_rep(personas, register):
    incident = register(SELF)
    share = SimpleNamespace(pk=3, incident=incident, union_rep=personas.union_rep, shared_by=personas.caseworker)
    rows = incident_notify.on_incident_shared(share)
    assert {n.recipient.username for n in rows} == {"union_rep"}
    assert incident.reference in rows[0].subject
    _no_free_text(rows)


def test_inactive_users_are_not_told(personas, register):
    personas.manager.is_active = False
    personas.manager.save()
    incident_notify.on_incident_registered(register(SELF))
    assert _rows(Kind.SELF_REPORT) == []


def test_preferences_page_kinds_follow_roles(personas):
    assert services.kinds_for(personas.manager) == [
        Kind.SELF_REPORT,
        Kind.REPORT_READY,
        Kind.REPORT_FAILED,
        Kind.DEADLINE_REMINDER,
        Kind.WEEKLY_DIGEST,
        Kind.RETENTION_WARNING,
        Kind.PAGE_WATCH,
        Kind.CASE_ASSIGNED,
        Kind.CASE_MESSAGE,
    ]
    assert services.kinds_for(personas.caseworker) == [
        Kind.INCIDENT_REGISTERED,
        Kind.NOTE_SHARED,
        Kind.STATUS_CHANGED,
        Kind.CASE_MESSAGE,
    ]
    assert services.kinds_for(personas.union_rep) == [Kind.SERIOUS_INCIDENT, Kind.INCIDENT_SHARED]
    assert services.kinds_for(personas.outsider) == []
