"""A 200 MB evidence upload and download through the production proxy: throughput and server memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python -m bench.upload_proxy [--size-mb 200] [--rate-mb 0]

The production topology run directly (tests/topology.py, as tests/test_production_topology.py
does): Debian's nginx with deploy/nginx over TLS, two gunicorn processes with
udhaengning.settings.prod and deploy/gunicorn.conf.py, its own PostgreSQL database
(<name>_bench_upload_proxy, migrated by the compose migrate command) and Redis. Then:
1. one warm-up upload; the peak-RSS counters of the gunicorn workers and the nginx worker are
   reset (/proc/<pid>/clear_refs);
2. a generated file of --size-mb is sent as a multipart POST through the proxy (at --rate-mb
   MB/s, 0: as fast as the machine goes) and the time to the 201 answer is taken; the stored
   SHA-256 is compared with the sent one;
3. the same file is downloaded through the proxy (X-Accel-Redirect) and timed;
4. growth = VmHWM after - VmRSS before, per process; nginx's access log gives the time the
   application spent on each request (upstream_response_time).
Needs nginx, PostgreSQL, Redis; Linux (reads /proc). Everything it made is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench._postgres import bench_database_url, ensure_database, server_connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.topology import (  # noqa: E402
    NGINX,
    Client,
    Processes,
    children,
    compose_command,
    free_port,
    local,
    make_certificate,
    memory_kib,
    nginx_command,
    nginx_values,
    peak_rss_reset,
    throttled_upload,
    wait_for_port,
)

SETUP = """
from rest_framework.authtoken.models import Token
from accounts.models import Role
from incidents import services
from incidents.models import Incident
from tests.factories import OrganisationFactory, UnitFactory, member
from django.utils import timezone
org = OrganisationFactory(name="Benchkommune", require_mfa_for_managers=False)
unit = UnitFactory(organisation=org, name="Bench")
manager = member(unit, Role.MANAGER, username="bench_manager")
target = member(unit, Role.CASEWORKER, username="bench_caseworker")
incident = services.incident_register(actor=manager, unit=unit, channel=Incident.Channel.MANAGER,
    fields={"title": "Bench", "discovered_at": timezone.now() - timezone.timedelta(days=1)},
    targets=[target], publications=[])
print(incident.reference, Token.objects.create(user=manager).key)
"""


def _drop(url: str) -> None:
    from psycopg2 import sql

    conn, name = server_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rate-mb", type=float, default=0, help="client send rate in MB/s (0: unthrottled)")
    args = parser.parse_args(argv)
    if NGINX is None:
        print("bench.upload_proxy needs nginx (apt-get install nginx)", file=sys.stderr)
        return 1
    source = os.environ.get("DATABASE_URL", "")
    own = (urlsplit(source).path.lstrip("/") or "udhaengning") + "_bench_upload_proxy"
    url = bench_database_url(source, own[:63], "upload_proxy")
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    _drop(url)
    ensure_database(url)
    tmp = Path(tempfile.mkdtemp(prefix="udh-bench-proxy-"))
    private, run, logs = tmp / "private", tmp / "nginx", tmp / "logs"
    for folder in (private, run, logs):
        folder.mkdir()
    web_ports = [free_port(), free_port()]
    https_port, http_port = free_port(), free_port()
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": url,
            "ALLOWED_HOSTS": "localhost",
            "CELERY_BROKER_URL": broker,
            "CACHE_URL": "rediscache://" + broker.split("://", 1)[1],
            "PRIVATE_STORAGE_ROOT": str(private),
            "PRIVATE_DOWNLOADS": "proxy",
            "LOG_FORMAT": "json",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "TMPDIR": str(tmp),
        }
    )
    processes = Processes(logs)
    try:
        subprocess.run(
            local(compose_command("migrate")),
            cwd=ROOT,
            env=env,
            check=True,  # noqa: S603
            capture_output=True,
        )
        made = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,  # noqa: S603
            check=True,
            capture_output=True,
            text=True,
        )
        reference, token = made.stdout.split()[-2:]
        for number, port in enumerate(web_ports, start=1):
            processes.start(
                f"web{number}", local(compose_command("web")), {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
            )
        make_certificate(tmp / "tls", env)
        values = nginx_values(
            run, http_port=http_port, https_port=https_port, tls=tmp / "tls", web_ports=web_ports, private=private
        )
        proxy = processes.start("nginx", nginx_command(run, values), env)
        wait_for_port(https_port, proxy, "nginx")
        for number, port in enumerate(web_ports, start=1):
            wait_for_port(port, processes.running[f"web{number}"], f"gunicorn {number}", timeout=60)
        client = Client(https_port, tmp / "tls" / "fullchain.pem", token)
        path = f"/api/v1/incidents/{reference}/evidence/"
        header = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 32 + b"\xff\xfb\x90\x00"
        warm = throttled_upload(client, path, "warm.mp3", header + os.urandom(100_000), 0)
        assert warm[0] == 201, warm[1][:500]

        watched = {"nginx worker": children(proxy.pid)[0]}
        for number in (1, 2):
            watched[f"gunicorn worker {number}"] = children(processes.running[f"web{number}"].pid)[0]
        before = {}
        for name, pid in watched.items():
            peak_rss_reset(pid)
            before[name] = memory_kib(pid)[0]

        size = args.size_mb * 1024 * 1024
        data = header + os.urandom(size - len(header))
        expected = hashlib.sha256(data).hexdigest()
        status, body, upload_seconds = throttled_upload(
            client, path, "bench.mp3", data, int(args.rate_mb * 1024 * 1024)
        )
        assert status == 201, body[:500]
        stored = json.loads(body)
        assert stored["sha256"] == expected
        started = time.monotonic()
        status, _headers, downloaded = client.get(f"{path}{stored['id']}/download/")
        download_seconds = time.monotonic() - started
        assert status == 200 and hashlib.sha256(downloaded).hexdigest() == expected
        del downloaded, data
        after = {name: memory_kib(pid)[1] for name, pid in watched.items()}
        lines = [json.loads(line) for line in processes.log("nginx", "out").splitlines() if line.startswith("{")]
        upload_line = next(
            line
            for line in lines
            if line["method"] == "POST" and line["status"] == 201 and line["request_length"] > size
        )
        download_line = [line for line in lines if line["method"] == "GET" and line["bytes_sent"] >= size][-1]

        mb = args.size_mb
        print(f"### {mb} MB evidence through the proxy (nginx {NGINX}, TLS, 2 × gunicorn gthread 1×4)\n")
        rate = f"{args.rate_mb} MB/s" if args.rate_mb else "unthrottled (localhost)"
        print(f"Client send rate: {rate}; SHA-256 of the stored and the downloaded file match the sent one.\n")
        print("| step | wall time | throughput | application time (upstream) |")
        print("|---|---:|---:|---:|")
        print(
            f"| upload {mb} MB | {upload_seconds:.1f} s | {mb / upload_seconds:.0f} MB/s "
            f"| {float(upload_line['upstream_time']):.1f} s |"
        )
        print(
            f"| download {mb} MB (X-Accel-Redirect) | {download_seconds:.1f} s | {mb / download_seconds:.0f} MB/s "
            f"| {float(download_line['upstream_time']) * 1000:.0f} ms |"
        )
        print("\n| process | RSS before | peak during | growth |")
        print("|---|---:|---:|---:|")
        for name in watched:
            print(
                f"| {name} | {before[name] / 1024:.0f} MB | {after[name] / 1024:.0f} MB "
                f"| {(after[name] - before[name]) / 1024:.1f} MB |"
            )
        return 0
    finally:
        processes.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        _drop(url)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
