"""The statistics' rollup after a commit (stats.rollup, issue 20): a real Celery worker on a real
Redis broker recounts the blocks a registration changed; the writing process reads its own
change before the worker has run; without a broker the recount is done at once."""

from __future__ import annotations

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from incidents import services
from stats import rollup
from stats.models import MonthlyCount, MonthlyTarget
from stats.tasks import refresh_blocks
from tests.reports.test_worker import finished_tasks, own_broker, wait_for_task
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _register(personas, title: str = "Rollup"):
    return services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={"title": title, "discovered_at": timezone.now(), "related_threats": True},
        publications=[{"platform": "facebook", "url": "https://example.org/a"}],
        targets=[personas.caseworker],
    )


def _direct(personas) -> dict:
    month = rollup.month_of(timezone.now())
    return rollup.cells_count([personas.family.pk], month, month)


def test_the_worker_recounts_the_block_a_committed_registration_changed(personas):
    from celery.contrib.testing.worker import start_worker

    with own_broker():
        _register(personas)  # committed: the recount is handed to the broker, not done here
        assert not MonthlyCount.objects.exists() and not MonthlyTarget.objects.exists()
        rollup.marks_forget()  # so nothing in this process could recount it: only the worker
        with finished_tasks() as (done, event), start_worker(app, pool="solo", perform_ping_check=False):
            wait_for_task(done, event, "stats.tasks.refresh_blocks")
    row = MonthlyCount.objects.get(unit=personas.family)
    expected = _direct(personas)[(personas.family.pk, row.month)]
    assert {"incidents": row.incidents, "counts": row.counts, "days": row.days} == expected
    assert row.incidents == 1 and row.counts["platform_facebook"] == 1 and row.counts["phenomenon_threats"] == 1
    assert list(MonthlyTarget.objects.values_list("unit_id", "user_id")) == [
        (personas.family.pk, personas.caseworker.pk)
    ]


def test_the_writing_process_reads_its_own_change_before_the_worker_has_run(personas):
    with own_broker():  # no worker: the message waits in the broker
        _register(personas)
        month = rollup.month_of(timezone.now())
        rows, _histogram = rollup.block_rows([personas.family.pk], month, month)
    assert [row["n"] for row in rows] == [1]


def test_without_a_broker_the_recount_is_done_at_the_commit(personas, monkeypatch):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(refresh_blocks, "apply_async", broker_down)  # the broker refusing, as kombu reports it
    _register(personas)
    assert MonthlyCount.objects.get(unit=personas.family).incidents == 1
