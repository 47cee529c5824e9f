"""The statistics as data: a dictionary for the JSON download and the API, and a CSV.

Both are made from the same `Statistics` as the page, so a union rep gets the same rounded
numbers everywhere (``"rounded": true`` beside each number in JSON; `stats.disclosure`).
Nothing but counts, shares, codes and unit names is written: no names of people,
references or free text.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from .selectors import Median, Number, Share, Statistics, Table

CSV_DELIMITER = ";"  # what Danish spreadsheets expect
TOTAL = "total"
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a unit name
# such as «=HYPERLINK(…)» is written with a leading apostrophe, so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _TextWriter:
    """csv.writer that writes every cell as text a spreadsheet will not evaluate."""

    def __init__(self, out):
        self._writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")

    def writerow(self, cells) -> None:
        self._writer.writerow([f"'{cell}" if str(cell).startswith(FORMULA_START) else cell for cell in cells])


def number_dict(number: Number) -> dict:
    return {"value": number.value, "hidden": number.mark or None, "display": number.text, "rounded": number.rounded}


def _table_dict(table: Table) -> dict:
    data = {
        "code": table.code,
        "title": table.title,
        "row_heading": table.row_heading,
        "rows": [{"code": row.code, "label": row.label} for row in table.rows],
        "columns": [{"code": column.code, "label": column.label} for column in table.columns],
        "cells": [[number_dict(cell) for cell in row] for row in table.cells],
        "row_totals": [number_dict(n) for n in table.row_totals] if table.row_totals is not None else None,
        "column_totals": [number_dict(n) for n in table.column_totals] if table.column_totals is not None else None,
        "total": number_dict(table.total) if table.total is not None else None,
    }
    if table.note:
        data["note"] = table.note
    return data


def _share_dict(share: Share) -> dict:
    return {
        "label": share.label,
        "part": number_dict(share.part),
        "whole": number_dict(share.whole),
        "percent": share.percent,
        "hidden": share.hidden,
        **({"benchmark_percent": share.benchmark_percent} if share.benchmark_percent is not None else {}),
    }


def _median_dict(median: Median) -> dict:
    return {"days": median.days, "incidents": number_dict(median.incidents), "hidden": median.hidden}


def statistics_dict(statistics: Statistics) -> dict:
    """The whole statistics as JSON-ready data (the API's answer and the JSON download)."""
    return {
        "period": {
            "from": statistics.first.strftime("%Y-%m"),
            "to": statistics.last.strftime("%Y-%m"),
            "kind": statistics.period,
        },
        "unit": {"id": statistics.scope.selected_unit_id, "label": statistics.unit_label},
        "exact": statistics.exact,
        "threshold": statistics.k,
        "rounding_base": None if statistics.exact else statistics.k,
        "incidents": number_dict(statistics.total),
        "tables": [_table_dict(table) for table in statistics.tables],
        "reported_to_police": _share_dict(statistics.police),
        "reported_to_datatilsynet": _share_dict(statistics.datatilsynet),
        "median_days_to_first_action": _median_dict(statistics.median_days),
        "employees_targeted_12_months": {
            **_share_dict(statistics.employees_targeted),
            "months": {
                "from": statistics.employees_first.strftime("%Y-%m"),
                "to": (statistics.employees_last or statistics.last).strftime("%Y-%m"),
            },
        },
        "folded_units": [{"into": name, "units": list(units)} for name, units in statistics.folded],
        "generated_at": statistics.generated_at.isoformat(),
    }


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def statistics_csv(statistics: Statistics) -> str:
    """One row per published number: table, row, column and the number (or its mark).

    Semicolon-separated with a byte-order mark, as Danish spreadsheets read it; totals
    have the row or column code "total"."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = _TextWriter(out)
    writer.writerow(
        [_("tabel"), _("tabelnavn"), _("række"), _("rækkenavn"), _("kolonne"), _("kolonnenavn"), _("antal")]
    )
    total_label = _("I alt")
    for table in statistics.tables:

        def row(row_code, row_label, column_code, column_label, number, table=table):
            writer.writerow([table.code, table.title, row_code, row_label, column_code, column_label, number.text])

        for label, cells, row_total in table.body():
            for column, cell in zip(table.columns, cells, strict=True):
                row(label.code, label.label, column.code, column.label, cell)
            if row_total is not None:
                row(label.code, label.label, TOTAL, total_label, row_total)
        if table.column_totals is not None:
            for column, cell in zip(table.columns, table.column_totals, strict=True):
                row(TOTAL, total_label, column.code, column.label, cell)
        if table.total is not None:
            row(TOTAL, total_label, TOTAL, total_label, table.total)

    figures = _("nøgletal")
    figures_title = _("Nøgletal")
    writer.writerow(
        [figures, figures_title, "incidents", _("Hændelser i perioden"), "count", _("antal"), statistics.total.text]
    )
    for share in (statistics.police, statistics.datatilsynet, statistics.employees_targeted):
        writer.writerow([figures, figures_title, share.code, share.label, "part", _("antal"), share.part.text])
        writer.writerow([figures, figures_title, share.code, share.label, "whole", _("ud af"), share.whole.text])
        writer.writerow(
            [
                figures,
                figures_title,
                share.code,
                share.label,
                "percent",
                _("procent"),
                _decimal(share.percent) if share.percent is not None else ("×" if share.hidden else ""),
            ]
        )
    median = statistics.median_days
    writer.writerow(
        [
            figures,
            figures_title,
            "median_days",
            _("Mediandage fra registrering til første handling"),
            "days",
            _("dage"),
            _decimal(median.days) if median.days is not None else ("×" if median.hidden else ""),
        ]
    )
    writer.writerow(
        [
            figures,
            figures_title,
            "median_days",
            _("Mediandage fra registrering til første handling"),
            "incidents",
            _("hændelser med handling"),
            median.incidents.text,
        ]
    )
    return out.getvalue()


def export_filename(statistics: Statistics, extension: str) -> str:
    return f"statistik-{statistics.first:%Y-%m}-{statistics.last:%Y-%m}.{extension}"
