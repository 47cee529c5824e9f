"""E-mail retries over hours, not seconds (issue 26 item 7). The finding: five of six
attempts fell within 66 s, so an 8-minute SMTP outage failed 3 of 4 e-mails for good and
nobody was told. Time is simulated by stepping a clock through the retry schedule; the
outage is real: Django's SMTP backend against a port where no server listens."""

from __future__ import annotations

import contextlib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Channel, Kind, Notification, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_broker(monkeypatch):
    """Enqueueing after commit is not what is tested here: the clock loop delivers."""
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *a, **kw: None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def _smtp_down(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2


def _smtp_up(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _emails(personas, count: int) -> list[Notification]:
    rows = []
    for n in range(count):
        created = services.notification_enqueue(
            recipient=personas.manager,
            kind=Kind.SELF_REPORT,
            key=f"outage:{n}",
            organisation_id=personas.org.pk,
            template="self_report",
            context={"reference": f"UDH-2026-{n + 1:04d}", "unit_name": "Børn og Familie", "level_label": "Moderat"},
        )
        rows += [row for row in created if row.channel == Channel.EMAIL]
    return rows


def _run_clock(settings, *, start, until, outage_ends=None, step=timedelta(seconds=30)) -> dict[int, list]:
    """Step the clock; deliver each row when its next attempt is due. Returns the attempt times."""
    attempts: dict[int, list] = {}
    now = start
    while now <= until:
        if outage_ends is not None and now >= outage_ends:
            _smtp_up(settings)
        for row in Notification.objects.filter(channel=Channel.EMAIL, state=State.PENDING, next_attempt_at__lte=now):
            attempts.setdefault(row.pk, []).append(now - start)
            with contextlib.suppress(services.DeliveryFailed):
                services.notification_deliver(
                    row.pk, now=now, max_attempts=tasks.MAX_ATTEMPTS, retry_window=tasks.retry_delay
                )
        if not Notification.objects.filter(channel=Channel.EMAIL, state=State.PENDING).exists():
            break
        now += step
    return attempts


def test_the_schedule_backs_off_exponentially_to_a_day_and_spans_more_than_a_day():
    delays = [tasks.retry_delay(n) for n in range(1, tasks.MAX_ATTEMPTS)]
    assert delays[:4] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert all(later >= earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert max(delays) == timedelta(hours=24)
    assert sum(delays, timedelta()) > timedelta(hours=48)
    # The old schedule's first five waits fitted in about a minute; these take half an hour.
    assert sum(delays[:5], timedelta()) >= timedelta(minutes=31)


def test_an_eight_minute_smtp_outage_loses_nothing(personas, settings, no_broker):
    _smtp_down(settings)
    rows = _emails(personas, 4)
    start = timezone.now()
    attempts = _run_clock(
        settings, start=start, until=start + timedelta(hours=2), outage_ends=start + timedelta(minutes=8)
    )
    states = dict(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "state"))
    assert set(states.values()) == {State.SENT}  # not one failed
    assert len(mail.outbox) == 4
    for row in rows:
        times = attempts[row.pk]
        assert len(times) >= 4  # failed in the outage at 0, 1, 3 and 7 minutes ...
        assert times[-1] >= timedelta(minutes=8)  # ... and sent by the first attempt after it
        assert times[-1] <= timedelta(minutes=20)
    assert not Notification.objects.filter(kind=Kind.ADMIN_ALERT).exists()


def test_a_message_that_fails_for_good_alerts_the_admins_in_the_app(personas, settings, no_broker):
    _smtp_down(settings)
    row = _emails(personas, 1)[0]
    start = timezone.now()
    attempts = _run_clock(settings, start=start, until=start + timedelta(days=4), step=timedelta(minutes=15))
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == tasks.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in row.last_error or "Connection refused" in row.last_error
    assert attempts[row.pk][-1] > timedelta(hours=48)  # it kept trying for two days

    alert = Notification.objects.get(kind=Kind.ADMIN_ALERT, recipient=personas.admin)
    assert alert.channel == Channel.IN_APP  # not by e-mail, which is what fails
    assert alert.subject == "En e-mail kunne ikke sendes"
    assert "Ny selvanmeldelse i din enhed" in alert.body and f"{tasks.MAX_ATTEMPTS} forsøg" in alert.body
    assert alert.target_url == reverse("admin:notifications_notification_change", args=[row.pk])
    assert not Notification.objects.filter(kind=Kind.ADMIN_ALERT, recipient=personas.manager).exists()
    assert not Notification.objects.filter(kind=Kind.ADMIN_ALERT, channel=Channel.EMAIL).exists()


def test_a_long_wait_is_left_to_the_sweep_not_to_a_celery_countdown(personas, settings, no_broker):
    _smtp_down(settings)
    row = _emails(personas, 1)[0]
    Notification.objects.filter(pk=row.pk).update(attempts=9)  # the next failure is attempt 10
    result = tasks.deliver_notification.apply(args=[row.pk])
    assert result.get() == "waiting"
    row.refresh_from_db()
    assert row.state == State.PENDING and row.attempts == 10
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(hours=8) < wait <= timedelta(hours=8, minutes=32)
    # When it is due, the sweep hands it to the worker again.
    due = row.next_attempt_at + timedelta(minutes=3)
    assert row.pk in list(services.stale_outbox(now=due).values_list("pk", flat=True))
    assert row.pk not in list(services.stale_outbox(now=timezone.now()).values_list("pk", flat=True))
