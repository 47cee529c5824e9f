"""The statistics of one selection, ready to show: tables and key figures (DOMAIN.md section 7).

`statistics_build(scope=..., first=..., last=..., period=...)` reads the selection's
blocks (one month × one reporting unit) from the rollup (`stats.rollup`, kept equal to the
direct count of `stats.queries`). For a manager
the figures are the exact sums; for a union rep every block is rounded on its own
(`stats.disclosure.block_publish`) and every figure is a sum of those rounded blocks
(a quarter of its months, a unit with the units below it of its rows, a total of its
cells). The page, the CSV, the JSON, the PDF and the API are all rendered from the
`Statistics` it returns, so what a union rep sees is the same everywhere. Rows are always
in a fixed order (periods in time, codes in the order of DOMAIN.md, units as in the
organisation tree), never sorted by count.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.dates import add_months
from incidents.assessment import (
    LEVEL_CODES,
    LEVEL_LABELS,
    LEVELS,
    PERPETRATOR_RELATION_LABELS,
    PERPETRATOR_RELATIONS,
    PLATFORM_LABELS,
    PLATFORMS,
    RELATED_PHENOMENA,
    RELATED_PHENOMENA_LABELS,
)
from incidents.models import Incident
from recordings.codes import DECISION_LABELS, DECISIONS, MEDIA_LABELS, REASON_LABELS, REASONS

from . import disclosure, queries, rollup
from .forms import PERIODS, StatisticsFilterForm, block_label, blocks_between
from .scope import Scope, StatisticsUnits

DS_BENCHMARK_PERCENT = 7  # DS: 7 % of socialrådgivere were hung out within a year (guidance, section 1)
EMPLOYEE_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Number:
    """One published count: exact for a manager, a sum of rounded blocks for a union rep
    (`rounded`). `mark` is always "" (kept so older readers of the JSON find their key)."""

    value: int | None
    mark: str = ""
    k: int = 5
    rounded: bool = False

    @property
    def hidden(self) -> bool:
        return bool(self.mark)

    @property
    def text(self) -> str:
        """Plain text, as in the CSV: "12", "< 5" or "×"."""
        return disclosure.display(self.value)

    @property
    def html(self) -> str:
        """For the page and the PDF: Danish digit grouping."""
        return "" if self.value is None else grouped(self.value)


@functools.lru_cache(maxsize=4096)
def _grouped(value, language: str | None) -> str:
    return formats.number_format(value, force_grouping=True)


def grouped(value) -> str:
    """`formats.number_format(value, force_grouping=True)` in the active language, remembered
    (a page prints a few hundred numbers, mostly the same few); forgotten when a setting changes."""
    return _grouped(value, get_language())


@receiver(setting_changed)
def _formats_changed(**kwargs) -> None:
    _grouped.cache_clear()


@dataclass(frozen=True)
class Label:
    code: str
    label: str


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    row_heading: str
    rows: tuple[Label, ...]
    columns: tuple[Label, ...]
    cells: tuple[tuple[Number, ...], ...]
    row_totals: tuple[Number, ...] | None = None
    column_totals: tuple[Number, ...] | None = None
    total: Number | None = None
    note: str = ""

    @property
    def one_column(self) -> bool:
        return len(self.columns) == 1

    def column_total(self) -> Number | None:
        """The total of a one-column table."""
        return self.column_totals[0] if self.column_totals else None

    def body(self):
        """(row label, cells, row total) for the template."""
        totals = self.row_totals or (None,) * len(self.rows)
        return list(zip(self.rows, self.cells, totals, strict=True))

    @property
    def body_html(self) -> SafeString:
        """The rows of the table's body, as the loop over `body` in stats/includes/table.html
        printed them (the same markup, written here: a page has hundreds of cells)."""
        rows = []
        for label, cells, row_total in self.body():
            numbers = "".join(f'<td class="num">{conditional_escape(cell.html)}</td>' for cell in cells)
            total = f'<td class="num total">{conditional_escape(row_total.html)}</td>' if row_total else ""
            rows.append(
                f'\n    <tr>\n      <th scope="row">{conditional_escape(label.label)}</th>\n      {numbers}\n'
                f"      {total}\n    </tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Share:
    """A key figure "part of whole": shown only when neither the part nor the rest is small."""

    code: str
    label: str
    part: Number
    whole: Number
    percent: float | None
    benchmark_percent: int | None = None

    @property
    def hidden(self) -> bool:
        return self.percent is None and self.whole.value != 0


@dataclass(frozen=True)
class Median:
    days: float | None
    incidents: Number

    @property
    def hidden(self) -> bool:
        return self.days is None and self.incidents.value != 0


@dataclass(frozen=True)
class Statistics:
    first: date
    last: date
    exact: bool
    k: int
    scope: Scope
    unit_label: str
    total: Number
    tables: tuple[Table, ...]
    police: Share
    datatilsynet: Share
    median_days: Median
    employees_targeted: Share
    employees_first: date
    generated_at: object
    period: str = "month"
    employees_last: date | None = None

    def table(self, code: str) -> Table:
        return next(table for table in self.tables if table.code == code)

    @property
    def shares(self) -> tuple[Share, ...]:
        return (self.police, self.datatilsynet, self.employees_targeted)

    @property
    def first_label(self) -> str:
        return month_label(self.first)

    @property
    def last_label(self) -> str:
        return month_label(self.last)

    @property
    def employees_first_label(self) -> str:
        return month_label(self.employees_first)

    @property
    def employees_last_label(self) -> str:
        return month_label(self.employees_last or self.last)

    @property
    def rounded(self) -> bool:
        return not self.exact

    @property
    def folded(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(row.name, row.folded) for row in self.scope.rows if row.folded]


# --- Building ------------------------------------------------------------------------------


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _number(value: int, *, k: int, exact: bool) -> Number:
    return Number(value, "", k, rounded=not exact)


def _table(
    code: str,
    title: str,
    row_heading: str,
    rows,
    columns,
    cells: list[list[int]],
    *,
    k: int,
    exact: bool,
    row_totals: bool = False,
    column_totals: bool = True,
    note: str = "",
) -> Table:
    """A table of published numbers; its totals are the sums of its (rounded) cells."""
    row_sums = [sum(row) for row in cells]
    column_sums = [sum(row[j] for row in cells) for j in range(len(columns))]

    def numbers(values):
        return tuple(_number(value, k=k, exact=exact) for value in values)

    return Table(
        code=code,
        title=title,
        row_heading=row_heading,
        rows=tuple(rows),
        columns=tuple(columns),
        cells=tuple(numbers(row) for row in cells),
        row_totals=numbers(row_sums) if row_totals else None,
        column_totals=numbers(column_sums) if column_totals else None,
        total=_number(sum(row_sums), k=k, exact=exact) if row_totals and column_totals else None,
        note=note,
    )


def _share(code: str, label: str, part: int, whole: int, *, k: int, exact: bool, benchmark: int | None = None) -> Share:
    """Part of whole, from the published (for a union rep: rounded) numbers."""
    percent = None if not whole else min(100.0, round(100 * part / whole, 1))
    return Share(code, label, _number(part, k=k, exact=exact), _number(whole, k=k, exact=exact), percent, benchmark)


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    n = sum(histogram.values())
    if not n:
        return None
    middle = ((n - 1) // 2, n // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for position in middle:
            if seen <= position < seen + count:
                found.append(value)
        seen += count
    return sum(found) / 2


# --- Blocks ---------------------------------------------------------------------------------

INCIDENT_PARTITIONS = {
    "level": [f"level_{level}" for level in LEVELS],
    "status": [f"status_{code}" for code in Incident.Status.values],
    "relation": [f"relation_{code}" for code in PERPETRATOR_RELATIONS],
}
INCIDENT_SUBSETS = (
    [f"platform_{code}" for code in PLATFORMS]
    + [f"phenomenon_{code}" for code in RELATED_PHENOMENA]
    + [f"reported_{name}" for name in queries.REPORT_ACTIONS]
    + ["with_action"]
)
INCIDENT_WITHIN = tuple((f"reported_{name}", "with_action") for name in queries.REPORT_ACTIONS)
RECORDING_PARTITIONS = {
    "decision": [f"decision_{code}" for code in DECISIONS],
    "media": [f"media_{code}" for code in MEDIA_LABELS],
}
RECORDING_SUBSETS = [f"reason_{code}" for code in REASONS] + ["hidden_recording", "linked_to_incident"]


def _merge(rows: list[dict], scope: Scope) -> dict[tuple[date, int], dict[str, int]]:
    """Database rows per (month, unit) added up per (month, reporting row): {"total": n, code: n}."""
    merged: dict[tuple[date, int], dict[str, int]] = {}
    for row in rows:
        month = row["month"]
        month = (month.date() if hasattr(month, "date") else month).replace(day=1)
        counts = merged.setdefault((month, scope.row_of_unit.get(row["unit_id"], row["unit_id"])), {})
        for name, value in row.items():
            if name == "n":
                counts["total"] = counts.get("total", 0) + value
            elif name.startswith("n_"):
                counts[name[2:]] = counts.get(name[2:], 0) + value
    return merged


def _merge_cells(cells, scope: Scope) -> dict[tuple[date, int], dict[str, int]]:
    """`_merge` of the rollup's blocks (`rollup.block_cells`): the same sums, without the rows' n_ names."""
    merged: dict[tuple[date, int], dict[str, int]] = {}
    for unit_id, month, incidents, counts in cells:
        key = (month, scope.row_of_unit.get(unit_id, unit_id))
        into = merged.get(key)
        if into is None:
            merged[key] = {"total": incidents, **counts}
            continue
        into["total"] = into.get("total", 0) + incidents
        for name, value in counts.items():
            into[name] = into.get(name, 0) + value
    return merged


def _publish(block: disclosure.Block, *, k: int, exact: bool) -> dict[str, int]:
    """{name: number} of one block: exact for a manager, rounded for a union rep."""
    values: dict[str, int] = {}
    if exact:
        disclosure.exact_sums(values, block)
        return {name.split(":", 1)[-1]: value for name, value in values.items()}
    key = (
        block.identity,
        block.total,
        tuple((name, tuple(cells.items())) for name, cells in block.partitions.items()),
        tuple(block.subsets.items()),
        block.within,
    )
    return dict(_rounded(key, k, queries.rounding_secret()))


@functools.lru_cache(maxsize=8192)
def _rounded(key: tuple, base: int, secret: bytes) -> tuple[tuple[str, int], ...]:
    """`_publish` of a union rep's block, remembered: the rounding is a function of the block's
    identity and counts, the base and the secret, so a block seen before (every month but the
    newest, mostly) is not rounded again. A block whose counts changed has another key."""
    identity, total, partitions, subsets, within = key
    block = disclosure.Block(
        identity=identity,
        total=total,
        partitions={name: dict(cells) for name, cells in partitions},
        subsets=dict(subsets),
        within=within,
    )
    values: dict[str, int] = {}
    disclosure.add_published(values, disclosure.block_publish(block, base=base, secret=secret))
    return tuple((name.split(":", 1)[-1], value) for name, value in values.items())


def published_blocks(
    kind: str, merged, partitions, subsets, *, k: int, exact: bool, total: bool = True, within=()
) -> dict[tuple[date, int], dict[str, int]]:
    """{(month, row): {name: published number}} of every block with something in it.

    A block without anything is all zeros whatever the offsets, so it need not be listed."""
    out = {}
    if exact:  # a manager's numbers are the block's own counts (what `_publish` gives for exact)
        names = [code for codes in partitions.values() for code in codes] + list(subsets)
        for key, counts in merged.items():
            values = {"total": counts.get("total", 0)} if total else {}
            values.update((name, counts.get(name, 0)) for name in names)
            out[key] = values
        return out
    for (month, row), counts in merged.items():
        block = disclosure.Block(
            identity=f"{kind}|{month:%Y-%m}|{row}",
            total=counts.get("total", 0) if total else None,
            partitions={name: {code: counts.get(code, 0) for code in codes} for name, codes in partitions.items()},
            subsets={code: counts.get(code, 0) for code in subsets},
            within=tuple(within),
        )
        out[(month, row)] = _publish(block, k=k, exact=exact)
    return out


class _Sums:
    """The sums of published block numbers {(month, row): {name: n}} by name, by name and month,
    and by name and row, added up once (a page asks for a few hundred of them)."""

    def __init__(self, blocks: dict) -> None:
        self.total: dict[str, int] = defaultdict(int)
        self.by_month: dict[tuple[str, date], int] = defaultdict(int)
        self.by_row: dict[tuple[str, int], int] = defaultdict(int)
        for (month, row), values in blocks.items():
            for name, value in values.items():
                self.total[name] += value
                self.by_month[name, month] += value
                self.by_row[name, row] += value

    def __call__(self, name: str, *, months=None, rows=None) -> int:
        """The sum of `name` over the blocks of `months` (or of `rows`, or all of them)."""
        if months is not None and rows is not None:
            raise ValueError("months or rows, not both")
        if months is not None:
            return sum(self.by_month.get((name, month), 0) for month in months)
        if rows is not None:
            return sum(self.by_row.get((name, row), 0) for row in rows)
        return self.total.get(name, 0)


def people_blocks(scope: Scope, first: date, last: date, *, k: int, exact: bool) -> tuple[int, int]:
    """(employees, employees targeted in the months) of the reporting rows, each row rounded on its own
    for a union rep (a block per row and window)."""
    employees, targeted = rollup.people_by_unit(scope.unit_ids, first, last, caseworkers=scope.caseworkers)
    per_row: dict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for unit_id, users in employees.items():
        per_row[scope.row_of_unit.get(unit_id, unit_id)][0].update(users)
    for unit_id, users in targeted.items():
        per_row[scope.row_of_unit.get(unit_id, unit_id)][1].update(users)
    total_employees = total_targeted = 0
    for row, (people, hit) in sorted(per_row.items()):
        block = disclosure.Block(
            identity=f"people|{first:%Y-%m}|{last:%Y-%m}|{row}", total=len(people), subsets={"targeted": len(hit)}
        )
        values = _publish(block, k=k, exact=exact)
        total_employees += values["total"]
        total_targeted += values["targeted"]
    return total_employees, total_targeted


def statistics_build(
    *,
    scope: Scope,
    first: date,
    last: date,
    unit_label: str = "",
    period: str = "month",
    people_last: date | None = None,
) -> Statistics:
    """Read the selection's blocks from the rollup and publish them for the reader of `scope`."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    k, exact = scope.k, scope.exact
    people_last = last if exact or people_last is None else people_last
    employees_first = add_months(people_last.replace(day=1), 1 - EMPLOYEE_WINDOW_MONTHS)
    cells, histogram = rollup.block_cells(scope.unit_ids, first, last)
    blocks = published_blocks(
        "incident",
        _merge_cells(cells, scope),
        INCIDENT_PARTITIONS,
        INCIDENT_SUBSETS,
        k=k,
        exact=exact,
        within=INCIDENT_WITHIN,
    )
    sums = _Sums(blocks)
    periods = blocks_between(first, last, period)

    def months_of(block):
        return set(queries.months_between(*block))

    period_heading = {"month": _("Måned"), "quarter": _("Kvartal"), "year": _("År")}[period]
    period_title = {
        "month": _("Hændelser pr. måned og alvorlighed"),
        "quarter": _("Hændelser pr. kvartal og alvorlighed"),
        "year": _("Hændelser pr. år og alvorlighed"),
    }[period]
    period_rows = [Label(start.strftime("%Y-%m"), block_label(start, period)) for start, _end in periods]
    month_level = _table(
        "month_level",
        period_title,
        period_heading,
        period_rows,
        [Label(LEVEL_CODES[level], LEVEL_LABELS[level]) for level in LEVELS],
        [[sums(f"level_{level}", months=months_of(block)) for level in LEVELS] for block in periods],
        k=k,
        exact=exact,
        row_totals=True,
    )
    rows_of = {row.id: {row.id} for row in scope.rows}
    count_column = [Label("count", _("Hændelser"))]
    unit_note = "" if exact else _("Enheder med færre end %(k)s medarbejdere tælles med i enheden over dem.") % {"k": k}
    units = _table(
        "unit",
        _("Hændelser pr. enhed"),
        _("Enhed"),
        [Label(str(row.id), row.name) for row in scope.rows],
        count_column,
        [[sums("total", rows=rows_of[row.id])] for row in scope.rows],
        k=k,
        exact=exact,
        note=unit_note if scope.rows and any(row.folded for row in scope.rows) else "",
    )

    def one_column(code, title, heading, labels, prefix, *, column_totals=True, note=""):
        return _table(
            code,
            title,
            heading,
            [Label(c, str(label)) for c, label in labels],
            count_column,
            [[sums(f"{prefix}_{c}")] for c, _label in labels],
            k=k,
            exact=exact,
            column_totals=column_totals,
            note=note,
        )

    statuses = one_column("status", _("Hændelser pr. status"), _("Status"), Incident.Status.choices, "status")
    relations = one_column(
        "relation",
        _("Hvem stod bag"),
        _("Afsender"),
        [(c, PERPETRATOR_RELATION_LABELS[c]) for c in PERPETRATOR_RELATIONS],
        "relation",
    )
    platforms = one_column(
        "platform",
        _("Platforme"),
        _("Platform"),
        [(c, PLATFORM_LABELS[c]) for c in PLATFORMS],
        "platform",
        column_totals=False,
        note=_("En hændelse med opslag på flere platforme tæller på hver af dem, så der er ingen sum."),
    )
    phenomena = one_column(
        "phenomenon",
        _("Relaterede fænomener"),
        _("Fænomen"),
        [(c, RELATED_PHENOMENA_LABELS[c]) for c in RELATED_PHENOMENA],
        "phenomenon",
        column_totals=False,
        note=_("En hændelse kan høre til flere fænomener eller ingen, så der er ingen sum."),
    )

    units_total = units.column_total()
    total = (units_total.value or 0) if units_total else 0
    with_action = sums("with_action")
    recordings = recording_tables(
        scope=scope,
        first=first,
        last=last,
        periods=periods,
        period=period,
        period_heading=period_heading,
        k=k,
        exact=exact,
    )
    exact_with_action = sum(histogram.values())
    median = Median(
        median_of(histogram) if exact or exact_with_action >= k else None, _number(with_action, k=k, exact=exact)
    )
    employees, targeted = people_blocks(scope, employees_first, people_last, k=k, exact=exact)
    return Statistics(
        first=first,
        last=last,
        exact=exact,
        k=k,
        scope=scope,
        unit_label=unit_label,
        total=_number(total, k=k, exact=exact),
        tables=(month_level, units, statuses, relations, platforms, phenomena, *recordings),
        police=_share("police", _("Anmeldt til politiet"), sums("reported_police"), total, k=k, exact=exact),
        datatilsynet=_share(
            "datatilsynet",
            _("Anmeldt til Datatilsynet"),
            sums("reported_datatilsynet"),
            total,
            k=k,
            exact=exact,
        ),
        median_days=median,
        employees_targeted=_share(
            "employees_targeted",
            _("Medarbejdere hængt ud de seneste 12 måneder"),
            targeted,
            employees,
            k=k,
            exact=exact,
            benchmark=DS_BENCHMARK_PERCENT,
        ),
        employees_first=employees_first,
        generated_at=timezone.now(),
        period=period,
        employees_last=people_last,
    )


