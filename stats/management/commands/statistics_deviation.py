"""manage.py statistics_deviation [--user tr]: the mean absolute deviation of a union rep's
rounded figures from the exact counts, for the last 12 published months as months, the
last four quarters and the last year (stats.deviation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from stats.deviation import deviation_for
from stats.forms import block_end, block_start
from stats.queries import add_months
from stats.scope import StatisticsUnits


class Command(BaseCommand):
    help = "Mean absolute deviation of a union rep's rounded statistics from the exact counts."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="tr", help="The union rep's username (default: tr, the demo rep).")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {options['user']!r}") from exc
        units = StatisticsUnits(user)
        if not units.allowed:
            raise CommandError("the user has no statistics")
        from django.utils import timezone

        last = add_months(timezone.localdate().replace(day=1), -units.lag_for())
        quarter_end = last if block_end(last, "quarter") == last else add_months(block_start(last, "quarter"), -1)
        year = last.year if last.month == 12 else last.year - 1
        selections = [
            (
                "12 months",
                {"period": "month", "from": add_months(last, -11).strftime("%Y-%m"), "to": last.strftime("%Y-%m")},
            ),
            (
                "4 quarters",
                {
                    "period": "quarter",
                    "from": add_months(quarter_end, -11).strftime("%Y-%m"),
                    "to": quarter_end.strftime("%Y-%m"),
                },
            ),
            ("1 year", {"period": "year", "from": f"{year}-01", "to": f"{year}-12"}),
        ]
        self.stdout.write(f"{'selection':<12} {'numbers':>7} {'mean exact':>10} {'MAD':>6} {'largest':>7}")
        for row in deviation_for(user, selections):
            self.stdout.write(
                f"{row.label:<12} {row.numbers:>7} {row.mean_exact:>10.1f} {row.mean_absolute:>6.2f} {row.largest:>7}"
            )
