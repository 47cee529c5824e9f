"""Reliability of the outbox with a real Redis and real workers (issue 6).

- the broker is down when an incident is registered: saved, no error, delivered later;
- a worker is killed in the middle of a delivery: delivered exactly once after restart;
- SMTP keeps failing: retried with backoff, then failed with the error for the admin;
- the incident was deleted before delivery: skipped and logged, not crashed.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from incidents import notify as incident_notify
from incidents.models import Incident
from notifications import services
from notifications.delivery import NOTIFICATION_HEADER
from notifications.models import Channel, Kind, Notification, State
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


# --- Helpers ------------------------------------------------------------------------------------


def _reset_producer_pools() -> None:
    """Forget the cached pools; kombu keeps one per broker, so the real one comes back."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Point the app's producer at another broker (and give up quickly)."""
    saved = app.conf.broker_url, app.conf.broker_write_url, app.conf.task_publish_retry_policy
    app.conf.broker_url = app.conf.broker_write_url = url
    app.conf.task_publish_retry_policy = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.1,
        "interval_max": 0.1,
    }
    _reset_producer_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url, app.conf.task_publish_retry_policy = saved
        _reset_producer_pools()


def _forget_result_backend() -> None:
    """Publishing caches the app's result backend (disabled in these settings); forget it,
    so a later test that sets app.conf.result_backend gets a working one."""
    app._local.__dict__.pop("backend", None)
    app._backend_cache = None


@pytest.fixture(autouse=True)
def _empty_queue():
    """Messages left by earlier runs would name rows of another database."""
    app.control.purge()
    yield
    app.control.purge()
    _forget_result_backend()


