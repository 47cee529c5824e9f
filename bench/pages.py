"""Server time of the manager's incident list and the incident detail page on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning .venv/bin/python -m bench.pages

Uses its own database on the same server (`udhaengning_bench`, created when missing, so the
development and test databases are never touched), migrates it, adds the demo
organisation and tops it up to `--incidents` made-up incidents (100,000 by default; the
seed time is printed) and vacuums it, then signs in as the demo manager `leder` with Django's test
client and times `--requests` warm requests of each page: the list's first page, the list
filtered to reported incidents of level 3, and the detail page of random incidents. It
prints the median and 95th percentile in milliseconds and the number of SQL queries per
request as a markdown table. The time is measured around the test client's call: URL
routing, middleware (sessions, auth, CSP), the view with its audit event, the template,
and the database, without a network or a web server in front.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

from bench._postgres import bench_database_url, ensure_database

DEFAULT_DATABASE = "udhaengning_bench"
DEFAULT_INCIDENTS = 100_000
DEFAULT_REQUESTS = 50
WARMUP_REQUESTS = 5
FILTERED_QUERY = "?status=reported&level=3"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--incidents",
        type=int,
        default=DEFAULT_INCIDENTS,
        help=f"incidents the demo organisation should have (default {DEFAULT_INCIDENTS:,})",
    )
    parser.add_argument(
        "--requests", type=int, default=DEFAULT_REQUESTS, help=f"timed requests per page (default {DEFAULT_REQUESTS})"
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help=f"name of the benchmark database on the DATABASE_URL server (default {DEFAULT_DATABASE})",
    )
    return parser.parse_args(argv)


# --- Database -------------------------------------------------------------------------------


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The test settings: DEBUG off, 'testserver' allowed, local-memory cache.
    os.environ["DJANGO_SETTINGS_MODULE"] = "udhaengning.settings.test"
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)  # no collectstatic here
    import django

    django.setup()


# --- Measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    page: str
    url: str
    status: int
    requests: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: str = ""

    def row(self) -> str:
        if self.status != 200:
            return f"| {self.page} | `{self.url}` | not ready: HTTP {self.status} | | | |"
        return (
            f"| {self.page} | `{self.url}` | {self.requests} | {self.median_ms:.1f} | {self.p95_ms:.1f} "
            f"| {self.queries} |"
        )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(client, page: str, urls: list[str], *, warmup: list[str]) -> Figures:
    """Time GET requests of `urls` (after the `warmup` ones) and count the queries of a few."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in warmup:
        response = client.get(url)
        if response.status_code != 200:
            return Figures(page, url, response.status_code)
    timings = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            return Figures(page, url, response.status_code)
    counts = set()
    for url in urls[:5]:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.add(len(captured.captured_queries))
    queries = str(min(counts)) if len(counts) == 1 else f"{min(counts)}–{max(counts)}"
    return Figures(page, urls[0], 200, len(timings), statistics.median(timings), percentile(timings, 0.95), queries)


def seed(incidents: int) -> tuple[object, int, int, float]:
    """The demo organisation, topped up to `incidents`; returns (org, count, added, seconds)."""
    from django.core.management import call_command
    from django.db import connection

    from demo.accounts import demo_seed
    from demo.incidents import demo_incidents_seed
    from incidents.models import Incident

    call_command("migrate", verbosity=0, interactive=False)
    org = demo_seed()
    have = Incident.objects.filter(unit__organisation=org).count()
    if have >= incidents:
        return org, have, 0, 0.0
    started = time.perf_counter()
    demo_incidents_seed(organisation=org, count=incidents - have, seed=have + 1)
    seconds = time.perf_counter() - started
    # What autovacuum does to a freshly loaded table soon after: planner statistics and the
    # visibility map (without it the list's COUNT(*) cannot be an index-only scan).
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE incidents_incident, incidents_publication, incidents_timelineentry, "
            "incidents_incident_targets, incidents_incidentdeadline"
        )
    return org, incidents, incidents - have, seconds


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = bench_database_url(os.environ.get("DATABASE_URL", ""), args.database, "pages")
    created = ensure_database(url)
    _setup_django(url)

    import django
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from incidents.models import Incident

    print(
        f"Database `{args.database}`{' (created)' if created else ''}; preparing {args.incidents:,} incidents…",
        flush=True,
    )
    org, count, added, seconds = seed(args.incidents)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]

    client = Client()
    from bench.speed import _two_factor

    manager = User.objects.get(username="leder")
    _two_factor(manager)  # the organisation's rule asks managers for a second factor before any page
    client.force_login(manager)
    rng = random.Random(1)
    references = list(Incident.objects.filter(unit__organisation=org).values_list("reference", flat=True))
    sample = rng.sample(references, min(len(references), args.requests + WARMUP_REQUESTS))
    list_url = reverse("incidents:list")
    figures = [
        measure(client, "Manager list, first page", [list_url] * args.requests, warmup=[list_url] * WARMUP_REQUESTS),
        measure(
            client,
            "Manager list, filtered",
            [list_url + FILTERED_QUERY] * args.requests,
            warmup=[list_url + FILTERED_QUERY] * WARMUP_REQUESTS,
        ),
        measure(
            client,
            "Incident detail, random incidents",
            [reverse("incidents:detail", args=[ref]) for ref in sample[WARMUP_REQUESTS:]],
            warmup=[reverse("incidents:detail", args=[ref]) for ref in sample[:WARMUP_REQUESTS]],
        ),
    ]

    print()
    print(
        f"PostgreSQL {server_version}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; {count:,} incidents in {org.name}, signed in as `leder` (manager over all units)."
    )
    if added:
        print(f"Seeded {added:,} incidents now in {seconds:.1f} s (`seed_demo --incidents {added}`).")
    print()
    print("| page | URL | requests | median (ms) | p95 (ms) | queries/request |")
    print("|---|---|---:|---:|---:|---:|")
    for f in figures:
        print(f.row())
    print()
    if any(f.status != 200 for f in figures):
        print("Some pages did not answer 200; their figures are missing.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
