"""The statistics of one selection, ready to show: tables and key figures (DOMAIN.md section 7).

`statistics_build(user=..., first=..., last=..., unit_id=...)` counts in the database
(`stats.queries`), and, unless the user sees exact figures, passes every table and key
figure through the disclosure control (`stats.disclosure`). The page, the CSV, the JSON,
the PDF and the API are all rendered from the `Statistics` it returns, so what a union rep
sees is the same everywhere. Rows are always in a fixed order (months in time, codes in
the order of DOMAIN.md, units as in the organisation tree), never sorted by count, as the
order of hidden numbers would tell which one is larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import Http404
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
from recordings.selectors import request_counts

from . import disclosure, queries
from .forms import StatisticsFilterForm
from .scope import Scope, StatisticsUnits

DS_BENCHMARK_PERCENT = 7  # DS: 7 % of socialrådgivere were hung out within a year (guidance, section 1)
EMPLOYEE_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Number:
    """One published count: its value (None when hidden) and its mark ("", SMALL, PROTECTED)."""

    value: int | None
    mark: str = ""
    k: int = 5

    @property
    def hidden(self) -> bool:
        return bool(self.mark)

    @property
    def text(self) -> str:
        """Plain text, as in the CSV: "12", "< 5" or "×"."""
        return disclosure.display(self.value, self.mark, self.k)

    @property
    def html(self) -> str:
        """For the page and the PDF: Danish digit grouping; the marks explained to screen readers."""
        if self.mark == disclosure.SMALL:
            return format_html('<span class="stat-small" title="{title}">{text}</span>',
                               title=_("Et tal fra 1 til %(n)s") % {"n": self.k - 1}, text=self.text)
        if self.mark == disclosure.PROTECTED:
            return format_html('<span class="stat-protected" aria-hidden="true">×</span>'
                               '<span class="visually-hidden">{}</span>', _("skjult"))
        return formats.number_format(self.value, force_grouping=True)


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

    def table(self, code: str) -> Table:
        return next(table for table in self.tables if table.code == code)

    @property
    def shares(self) -> tuple[Share, ...]:
        return (self.police, self.datatilsynet, self.employees_targeted)

    @property
    def small_max(self) -> int:
        """The largest number shown as «< k»."""
        return self.k - 1

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
    def folded(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(row.name, row.folded) for row in self.scope.rows if row.folded]


# --- Building ------------------------------------------------------------------------------

def month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


def _numbers(values, marks, k: int) -> tuple[Number, ...]:
    return tuple(Number(None if mark else value, mark, k) for value, mark in zip(values, marks, strict=True))


def _table(code: str, title: str, row_heading: str, rows, columns, cells: list[list[int]], *, k: int,
           exact: bool, row_totals: bool = False, column_totals: bool = True, note: str = "") -> Table:
    """A table with its margins, exact or through the disclosure control."""
    row_sums = [sum(row) for row in cells]
    column_sums = [sum(row[j] for row in cells) for j in range(len(columns))]
    if exact:
        marks = disclosure.Suppressed(
            cells=[[""] * len(columns) for _ in rows],
            row_totals=[""] * len(rows) if row_totals else None,
            column_totals=[""] * len(columns) if column_totals else None,
            total="" if row_totals and column_totals else None,
        )
    else:
        marks = disclosure.suppress(cells, k=k, row_totals=row_totals, column_totals=column_totals)
    return Table(
        code=code, title=title, row_heading=row_heading, rows=tuple(rows), columns=tuple(columns),
        cells=tuple(_numbers(row, row_marks, k) for row, row_marks in zip(cells, marks.cells, strict=True)),
        row_totals=_numbers(row_sums, marks.row_totals, k) if marks.row_totals is not None else None,
        column_totals=_numbers(column_sums, marks.column_totals, k) if marks.column_totals is not None else None,
        total=Number(None if marks.total else sum(row_sums), marks.total, k) if marks.total is not None else None,
        note=note,
    )


def _count(value: int, *, k: int, exact: bool) -> Number:
    if not exact and 1 <= value < k:
        return Number(None, disclosure.SMALL, k)
    return Number(value, "", k)


def _share(code: str, label: str, part: int, whole: int, *, k: int, exact: bool,
           benchmark: int | None = None) -> Share:
    """Part of whole; for a union rep hidden when the part, the rest or the whole is 1…k−1."""
    small = (not exact) and any(1 <= n < k for n in (part, whole - part, whole))
    percent = None if small or not whole else round(100 * part / whole, 1)
    if small:
        shown_part = Number(None, disclosure.SMALL if 1 <= part < k else disclosure.PROTECTED, k)
    else:
        shown_part = Number(part, "", k)
    return Share(code, label, shown_part, _count(whole, k=k, exact=exact), percent, benchmark)


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


def statistics_build(*, scope: Scope, first: date, last: date, unit_label: str = "") -> Statistics:
    """Count the selection in the database and make it publishable for the reader of `scope`."""
    k, exact = scope.k, scope.exact
    employees_first = queries.add_months(last, 1 - EMPLOYEE_WINDOW_MONTHS)
    counts = queries.counts_for(scope.unit_ids, first, last, employees_from=employees_first)
    months = queries.months_between(first, last)

    month_level = _table(
        "month_level", _("Hændelser pr. måned og alvorlighed"), _("Måned"),
        [Label(m.strftime("%Y-%m"), month_label(m)) for m in months],
        [Label(LEVEL_CODES[level], LEVEL_LABELS[level]) for level in LEVELS],
        [[counts.month_level.get((m, level), 0) for level in LEVELS] for m in months],
        k=k, exact=exact, row_totals=True,
    )
    by_row: dict[int, int] = {}
    for unit_id, n in counts.by_unit.items():
        row = scope.row_of_unit.get(unit_id, unit_id)
        by_row[row] = by_row.get(row, 0) + n
    count_column = [Label("count", _("Hændelser"))]
    unit_note = "" if exact else _("Enheder med færre end %(k)s medarbejdere tælles med i enheden over dem.") % {"k": k}
    units = _table(
        "unit", _("Hændelser pr. enhed"), _("Enhed"),
        [Label(str(row.id), row.name) for row in scope.rows], count_column,
        [[by_row.get(row.id, 0)] for row in scope.rows], k=k, exact=exact,
        note=unit_note if scope.rows and any(row.folded for row in scope.rows) else "",
    )
    statuses = _table(
        "status", _("Hændelser pr. status"), _("Status"),
        [Label(code, str(label)) for code, label in Incident.Status.choices], count_column,
        [[counts.by_status.get(code, 0)] for code, _label in Incident.Status.choices], k=k, exact=exact,
    )
    relations = _table(
        "relation", _("Hvem stod bag"), _("Afsender"),
        [Label(code, PERPETRATOR_RELATION_LABELS[code]) for code in PERPETRATOR_RELATIONS], count_column,
        [[counts.by_relation.get(code, 0)] for code in PERPETRATOR_RELATIONS], k=k, exact=exact,
    )
    platforms = _table(
        "platform", _("Platforme"), _("Platform"),
        [Label(code, PLATFORM_LABELS[code]) for code in PLATFORMS], count_column,
        [[counts.by_platform.get(code, 0)] for code in PLATFORMS], k=k, exact=exact, column_totals=False,
        note=_("En hændelse med opslag på flere platforme tæller på hver af dem, så der er ingen sum."),
    )
    phenomena = _table(
        "phenomenon", _("Relaterede fænomener"), _("Fænomen"),
        [Label(code, RELATED_PHENOMENA_LABELS[code]) for code in RELATED_PHENOMENA], count_column,
        [[counts.by_phenomenon.get(code, 0)] for code in RELATED_PHENOMENA], k=k, exact=exact, column_totals=False,
        note=_("En hændelse kan høre til flere fænomener eller ingen, så der er ingen sum."),
    )

    total = counts.total
    with_action = counts.with_action
    recordings = recording_tables(scope=scope, months=months, k=k, exact=exact)
    small_actions = not exact and 1 <= with_action < k
    median = Median(None if small_actions else median_of(counts.days_to_first_action),
                    _count(with_action, k=k, exact=exact))
    return Statistics(
        first=first, last=last, exact=exact, k=k, scope=scope, unit_label=unit_label,
        total=_count(total, k=k, exact=exact),
        tables=(month_level, units, statuses, relations, platforms, phenomena, *recordings),
        police=_share("police", _("Anmeldt til politiet"), counts.reported.get("police", 0), total,
                      k=k, exact=exact),
        datatilsynet=_share("datatilsynet", _("Anmeldt til Datatilsynet"), counts.reported.get("datatilsynet", 0),
                            total, k=k, exact=exact),
        median_days=median,
        employees_targeted=_share("employees_targeted", _("Medarbejdere hængt ud de seneste 12 måneder"),
                                  counts.employees_targeted, counts.employees, k=k, exact=exact,
                                  benchmark=DS_BENCHMARK_PERCENT),
        employees_first=employees_first,
        generated_at=timezone.now(),
    )


def recording_tables(*, scope: Scope, months: list[date], k: int, exact: bool) -> tuple[Table, ...]:
    """Citizens' requests to record meetings (DOMAIN.md section 8) in the same units and months,
    as counts only and through the same disclosure control as the incidents."""
    counts = request_counts(scope.unit_ids, months[0], queries.add_months(months[-1], 1) - timedelta(days=1))
    per_month = {entry["month"]: entry["by_decision"] for entry in counts["by_month"]}
    count_column = [Label("count", _("Anmodninger"))]
    by_decision = _table(
        "recording_month_decision", _("Anmodninger om at optage pr. måned og afgørelse"), _("Måned"),
        [Label(m.strftime("%Y-%m"), month_label(m)) for m in months],
        [Label(code, str(DECISION_LABELS[code])) for code in DECISIONS],
        [[per_month.get(m, {}).get(code, 0) for code in DECISIONS] for m in months],
        k=k, exact=exact, row_totals=True,
    )
    reasons = _table(
        "recording_reason", _("Borgerens begrundelser for at ville optage"), _("Begrundelse"),
        [Label(code, str(REASON_LABELS[code])) for code in REASONS], count_column,
        [[counts["by_reason"][code]] for code in REASONS], k=k, exact=exact, column_totals=False,
        note=_("En anmodning kan have flere begrundelser, så der er ingen sum."),
    )
    media = _table(
        "recording_media", _("Anmodninger om lyd- eller videooptagelse"), _("Optagelse"),
        [Label(code, str(label)) for code, label in MEDIA_LABELS.items()], count_column,
        [[counts["by_media"][code]] for code in MEDIA_LABELS], k=k, exact=exact,
    )
    events = _table(
        "recording_events", _("Skjulte og offentliggjorte optagelser"), _("Hændelse"),
        [Label("hidden_recording", _("Skjult optagelse opdaget")),
         Label("linked_to_incident", _("Optagelse knyttet til en sag om udhængning"))],
        count_column, [[counts["hidden_recordings"]], [counts["linked_to_incident"]]], k=k, exact=exact,
        column_totals=False, note=_("Tallene overlapper, så der er ingen sum."),
    )
    return by_decision, reasons, media, events


def statistics_for(user, params) -> tuple[StatisticsFilterForm, Statistics | None]:
    """The filter form bound to `params` and, when it is valid, the statistics it selects.

    404 for a user without statistics (like any page their roles do not cover)."""
    units = StatisticsUnits(user)
    if not units.allowed:
        raise Http404
    form = StatisticsFilterForm(params, unit_choices=units.choices())
    if not form.is_valid():
        return form, None
    unit_id = form.cleaned_data["unit"]
    label = units.names[unit_id] if unit_id else _("Alle mine enheder")
    statistics = statistics_build(scope=units.scope(unit_id), first=form.cleaned_data["from"],
                                  last=form.cleaned_data["to"], unit_label=label)
    return form, statistics
