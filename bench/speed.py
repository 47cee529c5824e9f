"""Issue 20's goal table: each page beside its floor, in one run, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning .venv/bin/python -m bench.speed
        [--database udhaengning_bench] [--incidents 100000] [--requests 50]

Uses the benchmark database of bench.pages (topped up to `--incidents` demo incidents by the
same generator, `seed_demo`), with the project's URLs plus two floors (bench/_urls.py): an
echo view and a minimal view doing one indexed query. Signed in as the demo manager `leder`
(with a TOTP authenticator, as the organisation's two-factor rule asks of managers) through
Django's test client, it alternates the page and its floor request by request, so the
load of the shared machine hits both alike, and prints one row per measure of the goal
table with the floor, the ratio (or the difference) and the goal:

- incident list (first page, default filters), p95, against the floor view's p95, and beside
  it an empty page in the site's layout (what any page costs before its content);
- signed-in request overhead: the echo view signed in against the echo view anonymous (medians);
- search `?q=trussel` on the list, p95 (no floor: the goal is an absolute time);
- statistics dashboard, 12 and 36 months, against one hand-written GROUP BY of the same
  monthly counts (checked equal; bench.stats has the details);
- registration POST (a complete incident with two publications) against a POST to the echo
  view, and its queries; beside it, for reading the ratio, the same POST only validated
  (`/bench/validate/`: the form and its publications checked, nothing written) and the
  registration's own time inside the database driver.

The report and notification rows are measured by bench.reports (`--database` for a seeded
tier) and bench.notifications, which need their own set-up; their latest figures are in the
README beside these.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.pages import (
    DEFAULT_DATABASE,
    DEFAULT_INCIDENTS,
    _setup_django,
    bench_database_url,
    ensure_database,
    percentile,
    seed,
)

DEFAULT_REQUESTS = 50
WARMUP = 5
SEARCH = "trussel"


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--incidents",
        type=int,
        default=DEFAULT_INCIDENTS,
        help=f"incidents the demo organisation should have (default {DEFAULT_INCIDENTS:,})",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help=f"timed requests per measure (default {DEFAULT_REQUESTS})",
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"benchmark database (default {DEFAULT_DATABASE})")
    parser.add_argument(
        "--measures", default=",".join(MEASURES), help=f"comma-separated subset of {', '.join(MEASURES)} (default: all)"
    )
    return parser.parse_args(argv)


MEASURES = ("list", "overhead", "search", "stats", "registration")


@dataclass
class Timed:
    timings: list[float]
    queries: int
    database: list[float] = field(default_factory=list)  # ms inside cursor.execute, per request

    @property
    def median(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        return percentile(self.timings, 0.95)


def _call(client, method: str, url: str, data=None, expected: int = 200) -> tuple[float, int, float]:
    """(ms, queries, ms of them spent in the database driver) of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    in_database = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - started

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        started = time.perf_counter()
        response = client.post(url, data) if method == "POST" else client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expected:
        raise SystemExit(f"{method} {url} answered {response.status_code}, not {expected}")
    return elapsed, len(captured.captured_queries), in_database[0] * 1000


def side_by_side(n: int, *calls) -> list[Timed]:
    """Time each (client, method, url, data or its factory[, expected status]) `n` times,
    alternating between them."""
    results = [Timed([], 0) for _ in calls]
    for round_ in range(WARMUP + n):
        for index, (client, method, url, data, *expected) in enumerate(calls):
            elapsed, queries, in_database = _call(client, method, url, data() if callable(data) else data, *expected)
            if round_ >= WARMUP:
                results[index].timings.append(elapsed)
                results[index].database.append(in_database)
                results[index].queries = max(results[index].queries, queries)
    return results


def _registration(unit_id: int, target_id: int):
    """A fresh, complete POST of the incident form each time (two publications)."""
    from django.utils import timezone

    counter = iter(range(10**9))

    def data() -> dict:
        number = next(counter)
        discovered = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        body = {
            "unit": unit_id,
            "targets": [target_id],
            "target_names": "",
            "title": f"Bench: navngivet i Facebook-gruppe {number}",
            "description": "Borgeren har skrevet et opslag om sagsbehandleren.",
            "discovered_at": discovered,
            "perpetrator_relation": "citizen_own_case",
            "perpetrator_name": "",
            "perpetrator_profile_url": "",
            "absence_days": "0",
            "absence_start": "",
            "emotional_load": "",
            "named": "on",
            "offensive_language": "on",
            "publications-TOTAL_FORMS": "2",
            "publications-INITIAL_FORMS": "0",
            "publications-MIN_NUM_FORMS": "0",
            "publications-MAX_NUM_FORMS": "30",
        }
        for index, platform_ in enumerate(("facebook", "youtube")):
            body |= {
                f"publications-{index}-platform": platform_,
                f"publications-{index}-reach": "public",
                f"publications-{index}-still_online": "unknown",
                f"publications-{index}-url": f"https://example.invalid/bench/{number}/{index}",
            }
        return body

    return data


