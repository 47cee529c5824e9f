"""/healthz: one JSON entry per dependency, whatever the Host, 503 when one fails.

Against the real test database, the real Redis broker (CELERY_BROKER_URL) and a real folder;
a failing dependency is made by pointing the setting at a closed port or a missing folder.
"""

from __future__ import annotations

import socket

import pytest
from django.test import Client

from tests.conftest import REQUIRE_SERVICES
from udhaengning import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def broker(settings):
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis at CELERY_BROKER_URL does not answer: {exc}")
        pytest.skip("needs Redis at CELERY_BROKER_URL")
    return settings.CELERY_BROKER_URL


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_dependency_is_reported_for_any_host(storage_folder, broker, settings):
    settings.ALLOWED_HOSTS = ["udhaengning.kommune.dk"]
    settings.SECURE_SSL_REDIRECT = True  # as in production: still no redirect for the probe
    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())
    # Any other path with that Host is still refused by Django's host check.
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/accounts/login/").status_code == 400


def test_a_broker_that_does_not_answer_makes_it_503_and_names_only_the_error_type(storage_folder, settings):
    settings.CELERY_BROKER_URL = f"redis://:secret-password@127.0.0.1:{_closed_port()}/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True and body["checks"]["storage"]["ok"] is True
    assert b"secret-password" not in response.content and b"127.0.0.1" not in response.content


def test_a_missing_storage_folder_makes_it_503(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "gone")},
        },
    }
    settings.CELERY_BROKER_URL = ""
    healthy, body = health.report()
    assert healthy is False
    assert body["checks"]["storage"] == {"ok": False, "error": "RuntimeError", "ms": body["checks"]["storage"]["ms"]}
    assert body["checks"]["broker"]["ok"] is True and body["checks"]["broker"]["note"].startswith("skipped")


def test_only_get_and_head(storage_folder, broker):
    assert Client().post("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 200