@pytest.fixture
def log_lines():
    """Records of notifications.services (the embedded worker may reset the root logger)."""
    records: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger = logging.getLogger("notifications.services")
    handler = ListHandler(level=logging.INFO)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def wait_for(predicate, timeout: float = 30, step: float = 0.2, tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick:
            tick()
        time.sleep(step)
    return predicate()


def _state(pk: int) -> str:
    return Notification.objects.values_list("state", flat=True).get(pk=pk)


def _self_report(personas, register) -> tuple[Incident, Notification]:
    """A caseworker's self-report, with its notifications written in the same transaction
    (as incidents.services does once it calls the event function)."""
    with transaction.atomic():
        incident = register(Incident.Channel.SELF_REPORT)
        incident_notify.on_incident_registered(incident)
    email = Notification.objects.get(
        incident=incident, recipient=personas.manager, channel=Channel.EMAIL, kind=Kind.SELF_REPORT
    )
    return incident, email


# --- Broker down --------------------------------------------------------------------------------


def test_broker_down_at_registration_delivers_after_the_sweep(personas, register, log_lines):
    with broker_at(UNREACHABLE_BROKER):
        incident, email = _self_report(personas, register)  # no exception reaches the caller
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert _state(email.pk) == State.PENDING
    assert any("the sweep will retry it" in line for line in log_lines)
    assert Notification.objects.filter(incident=incident, channel=Channel.IN_APP).exists()  # in-app at once

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert services.notification_sweep(now=timezone.now(), grace=timedelta(0)) >= 1
        assert wait_for(lambda: _state(email.pk) == State.SENT)
    delivered = [m for m in mail.outbox if m.extra_headers.get(NOTIFICATION_HEADER) == str(email.pk)]
    assert len(delivered) == 1
    assert delivered[0].to == [personas.manager.email]


def test_broker_down_during_a_self_report_through_the_page(client, personas, log_lines):
    """The caseworker's page: no error shown, the report saved, the e-mail left pending."""
    client.force_login(personas.caseworker)
    with broker_at(UNREACHABLE_BROKER):
        response = client.post(
            "/anmeld/",
            {"platform": "facebook", "url": "https://facebook.com/p/1", "text": "Hun er en heks", "discovered_at": ""},
        )
    assert response.status_code == 302
    incident = Incident.objects.get()
    email = Notification.objects.filter(incident=incident, channel=Channel.EMAIL).first()
    assert email is not None
    assert _state(email.pk) == State.PENDING
    assert any("the sweep will retry it" in line for line in log_lines)


# --- A worker killed while sending --------------------------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker_process(tmp_path: Path, name: str, env: dict) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "udhaengning",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}-{uuid.uuid4().hex[:8]}@localhost",
            f"--pidfile={tmp_path / (name + '.pid')}",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forget_unacked_deliveries() -> None:
    """A killed worker's message waits in Redis until its visibility timeout; drop ours so
    it never reaches a later test run."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for tag, payload in client.hgetall("unacked").items():
        if b"notifications.tasks.deliver_notification" in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _deliveries(sink: Path, pk: int) -> int:
    header = f"{NOTIFICATION_HEADER}: {pk}"
    return sum(path.read_text(errors="replace").count(header) for path in sink.glob("*.log"))


@pytest.mark.postgres
def test_worker_killed_while_sending_delivers_exactly_once(personas, register, tmp_path):
    sink = tmp_path / "mail"
    sink.mkdir()
    flag = tmp_path / "block"
    flag.write_text("hang on the first send")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "NOTIFICATION_MAIL_SINK": str(sink),
        "NOTIFICATION_BLOCK_FLAG": str(flag),
        "NOTIFICATIONS_LEASE_SECONDS": "3",
    }
    _, email = _self_report(personas, register)  # enqueued to Redis after commit
    first = _start_worker_process(tmp_path, "first", env)
    second = None
    try:
        started = Path(str(flag) + ".started")
        assert wait_for(started.exists, timeout=60), (tmp_path / "first.log").read_text()
        row = Notification.objects.get(pk=email.pk)
        assert (row.state, row.attempts) == (State.SENDING, 1)

        first.send_signal(signal.SIGKILL)  # in the middle of the SMTP conversation
        first.wait(timeout=10)
        assert _deliveries(sink, email.pk) == 0
        flag.unlink()

        second = _start_worker_process(tmp_path, "second", env)
        # The sweep hands the row over again once the dead worker's lease has run out; the
        # broker also gives the unacknowledged message back. Either way one claim wins.
        assert wait_for(
            lambda: _state(email.pk) == State.SENT,
            timeout=60,
            step=0.5,
            tick=lambda: services.notification_sweep(grace=timedelta(0)),
        ), (tmp_path / "second.log").read_text()
        time.sleep(8)  # let the second copy of the message arrive and do nothing
        row.refresh_from_db()
        assert row.state == State.SENT
        assert row.attempts == 2
        assert _deliveries(sink, email.pk) == 1
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        _forget_unacked_deliveries()


# --- SMTP failing ---------------------------------------------------------------------------------


def test_smtp_failing_is_retried_with_backoff_then_failed_for_the_admin(
    personas, register, settings, monkeypatch, client
):
    """The real worker retries by the schedule (shrunk here to a second per wait and four
    attempts; tests/notifications/test_retry_schedule.py steps the real one through time),
    then fails the row and alerts the admins in the app."""
    from datetime import timedelta

    from notifications import tasks as notification_tasks
    from notifications.models import Channel, Kind

    settings.EMAIL_BACKEND = "tests.notifications.mailbackends.FailingBackend"
    monkeypatch.setattr(notification_tasks, "RETRY_FIRST", timedelta(milliseconds=1))
    monkeypatch.setattr(notification_tasks, "MAX_ATTEMPTS", 4)
    monkeypatch.setattr(notification_tasks.deliver_notification, "max_retries", 4)
    _, email = _self_report(personas, register)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: _state(email.pk) == State.FAILED, timeout=60)
    row = Notification.objects.get(pk=email.pk)
    assert row.attempts == 4
    assert row.last_error.startswith("SMTPServerDisconnected")
    alert = Notification.objects.get(kind=Kind.ADMIN_ALERT, recipient=personas.admin)
    assert alert.channel == Channel.IN_APP and alert.object_id == str(row.pk)

    client.force_login(personas.admin)
    html = client.get("/admin/notifications/notification/?state__exact=failed").content.decode()
    assert "SMTPServerDisconnected" in html
    assert "Fejlet" in html


# --- A deleted incident ---------------------------------------------------------------------------


@pytest.mark.postgres  # SQLite's shared in-memory test database locks the table between the worker thread and the test
def test_deleted_incident_is_skipped_and_logged_not_crashed(personas, register, log_lines):
    incident, email = _self_report(personas, register)
    incident.delete()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: _state(email.pk) == State.SKIPPED)
        # The worker is still alive and delivers the next one.
        _, other = _self_report(personas, register)
        assert wait_for(lambda: _state(other.pk) == State.SENT)
    assert Notification.objects.get(pk=email.pk).last_error == "the incident no longer exists"
    assert any(f"Notification {email.pk} skipped: the incident no longer exists" in line for line in log_lines)
    assert [m.extra_headers[NOTIFICATION_HEADER] for m in mail.outbox] == [str(other.pk)]
