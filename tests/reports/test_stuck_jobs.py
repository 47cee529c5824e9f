"""Jobs that cannot stay stuck (issue 23).

A real `celery worker` subprocess renders a report; its main process is killed with
SIGKILL while the report is `rendering`. A second worker with beat (the stuck-job sweep
every JOBS_SWEEP_SECONDS, a render deadline of REPORTS_RENDER_DEADLINE_SECONDS) finishes
it: the report is ready, says it was retried, and its PDF reads back. The broker's
visibility timeout is an hour in these settings, so it is the sweep that recovers it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import MAX_ATTEMPTS, Report
from tests.reports.conftest import options_for, pdf_text
from udhaengning.celery import app

BASE_DIR = Path(settings.BASE_DIR)
DEADLINE = 6
SWEEP = 2


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(tmp_path: Path, name: str, env: dict, *, beat: bool = False) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    args = [
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
    ]
    if beat:
        args += ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forget_unacked_renders() -> None:
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for tag, payload in client.hgetall("unacked").items():
        if b"reports.tasks.render_report" in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _status(pk: int) -> str:
    return Report.objects.filter(pk=pk).values_list("status", flat=True).first()


def _wait(predicate, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_render_ends_ready_within_the_sweep(client, personas, case, private_storage, tmp_path):
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TEST_PRIVATE_STORAGE": str(private_storage),
        "REPORTS_RENDER_DEADLINE_SECONDS": str(DEADLINE),
        "JOBS_SWEEP_SECONDS": str(SWEEP),
    }
    first = _worker(tmp_path, "first", env)
    second = None
    try:
        report = services.report_request(
            actor=personas.manager,
            incident=case,
            kind="police",
            options=options_for("police", case, personas.manager, purposes=["prosecution"]),
        )
        assert _wait(lambda: _status(report.pk) == "rendering", timeout=60), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)  # the main process, mid-render
        first.wait(timeout=10)
        killed_at = time.monotonic()
        report.refresh_from_db()
        assert (report.status, report.attempts, report.file.name) == ("rendering", 1, "")

        second = _worker(tmp_path, "second", env, beat=True)
        # Ready within the deadline, a sweep tick and a render (plus the new worker's start).
        limit = DEADLINE + 2 * SWEEP + 40
        assert _wait(lambda: _status(report.pk) == "ready", timeout=limit, step=0.5), (
            tmp_path / "second.log"
        ).read_text()
        recovered_after = time.monotonic() - killed_at
        report.refresh_from_db()
        assert report.attempts == 2 and report.retried_at is not None
        assert report.retried_at >= report.requested_at
        assert case.reference in pdf_text(report)
        print(f"recovered {recovered_after:.1f} s after the SIGKILL")

        client.force_login(personas.manager)
        page = client.get(reverse("reports:detail", args=[case.reference, report.pk])).content.decode()
        assert "Arbejdet blev afbrudt og sat i gang igen automatisk" in page and "(forsøg 2)" in page
        status = client.get(reverse("reports:status", args=[case.reference, report.pk])).json()
        assert status["retried_at"] and status["attempts"] == 2
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        _forget_unacked_renders()
        app.control.purge()


@pytest.mark.django_db
def test_sweep_fails_a_job_tried_too_often_and_leaves_running_ones(personas, case, settings):
    settings.REPORTS_RENDER_DEADLINE_SECONDS = 60
    options = options_for("police", case, personas.manager, purposes=["prosecution"])
    long_ago = timezone.now() - timedelta(minutes=5)
    worn_out = Report.objects.create(
        incident=case,
        kind="police",
        version=90,
        options=options,
        status="rendering",
        started_at=long_ago,
        attempts=MAX_ATTEMPTS,
        requested_at=long_ago,
    )
    running = Report.objects.create(
        incident=case,
        kind="police",
        version=91,
        options=options,
        status="rendering",
        started_at=timezone.now(),
        attempts=1,
    )

    result = services.stuck_jobs_sweep()

    worn_out.refresh_from_db()
    running.refresh_from_db()
    assert result.failed == [("Report", worn_out.pk)] and result.requeued == []
    assert worn_out.status == "failed" and "afbrudt 3 gange" in worn_out.error
    assert running.status == "rendering" and running.retried_at is None
    # A duplicate message for the running one is a no-op: another worker is on it.
    assert services.report_render(running.pk).status == "rendering"
