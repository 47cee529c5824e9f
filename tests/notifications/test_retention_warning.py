"""«Sag slettes snart»: the managers over an incident's unit are warned RETENTION_WARNING_DAYS
before a closed incident is deleted by retention (retention/services.py), once per incident
and due date, never for an incident on legal hold; the e-mail says when, why and how to keep
it, and the run costs the same few queries however many incidents it warns about."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from incidents.models import Incident
from incidents.services import incident_change_status, incident_set_legal_hold
from notifications import services, tasks
from notifications.models import Channel, Kind, Notification, State
from retention import services as retention
from retention.services import RETENTION_WARNING_DAYS, add_months, retention_upcoming, retention_warn
from retention.tasks import purge_expired_incidents
from tests.factories import OrganisationFactory, UnitFactory, member

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
CLOSED = datetime(2026, 1, 15, 10, 0, tzinfo=CPH)
DUE = datetime(2028, 1, 15, 10, 0, tzinfo=CPH)  # 24 months (the default period) after closing
WARN_AT = DUE - timedelta(days=RETENTION_WARNING_DAYS)
MANAGER = Incident.Channel.MANAGER


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *a, **kw: None)


def _close(incident: Incident, closed_at: datetime = CLOSED, **fields) -> Incident:
    """Closed at `closed_at`, as if closed then."""
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED, closed_at=closed_at, **fields)
    return Incident.objects.select_related("unit__organisation").get(pk=incident.pk)


def _warnings(channel: str = Channel.IN_APP) -> list[Notification]:
    return list(
        Notification.objects.filter(kind=Kind.RETENTION_WARNING, channel=channel)
        .select_related("recipient")
        .order_by("id")
    )


# --- When ---------------------------------------------------------------------------------------


def test_warned_once_30_days_before_the_deletion_and_not_before(personas, register):
    incident = _close(register(MANAGER))
    assert retention.retention_due(incident) == DUE

    assert retention_warn(now=WARN_AT - timedelta(minutes=1)) == 0
    assert _warnings() == []
    assert retention_warn(now=WARN_AT) == 2  # in-app and e-mail to the one manager over the unit
    assert retention_warn(now=WARN_AT) == 0  # a rerun of the same night
    assert retention_warn(now=WARN_AT + timedelta(days=1)) == 0  # the next nights
    assert retention_warn(now=DUE - timedelta(minutes=1)) == 0

    [row] = _warnings()
    assert row.recipient == personas.manager  # manager of Socialforvaltning, above Børn og Familie
    assert row.incident_id == incident.pk
    assert row.key == f"retention_warning:{incident.pk}:2028-01-15:{personas.manager.pk}:in_app"
    assert row.target_url == reverse("incidents:detail", args=[incident.reference]) + "#opbevaring"
    [email] = _warnings(Channel.EMAIL)
    assert email.state == State.PENDING and email.recipient == personas.manager


def test_the_bulk_rows_carry_their_incident_id_as_single_rows_do(personas, register):
    """notifications_enqueue_bulk sets about_incident_id as notification_enqueue does, so the rows stay
    found by the incident's id (notifications.purge) once the incident link is gone."""
    incident = _close(register(MANAGER))
    retention_warn(now=WARN_AT)
    rows = Notification.objects.filter(kind=Kind.RETENTION_WARNING)
    assert rows.count() == 2
    assert set(rows.values_list("about_incident_id", flat=True)) == {incident.pk}


def test_only_the_managers_over_the_unit_are_warned(personas, register):
    team_manager = member(personas.family, Role.MANAGER, username="family_manager")
    _close(register(MANAGER))
    jobcenter = _close(register(MANAGER, unit=personas.jobcenter, targets=[personas.other_caseworker]))
    retention_warn(now=WARN_AT)
    by_incident = {}
    for row in _warnings():
        by_incident.setdefault(row.incident_id, set()).add(row.recipient.username)
    assert by_incident.pop(jobcenter.pk) == {"manager", "other_manager"}
    assert list(by_incident.values()) == [{"manager", team_manager.username}]
    assert not any(row.recipient.username in ("caseworker", "union_rep", "admin") for row in _warnings())


