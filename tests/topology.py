"""Running the production topology without Docker: shared by tests/test_production_topology.py
and bench/upload_proxy.py.

The commands come from docker-compose.yml (run with this virtualenv's python, gunicorn and
celery), the proxy configuration from deploy/nginx rendered by deploy/render.py; every process
runs in its own session so it can be killed with its children, and logs to a file.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = next((path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None)


def render_file(template: Path, output: Path, values: dict[str, str]) -> Path:
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        from render import render_file as render
    finally:
        sys.path.pop(0)
    return render(template, output, values)


def nginx_values(
    run: Path,
    *,
    http_port: int,
    https_port: int,
    tls: Path,
    web_ports: list[int],
    private: Path,
    metrics_allow: str = "127.0.0.1",
) -> dict[str, str]:
    """The proxy service's environment from docker-compose.yml, with this machine's ports and paths."""
    proxy_env = compose()["services"]["proxy"]["environment"]
    return {
        **{name: compose_default(value) for name, value in proxy_env.items()},
        "NGINX_SERVER_NAME": "localhost",
        "NGINX_HTTP_PORT": str(http_port),
        "NGINX_HTTPS_PORT": str(https_port),
        "NGINX_PUBLIC_HTTPS_PORT": str(https_port),
        "NGINX_TLS_CERT": str(tls / "fullchain.pem"),
        "NGINX_TLS_KEY": str(tls / "privkey.pem"),
        "NGINX_UPSTREAM_SERVERS": " ".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;" for port in web_ports
        ),
        "NGINX_RESOLVER": "",
        "NGINX_PRIVATE_ROOT": str(private),
        "NGINX_METRICS_ALLOW": metrics_allow,
        "NGINX_ERROR_PAGES": str(ROOT / "deploy" / "nginx" / "errors"),
        "NGINX_RUN_DIR": str(run),
        "NGINX_USER": "user root;" if os.geteuid() == 0 else "",
    }


def nginx_command(run: Path, values: dict[str, str]) -> list[str]:
    render_file(ROOT / "deploy/nginx/udhaengning.conf.template", run / "udhaengning.conf", values)
    render_file(ROOT / "deploy/nginx/standalone.conf.template", run / "nginx.conf", values)
    return [NGINX, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", str(run / "error.log")]


def make_certificate(directory: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "deploy/tls-init.py", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env, "NGINX_SERVER_NAME": "localhost"},
        timeout=30,
    )


def peak_rss_reset(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


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


def local(argv: list[str]) -> list[str]:
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
    """A multipart evidence upload sent at `rate` bytes a second (0: as fast as it goes)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
        f"Optagelse fra Facebook\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: audio/mpeg\r\n\r\n"
    ).encode()
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
        conn.send(data[offset : offset + chunk])
        ahead = (offset + chunk) / rate - (time.monotonic() - started) if rate else 0
        if ahead > 0:
            time.sleep(ahead)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, time.monotonic() - started
