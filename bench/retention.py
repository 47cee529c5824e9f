"""The nightly retention purge (`retention.services.retention_purge`) on PostgreSQL: time, queries, memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning .venv/bin/python -m bench.retention

Uses its own database on the DATABASE_URL server (`udhaengning_bench_retention`), which it
drops and creates on every run, because the purge deletes what it measures; the databases
of the other benchmarks (`udhaengning_bench`) and the developer's are never touched. Files
go to a temporary private storage folder, removed at the end.

1. Migrates, adds the demo organisation (retention period 24 months) and `--incidents`
   demo incidents (5,000 by default, `demo.incidents.demo_incidents_seed`).
2. Makes the oldest `--due-share` of them (25 % by default: the first run after a backlog)
   closed more than 24 months ago with an UPDATE of status and `closed_at`; other closed
   incidents get a later `closed_at`, so exactly those are due. `--hold-share` of the due
   ones (2 %) are put on legal hold. `--evidence-share` of all incidents (30 %) get 1–3
   stored evidence files (4–64 KB of random bytes), `--report-share` (5 %) a finished
   report PDF, half of those an evidence bundle ZIP, and those incidents an in-app
   notification; `--recording-requests` (20) recording requests are linked to due
   incidents through the app's services. Then VACUUM ANALYZE.
3. Counts the statistics (`stats.queries.counts_for` for the demo manager's units, per
   calendar year of the purged incidents, and the recording requests' counts).
4. Times a dry run (`retention_purge(dry_run=True)`), then purges the `--sample` oldest
   due incidents (a purge with `now` set to when the sample falls due) inside Django's
   `CaptureQueriesContext`, then times the real purge of the rest. Queries and time per
   purged incident are taken around each incident's purge (its transaction and its file
   deletions after the commit). Peak memory is the process's peak RSS (VmHWM, reset
   before each phase through /proc/self/clear_refs; else ru_maxrss, which cannot be reset), and
   the peak of Python's heap (tracemalloc) during one more, untimed, dry run.
5. Checks: every due incident not on hold is gone, the held ones and every other incident
   are there, the purged incidents' files are deleted and the others' are not, no file
   deletion is pending, the statistics are the same as before (all but the share of
   employees targeted, which counts live incidents only) and `audit_verify` passes.

Prints the figures and the checks as markdown tables; a failed check returns 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections import defaultdict
from dataclasses import asdict
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from bench._postgres import bench_database_url, server_connection
from bench._retention_data import add_files, add_recording_requests, make_due, seed
from bench.pages import DEFAULT_DATABASE as PAGES_DATABASE
from bench.pages import percentile

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "udhaengning_bench_retention"
DEFAULT_INCIDENTS = 5_000
# Never dropped by this benchmark: the development database and the one bench.pages and bench.stats share.
PROTECTED = {"udhaengning", PAGES_DATABASE, "postgres", "template0", "template1"}


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--incidents",
        type=int,
        default=DEFAULT_INCIDENTS,
        help=f"demo incidents to generate (default {DEFAULT_INCIDENTS:,})",
    )
    parser.add_argument(
        "--due-share",
        type=float,
        default=0.25,
        help="share of the incidents (the oldest) closed long enough ago to be due (default 0.25)",
    )
    parser.add_argument(
        "--hold-share", type=float, default=0.02, help="share of the due incidents on legal hold (default 0.02)"
    )
    parser.add_argument(
        "--evidence-share",
        type=float,
        default=0.30,
        help="share of all incidents with 1–3 stored evidence files (default 0.30)",
    )
    parser.add_argument(
        "--report-share",
        type=float,
        default=0.05,
        help="share of all incidents with a finished report, half with a bundle (default 0.05)",
    )
    parser.add_argument(
        "--recording-requests", type=int, default=20, help="recording requests linked to due incidents (default 20)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=10,
        help="oldest due incidents purged first inside CaptureQueriesContext (default 10)",
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help=f"benchmark database, dropped and created (default {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--listing-only",
        action="store_true",
        help="time only the dry-run listing on an existing seeded --database, which is kept "
        "(bench/_retention_listing.py)",
    )
    parser.add_argument("--runs", type=int, default=3, help="listings timed with --listing-only (default 3)")
    return parser.parse_args(argv)


# --- Database, settings ---------------------------------------------------------------------------


def _reset_database(url: str, developer_database: str) -> None:
    from psycopg2 import sql

    name = urlsplit(url).path.lstrip("/")
    if name in PROTECTED | {developer_database}:
        raise SystemExit(f"bench.retention drops and recreates its database; it refuses '{name}'.")
    conn, _name = server_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def _setup_django(url: str, workdir: Path) -> Path:
    """The test settings (DEBUG off) with private storage in `workdir/private`."""
    storage = workdir / "private"
    storage.mkdir()
    (workdir / "bench_retention_settings.py").write_text(
        textwrap.dedent(f"""
        from udhaengning.settings.test import *  # noqa: F403
        PRIVATE_STORAGE_ROOT = {str(storage)!r}
        STORAGES = {{
            **STORAGES,  # noqa: F405
            "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {{"location": {str(storage)!r}, "base_url": None}}}},
        }}
    """)
    )
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_retention_settings"
    for path in (str(workdir), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    return storage


# --- Memory -----------------------------------------------------------------------------------------


def _rss_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class Peak:
    """The process's RSS before a phase and its peak during it (MB)."""

    def __enter__(self):
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.resettable = True
        except OSError:
            self.resettable = False
        self.before = (_rss_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        return self

    def __exit__(self, *exc):
        peak = _rss_kb("VmHWM") if self.resettable else None
        self.peak = (peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        return False

    def text(self) -> str:
        note = "" if self.resettable else " (ru_maxrss: peak of the whole process)"
        return f"{self.before:.0f} MB → {self.peak:.0f} MB (+{self.peak - self.before:.1f} MB){note}"


# --- Statistics before and after --------------------------------------------------------------------


def _statistics(unit_ids, years: list[int], today: date) -> dict:
    """counts_for per calendar year (up to this month), and the recording requests' counts."""
    from recordings.selectors import request_counts
    from stats.queries import add_months, counts_for

    result = {}
    for year in years:
        first, last = date(year, 1, 1), min(date(year, 12, 1), today.replace(day=1))
        counts = asdict(counts_for(unit_ids, first, last, employees_from=add_months(last, -11)))
        counts.pop("employees_targeted")  # live incidents only, by design (DOMAIN.md)
        result[year] = counts
    result["recording_requests"] = request_counts(unit_ids)
    return result


# --- Measuring --------------------------------------------------------------------------------------


class PerIncident:
    """Queries and time of each incident's purge: wraps `retention.services._purge_one` (its
    transaction and the file deletions run when it commits) and counts every query sent."""

    def __init__(self) -> None:
        self.queries_sent = 0
        # (incident id, SQL statements, entries in CaptureQueriesContext or None, ms, purged)
        self.rows: list[tuple[int, int, int | None, float, bool]] = []
        self.capturing = False

    def __call__(self, execute, sql, params, many, context):
        self.queries_sent += 1
        return execute(sql, params, many, context)

    def install(self):
        from django.db import connection

        from retention import services as retention

        original = retention._purge_one

        def measured(incident_id, **kwargs):
            queries, logged, started = self.queries_sent, len(connection.queries_log), time.perf_counter()
            purged = original(incident_id, **kwargs)
            ms = (time.perf_counter() - started) * 1000
            captured = len(connection.queries_log) - logged if self.capturing else None
            self.rows.append((incident_id, self.queries_sent - queries, captured, ms, purged))
            return purged

        retention._purge_one = measured
        return original


def _purge(now, counter: PerIncident):
    from django.db import connection

    from retention.services import retention_purge

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        summary = retention_purge(now=now, dry_run=False)
        return summary, time.perf_counter() - started


def _spread(values) -> str:
    values = sorted(values)
    if not values:
        return "–"
    if values[0] == values[-1]:
        return str(values[0])
    return f"{values[0]}–{values[-1]} (median {statistics.median(values):g})"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    developer_url = os.environ.get("DATABASE_URL", "")
    url = bench_database_url(developer_url, args.database, "retention")
    if not args.listing_only:
        _reset_database(url, urlsplit(developer_url).path.lstrip("/"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-retention-"))
    try:
        if args.listing_only:
            from bench._retention_listing import listing_only

            _setup_django(url, workdir)
            return listing_only(args)
        return _run(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args, url: str, workdir: Path) -> int:  # noqa: PLR0915 - one straight measurement script
    storage_root = _setup_django(url, workdir)

    import django
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from audit.models import AuditEvent
    from audit.services import audit_verify
    from incidents.models import Incident, PendingFileDeletion, Publication, TimelineEntry
    from retention.services import retention_candidates, retention_purge
    from stats.models import IncidentResidue
    from stats.scope import StatisticsUnits

    rng = random.Random(1)
    print(f"Database `{args.database}` (dropped and created); seeding {args.incidents:,} incidents…", flush=True)
    org, seed_seconds = seed(args.incidents)
    now = timezone.now()
    due, held = make_due(org, now, args, rng)
    files = add_files(org, args, rng)
    linked = add_recording_requests(org, due, held, args.recording_requests, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]

    to_purge = set(due) - set(held)
    total = Incident.objects.filter(unit__organisation=org).count()
    stored = {path for path in storage_root.rglob("*") if path.is_file()}
    purged_files = sum(sum(n) for pk, n in files.items() if pk in to_purge)
    size = {
        pk: (p, t)
        for pk, p, t in Incident.objects.filter(pk__in=to_purge)
        .annotate(p=Count("publications", distinct=True), t=Count("timeline", distinct=True))
        .values_list("pk", "p", "t")
    }
    units = StatisticsUnits(User.objects.get(username="leder")).allowed
    years = sorted({y for y in Incident.objects.filter(pk__in=to_purge).values_list("registered_at__year", flat=True)})
    today = timezone.localdate(now)
    before = _statistics(units, years, today)
    events_before = AuditEvent.objects.count()
    print(
        f"Prepared: {len(due):,} due ({len(held)} on legal hold), {len(stored):,} stored files; "
        f"seed {seed_seconds:.1f} s.",
        flush=True,
    )

    # Dry run.
    with Peak() as dry_peak, CaptureQueriesContext(connection) as dry_queries:
        started = time.perf_counter()
        dry = retention_purge(now=now, dry_run=True)
        dry_seconds = time.perf_counter() - started
    dry_right = {c.incident_id for c in dry.candidates} == to_purge and {c.incident_id for c in dry.held} == set(held)
    tracemalloc.start()  # an extra, untimed dry run: tracemalloc slows Python down
    retention_purge(now=now, dry_run=True)
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    # A sample of the oldest, inside CaptureQueriesContext.
    counter = PerIncident()
    original = counter.install()
    try:
        candidates = retention_candidates(now)
        sample_now = candidates[min(args.sample, len(candidates)) - 1].due
        counter.capturing = True
        with CaptureQueriesContext(connection) as sample_queries:
            sample_summary, _seconds = _purge(sample_now, counter)
        counter.capturing = False
        sample_rows = list(counter.rows)
        counter.rows.clear()
        counter.queries_sent = 0
        with Peak() as purge_peak:
            summary, purge_seconds = _purge(now, counter)
    finally:
        from retention import services as retention

        retention._purge_one = original
    rows = [row for row in counter.rows if row[4]]
    purged = len(sample_summary.purged) + len(summary.purged)

    # Checks.
    after = _statistics(units, years, today)
    chain = audit_verify()
    left = {path for path in storage_root.rglob("*") if path.is_file()}
    remaining_ids = set(Incident.objects.values_list("pk", flat=True))
    checks = [
        (
            "the dry run lists exactly the due incidents (and the held ones apart) and changes nothing",
            dry_right,
            f"{len(dry.candidates):,} + {len(dry.held)} held",
        ),
        (
            "every due incident not on legal hold purged",
            purged == len(to_purge) and not remaining_ids & to_purge,
            f"{purged:,} of {len(to_purge):,}; skipped {len(summary.skipped) + len(sample_summary.skipped)}",
        ),
        (
            "incidents on legal hold and all others kept",
            remaining_ids == set(Incident.objects.filter(unit__organisation=org).values_list("pk", flat=True))
            and len(remaining_ids) == total - len(to_purge)
            and set(held) <= remaining_ids,
            f"{len(remaining_ids):,} left, {len(held)} on hold",
        ),
        (
            "purged incidents' files deleted, the others' kept",
            len(stored) - len(left) == purged_files
            and left <= stored
            and summary.files_deleted + sample_summary.files_deleted == purged_files
            and summary.files_failed == 0,
            f"{purged_files:,} deleted, {len(left):,} kept",
        ),
        (
            "no file deletion pending",
            not PendingFileDeletion.objects.exists(),
            f"{PendingFileDeletion.objects.count()} pending",
        ),
        (
            "anonymised residue rows = purged incidents",
            IncidentResidue.objects.count() == purged,
            f"{IncidentResidue.objects.count():,}",
        ),
        (
            f"statistics (`counts_for`, manager's units) per year {', '.join(map(str, years))} "
            "and recording requests unchanged",
            before == after,
            "same" if before == after else ", ".join(str(k) for k in before if before[k] != after.get(k)),
        ),
        (
            "`audit_verify` passes",
            chain.ok,
            f"{chain.checked:,} events, {chain.checked - events_before:,} from the purge"
            if chain.ok
            else f"broken at {chain.broken_event_id}: {chain.problem}",
        ),
    ]

    # Queries per purged incident, by what it had.
    by_kind: dict[tuple, list[int]] = defaultdict(list)
    for incident_id, queries, _captured, _ms, _purged in sample_rows + rows:
        by_kind[(*files.get(incident_id, (0, 0, 0)), linked.get(incident_id, 0))].append(queries)
    sampled = [row for row in sample_rows if row[4]]
    sizes = [size[row[0]] for row in sampled]
    fixed_sample = len(sample_queries.captured_queries) - sum(row[2] for row in sample_rows)
    fixed = counter.queries_sent - sum(row[1] for row in counter.rows)
    times = [row[3] for row in rows]

    print()
    print(
        f"PostgreSQL {server_version}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {total:,} demo incidents "
        f"({Publication.objects.count():,} publications and {TimelineEntry.objects.count():,} timeline entries "
        f"left after the purge), retention {org.retention_months} months, seed {seed_seconds:.1f} s."
    )
    print()
    print("| measure | value |")
    print("|---|---|")
    print(
        f"| due (closed > {org.retention_months} months ago) | {len(due):,} of {total:,} "
        f"({len(due) / total:.0%}), {len(held)} of them on legal hold |"
    )
    print(
        f"| stored files of the due incidents (evidence, reports, bundles) | {purged_files:,} "
        f"on {sum(1 for pk in to_purge if pk in files):,} incidents; {len(linked)} with a recording request |"
    )
    print(
        f"| dry run (`retention_purge(dry_run=True)`) | {dry_seconds * 1000:,.0f} ms, "
        f"{len(dry_queries.captured_queries)} queries, lists {len(dry.candidates):,} + {len(dry.held)} held |"
    )
    print(f"| purge of {len(summary.purged):,} incidents (after the sample) | {purge_seconds:,.1f} s |")
    print(f"| incidents purged per second | {len(summary.purged) / purge_seconds:,.0f} |")
    print(f"| time per incident, median / p95 | {statistics.median(times):.1f} / {percentile(times, 0.95):.1f} ms |")
    plain = by_kind.get((0, 0, 0, 0), [])
    print(
        f"| SQL statements per incident without files or recording request | {_spread(plain)} "
        f"({len(plain):,} incidents) |"
    )
    print(
        f"| sample: the {len(sampled)} oldest, in `CaptureQueriesContext` | {_spread([r[2] for r in sampled])} "
        f"entries each ({_spread([r[1] for r in sampled])} SQL statements, the rest BEGIN/COMMIT/SAVEPOINT); "
        f"{_spread([p for p, _t in sizes])} publications, {_spread([t for _p, t in sizes])} timeline entries; "
        f"{fixed_sample} more per run |"
    )
    print(f"| SQL statements of the run itself (candidates, pending files) | {fixed} |")
    print(f"| peak RSS, dry run | {dry_peak.text()} |")
    print(f"| peak RSS, purge | {purge_peak.text()} |")
    print(
        f"| Python heap peak of a dry run (tracemalloc, an extra untimed run) | {heap_peak:.1f} MB "
        f"({heap_peak * 1024 / max(1, len(dry.candidates) + len(dry.held)):.1f} KB per listed incident) |"
    )
    print()
    print("| evidence files | reports | bundles | recording requests | purged incidents | SQL statements each |")
    print("|---:|---:|---:|---:|---:|---|")
    for (evidence, reports, bundles, requests), values in sorted(by_kind.items()):
        print(f"| {evidence} | {reports} | {bundles} | {requests} | {len(values):,} | {_spread(values)} |")
    print()
    print("| check | result | |")
    print("|---|---|---|")
    for what, ok, detail in checks:
        print(f"| {what} | {'ok' if ok else '**FAILED**'} | {detail} |")
    return 0 if all(ok for _what, ok, _detail in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
