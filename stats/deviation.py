"""How far a union rep's rounded figures are from the exact counts (the price of the protection).

    deviation_for(user, params_list) -> list[Deviation]

For each selection the user's statistics are built twice from the same blocks and rows:
as the user sees them (rounded blocks, `stats.disclosure`) and exactly. The mean absolute
deviation is taken over every number of every table (cells and totals) and over the key
counts. Used by `manage.py statistics_deviation` (README, "Statistics for union reps").
Nothing leaves the function but the deviations.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .scope import StatisticsUnits
from .selectors import Statistics, statistics_build, statistics_form


@dataclass(frozen=True)
class Deviation:
    label: str
    numbers: int
    mean_absolute: float
    largest: int
    mean_exact: float


def _numbers(statistics: Statistics) -> list[int]:
    values = []
    for table in statistics.tables:
        for row in table.cells:
            values += [n.value for n in row]
        for line in (table.row_totals or (), table.column_totals or ()):
            values += [n.value for n in line]
        if table.total is not None:
            values.append(table.total.value)
    values += [
        statistics.total.value,
        statistics.police.part.value,
        statistics.datatilsynet.part.value,
        statistics.median_days.incidents.value,
    ]
    return values


def deviation_for(user, params_list: list[tuple[str, dict]]) -> list[Deviation]:
    units = StatisticsUnits(user)
    results = []
    for label, params in params_list:
        form = statistics_form(units, params)
        if not form.is_valid():
            raise ValueError(f"{label}: {form.errors_text(' ')}")
        scope = units.scope(form.cleaned_data["unit"])
        kwargs = {
            "first": form.cleaned_data["from"],
            "last": form.cleaned_data["to"],
            "period": form.cleaned_data["period"],
            "people_last": form.last_published,
        }
        shown = _numbers(statistics_build(scope=scope, **kwargs))
        exact = _numbers(statistics_build(scope=dataclasses.replace(scope, exact=True), **kwargs))
        differences = [abs(a - b) for a, b in zip(shown, exact, strict=True)]
        results.append(
            Deviation(
                label, len(differences), sum(differences) / len(differences), max(differences), sum(exact) / len(exact)
            )
        )
    return results
