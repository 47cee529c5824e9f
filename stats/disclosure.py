"""Disclosure control: what a union rep may see of a table of counts (DOMAIN.md section 7).

Plain Python, no Django, so the rules can be tested on their own (tests/stats/test_disclosure.py).
Managers get exact figures and never pass through here; everything a union rep sees (page,
CSV, JSON, PDF, API) is built from the marks this module returns.

The method, in the order it is applied
--------------------------------------

Before counting (``stats.scope``): periods are whole calendar months and units with fewer than
k employees (caseworker memberships) are folded into their parent, so a narrower filter can
never describe fewer than k colleagues. Only counts leave the database: no names, references
or free text, ever.

1. **Primary suppression.** Every published number from 1 to k−1 is hidden and shown as
   «< k» (mark ``SMALL``). This applies to totals as well as cells: a row or column total
   from 1 to k−1 is hidden, and then every non-zero cell of that line is below k too, so it is
   hidden as well.

2. **Zeros are shown.** A 0 says that nothing was registered; it cannot point at a person,
   and hiding every zero would hide most of a small municipality's tables. (It is the usual
   practice of official statistics.) A zero is only hidden as a last resort in step 3.

3. **Complementary suppression** (mark ``PROTECTED``, shown as «×»), repeated until nothing
   changes. A table is a grid with its published margins; each row and each column whose
   total is published is a *line*: its cells add up to its total. The margins form lines
   too (the row totals add up to the grand total, as do the column totals).

   a. *Lines.* For every line, and every hidden number in it, we work out what a reader
      could deduce from that line alone, knowing what the marks mean («< k» is 1…k−1, «×» is
      0 or k and above, nothing exceeds the grand total). If that leaves a single possible
      value, one more number of the line is hidden. This covers the rule of the issue
      ("a line never has exactly one hidden number", since one hidden number is the total
      minus the others) and also the cases the marks give away, such as two hidden cells
      «< 5» and «< 5» in a line where they must add up to 8.
   b. *Chains of lines* (tables with both row and column totals). A hidden number can also be
      worked out by adding and subtracting whole lines even when every line has two hidden
      numbers (two hidden 2×2 blocks joined by one hidden cell). Writing the hidden numbers
      as edges between their row and their column, a number can be worked out exactly when
      its edge is a *bridge* of that graph (it lies on no cycle), so bridges are searched
      for (Tarjan) and closed by hiding a number that puts the bridge on a cycle.

   The number hidden to repair a line or a bridge is chosen in this order: a non-zero number
   before a zero, a cell before a total, one whose crossing line already has a hidden number
   (so the repair does not start a new chain), then the smallest, then the first. The
   table's grand total is never chosen: it is the number of incidents in the selection, which
   every other table publishes too, so hiding it in one place would protect nothing.
   If a line has nothing left to hide, it is left as it is (``unresolved``): its numbers then
   follow from published figures alone.

What this does not do: it protects each table as published for one selection. Two
selections that differ by a whole unit or a whole month can be subtracted from each other;
the folding of small units and the whole months keep such a difference at the level of at
least k employees and a calendar month, which is the granularity the statistics accept.
With k = 2, «< 2» could only mean 1, so the organisation setting takes k ≥ 3 only
(`accounts.Organisation.statistics_threshold`, checked by the form and the database).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SMALL = "small"
PROTECTED = "protected"
MARKS = (SMALL, PROTECTED)

_INF = 10**15  # "no known upper bound" in the interval arithmetic

Pos = tuple[int, int]
Intervals = list[tuple[int, int]]


@dataclass(frozen=True)
class Suppressed:
    """The marks of one table: "" (shown), SMALL or PROTECTED for each cell and margin.

    `unresolved` lists lines (as tuples of positions) that could not be protected further
    because everything in them is already hidden or is the public grand total.
    """

    cells: list[list[str]]
    row_totals: list[str] | None
    column_totals: list[str] | None
    total: str | None
    unresolved: tuple = field(default=())


def suppress(
    cells: Sequence[Sequence[int]],
    *,
    k: int,
    row_totals: bool = False,
    column_totals: bool = False,
    total_public: bool = True,
) -> Suppressed:
    """Mark what to hide in a table of counts and its published margins.

    `cells` is R rows of C non-negative counts. `row_totals` / `column_totals` say whether the
    table publishes them (their values are the sums of the cells). `total_public` says that
    the table's overall total (the grand total; or the one total of a single-column table)
    is published elsewhere as well, so it is never hidden to protect another number.
    """
    grid = _Grid(cells, k=k, row_totals=row_totals, column_totals=column_totals, total_public=total_public)
    grid.run()
    return grid.result()


def display(value: int | None, mark: str, k: int) -> str:
    """The text a reader sees for one number."""
    if mark == SMALL:
        return f"< {k}"
    if mark == PROTECTED:
        return "×"
    return str(value)


# --- Interval arithmetic over the integers (what a reader can deduce) ---------------------

def _norm(intervals: Intervals) -> Intervals:
    merged: Intervals = []
    for lo, hi in sorted(intervals):
        if lo > hi:
            continue
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _clip(value: int) -> int:
    return max(-_INF, min(_INF, value))


def _add(a: Intervals, b: Intervals) -> Intervals:
    return _norm([(_clip(x0 + y0), _clip(x1 + y1)) for x0, x1 in a for y0, y1 in b])


def _neg(a: Intervals) -> Intervals:
    return _norm([(-hi, -lo) for lo, hi in a])


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    return _norm([(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b])


def _size(a: Intervals) -> int:
    return sum(hi - lo + 1 for lo, hi in a)


# --- The grid -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    cells: tuple[Pos, ...]
    total: Pos

    @property
    def positions(self) -> tuple[Pos, ...]:
        return (*self.cells, self.total)


class _Grid:
    """Cells at (i, j) for i < R, j < C; row totals at (i, C); column totals at (R, j);
    the grand total at (R, C)."""

    def __init__(self, cells, *, k: int, row_totals: bool, column_totals: bool, total_public: bool) -> None:
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k = k
        self.R = len(cells)
        self.C = len(cells[0]) if cells else 0
        if any(len(row) != self.C for row in cells):
            raise ValueError("every row needs the same number of cells")
        if any(value < 0 for row in cells for value in row):
            raise ValueError("counts are never negative")
        self.row_totals = row_totals and self.C > 0
        self.column_totals = column_totals and self.R > 0
        R, C = self.R, self.C
        self.values: dict[Pos, int] = {(i, j): int(cells[i][j]) for i in range(R) for j in range(C)}
        if self.row_totals:
            for i in range(R):
                self.values[(i, C)] = sum(cells[i])
        if self.column_totals:
            for j in range(C):
                self.values[(R, j)] = sum(cells[i][j] for i in range(R))
        if self.row_totals and self.column_totals:
            self.values[(R, C)] = sum(self.values[(i, C)] for i in range(R))
        self.marks: dict[Pos, str] = dict.fromkeys(self.values, "")
        self.two_way = self.row_totals and self.column_totals

        self.lines: list[_Line] = []
        if self.row_totals:
            self.lines += [_Line(tuple((i, j) for j in range(C)), (i, C)) for i in range(R)]
        if self.column_totals:
            self.lines += [_Line(tuple((i, j) for i in range(R)), (R, j)) for j in range(C)]
        if self.two_way:
            self.lines.append(_Line(tuple((R, j) for j in range(C)), (R, C)))
            self.lines.append(_Line(tuple((i, C) for i in range(R)), (R, C)))
        self.lines_of: dict[Pos, list[int]] = {pos: [] for pos in self.values}
        for index, line in enumerate(self.lines):
            for pos in line.positions:
                self.lines_of[pos].append(index)

        self.overall: Pos | None = None
        if self.two_way:
            self.overall = (R, C)
        elif self.column_totals and C == 1:
            self.overall = (R, 0)
        elif self.row_totals and R == 1:
            self.overall = (0, C)
        self.fixed: set[Pos] = {self.overall} if (total_public and self.overall is not None) else set()
        self.unresolved: set[int] = set()
        self.accepted_bridges: set[Pos] = set()

    # -- what a reader knows ------------------------------------------------------------

    def _upper(self) -> int:
        if self.overall is None:
            return _INF
        if self.marks[self.overall]:
            return self.k - 1
        return self.values[self.overall]

    def _domain(self, pos: Pos) -> Intervals:
        mark = self.marks[pos]
        if not mark:
            value = self.values[pos]
            return [(value, value)]
        upper = self._upper()
        if mark == SMALL:
            return [(1, min(self.k - 1, upper))]
        return _norm([(0, 0), (self.k, upper)])

    def _line_violated(self, line: _Line) -> bool:
        """Would a reader pin a hidden number of this line down to one value?"""
        hidden = [pos for pos in line.cells if self.marks[pos]]
        total_hidden = bool(self.marks[line.total])
        if not hidden and not total_hidden:
            return False
        visible_sum = sum(self.values[pos] for pos in line.cells if not self.marks[pos])
        domains = [self._domain(pos) for pos in hidden]
        prefix = [[(0, 0)]]
        for domain in domains:
            prefix.append(_add(prefix[-1], domain))
        suffix = [[(0, 0)]]
        for domain in reversed(domains):
            suffix.append(_add(suffix[-1], domain))
        suffix.reverse()
        total = self._domain(line.total)
        rest = _add(total, [(-visible_sum, -visible_sum)])
        for index, own in enumerate(domains):
            others = _add(prefix[index], suffix[index + 1])
            if _size(own) > 1 and _size(_intersect(own, _add(rest, _neg(others)))) == 1:
                return True
        if total_hidden:
            sums = _add(prefix[-1], [(visible_sum, visible_sum)])
            if _size(total) > 1 and _size(_intersect(total, sums)) == 1:
                return True
        return False

    # -- choosing what else to hide -----------------------------------------------------

    def _is_margin(self, pos: Pos) -> bool:
        return pos[0] == self.R or pos[1] == self.C

    def _hidden_in(self, line_index: int) -> int:
        return sum(1 for pos in self.lines[line_index].positions if self.marks[pos])

    def _candidate_key(self, pos: Pos, line_index: int | None = None):
        value = self.values[pos]
        crossing = [index for index in self.lines_of[pos] if index != line_index]
        crossing_hidden = any(self._hidden_in(index) for index in crossing)
        return (value == 0, self._is_margin(pos), not crossing_hidden, value, pos)

    def _candidates(self, positions) -> list[Pos]:
        return [pos for pos in positions if not self.marks[pos] and pos not in self.fixed]

    def _hide(self, pos: Pos) -> None:
        self.marks[pos] = PROTECTED

    # -- the steps ----------------------------------------------------------------------

    def _primary(self) -> None:
        for pos, value in self.values.items():
            if 1 <= value < self.k:
                self.marks[pos] = SMALL

    def _repair_lines(self) -> bool:
        changed = False
        for index, line in enumerate(self.lines):
            if index in self.unresolved:
                continue
            while self._line_violated(line):
                candidates = self._candidates(line.positions)
                if not candidates:
                    self.unresolved.add(index)
                    break
                self._hide(min(candidates, key=lambda pos, i=index: self._candidate_key(pos, i)))
                changed = True
        return changed

    def _node_positions(self, node: tuple[str, int]) -> list[Pos]:
        kind, n = node
        if kind == "r":
            return [(n, j) for j in range(self.C + 1)]
        return [(i, n) for i in range(self.R + 1)]

    def _repair_bridges(self) -> bool:
        edges = [pos for pos, mark in self.marks.items() if mark]
        for bridge in _bridges(edges):
            if bridge in self.accepted_bridges:
                continue
            row, column = ("r", bridge[0]), ("c", bridge[1])
            side = _component(row, [edge for edge in edges if edge != bridge])
            cross = [(i, j) for i in range(self.R + 1) for j in range(self.C + 1)
                     if (("r", i) in side) != (("c", j) in side)]
            candidates = self._candidates(cross)
            if not candidates:
                candidates = self._candidates(self._node_positions(row) + self._node_positions(column))
            if not candidates:
                self.accepted_bridges.add(bridge)
                continue
            self._hide(min(candidates, key=self._candidate_key))
            return True
        return False

    def run(self) -> None:
        self._primary()
        for _ in range(4 * len(self.values) + 8):  # each round hides something or stops
            if self._repair_lines():
                continue
            if self.two_way and self._repair_bridges():
                continue
            break

    def result(self) -> Suppressed:
        R, C = self.R, self.C
        return Suppressed(
            cells=[[self.marks[(i, j)] for j in range(C)] for i in range(R)],
            row_totals=[self.marks[(i, C)] for i in range(R)] if self.row_totals else None,
            column_totals=[self.marks[(R, j)] for j in range(C)] if self.column_totals else None,
            total=self.marks[(R, C)] if self.two_way else None,
            unresolved=tuple(self.lines[index].positions for index in sorted(self.unresolved)),
        )


# --- Graph helpers for step 3b -----------------------------------------------------------

def _adjacency(edges: list[Pos]) -> dict[tuple[str, int], list[tuple[tuple[str, int], Pos]]]:
    graph: dict[tuple[str, int], list] = {}
    for edge in edges:
        row, column = ("r", edge[0]), ("c", edge[1])
        graph.setdefault(row, []).append((column, edge))
        graph.setdefault(column, []).append((row, edge))
    return graph


def _component(start, edges: list[Pos]) -> set:
    graph = _adjacency(edges)
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for neighbour, _edge in graph.get(node, ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return seen


def _bridges(edges: list[Pos]) -> list[Pos]:
    """Edges on no cycle of the row–column graph of hidden numbers (Tarjan), in edge order."""
    graph = _adjacency(edges)
    order: dict = {}
    low: dict = {}
    found: set[Pos] = set()
    counter = 0
    for root in graph:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(graph[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(graph[neighbour])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return [edge for edge in edges if edge in found]
