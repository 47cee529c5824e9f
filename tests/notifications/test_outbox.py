"""The outbox: rows written with the event, claimed once, sent once, retried, swept."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from incidents.models import Incident
from notifications import services, tasks
from notifications.delivery import NOTIFICATION_HEADER
from notifications.models import Channel, Kind, Notification, Preference, State
from tests.factories import OrganisationFactory, UnitFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    calls = []
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda args, **kw: calls.append(args[0]))
    return calls


def _enqueue(personas, *, key="test:1", recipient=None, incident=None):
    recipient = recipient or personas.manager
    return services.notification_enqueue(
        recipient=recipient,
        kind=Kind.SELF_REPORT,
        key=key,
        organisation_id=personas.org.pk,
        template="self_report",
        context={"reference": "UDH-2026-0001", "unit_name": "Børn og Familie", "level_label": "Moderat"},
        incident=incident,
        target_url="/haendelser/UDH-2026-0001/",
    )


def _email(personas, **kwargs) -> Notification:
    return next(n for n in _enqueue(personas, **kwargs) if n.channel == Channel.EMAIL)


# --- Writing ----------------------------------------------------------------------------


def test_one_in_app_row_delivered_at_once_and_one_email_row_pending(personas, sent_tasks):
    rows = _enqueue(personas)
    in_app, email = sorted(rows, key=lambda n: n.channel != Channel.IN_APP)
    assert (in_app.channel, in_app.state, in_app.read_at) == (Channel.IN_APP, State.SENT, None)
    assert in_app.sent_at is not None
    assert (email.channel, email.state, email.attempts) == (Channel.EMAIL, State.PENDING, 0)
    assert email.subject == "Ny selvanmeldelse UDH-2026-0001 i Børn og Familie"
    assert "Hej Mette" in email.body and "Hej Mette" not in in_app.body
    open_url = "https://udh.test" + reverse("notifications:open", args=[in_app.pk])
    assert open_url in email.body and f'href="{open_url}"' in email.body_html
    assert in_app.body.startswith("En medarbejder i Børn og Familie har selv anmeldt")
    assert in_app.body_html == ""


def test_the_same_event_notifies_once(personas, sent_tasks):
    assert len(_enqueue(personas)) == 2
    assert _enqueue(personas) == []
    assert Notification.objects.count() == 2


def test_rows_are_written_in_the_events_transaction(personas, sent_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue(personas)
        raise RuntimeError("the event failed")
    assert not Notification.objects.exists()


def test_email_is_handed_to_celery_only_after_commit(personas, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _email(personas)
    assert sent_tasks == []
    for callback in callbacks:
        callback()
    assert sent_tasks == [email.pk]


def test_a_broker_that_is_down_is_logged_and_not_raised(
    personas, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", down)
    with (
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = _email(personas)
    assert "the sweep will retry it" in caplog.text
    email.refresh_from_db()
    assert email.state == State.PENDING


def test_after_a_failure_the_broker_is_left_alone_for_a_moment(personas, monkeypatch):
    attempts = []

    def down(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("down")

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", down)
    first = _email(personas, key="a")
    second = _email(personas, key="b")
    assert services.enqueue_delivery(first.pk) is False
    assert services.enqueue_delivery(second.pk) is False
    assert len(attempts) == 1  # the second did not wait for the dead broker
    assert services.enqueue_delivery(second.pk, force=True) is False
    assert len(attempts) == 2


def test_email_off_for_the_kind_leaves_the_in_app_row(personas, sent_tasks):
    Preference.objects.create(user=personas.manager, kind=Kind.SELF_REPORT, email=False)
    rows = _enqueue(personas)
    assert [n.channel for n in rows] == [Channel.IN_APP]


def test_no_email_row_without_an_address_or_for_an_inactive_user(personas, sent_tasks):
    personas.manager.email = ""
    personas.manager.save()
    assert [n.channel for n in _enqueue(personas)] == [Channel.IN_APP]
    personas.other_manager.is_active = False
    personas.other_manager.save()
    assert _enqueue(personas, key="test:2", recipient=personas.other_manager) == []


# --- Claiming and delivering --------------------------------------------------------------


def test_claim_is_won_once_until_the_lease_runs_out(personas, sent_tasks):
    email = _email(personas)
    now = timezone.now()
    assert services.notification_claim(email.pk, now=now) is True
    assert services.notification_claim(email.pk, now=now) is False
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENDING, 1)
    later = now + timedelta(seconds=services.lease_seconds() + 1)
    assert services.notification_claim(email.pk, now=later) is True
    email.refresh_from_db()
    assert email.attempts == 2


def test_an_in_app_row_is_never_claimed(personas, sent_tasks):
    in_app = next(n for n in _enqueue(personas) if n.channel == Channel.IN_APP)
    assert services.notification_claim(in_app.pk) is False


def test_deliver_sends_text_and_html_once(personas, sent_tasks):
    email = _email(personas)
    assert services.notification_deliver(email.pk) == "sent"
    assert services.notification_deliver(email.pk) == "noop"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.manager.email]
    assert message.subject == "Ny selvanmeldelse UDH-2026-0001 i Børn og Familie"
    assert message.extra_headers[NOTIFICATION_HEADER] == str(email.pk)
    assert message.alternatives[0][1] == "text/html"
    assert "<p>En medarbejder i Børn og Familie" in message.alternatives[0][0]
    email.refresh_from_db()
    assert (email.state, email.attempts, email.lease_until) == (State.SENT, 1, None)
    assert email.sent_at is not None


def test_a_task_for_a_sent_row_or_a_vanished_row_is_a_noop(personas, sent_tasks):
    email = _email(personas)
    assert tasks.deliver_notification.run(email.pk) == "sent"
    assert tasks.deliver_notification.run(email.pk) == "noop"
    assert tasks.deliver_notification.run(987654) == "noop"
    assert len(mail.outbox) == 1


@pytest.fixture
def connections(monkeypatch):
    """Count the mail connections opened."""
    from notifications import delivery

    opened = []
    original = delivery.open_connection

    def counting():
        opened.append(1)
        return original()

    monkeypatch.setattr(delivery, "open_connection", counting)
    return opened


def test_a_task_sends_the_rows_due_over_one_connection(personas, sent_tasks, connections):
    rows = [_email(personas, key=f"batch:{n}") for n in range(3)]
    later = _email(personas, key="later")
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert tasks.deliver_notification.run(rows[1].pk) == "sent"
    assert len(connections) == 1
    assert sorted(m.extra_headers[NOTIFICATION_HEADER] for m in mail.outbox) == sorted(str(r.pk) for r in rows)
    states = dict(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", "state"))
    assert states == {**{r.pk: State.SENT for r in rows}, later.pk: State.PENDING}  # not due yet: left alone
    assert set(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("attempts", flat=True)) == {1}
    assert [tasks.deliver_notification.run(r.pk) for r in rows] == ["noop"] * 3  # their own messages
    assert len(mail.outbox) == 3


def test_one_failing_message_in_a_batch_is_retried_alone(personas, sent_tasks, settings, connections):
    from tests.notifications import mailbackends

    settings.EMAIL_BACKEND = "tests.notifications.mailbackends.SelectiveBackend"
    first, bad, after = (_email(personas, key=f"batch:{n}") for n in range(3))
    mailbackends.FAIL_IDS.add(str(bad.pk))
    try:
        assert tasks.deliver_notification.run(first.pk) == "sent"
    finally:
        mailbackends.FAIL_IDS.clear()
    rows = {row.pk: row for row in Notification.objects.filter(channel=Channel.EMAIL)}
    assert rows[first.pk].state == State.SENT
    assert (rows[bad.pk].state, rows[bad.pk].attempts) == (State.PENDING, 1)
    assert "SMTPRecipientsRefused" in rows[bad.pk].last_error
    assert rows[bad.pk].next_attempt_at > timezone.now()  # waits for its retry
    assert (rows[after.pk].state, rows[after.pk].attempts) == (State.PENDING, 0)  # the batch stopped untouched
    assert [m.extra_headers[NOTIFICATION_HEADER] for m in mail.outbox] == [str(first.pk)]
    assert tasks.deliver_notification.run(after.pk) == "sent"  # its own message sends it
    assert len(connections) == 2  # the failed connection is not reused


def test_a_failed_send_goes_back_to_pending_then_fails_for_good(personas, sent_tasks, settings):
    settings.EMAIL_BACKEND = "tests.notifications.mailbackends.FailingBackend"
    email = _email(personas)
    before = timezone.now()
    with pytest.raises(services.DeliveryFailed):
        services.notification_deliver(email.pk, max_attempts=2, retry_window=lambda n: timedelta(minutes=n))
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.PENDING, 1)
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at >= before + timedelta(minutes=1)
    assert services.notification_deliver(email.pk, max_attempts=2) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.lease_until) == (State.FAILED, 2, None)


def test_retry_window_follows_the_tasks_backoff():
    assert tasks.retry_window(1) == timedelta(minutes=1)
    assert tasks.retry_window(3) == timedelta(minutes=4)
    assert tasks.retry_window(20) == timedelta(hours=24)
    assert tasks.deliver_notification.max_retries == tasks.MAX_ATTEMPTS
    assert tasks.deliver_notification.acks_late is True
    assert tasks.deliver_notification.time_limit < services.lease_seconds()


def test_a_deleted_incident_is_skipped_and_logged(personas, register, sent_tasks, caplog):
    incident = register(Incident.Channel.SELF_REPORT)
    email = _email(personas, incident=incident)
    incident.delete()
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        assert services.notification_deliver(email.pk) == "skipped"
    assert "the incident no longer exists" in caplog.text
    email.refresh_from_db()
    assert (email.state, email.last_error) == (State.SKIPPED, "the incident no longer exists")
    assert mail.outbox == []


def test_email_turned_off_after_the_event_is_skipped(personas, sent_tasks):
    email = _email(personas)
    Preference.objects.create(user=personas.manager, kind=Kind.SELF_REPORT, email=False)
    assert services.notification_deliver(email.pk) == "skipped"
    assert mail.outbox == []


# --- The sweep --------------------------------------------------------------------------------


def test_sweep_takes_stale_pending_and_lapsed_leases_only(personas, sent_tasks):
    now = timezone.now()
    fresh = _email(personas, key="fresh")
    stale = _email(personas, key="stale")
    lapsed = _email(personas, key="lapsed")
    held = _email(personas, key="held")
    done = _email(personas, key="done")
    Notification.objects.filter(pk=stale.pk).update(next_attempt_at=now - timedelta(minutes=10))
    Notification.objects.filter(pk=lapsed.pk).update(state=State.SENDING, lease_until=now - timedelta(seconds=1))
    Notification.objects.filter(pk=held.pk).update(state=State.SENDING, lease_until=now + timedelta(minutes=1))
    Notification.objects.filter(pk=done.pk).update(state=State.SENT, next_attempt_at=now - timedelta(days=1))
    sent_tasks.clear()
    assert services.notification_sweep(now=now) == 2
    assert sorted(sent_tasks) == sorted([stale.pk, lapsed.pk])
    assert fresh.pk not in sent_tasks


def test_sweep_stops_while_the_broker_is_down(personas, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", down)
    _email(personas, key="a")
    _email(personas, key="b")
    assert services.notification_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert Notification.objects.filter(state=State.PENDING).count() == 2


def test_retry_puts_failed_rows_back(personas, sent_tasks, django_capture_on_commit_callbacks):
    email = _email(personas)
    Notification.objects.filter(pk=email.pk).update(state=State.FAILED, attempts=6, last_error="boom")
    sent_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notification_retry(notifications=Notification.objects.all()) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.PENDING, 0, "boom")
    assert sent_tasks == [email.pk]


# --- Admin ------------------------------------------------------------------------------------

ADMIN_LIST = "/admin/notifications/notification/"


def test_admin_sees_own_organisation_read_only_with_a_retry_action(
    client, personas, sent_tasks, django_capture_on_commit_callbacks
):
    email = _email(personas)
    Notification.objects.filter(pk=email.pk).update(state=State.FAILED, last_error="SMTPServerDisconnected: x")
    other_unit = UnitFactory(organisation=OrganisationFactory(name="Andenkommune"))
    stranger = member(other_unit, "manager", username="fremmed")
    services.notification_enqueue(
        recipient=stranger,
        kind=Kind.SELF_REPORT,
        key="other",
        organisation_id=other_unit.organisation_id,
        template="self_report",
        context={"reference": "UDH-2026-0099", "unit_name": "Fremmed enhed"},
    )
    client.force_login(personas.admin)
    html = client.get(ADMIN_LIST).content.decode()
    assert "SMTPServerDisconnected" in html
    assert "fremmed" not in html
    assert "Send de valgte e-mails igen" in html
    page = client.get(f"{ADMIN_LIST}{email.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    foreign = Notification.objects.filter(recipient=stranger).first()
    assert client.get(f"{ADMIN_LIST}{foreign.pk}/change/").status_code == 302  # "does not exist" → index
    assert client.post(f"{ADMIN_LIST}{email.pk}/delete/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADMIN_LIST, {"action": "retry", "_selected_action": [email.pk]}, follow=True)
    assert "1 e-mail sendes igen." in response.content.decode()
    email.refresh_from_db()
    assert email.state == State.PENDING


@pytest.mark.parametrize("persona", ["manager", "caseworker", "union_rep", "outsider"])
def test_admin_screen_is_for_admins_only(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(ADMIN_LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_batch_claims_its_rows_together_and_gives_back_what_it_did_not_send(personas, sent_tasks, monkeypatch):
    """emails_claim takes the rows due in one transaction (a second claim gets the others, never
    the same); a batch that runs out of time gives its claimed, unsent rows back as they were."""
    rows = [_email(personas, key=f"claim:{n}") for n in range(5)]
    first = services.emails_claim(limit=2)
    second = services.emails_claim(limit=10)
    assert len(first) == 2 and len(second) == 3
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert {r.pk for r in first + second} == {r.pk for r in rows}
    assert all(r.state == State.SENDING and r.attempts == 1 and r.lease_until for r in first + second)
    assert services.emails_claim(limit=10) == []  # all taken
    assert services.claims_release(first + second) == 5
    assert set(Notification.objects.filter(channel=Channel.EMAIL).values_list("state", "attempts")) == {
        (State.PENDING, 0)
    }

    from types import SimpleNamespace

    # The task's clock: the loop's check, then one check per row; the time runs out at the third row.
    clock = iter([0.0, 0.0, 0.0])
    monkeypatch.setattr(tasks, "time", SimpleNamespace(monotonic=lambda: next(clock, 99.0)))
    from notifications import delivery

    with delivery.Mailer() as mailer:
        assert tasks.deliver_due(mailer, started=0.0) == 2
    states = sorted(Notification.objects.filter(channel=Channel.EMAIL).values_list("state", "attempts"))
    assert states == sorted([(State.SENT, 1)] * 2 + [(State.PENDING, 0)] * 3)
    assert len(mail.outbox) == 2