def test_an_incident_already_due_is_left_to_the_purge(personas, register):
    _close(register(MANAGER))
    assert retention_warn(now=DUE) == 0
    assert retention_warn(now=DUE + timedelta(days=3)) == 0


def test_open_incidents_are_not_warned(personas, register):
    incident = register(MANAGER)
    Incident.objects.filter(pk=incident.pk).update(closed_at=CLOSED)  # not closed: no due date
    assert retention_warn(now=WARN_AT) == 0


def test_not_for_an_incident_on_legal_hold(personas, register):
    incident = _close(register(MANAGER))
    incident_set_legal_hold(actor=personas.manager, incident=incident, hold=True, reason="Verserende retssag")
    assert retention_warn(now=WARN_AT) == 0
    assert retention_upcoming(WARN_AT, timedelta(days=RETENTION_WARNING_DAYS)) == []

    incident.refresh_from_db()
    incident_set_legal_hold(actor=personas.manager, incident=incident, hold=False, reason="Sagen er afgjort")
    assert retention_warn(now=WARN_AT + timedelta(days=1)) == 2  # cleared: warned at the next run


def test_a_new_due_date_after_reopening_and_closing_brings_a_new_warning(personas, register):
    incident = _close(register(MANAGER))
    assert retention_warn(now=WARN_AT) == 2

    incident_change_status(
        actor=personas.manager,
        incident=incident,
        to_status=Incident.Status.IN_PROGRESS,
        reason="Nyt opslag om medarbejderen",
    )
    incident = _close(incident, CLOSED + timedelta(days=100))
    new_due = add_months(CLOSED + timedelta(days=100), 24)
    assert retention_warn(now=WARN_AT + timedelta(days=1)) == 0  # the old date no longer holds
    assert retention_warn(now=new_due - timedelta(days=RETENTION_WARNING_DAYS, minutes=1)) == 0
    assert retention_warn(now=new_due - timedelta(days=RETENTION_WARNING_DAYS)) == 2
    assert retention_warn(now=new_due - timedelta(days=RETENTION_WARNING_DAYS - 1)) == 0
    keys = [row.key for row in _warnings()]
    assert keys == [
        f"retention_warning:{incident.pk}:2028-01-15:{personas.manager.pk}:in_app",
        f"retention_warning:{incident.pk}:2028-04-25:{personas.manager.pk}:in_app",
    ]


def test_each_organisation_counts_its_own_period(personas, register):
    personas.org.retention_months = 6
    personas.org.save()
    incident = _close(register(MANAGER), datetime(2025, 8, 31, 12, 0, tzinfo=CPH))
    due = datetime(2026, 2, 28, 12, 0, tzinfo=CPH)  # no 31 February: the month's last day
    assert retention.retention_due(incident) == due
    assert retention_warn(now=due - timedelta(days=30, seconds=1)) == 0
    assert retention_warn(now=due - timedelta(days=30)) == 2
    [item] = retention_upcoming(due - timedelta(days=1), timedelta(days=30))
    assert (item.incident.pk, item.due, item.retention_months) == (incident.pk, due, 6)


# --- What it says -------------------------------------------------------------------------------