def _two_factor(user) -> None:
    """Give the bench manager a TOTP authenticator (bench data only), as the organisation's
    rule requires of managers before any page is shown."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench-only-not-a-secret"}}
    )


def row(measure: str, page: str, floor: str, ratio: str, goal: str, queries: str = "") -> str:
    return f"| {measure} | {page} | {floor} | {ratio} | {goal} | {queries} |"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = bench_database_url(os.environ.get("DATABASE_URL", ""), args.database, "speed")
    created = ensure_database(url)
    _setup_django(url)

    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from accounts import permissions
    from accounts.models import Role, User
    from bench import _urls
    from bench.stats import _time_hand_written
    from stats.forms import default_period
    from stats.queries import add_months
    from stats.scope import StatisticsUnits

    print(
        f"Database `{args.database}`{' (created)' if created else ''}; preparing {args.incidents:,} incidents…",
        flush=True,
    )
    org, count, added, seconds = seed(args.incidents)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    manager = User.objects.get(username="leder")
    _two_factor(manager)
    units = sorted(permissions.units_for(manager, Role.MANAGER))
    _urls.FLOOR_UNIT_IDS[:] = units
    caseworker = User.objects.filter(memberships__role=Role.CASEWORKER, organisation=org).order_by("pk").first()
    target_unit = caseworker.memberships.filter(role=Role.CASEWORKER).values_list("unit_id", flat=True).first()

    n = args.requests
    wanted = set(args.measures.split(","))
    lines = []
    with override_settings(ROOT_URLCONF="bench._urls"):
        signed_in, anonymous = Client(), Client()
        signed_in.force_login(manager)
        list_url = reverse("incidents:list")
        if "list" in wanted:
            listing, floor, layout = side_by_side(
                n,
                (signed_in, "GET", list_url, None),
                (signed_in, "GET", "/bench/floor/", None),
                (signed_in, "GET", "/bench/layout/", None),
            )
            lines.append(
                row(
                    "incident list p95 (first page)",
                    f"{listing.p95:.1f} ms",
                    f"{floor.p95:.1f} ms (minimal view, same session, one indexed query)",
                    f"{listing.p95 / floor.p95:.1f}×",
                    "≤ 3×",
                    str(listing.queries),
                )
            )
            lines.append(
                row(
                    "for reading it: an empty page in the site's layout, p95",
                    f"{layout.p95:.1f} ms",
                    f"{floor.p95:.1f} ms (the same floor)",
                    f"{layout.p95 / floor.p95:.1f}×",
                    "—",
                    str(layout.queries),
                )
            )
        if "overhead" in wanted:
            echo_in, echo_out = side_by_side(
                n, (signed_in, "GET", "/bench/echo/", None), (anonymous, "GET", "/bench/echo/", None)
            )
            lines.append(
                row(
                    "signed-in request overhead (median)",
                    f"{echo_in.median:.1f} ms",
                    f"{echo_out.median:.1f} ms (anonymous echo)",
                    f"+{echo_in.median - echo_out.median:.1f} ms",
                    "≤ 5 ms above it",
                    str(echo_in.queries),
                )
            )
        if "search" in wanted:
            (search,) = side_by_side(n, (signed_in, "GET", f"{list_url}?q={SEARCH}", None))
            lines.append(
                row(
                    f"search p95 (`?q={SEARCH}` on the list)",
                    f"{search.p95:.1f} ms",
                    "—",
                    "—",
                    "< 200 ms",
                    str(search.queries),
                )
            )
        if "stats" in wanted:
            first12, last = default_period()
            first36 = add_months(last, 1 - 36)
            scope = StatisticsUnits(manager)
            dashboard = reverse("dashboard:union_rep")
            for months, first in (("12", first12), ("36", first36)):
                stats_url = dashboard + ("" if months == "12" else f"?from={first36:%Y-%m}&to={last:%Y-%m}")
                (page,) = side_by_side(n, (signed_in, "GET", stats_url, None))
                sql, _ = _time_hand_written(scope.allowed, first, last, n)
                ratio = page.median / statistics.median(sql)
                lines.append(
                    row(
                        f"statistics, {months} months (median)",
                        f"{page.median:.1f} ms",
                        f"{statistics.median(sql):.1f} ms (one hand-written GROUP BY)",
                        f"{ratio:.1f}×",
                        "≤ 2×",
                        str(page.queries),
                    )
                )
        if "registration" in wanted:
            register, validated, echo_post = side_by_side(
                n,
                (signed_in, "POST", reverse("incidents:create"), _registration(target_unit, caseworker.pk), 302),
                (signed_in, "POST", "/bench/validate/", _registration(target_unit, caseworker.pk)),
                (signed_in, "POST", "/bench/echo/", {"a": "b"}),
            )
            lines.append(
                row(
                    "registration POST (median)",
                    f"{register.median:.1f} ms",
                    f"{echo_post.median:.1f} ms (echo view, POST)",
                    f"{register.median / echo_post.median:.1f}×",
                    "≤ 3×, ≤ 20 queries",
                    str(register.queries),
                )
            )
            lines.append(
                row(
                    "for reading it: the same POST only validated by the form (nothing written), median",
                    f"{validated.median:.1f} ms",
                    f"{echo_post.median:.1f} ms (the same floor)",
                    f"{validated.median / echo_post.median:.1f}×",
                    "—",
                    str(validated.queries),
                )
            )
            in_database = statistics.median(register.database)
            lines.append(
                row(
                    "for reading it: the registration's time inside the database driver, median",
                    f"{in_database:.1f} ms",
                    f"{echo_post.median:.1f} ms (the same floor)",
                    f"{in_database / echo_post.median:.1f}×",
                    "—",
                    str(register.queries),
                )
            )
    # The incidents registered here (WARMUP + n, titled "Bench: …") stay; next to the seeded
    # ones they change nothing measurable.
    print()
    print(
        f"{date.today():%Y-%m-%d}: PostgreSQL {server_version}, Django {django.get_version()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs shared with other jobs "
        f"(load average {os.getloadavg()[0]:.1f} at the end); {count:,} incidents in {org.name}; "
        f"{n} timed requests per measure, page and floor alternating."
    )
    if added:
        print(f"Seeded {added:,} incidents now in {seconds:.1f} s.")
    print()
    print("| measure | ours | floor | ratio | goal | queries |")
    print("|---|---:|---:|---:|---|---:|")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