def recording_tables(
    *, scope: Scope, first: date, last: date, periods, period: str, period_heading: str, k: int, exact: bool
) -> tuple[Table, ...]:
    """Citizens' requests to record meetings (DOMAIN.md section 8) in the same units and periods,
    as counts only, in blocks rounded like the incidents'."""
    blocks = published_blocks(
        "recording",
        _merge(queries.recording_block_rows(scope.unit_ids, first, last), scope),
        RECORDING_PARTITIONS,
        RECORDING_SUBSETS,
        k=k,
        exact=exact,
        total=False,
    )
    sums = _Sums(blocks)
    count_column = [Label("count", _("Anmodninger"))]
    by_decision = _table(
        "recording_month_decision",
        _("Anmodninger om at optage pr. periode og afgørelse"),
        period_heading,
        [Label(start.strftime("%Y-%m"), block_label(start, period)) for start, _end in periods],
        [Label(code, str(DECISION_LABELS[code])) for code in DECISIONS],
        [
            [sums(f"decision_{code}", months=set(queries.months_between(*block))) for code in DECISIONS]
            for block in periods
        ],
        k=k,
        exact=exact,
        row_totals=True,
    )
    reasons = _table(
        "recording_reason",
        _("Borgerens begrundelser for at ville optage"),
        _("Begrundelse"),
        [Label(code, str(REASON_LABELS[code])) for code in REASONS],
        count_column,
        [[sums(f"reason_{code}")] for code in REASONS],
        k=k,
        exact=exact,
        column_totals=False,
        note=_("En anmodning kan have flere begrundelser, så der er ingen sum."),
    )
    media = _table(
        "recording_media",
        _("Anmodninger om lyd- eller videooptagelse"),
        _("Optagelse"),
        [Label(code, str(label)) for code, label in MEDIA_LABELS.items()],
        count_column,
        [[sums(f"media_{code}")] for code in MEDIA_LABELS],
        k=k,
        exact=exact,
    )
    events = _table(
        "recording_events",
        _("Skjulte og offentliggjorte optagelser"),
        _("Hændelse"),
        [
            Label("hidden_recording", _("Skjult optagelse opdaget")),
            Label("linked_to_incident", _("Optagelse knyttet til en sag om udhængning")),
        ],
        count_column,
        [[sums("hidden_recording")], [sums("linked_to_incident")]],
        k=k,
        exact=exact,
        column_totals=False,
        note=_("Tallene overlapper, så der er ingen sum."),
    )
    return by_decision, reasons, media, events


def statistics_for(user, params) -> tuple[StatisticsFilterForm, Statistics | None]:
    """The filter form bound to `params` and, when it is valid, the statistics it selects.

    404 for a user without statistics (like any page their roles do not cover)."""
    units = StatisticsUnits(user)
    if not units.allowed:
        raise Http404
    form = statistics_form(units, params)
    if not form.is_valid():
        return form, None
    unit_id = form.cleaned_data["unit"]
    label = units.names[unit_id] if unit_id else _("Alle mine enheder")
    statistics = statistics_build(
        scope=units.scope(unit_id),
        first=form.cleaned_data["from"],
        last=form.cleaned_data["to"],
        unit_label=label,
        period=form.cleaned_data["period"],
        people_last=form.last_published,
    )
    return form, statistics


def statistics_form(units: StatisticsUnits, params) -> StatisticsFilterForm:
    """The filter form for `units`' user: published periods only unless every unit is exact."""
    from accounts import permissions

    controlled = not permissions.sees_exact_statistics(units.user, units.allowed)
    return StatisticsFilterForm(params, unit_choices=units.choices(), controlled=controlled, lag=units.lag_for())
