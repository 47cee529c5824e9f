"""A statistics report asked for on the page, rendered by a real Celery worker from a real
Redis broker, read back with pypdf: a union rep's PDF shows rounded figures."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from reports.models import Report
from stats.forms import default_period
from stats.queries import add_months
from tests.factories import member
from tests.reports.test_worker import finished_tasks, own_broker, wait_for_task
from udhaengning.celery import app

from .conftest import bulk_incidents

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_worker_renders_the_union_reps_statistics_report(client, personas):
    from celery.contrib.testing.worker import start_worker

    for _ in range(5):
        member(personas.jobcenter, Role.CASEWORKER)
    month = add_months(default_period()[1], -1)  # the last closed month
    bulk_incidents(
        [{"unit": personas.jobcenter, "registered": month, "level": 2} for _ in range(9)]
        + [{"unit": personas.jobcenter, "registered": month, "level": 4} for _ in range(2)]
    )
    client.force_login(personas.union_rep)
    with (
        own_broker(),
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        response = client.post(
            reverse("stats:report_request"), {"from": month.strftime("%Y-%m"), "to": month.strftime("%Y-%m")}
        )
        assert response.status_code == 302
        wait_for_task(done, event, "reports.tasks.render_report")
    report = Report.objects.get(kind=Report.Kind.STATISTICS)
    assert report.status == Report.Status.READY, report.error
    assert report.attempts == 1 and len(report.sha256) == 64
    status = client.get(reverse("stats:report_status", args=[report.pk])).json()
    assert status["status"] == "ready" and status["sha256"] == report.sha256
    download = client.get(reverse("stats:report_download", args=[report.pk]))
    assert download["X-Content-SHA256"] == report.sha256
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == report.page_count
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Statistik over udhængning" in text and "Hændelser pr. måned og alvorlighed" in text
    assert "afrundet" in text and "Hændelser pr. enhed" in text
