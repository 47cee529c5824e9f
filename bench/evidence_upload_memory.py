"""Peak memory growth of the web process while it receives a 200 MB evidence upload.

    .venv/bin/python bench/evidence_upload_memory.py [--size-mb 200]
    .venv/bin/python -m bench.evidence_upload_memory

The budget (issue 3): under 50 MB of growth, because the upload is streamed (to a temporary
file, then through the hash to private storage), never read into memory.

How it measures, so that the benchmark itself never holds the file in memory either:
1. a throwaway folder with a SQLite database (migrated here), a private storage folder and
   a settings module on top of udhaengning.settings.test;
2. a manager, a unit and an incident; a signed-in session and a CSRF cookie made directly;
3. `manage.py runserver --noreload --nothreading` in its own process on 127.0.0.1;
4. one small warm-up upload (imports, first queries), then the peak-RSS counter of the
   server process is reset (/proc/<pid>/clear_refs) and its VmRSS read;
5. a generated 200 MB file (written to a temporary file first) is sent with http.client in
   1 MB pieces as a real multipart POST to the upload URL;
6. afterwards VmHWM (peak RSS) of the server is read: growth = VmHWM - VmRSS before.
The stored file's SHA-256 is checked against the one computed while generating it.
Linux only (reads /proc). Everything it made is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 50
MB = 1024 * 1024
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free"


def _arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.evidence_upload_memory", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size-mb", type=int, default=200, help="size of the uploaded file (default 200)")
    parser.add_argument(
        "--control",
        action="store_true",
        help="check the method: let Django keep uploads in memory (FILE_UPLOAD_MAX_MEMORY_SIZE 1 GB); "
        "the growth must then show the file",
    )
    return parser.parse_args(argv)


def _proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit code {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start in time")


def _write_file(path: Path, size: int) -> str:
    """A file of `size` bytes that is detected as video (MP4 header, random body); returns its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        written = 0
        block = MP4_HEADER + os.urandom(MB - len(MP4_HEADER))
        while written < size:
            piece = block[: min(MB, size - written)]
            handle.write(piece)
            digest.update(piece)
            written += len(piece)
            block = os.urandom(MB)
    return digest.hexdigest()


def _post_file(port: int, url: str, path: Path, filename: str, cookies: str, csrf: str) -> tuple[int, str, float]:
    """A multipart POST streamed from the file in 1 MB pieces; (status, Location, seconds)."""
    boundary = "----udhbench" + secrets.token_hex(8)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nBenchmark\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        f"Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", url)
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(length))
    conn.putheader("Cookie", cookies)
    conn.putheader("X-CSRFToken", csrf)
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as handle:
        while piece := handle.read(MB):
            conn.send(piece)
    conn.send(tail)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, response.getheader("Location", ""), elapsed


def _setup_django(workdir: Path, *, control: bool = False) -> None:
    (workdir / "bench_settings.py").write_text(
        textwrap.dedent(f"""
        from udhaengning.settings.test import *  # noqa: F403
        STORAGES = {{
            **STORAGES,  # noqa: F405
            "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {{"location": {str(workdir / "private")!r}, "base_url": None}}}},
        }}
        FILE_UPLOAD_TEMP_DIR = {str(workdir / "upload-tmp")!r}
        LOGGING = {{"version": 1, "disable_existing_loggers": True}}
    """)
    )
    if control:
        with (workdir / "bench_settings.py").open("a") as handle:
            handle.write("FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024 * 1024\nDATA_UPLOAD_MAX_MEMORY_SIZE = None\n")
    (workdir / "private").mkdir()
    (workdir / "upload-tmp").mkdir()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    for path in (str(workdir), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _make_case():
    """A manager with a signed-in session, an incident, and a CSRF secret: (incident, cookies, csrf)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import Membership, Organisation, Role, Unit, User
    from incidents.models import Incident
    from incidents.services import incident_register

    org = Organisation.objects.create(name="Benchmark Kommune")
    unit = Unit.objects.create(organisation=org, name="Socialforvaltning")
    manager = User.objects.create_user(
        username="bench_leder",
        password=secrets.token_urlsafe(16),
        organisation=org,
        first_name="Bente",
        last_name="Leder",
    )
    Membership.objects.create(user=manager, unit=unit, role=Role.MANAGER)
    incident = incident_register(
        actor=manager,
        unit=unit,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Benchmark", "discovered_at": timezone.now()},
    )
    session = SessionStore()
    session[SESSION_KEY] = str(manager.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = manager.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    cookies = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return incident, cookies, csrf


def main(argv=None) -> int:
    args = _arguments(argv)
    if not Path("/proc/self/status").exists():
        print("This benchmark reads /proc and runs on Linux only.", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="udh-bench-upload-"))
    server = None
    try:
        _setup_django(workdir, control=args.control)
        from django.urls import reverse

        incident, cookies, csrf = _make_case()
        url = reverse("incidents:evidence_upload", args=[incident.reference])

        port = _free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)])}
        server = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--nothreading",
                "--skip-checks",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(port, server)

        small = workdir / "warmup.mp4"
        _write_file(small, 64 * 1024)
        status, _location, _seconds = _post_file(port, url, small, "warmup.mp4", cookies, csrf)
        if status != 302:
            raise RuntimeError(f"the warm-up upload answered {status}, expected 302")

        big = workdir / "upload.mp4"
        expected = _write_file(big, args.size_mb * MB)
        reset = _reset_peak(server.pid)
        rss_before = _proc_status_kb(server.pid, "VmRSS")
        hwm_before = _proc_status_kb(server.pid, "VmHWM")
        status, location, seconds = _post_file(port, url, big, "stor-video.mp4", cookies, csrf)
        hwm_after = _proc_status_kb(server.pid, "VmHWM")
        if status != 302:
            raise RuntimeError(f"the upload answered {status}, expected 302 (Location {location!r})")

        from incidents.models import Evidence

        stored = Evidence.objects.filter(incident=incident, original_name="stor-video.mp4").get()
        if stored.sha256 != expected or stored.size != args.size_mb * MB:
            raise RuntimeError("the stored file's SHA-256 or size differs from the uploaded one")

        baseline = rss_before if reset else hwm_before
        growth_mb = (hwm_after - baseline) / 1024
        verdict = "within" if growth_mb < BUDGET_MB else "OVER"
        label = " (CONTROL: uploads kept in memory by Django)" if args.control else ""
        print(f"Evidence upload of {args.size_mb} MB through `runserver` (one process, no threads), SQLite{label}:")
        print()
        print("| measure | value |")
        print("| --- | --- |")
        print(f"| web process RSS before the upload | {rss_before / 1024:.1f} MB |")
        print(f"| web process peak RSS during the upload | {hwm_after / 1024:.1f} MB |")
        print(f"| peak memory growth | {growth_mb:.1f} MB ({verdict} the {BUDGET_MB} MB budget) |")
        print(f"| upload time (send, store, hash, answer) | {seconds:.2f} s ({args.size_mb / seconds:.0f} MB/s) |")
        print(f"| stored SHA-256 matches | yes ({stored.sha256[:16]}…) |")
        if not reset:
            print("\n(the peak counter could not be reset; growth is measured from the earlier peak)")
        return 0 if growth_mb < BUDGET_MB else 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
