"""Server time of the statistics page (issue 7) on PostgreSQL, beside one hand-written GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning .venv/bin/python -m bench.stats

Uses the benchmark database of bench.pages (`udhaengning_bench`, created when missing and
topped up to `--incidents` demo incidents, 100,000 by default; only the incidents app is
migrated here). Signed in with Django's test client as the demo manager `leder` (exact
figures) and the demo union rep `tr` (anonymised: folding and rounded month × unit
blocks), it times `--requests` warm GET requests of the dashboard for the default
period (the last 12 months) and for the whole three years of data, and the API for the
three years. Beside them it times one hand-written SQL query that returns the same
monthly counts as the dashboard's table (checked), and prints the ratio of the
dashboard's median to that query's median. "SQL (ms)" is the median time the dashboard's
own queries took (Django's query log), so the rest is Python: disclosure control, charts
and template.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date

from bench.pages import DEFAULT_DATABASE, DEFAULT_INCIDENTS, bench_database_url, ensure_database, percentile

DEFAULT_REQUESTS = 30
WARMUP = 3
YEARS_MONTHS = 36

HAND_WRITTEN = """
    SELECT date_trunc('month', registered_at AT TIME ZONE %s)::date AS month, count(*)
    FROM incidents_incident
    WHERE unit_id = ANY(%s) AND registered_at >= %s AND registered_at < %s
    GROUP BY 1 ORDER BY 1
"""


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    return parser.parse_args(argv)


def _setup(url: str) -> None:
    import warnings

    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "udhaengning.settings.test"
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def _seed(incidents: int):
    """Like bench.pages.seed, but when the demo organisation is there already it migrates only
    the incidents app and leaves the rest of the benchmark database as it is."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Organisation
    from demo.accounts import DEMO_ORGANISATION, demo_seed
    from demo.incidents import demo_incidents_seed
    from incidents.models import Incident
    from stats.rollup import rollup_reconcile

    call_command("migrate", "incidents", verbosity=0, interactive=False)
    call_command("migrate", "stats", verbosity=0, interactive=False)
    org = Organisation.objects.filter(name=DEMO_ORGANISATION).first()
    if org is None:
        call_command("migrate", verbosity=0, interactive=False)
        org = demo_seed()
    have = Incident.objects.filter(unit__organisation=org).count()
    if have < incidents:
        demo_incidents_seed(organisation=org, count=incidents - have, seed=have + 1)
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE incidents_incident, incidents_publication, incidents_timelineentry, "
                "incidents_incident_targets"
            )
    rollup_reconcile(org)  # the rollup the dashboard reads (a database seeded before it had none)
    return org, max(have, incidents)


@dataclass(frozen=True)
class Row:
    what: str
    url: str
    requests: int
    median: float
    p95: float
    sql_median: float
    queries: int
    ratio: float | None = None

    def markdown(self) -> str:
        ratio = f"{self.ratio:.1f}×" if self.ratio is not None else ""
        sql = f"{self.sql_median:.1f}" if self.sql_median else ""
        queries = str(self.queries) if self.queries else "1"
        return (
            f"| {self.what} | `{self.url}` | {self.requests} | {self.median:.1f} | {self.p95:.1f} | {sql} "
            f"| {queries} | {ratio} |"
        )


def _time_requests(client, url: str, n: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings, sql_times, queries = [], [], 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries = len(captured.captured_queries)
    return timings, sql_times, queries


def _time_hand_written(unit_ids, first: date, last: date, n: int) -> tuple[list[float], dict]:
    from django.db import connection

    from stats.queries import add_months, local_zone, month_start

    params = [str(local_zone()), list(unit_ids), month_start(first), month_start(add_months(last, 1))]
    timings, result = [], {}
    with connection.cursor() as cursor:
        for index in range(WARMUP + n):
            started = time.perf_counter()
            cursor.execute(HAND_WRITTEN, params)
            rows = cursor.fetchall()
            if index >= WARMUP:
                timings.append((time.perf_counter() - started) * 1000)
            result = {month: count for month, count in rows}
    return timings, result


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = bench_database_url(os.environ.get("DATABASE_URL", ""), args.database)
    created = ensure_database(url)
    _setup(url)

    import django
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from stats.forms import default_period
    from stats.queries import add_months
    from stats.scope import StatisticsUnits
    from stats.selectors import statistics_build

    print(
        f"Database `{args.database}`{' (created)' if created else ''}; preparing {args.incidents:,} incidents…",
        flush=True,
    )
    org, count = _seed(args.incidents)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]

    from bench.speed import _two_factor

    _two_factor(User.objects.get(username="leder"))  # the organisation's rule asks it of managers
    manager, rep = Client(), Client()
    manager.force_login(User.objects.get(username="leder"))
    rep.force_login(User.objects.get(username="tr"))
    first12, last = default_period()
    first36 = add_months(last, 1 - YEARS_MONTHS)
    page = reverse("dashboard:union_rep")
    api = "/api/v1/statistics/"
    whole = f"?from={first36:%Y-%m}&to={last:%Y-%m}"

    units = StatisticsUnits(User.objects.get(username="leder"))
    baselines = {}
    for label, first in (("12", first12), ("36", first36)):
        timings, monthly = _time_hand_written(units.allowed, first, last, args.requests)
        table = statistics_build(scope=units.scope(None), first=first, last=last).table("month_level")
        dashboard_months = {
            date.fromisoformat(row.code + "-01"): total.value
            for row, total in zip(table.rows, table.row_totals, strict=True)
            if total.value
        }
        assert dashboard_months == monthly, "the hand-written query and the dashboard disagree"
        baselines[label] = timings

    rows = []
    for what, client, target, base in (
        ("Dashboard, manager (exact), last 12 months", manager, page, "12"),
        ("Dashboard, union rep (anonymised), last 12 months", rep, page, "12"),
        ("Dashboard, manager (exact), 36 months", manager, page + whole, "36"),
        ("Dashboard, union rep (anonymised), 36 months", rep, page + whole, "36"),
        ("API, union rep, 36 months", rep, api + whole, "36"),
    ):
        timings, sql_times, queries = _time_requests(client, target, args.requests)
        median = statistics.median(timings)
        rows.append(
            Row(
                what,
                target,
                len(timings),
                median,
                percentile(timings, 0.95),
                statistics.median(sql_times),
                queries,
                median / statistics.median(baselines[base]),
            )
        )
    for label, months in (("12", "last 12 months"), ("36", "36 months")):
        timings = baselines[label]
        rows.append(
            Row(
                f"Hand-written SQL GROUP BY (monthly counts), {months}",
                "SQL",
                len(timings),
                statistics.median(timings),
                percentile(timings, 0.95),
                0.0,
                0,
            )
        )

    print()
    print(
        f"PostgreSQL {server_version}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {count:,} incidents in {org.name} "
        f"({first36:%Y-%m} – {last:%Y-%m})."
    )
    print()
    print("| what | URL | requests | median (ms) | p95 (ms) | SQL (ms) | queries | ratio to SQL |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
