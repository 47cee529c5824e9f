"""Read the statistics back out of each output (page, CSV, JSON/API, PDF) into one shape, and
check the disclosure rules on that shape.

The common shape is {table code: Grid}, where a Grid holds the displayed texts ("12",
"< 5", "×") of the cells, the row totals, the column totals and the grand total. Every
reader produces it, so the same checks run on every output, and outputs can be compared.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pypdf

HIDDEN = re.compile(r"^(< \d+|×)$")
TOKEN = re.compile(r"<\s*\d+|×|\d[\d.]*")


def norm(text: str) -> str:
    """One displayed number: digit grouping and screen-reader words removed."""
    text = " ".join(text.replace("skjult", "").split())
    if text.startswith("<"):
        return "< " + text[1:].strip()
    if text == "×":
        return text
    return text.replace(".", "").replace("\xa0", "")


@dataclass
class Grid:
    cells: list[list[str]] = field(default_factory=list)
    row_totals: list[str] | None = None
    column_totals: list[str] | None = None
    total: str | None = None


# --- JSON (export and API) ------------------------------------------------------------------


def from_json(data: dict) -> dict[str, Grid]:
    grids = {}
    for table in data["tables"]:

        def shown(number):
            return number["display"]

        grids[table["code"]] = Grid(
            cells=[[shown(n) for n in row] for row in table["cells"]],
            row_totals=[shown(n) for n in table["row_totals"]] if table["row_totals"] is not None else None,
            column_totals=[shown(n) for n in table["column_totals"]] if table["column_totals"] is not None else None,
            total=shown(table["total"]) if table["total"] is not None else None,
        )
    return grids


# --- CSV ----------------------------------------------------------------------------------------


def from_csv(text: str, layout: dict) -> dict[str, Grid]:
    """`layout` is the JSON (for the row and column codes in order)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "tabel"
    values = {(r[0], r[2], r[4]): r[6] for r in body}
    grids = {}
    for table in layout["tables"]:
        code = table["code"]
        row_codes = [r["code"] for r in table["rows"]]
        column_codes = [c["code"] for c in table["columns"]]
        grids[code] = Grid(
            cells=[[values[(code, r, c)] for c in column_codes] for r in row_codes],
            row_totals=[values[(code, r, "total")] for r in row_codes] if table["row_totals"] is not None else None,
            column_totals=(
                [values[(code, "total", c)] for c in column_codes] if table["column_totals"] is not None else None
            ),
            total=values[(code, "total", "total")] if table["total"] is not None else None,
        )
    return grids


def csv_figures(text: str) -> dict[tuple[str, str], str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    return {(r[2], r[4]): r[6] for r in rows[1:] if r[0] == "nøgletal"}


# --- The page -------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.current = None
        self.section = None
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self.current = self.tables.setdefault(attrs["id"][6:], {"thead": [], "tbody": [], "tfoot": []})
        elif self.current is not None and tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("th", "td") and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current[self.section].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def from_html(html: str, layout: dict) -> dict[str, Grid]:
    parser = _Tables()
    parser.feed(html)
    grids = {}
    for table in layout["tables"]:
        parsed = parser.tables[table["code"]]
        has_row_totals = table["row_totals"] is not None
        body = [[norm(text) for text in row[1:]] for row in parsed["tbody"]]
        assert [row[0].strip() for row in parsed["tbody"]] == [r["label"] for r in table["rows"]]
        grid = Grid(
            cells=[row[:-1] if has_row_totals else row for row in body],
            row_totals=[row[-1] for row in body] if has_row_totals else None,
        )
        if parsed["tfoot"]:
            foot = [norm(text) for text in parsed["tfoot"][0][1:]]
            grid.column_totals = foot[:-1] if has_row_totals else foot
            grid.total = foot[-1] if has_row_totals else None
        grids[table["code"]] = grid
    return grids


# --- The PDF ------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def from_pdf(content: bytes, layout: dict) -> dict[str, Grid]:
    """Table rows are printed as one line: the row label, then the numbers."""
    lines = [" ".join(line.split()) for line in pdf_text(content).splitlines()]
    grids = {}
    for table in layout["tables"]:
        width = len(table["columns"]) + (1 if table["row_totals"] is not None else 0)
        heading = " ".join([table["row_heading"]] + [c["label"] for c in table["columns"]])
        start = next(i for i, line in enumerate(lines) if line.startswith(heading))
        position = start
        found = []
        for label in [r["label"] for r in table["rows"]] + (["I alt"] if table["column_totals"] is not None else []):
            for index in range(position + 1, len(lines)):
                line = lines[index]
                if line.startswith(label + " "):
                    tokens = [norm(t) for t in TOKEN.findall(line[len(label) :])]
                    if len(tokens) == width:
                        found.append(tokens)
                        position = index
                        break
            else:
                raise AssertionError(f"row {label!r} of {table['code']} not found in the PDF")
        grid = Grid()
        has_row_totals = table["row_totals"] is not None
        body = found[: len(table["rows"])]
        grid.cells = [row[:-1] if has_row_totals else row for row in body]
        grid.row_totals = [row[-1] for row in body] if has_row_totals else None
        if table["column_totals"] is not None:
            foot = found[-1]
            grid.column_totals = foot[:-1] if has_row_totals else foot
            grid.total = foot[-1] if has_row_totals else None
        grids[table["code"]] = grid
    return grids


# --- The rules --------------------------------------------------------------------------------


def _value(text: str) -> int | None:
    return None if HIDDEN.match(text) else int(text)


def lines_of(grid: Grid) -> list[tuple[list[str], str]]:
    """(cells, total) of every line whose total is published."""
    lines = []
    R = len(grid.cells)
    if grid.row_totals is not None:
        lines += [(grid.cells[i], grid.row_totals[i]) for i in range(R)]
    if grid.column_totals is not None:
        C = len(grid.column_totals)
        lines += [([grid.cells[i][j] for i in range(R)], grid.column_totals[j]) for j in range(C)]
    if grid.total is not None:
        lines.append((grid.column_totals, grid.total))
        lines.append((grid.row_totals, grid.total))
    return lines


def check_rules(grids: dict[str, Grid], k: int) -> None:
    """The rules for a union rep, as a reader of the output can check them: every number is
    shown (nothing hidden), is a multiple of k, and every published total is the sum of its line."""
    for code, grid in grids.items():
        everything = [t for row in grid.cells for t in row] + (grid.row_totals or []) + (grid.column_totals or [])
        everything += [grid.total] if grid.total is not None else []
        for text in everything:
            value = _value(text)
            assert value is not None and value % k == 0, (code, text)
        for cells, total in lines_of(grid):
            assert sum(int(t) for t in cells) == int(total), (code, cells, total)


def check_exact(grids: dict[str, Grid]) -> None:
    """Managers: nothing hidden, and every published total is the sum of its line."""
    for code, grid in grids.items():
        for row in grid.cells:
            assert all(_value(t) is not None for t in row), code
        for cells, total in lines_of(grid):
            assert sum(int(t) for t in cells) == int(total), (code, cells, total)
