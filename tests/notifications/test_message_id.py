"""E-mail at most once in practice (issue 23), against a real SMTP server (aiosmtpd).

A real `celery worker` subprocess sends the outbox to a local SMTP sink; its main process
is killed with SIGKILL in the middle of the run. A second worker (and the outbox sweep)
finish the rest. Every notification is delivered; a notification delivered twice (the
worker died between the server's acceptance and the row update) carries the same
Message-ID both times, and there is at most one such duplicate per crash.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections import defaultdict
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from notifications import delivery, services
from notifications.delivery import NOTIFICATION_HEADER
from notifications.models import Channel, Notification, State
from tests.factories import member
from tests.notifications.test_reliability import _database_url, _forget_unacked_deliveries, _start_worker_process, _stop
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INCIDENTS = 12


class Sink:
    """An SMTP server that records each accepted message (after a short pause before "250")."""

    def __init__(self, pause: float = 0.05):
        self.pause = pause
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []  # (notification id, Message-ID)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.pause)
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append((message[NOTIFICATION_HEADER], message["Message-ID"]))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)


@pytest.fixture
def sink():
    handler = Sink()
    with socket.socket() as probe:  # a free port, chosen now
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def _wait(predicate, timeout: float, step: float = 0.05, tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick:
            tick()
        time.sleep(step)
    return predicate()


def test_message_id_is_stable_per_notification(personas, register):
    register()
    rows = list(Notification.objects.filter(channel=Channel.EMAIL))
    assert rows
    ids = {delivery.message_id(row) for row in rows}
    assert len(ids) == len(rows)  # one per notification
    for row in rows:
        again = Notification.objects.get(pk=row.pk)
        assert delivery.message_id(again) == delivery.message_id(row)
        assert delivery.message_id(row).startswith(f"<notification-{row.pk}.")


def test_worker_killed_mid_send_delivers_every_mail_duplicates_share_the_message_id(personas, register, sink, tmp_path):
    for number in range(3):  # more managers over the unit, so each incident is several e-mails
        member(personas.family, "manager", username=f"leder{number}", email=f"leder{number}@udh.test")
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.smtp_worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TEST_SMTP_PORT": str(sink.port),
        "NOTIFICATIONS_LEASE_SECONDS": "3",
    }
    for _ in range(INCIDENTS):
        register()  # each e-mail row is enqueued to Redis after its commit
    expected = set(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    assert len(expected) >= 2 * INCIDENTS

    first = _start_worker_process(tmp_path, "first", env)
    second = None
    try:
        assert _wait(lambda: sink.count() >= len(expected) // 3, timeout=90), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)  # mid-run, usually mid-conversation
        first.wait(timeout=10)
        delivered_before = sink.count()
        assert delivered_before < len(expected)

        second = _start_worker_process(tmp_path, "second", env)

        def all_sent() -> bool:
            return not Notification.objects.filter(pk__in=expected).exclude(state=State.SENT).exists()

        assert _wait(all_sent, timeout=120, step=0.5, tick=lambda: services.notification_sweep(grace=timedelta(0))), (
            tmp_path / "second.log"
        ).read_text()
        time.sleep(6)  # let redelivered messages arrive and find nothing to do
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        _forget_unacked_deliveries()
        app.control.purge()

    by_notification: dict[str, list[str]] = defaultdict(list)
    with sink.lock:
        for notification_id, message_id in sink.received:
            by_notification[notification_id].append(message_id)
    assert {int(pk) for pk in by_notification} == expected  # no loss
    rows = {row.pk: row for row in Notification.objects.filter(pk__in=expected)}
    duplicates = 0
    for pk, message_ids in by_notification.items():
        assert set(message_ids) == {delivery.message_id(rows[int(pk)])}  # the same message every time
        duplicates += len(message_ids) - 1
    assert duplicates <= 1, by_notification  # at most one per crash (the hand-off window)
    print(f"{len(expected)} e-mails, {delivered_before} before the SIGKILL, {duplicates} duplicate(s)")
