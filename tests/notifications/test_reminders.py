"""Deadline reminders (DOMAIN.md 4.4) and the weekly digest for managers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incidents import reminders as incident_reminders
from incidents import tasks as incident_tasks
from incidents.art14 import art14_record
from incidents.models import Incident
from incidents.services import incident_change_status, incident_record_action
from notifications import services, tasks
from notifications.models import Channel, Kind, Notification
from udhaengning.beat import BEAT_SCHEDULE
from udhaengning.celery import app

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=CPH)  # a self-report now is due Wednesday 10:00


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *a, **kw: None)


def _reminders(**filters):
    return list(
        Notification.objects.filter(kind=Kind.DEADLINE_REMINDER, channel=Channel.IN_APP, **filters)
        .select_related("recipient")
        .order_by("id")
    )


def _due(incident, code) -> datetime:
    return next(datetime.fromisoformat(d["due"]) for d in incident.assessment["deadlines"] if d["code"] == code)


def test_assessment_due_is_reminded_before_and_when_due_once_each(personas, register):
    incident = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    due = _due(incident, "assessment_due")
    assert due == datetime(2026, 11, 25, 10, 0, tzinfo=CPH)

    assert incident_reminders.reminders_due(due - timedelta(hours=25)) == 0
    assert incident_reminders.reminders_due(due - timedelta(hours=23)) == 2  # in-app and e-mail to the manager
    assert incident_reminders.reminders_due(due - timedelta(hours=1)) == 0
    [before] = _reminders()
    assert before.recipient == personas.manager
    assert before.subject == f"Frist nærmer sig: Vurder indberetningen (sag {incident.reference})"
    assert "25. november 2026 kl. 10:00" in before.body and "Børn og Familie" in before.body

    assert incident_reminders.reminders_due(due + timedelta(minutes=15)) == 2
    assert incident_reminders.reminders_due(due + timedelta(hours=2)) == 0
    due_row = _reminders()[-1]
    assert due_row.subject.startswith("Frist nået: Vurder indberetningen")
    assert "udløb 25. november 2026 kl. 10:00" in due_row.body
    assert Notification.objects.filter(kind=Kind.DEADLINE_REMINDER, channel=Channel.EMAIL).count() == 2


def test_no_reminder_once_the_self_report_is_being_assessed(personas, register):
    incident = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    incident_change_status(actor=personas.manager, incident=incident, to_status="assessing")
    assert incident_reminders.reminders_due(_due(incident, "assessment_due") - timedelta(hours=1)) == 0


def test_police_deadline_goes_to_every_manager_over_the_unit_until_reported(personas, register):
    incident = register(
        Incident.Channel.MANAGER, unit=personas.jobcenter, targets=[personas.other_caseworker], now=MONDAY, threat=True
    )
    due = _due(incident, "police_report_72h")
    assert due == MONDAY + timedelta(hours=72)
    incident_reminders.reminders_due(due - timedelta(hours=2))
    assert sorted(n.recipient.username for n in _reminders()) == ["manager", "other_manager"]
    assert "Anmeld til politiet inden 72 timer" in _reminders()[0].subject

    incident_record_action(
        actor=personas.manager, incident=incident, action_code="police_report", occurred_on=date(2026, 11, 25)
    )
    assert incident_reminders.reminders_due(due + timedelta(minutes=5)) == 0


def test_closed_incidents_and_long_past_deadlines_are_quiet(personas, register):
    closed = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    art14_record(actor=personas.manager, incident=closed, informed_on=MONDAY.date())  # needed to close
    incident_change_status(actor=personas.manager, incident=closed, to_status="closed")
    assert incident_reminders.reminders_due(_due(closed, "follow_up_14_days")) == 0
    old = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    late = _due(old, "follow_up_14_days") + incident_reminders.DUE_WINDOW + timedelta(hours=1)
    assert incident_reminders.reminders_due(late) == 0


def test_reminders_carry_no_free_text(personas, register):
    incident = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    incident_reminders.reminders_due(_due(incident, "assessment_due"))
    for row in Notification.objects.filter(kind=Kind.DEADLINE_REMINDER):
        assert "Bent Borger" not in row.subject + row.body + row.body_html
        assert "stjæler" not in row.body + row.body_html


# --- Weekly digest ----------------------------------------------------------------------------


def test_weekly_digest_per_manager_with_their_incidents_and_deadlines(personas, register):
    family = register(Incident.Channel.SELF_REPORT, now=MONDAY, threat=True)
    jobcenter = register(
        Incident.Channel.MANAGER, unit=personas.jobcenter, targets=[personas.other_caseworker], now=MONDAY
    )
    closed = register(Incident.Channel.SELF_REPORT, now=MONDAY)
    art14_record(actor=personas.manager, incident=closed, informed_on=MONDAY.date())  # needed to close
    incident_change_status(actor=personas.manager, incident=closed, to_status="closed")

    tuesday = MONDAY + timedelta(days=1)
    assert incident_reminders.digest_weekly(tuesday) == 4  # two managers, in-app and e-mail each
    assert incident_reminders.digest_weekly(tuesday + timedelta(days=3)) == 0  # same week
    rows = {
        n.recipient.username: n for n in Notification.objects.filter(kind=Kind.WEEKLY_DIGEST, channel=Channel.EMAIL)
    }
    assert set(rows) == {"manager", "other_manager"}
    mine = rows["manager"]
    assert mine.subject == "Ugens overblik (uge 48): 2 åbne hændelser"
    assert family.reference in mine.body and jobcenter.reference in mine.body
    assert closed.reference not in mine.body
    assert "Anmeld til politiet inden 72 timer" in mine.body  # due within 7 days
    assert "Opfølgende samtale" not in mine.body  # 14 days away
    assert "<table>" in mine.body_html
    theirs = rows["other_manager"]
    assert theirs.subject == "Ugens overblik (uge 48): 1 åben hændelse"
    assert family.reference not in theirs.body
    assert "Bent Borger" not in mine.body + mine.body_html

    assert incident_reminders.digest_weekly(tuesday + timedelta(days=7)) == 4  # next week


def test_no_digest_without_open_incidents(personas):
    assert incident_reminders.digest_weekly(MONDAY) == 0


# --- Tasks and schedule -------------------------------------------------------------------------


def test_tasks_call_the_services(personas, register, monkeypatch):
    monkeypatch.setattr(incident_reminders, "reminders_due", lambda now=None: 3)
    monkeypatch.setattr(incident_reminders, "digest_weekly", lambda now=None: 4)
    monkeypatch.setattr(services, "notification_sweep", lambda now=None: 5)
    assert incident_tasks.send_reminders.run() == 3
    assert incident_tasks.send_weekly_digest.run() == 4
    assert tasks.sweep_pending.run() == 5


@pytest.mark.parametrize(
    "name", ["notifications-sweep-outbox", "notifications-deadline-reminders", "notifications-weekly-digest"]
)
def test_beat_entries_expire_and_name_registered_tasks(name):
    app.loader.import_default_modules()
    entry = BEAT_SCHEDULE[name]
    assert entry["task"] in app.tasks
    assert entry["options"]["expires"] > 0


def test_sweep_runs_more_often_than_its_expiry():
    entry = BEAT_SCHEDULE["notifications-sweep-outbox"]
    assert entry["options"]["expires"] < entry["schedule"]
