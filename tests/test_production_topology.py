"""The production topology, run for real without Docker (this machine has no engine).

The same pieces docker-compose.yml starts, with the same configuration, run directly:
Debian's nginx with the repo's deploy/nginx template (rendered with test ports and paths, its
own prefix, pid and temp folders in a temporary directory) over TLS with a certificate made by
deploy/tls-init.py; the compose file's one-off migrate command; two gunicorn processes started
with the compose web command (deploy/gunicorn.conf.py) and udhaengning.settings.prod; the
compose worker and beat commands; the real PostgreSQL test database and Redis.

Then: /healthz through the proxy names each dependency whatever the Host; a 60 MB evidence
upload sent at about 2 MB/s succeeds and its SHA-256 matches on the way back; its download goes
through the proxy by X-Accel-Redirect; one gunicorn is killed (SIGKILL, whole process group)
in the middle of a load of requests and no request is lost beyond those in flight; the compose
health checks (bin/healthcheck web/worker/beat) pass; the logs are JSON lines with request and
user id and no names. Needs nginx (skipped without it unless REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.topology import (
    NGINX,
    ROOT,
    Client,
    Processes,
    compose,
    compose_command,
    free_port,
    local,
    make_certificate,
    nginx_command,
    nginx_values,
    throttled_upload,
    wait_for_port,
)

UPLOAD_BYTES = 60 * 1024 * 1024
UPLOAD_RATE = 4 * 1024 * 1024  # bytes a second: 15 s, so the upload is still under way when web1 dies at 8 s

pytestmark = [pytest.mark.postgres, pytest.mark.topology]


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.mark.django_db(transaction=True)
def test_production_topology_proxy_tls_upload_download_failover_and_health(personas, tmp_path):
    from django.db import connection

    from incidents.models import Evidence
    from tests.factories import api_token
    from tests.reports.conftest import register
    from tests.test_backup_restore import _url

    _need(NGINX is not None, "nginx is not installed (apt-get install nginx)")
    _need(connection.vendor == "postgresql", "the production topology needs PostgreSQL (DATABASE_URL)")
    broker_url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(broker_url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        _need(False, f"Redis at {broker_url} does not answer ({exc})")

    # --- Data, committed, as an operator's database would hold it --------------------------------
    personas.org.require_mfa_for_managers = False
    personas.org.save()
    incident = register(personas, title="Optagelse delt i lukket gruppe")
    token = api_token(personas.manager)

    private = tmp_path / "private"
    private.mkdir()
    run = tmp_path / "nginx"
    run.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    web_ports = [free_port(), free_port()]
    https_port, http_port = free_port(), free_port()
    worker_name = f"topology-{secrets.token_hex(4)}@{socket.gethostname()}"
    beat_schedule = tmp_path / "celerybeat-schedule"

    # The compose file's application environment, with this machine's values.
    x_app = compose()["x-app"]["environment"]
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": _url(connection.settings_dict, connection.settings_dict["NAME"]),
            "ALLOWED_HOSTS": "localhost",
            "CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": "rediscache://" + broker_url.split("://", 1)[1],
            "PRIVATE_STORAGE_ROOT": str(private),
            "PRIVATE_DOWNLOADS": "proxy",
            "PRIVATE_STORAGE_S3_BUCKET": "",
            "LOG_FORMAT": "json",
            "METRICS_ENABLED": "True",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "GUNICORN_TIMEOUT": "60",
            "CELERY_WORKER_NAME": worker_name,
            "CELERY_BEAT_SCHEDULE": str(beat_schedule),
            "SENTRY_DSN": "",
            # The load below sends up to 40 requests a second with one token for ~15 s; the
            # production default (600 an hour) would answer 429 on a fast machine. Throttling is
            # tested in tests/accounts/test_api_tokens.py; here it would only hide the failover under test.
            "API_THROTTLE_PER_TOKEN": "100000/hour",
        }
    )
    assert set(x_app) <= set(env), f"the test does not set {set(x_app) - set(env)} that compose sets"
    assert x_app["DJANGO_SETTINGS_MODULE"] == env["DJANGO_SETTINGS_MODULE"]
    assert x_app["PRIVATE_DOWNLOADS"] == "proxy" and x_app["LOG_FORMAT"] == "json"

    processes = Processes(logs)
    try:
        # --- The one-off migrate service ---------------------------------------------------------
        migrate = subprocess.run(
            local(compose_command("migrate")), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stderr
        assert compose()["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

        # --- Two web processes, worker and beat (the compose commands) ------------------------------
        web_command = local(compose_command("web"))
        assert "deploy/gunicorn.conf.py" in web_command
        for number, port in enumerate(web_ports, start=1):
            processes.start(f"web{number}", web_command, {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"})
        worker = compose_command("worker")
        worker = [*worker, "--concurrency=1", "--hostname", worker_name]
        processes.start("worker", local(worker), env)
        beat = [arg for arg in compose_command("beat") if not arg.startswith("--schedule")]
        processes.start("beat", local([*beat, f"--schedule={beat_schedule}"]), env)

        # --- The proxy: the repo's template under Debian's nginx, TLS with a test certificate ------
        tls = tmp_path / "tls"
        made = make_certificate(tls, env)
        assert made.returncode == 0, made.stderr
        assert (tls / "privkey.pem").stat().st_mode & 0o077 == 0
        # The proxy must refuse /metrics to us: the allow-list names another address.
        values = nginx_values(
            run,
            http_port=http_port,
            https_port=https_port,
            tls=tls,
            web_ports=web_ports,
            private=private,
            metrics_allow="10.255.255.255",
        )
        assert int(values["NGINX_MAX_BODY_MB"]) > 250  # the evidence limit, plus the form around it
        nginx = nginx_command(run, values)
        tested = subprocess.run([*nginx, "-t"], capture_output=True, text=True, timeout=30)
        assert tested.returncode == 0, tested.stderr
        proxy = processes.start("nginx", nginx, env)
        wait_for_port(https_port, proxy, "nginx")
        for number, port in enumerate(web_ports, start=1):
            wait_for_port(port, processes.running[f"web{number}"], f"gunicorn {number}", timeout=60)

        client = Client(https_port, tls / "fullchain.pem", token)

        # --- /healthz through the proxy, whatever the Host -------------------------------------------
        status, headers, body = client.get("/healthz", host="10.1.2.3", auth=False)
        assert status == 200, body
        health = json.loads(body)
        assert health["status"] == "ok"
        assert {name: check["ok"] for name, check in health["checks"].items()} == {
            "database": True,
            "cache": True,
            "broker": True,
            "storage": True,
        }
        # Plain HTTP only redirects to HTTPS.
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        plain.request("GET", "/incidents/")
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.getheader("Location") == f"https://127.0.0.1:{https_port}/incidents/"
        plain.close()
        # Django sees HTTPS (X-Forwarded-Proto): an API answer, not a redirect to https.
        status, headers, body = client.get(f"/api/v1/incidents/{incident.reference}/")
        assert status == 200, body
        assert json.loads(body)["reference"] == incident.reference
        assert "strict-transport-security" in headers
        request_id = headers["x-request-id"]
        # Metrics: each replica has them; the proxy lets only its allow-list in.
        assert client.get("/metrics", auth=False)[0] == 403
        metrics = http.client.HTTPConnection("127.0.0.1", web_ports[0], timeout=10)
        metrics.request("GET", "/metrics", headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
        answer = metrics.getresponse()
        assert answer.status == 200 and b"django_http_requests_total_by_method" in answer.read()
        metrics.close()
        # A body above the limit is refused by the proxy at once, with the Danish page.
        too_big = client.connection()
        too_big.putrequest("POST", f"/api/v1/incidents/{incident.reference}/evidence/")
        too_big.putheader("Content-Length", str((int(values["NGINX_MAX_BODY_MB"]) + 1) * 1024 * 1024))
        too_big.endheaders()
        refused = too_big.getresponse()
        assert refused.status == 413
        assert "Filen er for stor" in refused.read().decode()
        too_big.close()

        # --- 60 MB at ~2 MB/s while load runs and one gunicorn dies ----------------------------------
        data = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 32 + b"\xff\xfb\x90\x00" + os.urandom(UPLOAD_BYTES - 46)
        expected_sha = hashlib.sha256(data).hexdigest()
        upload_result: dict = {}

        def upload():
            upload_result["value"] = throttled_upload(
                client, f"/api/v1/incidents/{incident.reference}/evidence/", "optagelse.mp3", data, UPLOAD_RATE
            )

        results: list[tuple[float, float, int | str]] = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status = client.get(f"/api/v1/incidents/{incident.reference}/")[0]
                except OSError as exc:
                    status = type(exc).__name__
                results.append((started, time.monotonic(), status))
                time.sleep(0.05)

        uploader = threading.Thread(target=upload)
        loaders = [threading.Thread(target=load) for _ in range(2)]
        uploader.start()
        for thread in loaders:
            thread.start()
        time.sleep(8)
        killed_at = time.monotonic()
        processes.kill("web1")  # SIGKILL to the master and its workers: a replica that dies
        time.sleep(6)
        stop.set()
        for thread in loaders:
            thread.join(timeout=60)
        uploader.join(timeout=120)

        in_flight = [r for r in results if r[0] <= killed_at <= r[1]]
        failed = [r for r in results if r[2] != 200]
        assert len(results) > 20
        assert len(failed) <= len(in_flight), failed
        assert not [r for r in failed if r[0] > killed_at]  # nothing started after the kill fails
        assert {r[2] for r in results if r[0] > killed_at + 0.5} == {200}

        status, body, seconds = upload_result["value"]
        assert status == 201, body[:2000]
        stored = json.loads(body)
        assert stored["sha256"] == expected_sha
        assert stored["size"] == UPLOAD_BYTES
        assert seconds >= UPLOAD_BYTES / UPLOAD_RATE * 0.9  # it really was slow
        evidence = Evidence.objects.get(pk=stored["id"])
        assert hashlib.sha256((private / evidence.file.name).read_bytes()).hexdigest() == expected_sha

        # --- The download goes through the proxy (X-Accel-Redirect) ------------------------------------
        download_path = f"/api/v1/incidents/{incident.reference}/evidence/{evidence.pk}/download/"
        status, headers, body = client.get(download_path)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == expected_sha
        assert headers["content-disposition"] == 'attachment; filename="optagelse.mp3"'
        assert headers["content-type"] == "audio/mpeg"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert headers["cache-control"] == "private, no-store"
        assert "x-accel-redirect" not in headers
        # The application itself only answered the headers; the proxy sent the 60 MB.
        direct = http.client.HTTPConnection("127.0.0.1", web_ports[1], timeout=10)
        direct.request(
            "GET",
            download_path,
            headers={"Host": "localhost", "X-Forwarded-Proto": "https", "Authorization": f"Token {token}"},
        )
        answer = direct.getresponse()
        assert answer.status == 200
        assert answer.getheader("X-Accel-Redirect") == f"/_protected/{evidence.file.name}"
        assert answer.read() == b""
        direct.close()
        # The internal location cannot be asked for from outside.
        assert client.get(f"/_protected/{evidence.file.name}")[0] == 404

        # --- The compose health checks --------------------------------------------------------------
        def healthcheck(kind: str, **extra: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["bin/healthcheck", kind],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                env={**env, "PYTHON": sys.executable, **extra},
            )

        web_check = healthcheck("web", HEALTHCHECK_URL=f"http://127.0.0.1:{web_ports[1]}/healthz")
        assert web_check.returncode == 0, web_check.stdout + web_check.stderr
        dead_check = healthcheck("web", HEALTHCHECK_URL=f"http://127.0.0.1:{web_ports[0]}/healthz")
        assert dead_check.returncode == 1
        worker_check = healthcheck("worker")
        assert worker_check.returncode == 0, worker_check.stdout + worker_check.stderr
        assert "pong" in worker_check.stdout
        beat_check = healthcheck("beat")
        assert beat_check.returncode == 0, beat_check.stderr
        assert healthcheck("beat", BEAT_MAX_AGE_SECONDS="-1").returncode == 1

        # --- Logs: JSON lines with the request id, nothing personal ------------------------------------
        access_lines = [
            json.loads(line)
            for name in ("web1", "web2")
            for line in processes.log(name, "out").splitlines()
            if line.startswith("{")
        ]
        ours = [line for line in access_lines if line["request_id"] == request_id]
        assert len(ours) == 1 and ours[0]["path"] == f"/api/v1/incidents/{incident.reference}/"
        assert ours[0]["status"] == 200
        proxy_lines = [json.loads(line) for line in processes.log("nginx", "out").splitlines()]
        assert any(line["request_id"] == request_id for line in proxy_lines)
        assert {line["upstream"] for line in proxy_lines} >= {f"127.0.0.1:{port}" for port in web_ports}
        for name in ("web1", "web2", "worker", "beat", "nginx"):
            for stream in ("out", "err"):
                text = processes.log(name, stream)
                assert personas.manager.email not in text and token not in text
    finally:
        processes.stop_all()
