"""Celery: configuration promises, and a real worker on a real Redis broker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from udhaengning.beat import BEAT_SCHEDULE
from udhaengning.celery import app


def _forget_result_backend() -> None:
    """Celery caches the result backend (disabled in the test settings) on first use."""
    app._local.__dict__.pop("backend", None)
    app._backend_cache = None


def test_json_only_acks_late_and_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit


def test_every_beat_entry_expires_and_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["options"]["expires"] > 0, name
        assert entry["task"] in app.tasks, name


def test_dev_settings_run_tasks_in_process_without_a_broker():
    from udhaengning.settings import dev

    assert dev.CELERY_TASK_ALWAYS_EAGER is (not dev.CELERY_BROKER_URL)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_from_redis():
    from celery.contrib.testing.worker import start_worker

    from accounts.tasks import clear_expired_sessions

    Session.objects.create(session_key="x" * 32, session_data="e30=", expire_date=timezone.now() - timedelta(days=1))
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.result_backend = settings.CELERY_BROKER_URL
    _forget_result_backend()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = clear_expired_sessions.apply_async(ignore_result=False)
            result.get(timeout=30)
    finally:
        app.conf.result_backend = None
        _forget_result_backend()
    assert not Session.objects.filter(session_key="x" * 32).exists()
