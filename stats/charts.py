"""Charts drawn on the server as SVG, from the published numbers only.

The same markup goes into the page and the PDF (WeasyPrint draws inline SVG), so both show
the same charts. Each chart is an image with a title and a description (role="img",
aria-labelledby) that points to the data table printed beside it; the table is the
accessible version. Colours and fonts are presentation attributes, not style attributes,
so the strict Content-Security-Policy allows them and the PDF needs no stylesheet.

A hidden number is never drawn to scale: it gets a small dashed placeholder of fixed size
with its mark («< 5» or «×») as text, and the scale is computed from the visible numbers
alone, so the geometry cannot tell more than the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import dateformat, formats
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .selectors import Number, Statistics, grouped

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
BAR = "#123b5c"
BENCHMARK = "#b3261e"
HIDDEN_FILL = "#e9ecef"
HIDDEN_STROKE = "#6c757d"
TEXT = "#212529"
GRID = "#ced4da"
WIDTH = 640


@dataclass(frozen=True)
class Item:
    label: str
    number: Number
    colour: str = BAR
    suffix: str = ""


def _text(number: Number, suffix: str = "") -> str:
    if number.hidden:
        return number.text
    return grouped(number.value) + suffix


def _open(chart_id: str, title: str, table_title: str, height: int) -> str:
    desc = _("Tallene står i tabellen «%(table)s».") % {"table": table_title}
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" role="img" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" aria-labelledby="{id}-title" aria-describedby="{id}-desc" font-family="{font}" '
        'font-size="12">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        w=WIDTH,
        h=height,
        id=chart_id,
        font=FONT,
        title=title,
        desc=desc,
    )


def _f(value: float) -> str:
    """A coordinate with one decimal."""
    return f"{value:.1f}"


# The bars, columns and their texts are many per page: written with f-strings (numbers and
# the constants above need no escaping) and `escape` for every text, as format_html would.


def _placeholder(x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{HIDDEN_FILL}" '
        f'stroke="{HIDDEN_STROKE}" stroke-dasharray="3 2"/>'
    )


def horizontal_bars(chart_id: str, title: str, items: list[Item], *, table_title: str = "") -> SafeString:
    """One bar per item, label on the left, the number at the end of the bar."""
    row, top, label_width, value_room = 24, 8, 230, 70
    plot = WIDTH - label_width - value_room
    height = top * 2 + row * max(1, len(items))
    scale = max([item.number.value for item in items if not item.number.hidden] + [1])
    parts = [_open(chart_id, title, table_title or title, height)]
    for index, item in enumerate(items):
        y = top + index * row
        label = item.label if len(item.label) <= 34 else item.label[:33] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
        if item.number.hidden:
            parts.append(_placeholder(label_width, y + 5, 22, row - 10))
            end = label_width + 22
        else:
            length = plot * item.number.value / scale
            parts.append(
                f'<rect x="{label_width}" y="{y + 4:.1f}" width="{length:.1f}" height="{row - 8}" '
                f'fill="{escape(item.colour)}"/>'
            )
            end = label_width + length
        parts.append(
            f'<text x="{end + 6:.1f}" y="{y + row / 2 + 4:.1f}" fill="{TEXT}">'
            f"{escape(_text(item.number, item.suffix))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped (format_html or escape)


def columns(chart_id: str, title: str, items: list[Item], *, table_title: str = "") -> SafeString:
    """One column per item (months), labels below, numbers above the columns when there is room."""
    height, left, bottom, top = 240, 44, 46, 16
    plot_height = height - bottom - top
    plot_width = WIDTH - left - 8
    n = max(1, len(items))
    slot = plot_width / n
    bar = max(2.0, slot * 0.7)
    scale = max([item.number.value for item in items if not item.number.hidden] + [1])
    parts = [_open(chart_id, title, table_title or title, height)]
    baseline = top + plot_height
    parts.append(
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>', left, baseline, WIDTH - 8, baseline, GRID)
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            left - 6,
            top + 4,
            TEXT,
            formats.number_format(scale, force_grouping=True),
        )
    )
    parts.append(format_html('<text x="{}" y="{}" text-anchor="end" fill="{}">0</text>', left - 6, baseline + 4, TEXT))
    label_every = max(1, round(n / 12))
    show_values = slot >= 26
    for index, item in enumerate(items):
        x = left + index * slot + (slot - bar) / 2
        if item.number.hidden:
            parts.append(_placeholder(x, baseline - 14, bar, 14))
            value_y = baseline - 18
        else:
            h = plot_height * item.number.value / scale
            parts.append(
                f'<rect x="{x:.1f}" y="{baseline - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{escape(item.colour)}"/>'
            )
            value_y = baseline - h - 4
        if show_values or item.number.hidden:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{value_y:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT}">{escape(_text(item.number))}</text>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{baseline + 16}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT}">{escape(item.label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped (format_html or escape)


def _short_month(code: str) -> str:
    """«jan 26» for "2026-01", in the active language."""
    year, month = code.split("-")
    return dateformat.format(date(int(year), int(month), 1), "b y")


def charts_for(statistics: Statistics) -> dict[str, SafeString]:
    """Every chart of the page and the PDF, keyed by the table it draws."""
    charts: dict[str, SafeString] = {}
    month_level = statistics.table("month_level")
    charts["months"] = columns(
        "chart-months",
        _("Hændelser pr. måned"),
        [
            Item(_short_month(row.code), total)
            for row, total in zip(month_level.rows, month_level.row_totals, strict=True)
        ],
        table_title=month_level.title,
    )
    charts["levels"] = horizontal_bars(
        "chart-levels",
        _("Hændelser pr. alvorlighed"),
        [
            Item(column.label, total)
            for column, total in zip(month_level.columns, month_level.column_totals, strict=True)
        ],
        table_title=month_level.title,
    )
    for table in statistics.tables[1:]:
        if table.row_totals is not None:  # months down the side: a column per month, as for the incidents
            charts[table.code] = columns(
                f"chart-{table.code}",
                table.title,
                [Item(_short_month(row.code), total) for row, _cells, total in table.body()],
                table_title=table.title,
            )
            continue
        charts[table.code] = horizontal_bars(
            f"chart-{table.code}",
            table.title,
            [Item(row.label, cells[0]) for row, cells, _total in table.body()],
        )
    share = statistics.employees_targeted
    if share.percent is not None:
        charts["employees_targeted"] = horizontal_bars(
            "chart-employees",
            _("Andel medarbejdere hængt ud sammenlignet med DS' undersøgelse"),
            [
                Item(_("Jeres enheder"), Number(round(share.percent)), suffix=" %"),
                Item(_("Socialrådgivere i DS' undersøgelse"), Number(share.benchmark_percent), BENCHMARK, " %"),
            ],
            table_title=_("Nøgletal"),
        )
    return charts


def table_sections(statistics: Statistics, charts: dict[str, SafeString]) -> list[dict]:
    """The tables after the first, each with its chart, as the page and the PDF lay them out."""
    return [{"table": table, "chart": charts.get(table.code, "")} for table in statistics.tables[1:]]
