"""Outbox delivery throughput through one real worker, and the sweep's cost on a big table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning .venv/bin/python -m bench.notifications

Needs PostgreSQL and Redis. Uses its own database on the DATABASE_URL server
(`udhaengning_bench_notifications`, created when missing) and its own Redis database
(`--broker`, default redis://127.0.0.1:6379/13) with a queue of its own run, so
development and test data are never touched and two runs at once do not mix.

1. Delivery: starts a small SMTP sink on 127.0.0.1 (a thread in this process that
   accepts every message and counts the X-Udhaengning-Notification headers) and one
   Celery worker (`celery -A udhaengning worker --pool=solo`, a subprocess stopped by its
   pid), then writes `--messages` e-mail notifications through notification_enqueue
   (each row committed and published as in production) and waits until every row is
   sent. Prints the enqueue time, the total time and the throughput, and checks that
   each notification reached the sink exactly once. Then, as the floor, the same messages
   go to the same sink through plain smtplib over one connection (no database, no worker).
2. Sweep: tops the table up to `--delivered` sent rows plus a few stale pending ones,
   ANALYZEs it, then times the sweep's query and prints its EXPLAIN, which must use the
   partial index `notif_outbox` (only rows on their way are in it). The unread badge's
   query is timed and explained the same way.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bench._postgres import bench_database_url, ensure_database

DEFAULT_DATABASE = "udhaengning_bench_notifications"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
DEFAULT_MESSAGES = 1_000
DEFAULT_DELIVERED = 100_000
STALE_PENDING = 20
QUERY_RUNS = 50
BASE_DIR = Path(__file__).resolve().parent.parent
HEADER = b"X-Udhaengning-Notification:"
# A queue of this run's own, so a benchmark running at the same time elsewhere on the same
# Redis never takes our messages (and we never take theirs).
QUEUE = f"bench-notifications-{uuid.uuid4().hex[:8]}"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=DEFAULT_MESSAGES,
        help=f"e-mails delivered by the worker (default {DEFAULT_MESSAGES:,})",
    )
    parser.add_argument(
        "--delivered",
        type=int,
        default=DEFAULT_DELIVERED,
        help=f"sent rows in the table for the sweep (default {DEFAULT_DELIVERED:,})",
    )
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help=f"database on the DATABASE_URL server (default {DEFAULT_DATABASE})"
    )
    parser.add_argument("--broker", default=DEFAULT_BROKER, help=f"Redis broker URL (default {DEFAULT_BROKER})")
    parser.add_argument(
        "--settings",
        default="udhaengning.settings.dev",
        help="settings module of this process and the worker (default udhaengning.settings.dev)",
    )
    return parser.parse_args(argv)


# --- A tiny SMTP sink ----------------------------------------------------------------------


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts any message on 127.0.0.1 and counts notifications by their header."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.lock = threading.Lock()
        self.messages = 0
        self.by_notification: dict[str, int] = {}

    @property
    def port(self) -> int:
        return self.server_address[1]

    def record(self, data: bytes) -> None:
        ids = [line.split(b":", 1)[1].strip().decode() for line in data.split(b"\r\n") if line.startswith(HEADER)]
        with self.lock:
            self.messages += 1
            for pk in ids:
                self.by_notification[pk] = self.by_notification.get(pk, 0) + 1


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Django's smtplib-based backend."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self._reply("250 OK")
            elif verb == b"DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(chunk)
                self.server.record(b"".join(chunks))
                self._reply("250 OK queued")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


# --- Set-up ------------------------------------------------------------------------------------


def _environment(database_url: str, broker: str, smtp_port: int, settings: str) -> dict[str, str]:
    """The development settings with PostgreSQL, Redis and SMTP: what `make worker` runs."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
        "DATABASE_CONN_MAX_AGE": "60",  # as in production: the worker keeps its connection
    }


