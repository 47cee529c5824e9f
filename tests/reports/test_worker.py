"""A report and a bundle made by a real Celery worker from a real Redis broker."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery.signals import task_postrun
from django.conf import settings
from django.urls import reverse

from reports import services
from reports.models import Report
from tests.reports.conftest import options_for, pdf_text
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# A Redis database of this test process's own, eight below its shared one (which the test
# settings move per xdist process): other suites purge the shared test queue while they run,
# and the other test processes start workers of their own (with one fixed database for all,
# a worker could take, or a purge drop, another process's task).
OWN_BROKER_OFFSET = 8


def own_broker_url() -> str:
    parts = urlsplit(settings.CELERY_BROKER_URL)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - OWN_BROKER_OFFSET) % 16}"))


def _reset_pools() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def own_broker():
    saved = app.conf.broker_url, app.conf.broker_read_url, app.conf.broker_write_url
    url = own_broker_url()
    # Celery caches the read and write URLs from broker_url; move all three.
    app.conf.broker_url = app.conf.broker_read_url = app.conf.broker_write_url = url
    _reset_pools()
    try:
        app.control.purge()  # messages left by an earlier run would name rows of another database
        yield
    finally:
        app.control.purge()
        app.conf.broker_url, app.conf.broker_read_url, app.conf.broker_write_url = saved
        _reset_pools()


@contextmanager
def finished_tasks():
    """Names of the tasks the worker has finished, and an event per finished task.

    The test thread waits on the event instead of polling the database: on SQLite the
    test database is one shared in-memory database, where a read during the worker's
    write fails with "table is locked".
    """
    done: list[str] = []
    event = threading.Event()

    def record(sender=None, **kwargs):
        done.append(sender.name)
        event.set()

    task_postrun.connect(record, weak=False)
    try:
        yield done, event
    finally:
        task_postrun.disconnect(record)


def wait_for_task(done: list[str], event: threading.Event, name: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while name not in done:
        assert event.wait(max(0.0, deadline - time.monotonic())), f"the worker did not run {name} (ran {done})"
        event.clear()


def test_a_worker_renders_the_report_and_builds_the_bundle(client, personas, case):
    from celery.contrib.testing.worker import start_worker

    client.force_login(personas.manager)
    options = options_for("police", case, personas.manager, purposes=["prosecution"])
    with (
        own_broker(),
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        report = services.report_request(actor=personas.manager, incident=case, kind="police", options=options)
        wait_for_task(done, event, "reports.tasks.render_report")
        report.refresh_from_db()
        assert report.status == Report.Status.READY, report.error
        assert report.attempts == 1
        status = client.get(reverse("reports:status", args=[case.reference, report.pk])).json()
        assert status["status"] == "ready" and status["sha256"] == report.sha256

        bundle = services.bundle_request(actor=personas.manager, report=report)
        wait_for_task(done, event, "reports.tasks.build_bundle")
        bundle.refresh_from_db()
        assert bundle.status == Report.Status.READY, bundle.error
        assert bundle.file_count == 4

    text = pdf_text(report)
    assert case.reference in text and "Sara Sagsbehandler" in text
    download = client.get(reverse("reports:download", args=[case.reference, report.pk]))
    assert download.status_code == 200
    assert download["X-Content-SHA256"] == report.sha256