def test_email_is_danish_with_date_reason_legal_hold_and_link(personas, register, mailoutbox, client):
    incident = _close(register(MANAGER))
    retention_warn(now=WARN_AT)
    [email_row] = _warnings(Channel.EMAIL)
    [in_app] = _warnings()

    assert services.notification_deliver(email_row.pk) == "sent"
    [mail] = mailoutbox
    assert mail.to == [personas.manager.email]
    assert mail.subject == f"Sag {incident.reference} slettes snart (15. januar 2028)"
    body = mail.body
    assert body.startswith("Hej Mette")
    assert (
        f"Sag {incident.reference} i Børn og Familie blev afsluttet 15. januar 2026 og slettes automatisk "
        "15. januar 2028 sammen med alt om den"
    ) in body
    assert "opbevaringsperiode for afsluttede sager er 24 måneder" in body
    assert "princip om opbevaringsbegrænsning, art. 5, stk. 1, litra e" in body
    assert "sætte retligt hold på sagen under «Opbevaring og sletning»" in body
    open_url = f"https://udh.test{reverse('notifications:open', args=[in_app.pk])}"
    assert f"Åbn sagen: {open_url}" in body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{open_url}">Åbn sagen</a>' in html
    assert "retligt hold" in html and "24 måneder" in html
    # Nothing the incident says in free text: not its title, description or the perpetrator.
    for text in (mail.subject, body, html, in_app.subject, in_app.body):
        assert "Bent Borger" not in text and "stjæler" not in text and "Hængt ud af" not in text

    # In the notification centre: short, no greeting, no footer.
    assert "slettes automatisk 15. januar 2028" in in_app.body
    assert "Sæt retligt hold på sagen, hvis den skal bevares." in in_app.body
    assert "Hej" not in in_app.body and "https://" not in in_app.body

    # The link opens the incident's retention card for the manager.
    client.force_login(personas.manager)
    response = client.get(reverse("notifications:open", args=[in_app.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.reference]) + "#opbevaring"
    page = client.get(response["Location"]).content.decode()
    assert "Opbevaring og sletning" in page and "Sæt retligt hold" in page


def test_one_month_period_is_singular(personas, register):
    personas.org.retention_months = 1
    personas.org.save()
    incident = _close(register(MANAGER))
    due = retention.retention_due(incident)
    retention_warn(now=due - timedelta(days=10))
    [row] = _warnings(Channel.EMAIL)
    assert "opbevaringsperiode for afsluttede sager er 1 måned." in row.body


def test_email_preference_is_honoured_and_offered(personas, register, client):
    assert Kind.RETENTION_WARNING in services.kinds_for(personas.manager)
    assert Kind.RETENTION_WARNING not in services.kinds_for(personas.caseworker)
    client.force_login(personas.manager)
    assert "Sag slettes snart" in client.get(reverse("notifications:preferences")).content.decode()

    services.preferences_set(user=personas.manager, email_by_kind={Kind.RETENTION_WARNING: False})
    _close(register(MANAGER))
    assert retention_warn(now=WARN_AT) == 1
    assert len(_warnings()) == 1 and _warnings(Channel.EMAIL) == []


def test_email_is_not_sent_when_legal_hold_was_set_meanwhile(personas, register, mailoutbox):
    incident = _close(register(MANAGER))
    retention_warn(now=WARN_AT)
    [email_row] = _warnings(Channel.EMAIL)
    incident_set_legal_hold(actor=personas.manager, incident=incident, hold=True, reason="Klage til Ankestyrelsen")
    assert services.notification_deliver(email_row.pk) == "skipped"
    assert mailoutbox == []
    email_row.refresh_from_db()
    assert "legal hold" in email_row.last_error


# --- The nightly task and its cost ---------------------------------------------------------------


def test_nightly_task_purges_then_warns(personas, register):
    now = timezone.now()
    overdue = _close(register(MANAGER), add_months(now, -25))
    soon = _close(register(MANAGER), add_months(now, -24) + timedelta(days=10))
    later = _close(register(MANAGER), add_months(now, -24) + timedelta(days=40))

    assert purge_expired_incidents() == 1
    assert not Incident.objects.filter(pk=overdue.pk).exists()
    assert {row.incident_id for row in _warnings()} == {soon.pk}
    assert later.pk not in {row.incident_id for row in _warnings(Channel.EMAIL)}
    purge_expired_incidents()
    assert len(_warnings()) == 1  # the next night: not again


def test_the_command_warns_too(personas, register):
    now = timezone.now()
    soon = _close(register(MANAGER), add_months(now, -24) + timedelta(days=10))
    out = StringIO()
    call_command("purge_incidents", "--dry-run", stdout=out)
    assert "1 closed incident(s) fall due within 30 days" in out.getvalue()
    assert _warnings() == []
    out = StringIO()
    call_command("purge_incidents", stdout=out)
    assert "Warnings of deletion within 30 days written: 2 " in out.getvalue()
    assert [row.incident_id for row in _warnings()] == [soon.pk]


def test_purging_an_incident_deletes_its_warnings(personas, register):
    incident = _close(register(MANAGER))
    retention_warn(now=WARN_AT)
    assert len(_warnings()) == 1
    retention.retention_purge(now=DUE, dry_run=False)
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert _warnings() == [] and _warnings(Channel.EMAIL) == []


def _queries(now) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        written = retention_warn(now=now)
    return written, len(captured.captured_queries)


def test_queries_do_not_grow_with_the_number_of_incidents(personas, register):
    member(personas.family, Role.MANAGER, username="family_manager")
    other_org = OrganisationFactory(name="Nabokommune", retention_months=12)
    other_unit = UnitFactory(organisation=other_org, name="Ydelser")
    member(other_unit, Role.MANAGER, username="naboleder")

    _close(register(MANAGER))  # one incident in the first run
    later = datetime(2026, 3, 15, 10, 0, tzinfo=CPH)  # due 15 March 2028, when the first one is long gone
    for _ in range(8):  # eight in the second, in both organisations
        _close(register(MANAGER, unit=personas.jobcenter, targets=[personas.other_caseworker]), later)
        other = register(MANAGER)
        Incident.objects.filter(pk=other.pk).update(unit=other_unit)
        _close(other, add_months(later, 12))

    written_one, queries_one = _queries(WARN_AT)
    second_run = datetime(2028, 3, 15, 10, 0, tzinfo=CPH) - timedelta(days=RETENTION_WARNING_DAYS)
    written_many, queries_many = _queries(second_run)
    assert written_one == 4  # 2 managers × (in-app + e-mail)
    assert written_many == 8 * 2 * 2 + 8 * 2  # jobcenter: 2 managers; the other organisation: 1
    # Directory: two queries per organisation; everything else a fixed number.
    assert queries_many <= queries_one + 2
    assert queries_many <= 14
    assert _queries(second_run)[0] == 0  # a rerun writes nothing


def test_a_concurrent_run_that_wrote_some_keys_first_is_tolerated(personas, register, monkeypatch):
    incident = _close(register(MANAGER))
    # The other run wrote the in-app row after this run looked for existing keys.
    monkeypatch.setattr(services, "existing_keys", lambda keys: set())
    services.notification_enqueue(
        recipient=personas.manager,
        kind=Kind.RETENTION_WARNING,
        key=f"retention_warning:{incident.pk}:2028-01-15:{personas.manager.pk}",
        organisation_id=personas.org.pk,
        template="retention_warning",
        context={"reference": incident.reference, "due": DUE, "closed_at": CLOSED, "retention_months": 24},
        incident=incident,
    )
    assert retention_warn(now=WARN_AT) == 0
    assert len(_warnings()) == 1 and len(_warnings(Channel.EMAIL)) == 1


def test_subject_names_no_more_than_reference_and_date(personas, register):
    incident = _close(register(MANAGER))
    retention_warn(now=WARN_AT)
    [row] = _warnings()
    assert re.fullmatch(rf"Sag {re.escape(incident.reference)} slettes snart \(15\. januar 2028\)", row.subject)


def test_every_kind_has_its_template_triplet():
    from django.template.loader import get_template

    for kind in Kind.values:
        for suffix in ("subject.txt", "text.txt", "html.html"):
            get_template(f"emails/{kind}-{suffix}")