def _start_worker(env: dict[str, str], workdir: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    log = open(workdir / "worker.log", "wb")  # noqa: SIM115 - lives as long as the worker
    return subprocess.Popen(  # noqa: S603 - our own venv's celery, fixed arguments
        [
            str(celery),
            "-A",
            "udhaengning",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            f"--queues={QUEUE}",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=bench-{uuid.uuid4().hex[:6]}@localhost",
            f"--pidfile={workdir / 'worker.pid'}",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(workdir: Path, process: subprocess.Popen, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"The worker stopped:\n{(workdir / 'worker.log').read_text()[-3000:]}")
        if b" ready." in (workdir / "worker.log").read_bytes():
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit("The worker did not become ready in time")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def _recipients(count: int):
    from accounts.models import Membership, Organisation, Role, Unit, User

    org, _ = Organisation.objects.get_or_create(name="Benchkommune")
    unit, _ = Unit.objects.get_or_create(organisation=org, parent=None, name="Benchforvaltning")
    users = []
    for i in range(count):
        user, created = User.objects.get_or_create(
            username=f"bench-leder-{i}",
            defaults={"organisation": org, "email": f"bench-leder-{i}@example.invalid", "first_name": f"Leder {i}"},
        )
        if created:
            Membership.objects.create(user=user, unit=unit, role=Role.MANAGER)
        users.append(user)
    return org, users


# --- 1. Delivery ---------------------------------------------------------------------------------


def bench_delivery(messages: int, env: dict[str, str], sink: SmtpSink) -> dict:
    """Write the rows first (the worker is not running, the messages wait in Redis), then
    start one worker and time it from ready until every row is sent."""
    from django.db import transaction

    from notifications import services
    from notifications.models import Channel, Kind, Notification, State

    org, users = _recipients(50)
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    ids = []
    for i in range(messages):
        with transaction.atomic():  # one event, one commit; published to Redis after it
            rows = services.notification_enqueue(
                recipient=users[i % len(users)],
                kind=Kind.SELF_REPORT,
                key=f"bench:{run}:{i}",
                organisation_id=org.pk,
                template="self_report",
                context={"reference": f"UDH-2026-{i:04d}", "unit_name": "Benchforvaltning", "level_label": "Lav"},
                target_url="/",
            )
        ids += [n.pk for n in rows if n.channel == Channel.EMAIL]
    enqueued = time.perf_counter() - started
    pending = Notification.objects.filter(pk__in=ids)
    with tempfile.TemporaryDirectory(prefix="udh-bench-") as tmp:
        workdir = Path(tmp)
        worker = _start_worker(env, workdir)
        try:
            ready = _wait_ready(workdir, worker)
            started = time.perf_counter()
            deadline = started + max(120, messages / 5)
            while pending.filter(state=State.SENT).count() < len(ids) and time.perf_counter() < deadline:
                time.sleep(0.05)
            total = time.perf_counter() - started
        finally:
            _stop(worker)
        log = (workdir / "worker.log").read_bytes()
        task_seconds = [float(m) for m in re.findall(rb"succeeded in ([0-9.]+)s", log)]
    return {
        "ids": ids,
        "messages": len(ids),
        "ready": ready,
        "enqueued": enqueued,
        "total": total,
        "states": _state_counts(pending),
        "delivered_once": sum(1 for pk in ids if sink.by_notification.get(str(pk)) == 1),
        "duplicates": sum(1 for pk in ids if sink.by_notification.get(str(pk), 0) > 1),
        "sink_messages": sink.messages,
        "task_ms": statistics.median(task_seconds) * 1000 if task_seconds else 0.0,
        "task_max_ms": max(task_seconds) * 1000 if task_seconds else 0.0,
        "tasks": len(task_seconds),
    }


def bench_smtplib(ids: list[int], sink: SmtpSink) -> dict:
    """The floor: the same messages (subject, text and HTML body, recipient) built with the
    standard library and sent by plain smtplib over one connection to the same sink, with
    no database, no worker and no outbox. Their header is another, so the exactly-once count
    above is not touched."""
    import smtplib
    from email.message import EmailMessage

    from django.conf import settings

    from notifications.models import Notification

    rows = list(Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk"))
    before = sink.messages
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for row in rows:
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = (
                row.subject,
                settings.DEFAULT_FROM_EMAIL,
                row.recipient.email,
            )
            message["X-Bench-Floor"] = str(row.pk)
            message.set_content(row.body)
            if row.body_html:
                message.add_alternative(row.body_html, subtype="html")
            smtp.send_message(message)
    total = time.perf_counter() - started
    return {"messages": len(rows), "total": total, "received": sink.messages - before}


def _state_counts(qs) -> dict[str, int]:
    from django.db.models import Count

    return {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}


# --- 2. The sweep on a big table --------------------------------------------------------------------


def top_up_delivered(target: int) -> tuple[int, float]:
    from django.utils import timezone

    from notifications.models import Channel, Kind, Notification, State

    org, users = _recipients(50)
    have = Notification.objects.filter(state=State.SENT, channel=Channel.EMAIL).count()
    missing = max(0, target - have)
    started = time.perf_counter()
    now = timezone.now()
    run = uuid.uuid4().hex[:8]
    batch = []
    for i in range(missing):
        sent_at = now - timedelta(minutes=i % 100_000)
        batch.append(
            Notification(
                organisation_id=org.pk,
                recipient=users[i % len(users)],
                kind=Kind.SELF_REPORT,
                channel=Channel.EMAIL,
                key=f"bench-sent:{run}:{i}",
                subject="Ny selvanmeldelse",
                body="En medarbejder har selv anmeldt …",
                state=State.SENT,
                attempts=1,
                next_attempt_at=sent_at,
                sent_at=sent_at,
            )
        )
        if len(batch) == 5000:
            Notification.objects.bulk_create(batch)
            batch = []
    if batch:
        Notification.objects.bulk_create(batch)
    # A few rows the sweep must find: pending since an hour (broker was down).
    Notification.objects.filter(key__startswith="bench-stale:").delete()
    Notification.objects.bulk_create(
        [
            Notification(
                organisation_id=org.pk,
                recipient=users[i],
                kind=Kind.SELF_REPORT,
                channel=Channel.EMAIL,
                key=f"bench-stale:{i}",
                subject="x",
                body="x",
                state=State.PENDING,
                next_attempt_at=now - timedelta(hours=1),
            )
            for i in range(STALE_PENDING)
        ]
    )
    return missing, time.perf_counter() - started


def _timed(fn, runs: int = QUERY_RUNS) -> float:
    fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _explain(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def bench_sweep() -> dict:
    from django.db import connection

    from notifications import services
    from notifications.models import Channel, Notification, State

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_notification")
    stale = services.stale_outbox()
    sweep_qs = stale.values_list("pk", flat=True)[:1000]
    found = len(list(sweep_qs))
    sweep_ms = _timed(lambda: list(sweep_qs.all()))  # .all(): a fresh query each time
    user = Notification.objects.filter(key__startswith="bench-sent:").values_list("recipient_id", flat=True).first()
    unread_qs = Notification.objects.filter(recipient_id=user, channel=Channel.IN_APP, read_at__isnull=True)
    unread_ms = _timed(unread_qs.count)
    return {
        "rows": Notification.objects.count(),
        "sent": Notification.objects.filter(state=State.SENT).count(),
        "found": found,
        "sweep_ms": sweep_ms,
        "sweep_plan": _explain(sweep_qs),
        "unread_ms": unread_ms,
        "unread_plan": _explain(unread_qs.order_by().values("id")),
    }


# --- Main ---------------------------------------------------------------------------------------------


def _broker_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def _mount_notification_urls() -> None:
    """Links in e-mails point at /notifikationer/<id>/; until udhaengning/urls.py mounts
    the centre, borrow the tests' URLconf that does."""
    from django.urls import NoReverseMatch, reverse, set_urlconf

    try:
        reverse("notifications:list")
    except NoReverseMatch:
        set_urlconf("tests.notifications.urls")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        url = bench_database_url(os.environ.get("DATABASE_URL", ""), args.database, "notifications")
    except SystemExit as why:
        print(f"Skipped: {why}")
        return 0
    if not _broker_up(args.broker):
        print(f"Skipped: bench.notifications needs Redis at {args.broker}")
        return 0
    ensure_database(url)
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    env = _environment(url, args.broker, sink.port, args.settings)
    os.environ.update({k: v for k, v in env.items() if k != "LOG_LEVEL"})
    import logging

    import django

    django.setup()
    logging.getLogger("notifications").setLevel(logging.ERROR)
    from django.core.management import call_command

    from udhaengning.celery import app

    app.conf.task_default_queue = QUEUE  # before the first message is published
    call_command("migrate", verbosity=0, interactive=False)
    _mount_notification_urls()

    print(f"Database `{args.database}`, broker {args.broker}, SMTP sink 127.0.0.1:{sink.port}", flush=True)
    d = bench_delivery(args.messages, env, sink)
    print(f"\n### Delivery: {d['messages']:,} e-mails, one worker (solo pool), local SMTP sink\n")
    print("| figure | value |\n|---|---|")
    print(
        f"| write {d['messages']:,} events (in-app + e-mail row, one commit each) and publish | "
        f"{d['enqueued']:.2f} s ({d['enqueued'] / max(1, d['messages']) * 1000:.2f} ms per event) |"
    )
    print(f"| worker start until ready | {d['ready']:.1f} s |")
    print(f"| worker ready → last e-mail sent | {d['total']:.2f} s |")
    print(
        f"| throughput of one worker | {d['messages'] / d['total']:.0f} e-mails/s "
        f"({d['total'] / max(1, d['messages']) * 1000:.1f} ms per e-mail) |"
    )
    print(
        f"| tasks run; median and longest time inside one (its row, then the rows due, one connection) | "
        f"{d['tasks']:,}; {d['task_ms']:.1f} ms, {d['task_max_ms']:.0f} ms |"
    )
    floor = bench_smtplib(d["ids"], sink)
    print(
        f"| plain smtplib, the same {floor['messages']:,} messages over one connection (floor) | "
        f"{floor['total']:.2f} s ({floor['received']:,} received) |"
    )
    print(f"| worker against plain smtplib | {d['total'] / floor['total']:.1f}× |")
    print(f"| rows by state | {d['states']} |")
    print(
        f"| reached the sink exactly once | {d['delivered_once']:,} of {d['messages']:,} "
        f"(duplicates: {d['duplicates']}, messages at the sink: {d['sink_messages']:,}) |"
    )

    print(f"\nTopping up to {args.delivered:,} delivered rows…", flush=True)
    added, seconds = top_up_delivered(args.delivered)
    if added:
        print(f"(added {added:,} rows in {seconds:.1f} s)")
    s = bench_sweep()
    print(f"\n### Sweep with {s['sent']:,} sent rows ({s['rows']:,} rows in all)\n")
    print("| query | median of 50 | rows |\n|---|---|---|")
    print(f"| sweep: stale pending or lapsed lease | {s['sweep_ms']:.2f} ms | {s['found']} |")
    print(f"| unread badge count for one user | {s['unread_ms']:.2f} ms | |")
    print("\nSweep plan:\n```\n" + s["sweep_plan"] + "\n```")
    print("Unread badge plan:\n```\n" + s["unread_plan"] + "\n```")
    ok = d["delivered_once"] == d["messages"] and "notif_outbox" in s["sweep_plan"] and s["found"] >= STALE_PENDING
    if not ok:
        print("FAILED: not every e-mail was delivered exactly once, or the sweep does not use notif_outbox")
    sink.shutdown()
    _drop_queue(args.broker)
    return 0 if ok else 1


def _drop_queue(broker: str) -> None:
    import redis

    redis.Redis.from_url(broker).delete(QUEUE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
