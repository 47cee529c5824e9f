"""A perpetrator's access export rendered by a real Celery worker from a real Redis broker (issue 16)."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.urls import reverse

from privacy.models import AccessExport
from reports.models import Report
from tests.privacy.conftest import PERPETRATOR, pdf_text
from tests.reports.test_worker import _reset_pools, finished_tasks, wait_for_task
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@contextmanager
def broker():
    """The session's own Redis database (CELERY_BROKER_URL), emptied before and after."""
    saved = app.conf.broker_url, app.conf.broker_read_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_read_url = app.conf.broker_write_url = settings.CELERY_BROKER_URL
    _reset_pools()
    try:
        app.control.purge()
        yield
    finally:
        app.control.purge()
        app.conf.broker_url, app.conf.broker_read_url, app.conf.broker_write_url = saved
        _reset_pools()


def test_a_worker_renders_the_access_export_without_the_withheld_report(
    client, personas, make_incident, make_request, storage
):
    from celery.contrib.testing.worker import start_worker

    incident = make_incident(close=True)
    police = Report.objects.create(
        incident=incident,
        kind=Report.Kind.POLICE,
        version=1,
        requested_by=personas.manager,
        status=Report.Status.READY,
        sha256="d" * 64,
    )
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    client.post(
        reverse("privacy:item", args=[dsr.pk]),
        {
            "action": "withhold",
            "key": f"report:{police.pk}",
            "exception": "stk2_nr4",
            "reason": "Under efterforskning hos politiet.",
        },
    )
    with (
        broker(),
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        rows = {}
        for fmt in ("json", "pdf"):
            response = client.post(reverse("privacy:export_request", args=[dsr.pk]), {"format": fmt})
            rows[fmt] = AccessExport.objects.filter(request=dsr, fmt=fmt).get()
            assert response["Location"] == reverse("privacy:export_status", args=[dsr.pk, rows[fmt].pk])
            wait_for_task(done, event, "privacy.tasks.render_access_export")
            done.clear()
    for row in rows.values():
        row.refresh_from_db()
        assert row.status == AccessExport.Status.READY, row.error
        assert row.attempts == 1 and row.withheld == 1
        status = client.get(reverse("privacy:export_status", args=[dsr.pk, row.pk]), {"format": "json"}).json()
        assert status == {"status": "ready", "sha256": row.sha256, "error": "", "withheld": 1}
    download = client.get(reverse("privacy:export_download", args=[dsr.pk, rows["json"].pk]))
    data = json.loads(b"".join(download.streaming_content))
    assert data["sections"]["reports"]["count"] == 0 and data["withheld"]["count"] == 1
    download = client.get(reverse("privacy:export_download", args=[dsr.pk, rows["pdf"].pk]))
    content = b"".join(download.streaming_content)
    text = " ".join(pdf_text(content).split())
    assert incident.reference in text and "Politianmeldelse" not in text
    assert "undtaget fra indsigt efter databeskyttelseslovens § 22" in text
    with open("/tmp/i16b-access.pdf", "wb") as handle:
        handle.write(content)
