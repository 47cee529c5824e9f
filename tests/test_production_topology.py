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

import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
UPLOAD_BYTES = 60 * 1024 * 1024
UPLOAD_RATE = 2 * 1024 * 1024  # bytes a second
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.postgres, pytest.mark.topology]


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within {timeout} s")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def compose_default(value) -> str:
    """A compose value with its ${NAME:-default} interpolated as compose would with NAME unset."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def compose_command(service: str) -> list[str]:
    command = compose()["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _local(argv: list[str]) -> list[str]:
    """A compose command run here: the virtualenv's python/gunicorn/celery instead of the image's."""
    program = argv[0]
    if program == "python":
        return [sys.executable, *argv[1:]]
    return [str(BIN / program), *argv[1:]]


class Processes:
    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.out", "wb")  # noqa: SIM115 - closed with the process
        err = open(self.logs / f"{name}.err", "wb")  # noqa: SIM115
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
        process._logs = (out, err)  # type: ignore[attr-defined]
        self.running[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)  # its own session: the master and its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        for handle in process._logs:  # type: ignore[attr-defined]
            handle.close()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)

    def log(self, name: str, stream: str = "err") -> str:
        return (self.logs / f"{name}.{stream}").read_text(errors="replace")


class Client:
    """HTTPS through the proxy, trusting only the test certificate."""

    def __init__(self, port: int, cafile: Path, token: str):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.token = token

    def connection(self, timeout: float = 30) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("localhost", self.port, context=self.context, timeout=timeout)

    def get(self, path: str, *, host: str | None = None, auth: bool = True) -> tuple[int, dict, bytes]:
        conn = self.connection()
        try:
            headers = {"Authorization": f"Token {self.token}"} if auth else {}
            if host:
                headers["Host"] = host
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


def throttled_upload(client: Client, path: str, name: str, data: bytes, rate: int) -> tuple[int, bytes, float]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
            f"Optagelse fra Facebook\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: audio/mpeg\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = client.connection(timeout=120)
    started = time.monotonic()
    conn.putrequest("POST", path)
    conn.putheader("Authorization", f"Token {client.token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + len(data) + len(tail)))
    conn.endheaders()
    conn.send(head)
    chunk = 64 * 1024
    for offset in range(0, len(data), chunk):
        conn.send(data[offset:offset + chunk])
        ahead = (offset + chunk) / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_production_topology_proxy_tls_upload_download_failover_and_health(personas, tmp_path):
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from incidents.models import Evidence
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
    token = Token.objects.create(user=personas.manager).key

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
    env.update({
        "DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
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
    })
    assert set(x_app) <= set(env), f"the test does not set {set(x_app) - set(env)} that compose sets"
    assert x_app["DJANGO_SETTINGS_MODULE"] == env["DJANGO_SETTINGS_MODULE"]
    assert x_app["PRIVATE_DOWNLOADS"] == "proxy" and x_app["LOG_FORMAT"] == "json"

    processes = Processes(logs)
    try:
        # --- The one-off migrate service ---------------------------------------------------------
        migrate = subprocess.run(_local(compose_command("migrate")), cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=120)
        assert migrate.returncode == 0, migrate.stderr
        assert compose()["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

        # --- Two web processes, worker and beat (the compose commands) ------------------------------
        web_command = _local(compose_command("web"))
        assert "deploy/gunicorn.conf.py" in web_command
        for number, port in enumerate(web_ports, start=1):
            processes.start(f"web{number}", web_command, {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"})
        worker = compose_command("worker")
        worker = [*worker, "--concurrency=1", "--hostname", worker_name]
        processes.start("worker", _local(worker), env)
        beat = [arg for arg in compose_command("beat") if not arg.startswith("--schedule")]
        processes.start("beat", _local([*beat, f"--schedule={beat_schedule}"]), env)

        # --- The proxy: the repo's template under Debian's nginx, TLS with a test certificate ------
        tls = tmp_path / "tls"
        made = subprocess.run([sys.executable, "deploy/tls-init.py", str(tls)], cwd=ROOT, capture_output=True,
                              text=True, env={**env, "NGINX_SERVER_NAME": "localhost"}, timeout=30)
        assert made.returncode == 0, made.stderr
        assert (tls / "privkey.pem").stat().st_mode & 0o077 == 0
        sys.path.insert(0, str(ROOT / "deploy"))
        try:
            from render import render_file
        finally:
            sys.path.pop(0)
        proxy_env = compose()["services"]["proxy"]["environment"]
        values = {
            **{name: compose_default(value) for name, value in proxy_env.items()},
            "NGINX_SERVER_NAME": "localhost",
            "NGINX_HTTP_PORT": str(http_port),
            "NGINX_HTTPS_PORT": str(https_port),
            "NGINX_PUBLIC_HTTPS_PORT": str(https_port),
            "NGINX_TLS_CERT": str(tls / "fullchain.pem"),
            "NGINX_TLS_KEY": str(tls / "privkey.pem"),
            "NGINX_UPSTREAM_SERVERS": " ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;"
                                               for port in web_ports),
            "NGINX_RESOLVER": "",
            "NGINX_PRIVATE_ROOT": str(private),
            "NGINX_METRICS_ALLOW": "10.255.255.255",  # not us: the proxy must refuse /metrics
            "NGINX_ERROR_PAGES": str(ROOT / "deploy" / "nginx" / "errors"),
            "NGINX_RUN_DIR": str(run),
            "NGINX_USER": "user root;" if os.geteuid() == 0 else "",
        }
        assert int(values["NGINX_MAX_BODY_MB"]) > 250  # the evidence limit, plus the form around it
        render_file(ROOT / "deploy/nginx/udhaengning.conf.template", run / "udhaengning.conf", values)
        render_file(ROOT / "deploy/nginx/standalone.conf.template", run / "nginx.conf", values)
        nginx = [NGINX, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", str(run / "error.log")]
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
            "database": True, "cache": True, "broker": True, "storage": True}
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
                client, f"/api/v1/incidents/{incident.reference}/evidence/", "optagelse.mp3", data, UPLOAD_RATE)

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
        direct.request("GET", download_path, headers={"Host": "localhost", "X-Forwarded-Proto": "https",
                                                      "Authorization": f"Token {token}"})
        answer = direct.getresponse()
        assert answer.status == 200
        assert answer.getheader("X-Accel-Redirect") == f"/_protected/{evidence.file.name}"
        assert answer.read() == b""
        direct.close()
        # The internal location cannot be asked for from outside.
        assert client.get(f"/_protected/{evidence.file.name}")[0] == 404

        # --- The compose health checks --------------------------------------------------------------
        def healthcheck(kind: str, **extra: str) -> subprocess.CompletedProcess:
            return subprocess.run(["bin/healthcheck", kind], cwd=ROOT, capture_output=True, text=True, timeout=60,
                                  env={**env, "PYTHON": sys.executable, **extra})

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
        access_lines = [json.loads(line) for name in ("web1", "web2")
                        for line in processes.log(name, "out").splitlines() if line.startswith("{")]
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
