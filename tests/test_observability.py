"""Logs, error reports and downloads handed to the proxy.

- JSON log lines carry time, level, request id and user id, and no names (udhaengning/logs.py).
- Sentry is initialised only when SENTRY_DSN is set, and an event reaches a real HTTP endpoint
  (a small server in this test standing in for Sentry) without cookies, user or request body.
- PRIVATE_DOWNLOADS=proxy: the app checks permission, audits, and answers X-Accel-Redirect.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.urls import reverse

from udhaengning.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.fixture
def storage(settings, tmp_path):
    from tests.security.world import private_storage

    private_storage(settings, tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_log_lines_are_json_with_request_and_user_id_and_no_names(personas, client, storage, json_log):
    from tests.reports.conftest import PDF_FILE, register, upload

    incident = register(personas)
    evidence = upload(incident, personas.manager, "Mette Leders skærmbillede.pdf", PDF_FILE)
    (storage / evidence.file.name).unlink()  # the download logs an error: the file is missing
    client.force_login(personas.manager)
    response = client.get(
        reverse("incidents:evidence_download", args=[incident.reference, evidence.pk]),
        HTTP_X_REQUEST_ID="req-0123456789abcdef",
    )
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    lines = [line for line in json_log() if line["logger"] == "incidents.views.evidence"]
    assert len(lines) == 1
    line = lines[0]
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-0123456789abcdef"
    assert line["user_id"] == personas.manager.pk
    assert line["time"].endswith("Z") and "T" in line["time"]
    assert incident.reference in line["message"]
    text = json.dumps(json_log(), ensure_ascii=False)
    for personal in ("Mette", "Leder", personas.manager.username, personas.manager.email):
        assert personal not in text


@pytest.mark.django_db
def test_a_request_id_that_is_not_plain_is_replaced(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_proxy_downloads_answer_x_accel_redirect_after_permission_and_audit(personas, client, storage, settings):
    from audit.models import AuditEvent
    from tests.reports.conftest import PDF_FILE, register, upload

    settings.PRIVATE_DOWNLOADS = "proxy"
    incident = register(personas)
    evidence = upload(incident, personas.manager, "opslag æøå.pdf", PDF_FILE)
    url = reverse("incidents:evidence_download", args=[incident.reference, evidence.pk])
    client.force_login(personas.other_manager)
    hidden = client.get(url)
    assert hidden.status_code == 404 and "X-Accel-Redirect" not in hidden
    client.force_login(personas.manager)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count()
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{evidence.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''opslag%20%C3%A6%C3%B8%C3%A5.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == before + 1


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _prod(code: str, **extra: str) -> subprocess.CompletedProcess:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "ALLOWED_HOSTS": "localhost",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "CACHE_URL": "locmemcache://",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sentry_is_off_without_a_dsn_and_reports_without_personal_data_with_one():
    off = _prod("import sentry_sdk; print(sentry_sdk.get_client().is_active())")
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "False"

    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = """
import sentry_sdk
from udhaengning.settings import prod
assert sentry_sdk.get_client().is_active()
scrubbed = prod._sentry_before_send({"user": {"username": "mette"}, "request": {
    "cookies": {"__Secure-sessionid": "abc"}, "data": {"name": "Mette"}, "query_string": "q=Mette",
    "headers": {"Cookie": "x", "Authorization": "Token t", "User-Agent": "ua"}}}, None)
print(json.dumps(scrubbed))
sentry_sdk.capture_message("probe from the test")
sentry_sdk.flush(5)
"""
        on = _prod(
            "import json\n" + code,
            SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/1",
            SENTRY_ENVIRONMENT="test",
        )
    finally:
        server.shutdown()
    assert on.returncode == 0, on.stderr
    scrubbed = json.loads(on.stdout.strip().splitlines()[-1])
    assert scrubbed == {"request": {"headers": {"User-Agent": "ua"}}}
    envelope = b"".join(_Collector.received)
    assert b"probe from the test" in envelope
    assert b'"environment":"test"' in envelope.replace(b" ", b"")
