"""Disclosure control: what a union rep may see of the counts (DOMAIN.md section 7, issue 22).

Plain Python, no Django, so the rules can be tested on their own (tests/stats/test_disclosure.py).
Managers get exact figures and never pass through here. Everything a union rep sees (page,
CSV, JSON, PDF, API) is added up from the published numbers this module returns, so every
output shows the same figures. The longer explanation for a data protection officer is in
docs/statistics-disclosure.md.

The method: key-based random rounding of fixed building blocks
----------------------------------------------------------------

1. **Building blocks.** The smallest thing that is ever rounded is a *block*: one calendar
   month × one reporting unit (a unit with the small units folded into it, `stats.scope`).
   For each block we count the incidents, and for each code of each table (level, status,
   perpetrator relation, platform, related phenomenon, reported to the police or
   Datatilsynet, with an action) how many of them have it; the same for citizens'
   requests to record meetings, and for the employees of each reporting unit.

2. **Keys.** Every incident and every recording request has a fixed key, a number computed
   once from its internal id with a secret of the installation; the residue of a purged
   incident keeps the incident's key. A count's *cell key* is the sum of its members' keys.
   The same incidents therefore always give the same cell key, whichever page, download
   or filter asks for them; a count with one incident more or less gets a new, unrelated
   cell key.

3. **Random rounding to a base of b = k.** Each count of a block is rounded to a multiple
   of k (the organisation's «mindste antal i statistik», at least 3): a count n = q·k + r
   is published as q·k or (q+1)·k, upwards with chance r/k, decided by the cell key
   through a keyed hash (`rounding_draw`). A multiple of k is published as it is, a 0 as
   0. On average the rounding neither adds nor removes anything.

4. **Check before publishing** (`block_publish`). A block's counts are tied together: the
   counts by level, by status and by relation each add up to the block's incidents, and a
   count by platform, phenomenon or action is at most that. Before a block is published the
   module works out, from the rounded numbers and those ties alone, the range of true
   values a reader could still believe for every count of the block (`block_ranges`). If a
   range has shrunk to a single value, the block is drawn again with the next draw number
   (all its counts at once) until no count is pinned down.

5. **Everything else is a sum of published blocks.** A quarter or a year is the sum of its
   months; "all my units" or a unit with the units below it is the sum of its reporting
   units; a table's totals are the sums of its rounded cells; a share is computed from
   rounded numbers. Nothing a union rep sees is computed from the exact counts of more
   than one block (except the median, see below).

What this guarantees (and the tests check it, tests/stats/test_disclosure.py and
test_properties.py):

* Every published count is a multiple of k; a count from 1 to k−1 is never shown as itself.
* Subtracting any two selections a rep can ask for (periods, units) gives the sum of some
  published blocks, never anything new: the difference between January–December and
  February–December is January's published blocks.
* From all published numbers of a block taken together, adding, subtracting and reasoning
  with intervals (e.g. "this is 0 or 5, so the true count is 0–9") never leaves a single
  possible value for a count of the block.
* The same blocks always give the same numbers; nothing depends on the day it is asked
  (published periods are closed months only, `stats.forms`).

What it does not claim:

* The published figures are not exact. Each rounded count is off by less than k, and a sum
  of many blocks can be off by more (README: the measured mean absolute deviation). Tables
  are rounded separately, so the totals of two tables of the same incidents may differ.
* When the incidents of a published month change (one is added afterwards, a status or a
  level changes), the affected counts get new keys and are rounded afresh. A rep who
  compares the figures before and after can see *that* something changed, and in rare
  cases narrow the range, but the check is for one version at a time; such changes are
  rare because only closed months are published.
* The median of days to the first action is not a count and is computed from the exact
  days of the selection; it is shown only when at least k incidents had an action.
* The key hash is a keyed BLAKE2b (`rounding_draw`): changing the installation's secret
  key changes every published figure once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

KEY_SPACE = 2**31  # keys and cell keys are taken modulo this
_DRAW_SPACE = 2**64
MAX_DRAWS = 64  # a block is drawn again at most this often (in practice once or twice)
INFINITY = 10**12


@dataclass(frozen=True)
class Cell:
    """One exact count and its cell key (the sum of its members' keys)."""

    n: int
    key: int = 0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.n + other.n, (self.key + other.key) % KEY_SPACE)


EMPTY = Cell(0, 0)


@dataclass
class Block:
    """The counts of one block: its population (`total`, None when it is not published),
    groups of counts that each add up to the population (`partitions`), and counts that are
    each at most the population (`subsets`) or at most another count (`within`:
    (name of a subset, name of the subset it lies in))."""

    total: Cell | None
    partitions: dict[str, dict[str, Cell]] = field(default_factory=dict)
    subsets: dict[str, Cell] = field(default_factory=dict)
    within: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Published:
    total: int | None
    partitions: dict[str, dict[str, int]]
    subsets: dict[str, int]
    draw: int = 0
    pinned: tuple[str, ...] = ()


def rounding_draw(key: int, draw: int, secret: bytes) -> int:
    """A number in [0, 2^64) decided by a cell key, the draw number and the secret."""
    digest = hashlib.blake2b(f"{key % KEY_SPACE}:{draw}".encode(), key=secret[:64], digest_size=8).digest()
    return int.from_bytes(digest, "big")


def round_to_base(n: int, base: int, draw_value: int) -> int:
    """Random rounding of n to a multiple of `base`: upwards with chance (n mod base) / base."""
    if n < 0:
        raise ValueError("counts are never negative")
    rest = n % base
    down = n - rest
    return down + base if rest and draw_value * base < rest * _DRAW_SPACE else down


def published_range(value: int, base: int) -> tuple[int, int]:
    """The true counts that random rounding to `base` can publish as `value`."""
    if value == 0:
        return 0, base - 1
    return value - base + 1, value + base - 1


def block_ranges(published: Published, base: int, within: Sequence[tuple[str, str]] = ()) -> dict[str, tuple]:
    """What a reader can deduce from one published block: for each count ("total",
    "<partition>:<code>", "<subset>") the lowest and highest true value still possible.

    Interval reasoning over the ties of the block, repeated until nothing narrows: every
    rounded number gives a range, each partition adds up to the population, each subset is
    at most the population, and a count `within` another is at most that one."""
    ranges: dict[str, list[int]] = {}
    ranges["total"] = list(published_range(published.total, base)) if published.total is not None else [0, INFINITY]
    for name, cells in published.partitions.items():
        for code, value in cells.items():
            ranges[f"{name}:{code}"] = list(published_range(value, base))
    for name, value in published.subsets.items():
        ranges[name] = list(published_range(value, base))
    for _ in range(100):
        before = {name: tuple(r) for name, r in ranges.items()}
        total = ranges["total"]
        for name, cells in published.partitions.items():
            names = [f"{name}:{code}" for code in cells]
            low, high = sum(ranges[n][0] for n in names), sum(ranges[n][1] for n in names)
            total[0], total[1] = max(total[0], low), min(total[1], high)
            for n in names:
                others_low, others_high = low - ranges[n][0], high - ranges[n][1]
                ranges[n][0] = max(ranges[n][0], total[0] - others_high)
                ranges[n][1] = min(ranges[n][1], total[1] - others_low)
        for name in published.subsets:
            total[0] = max(total[0], ranges[name][0])
            ranges[name][1] = min(ranges[name][1], total[1])
        for inner, outer in within:
            ranges[outer][0] = max(ranges[outer][0], ranges[inner][0])
            ranges[inner][1] = min(ranges[inner][1], ranges[outer][1])
        if before == {name: tuple(r) for name, r in ranges.items()}:
            break
    return {name: tuple(r) for name, r in ranges.items()}


def _draw(block: Block, base: int, draw: int, secret: bytes) -> Published:
    def rounded(cell: Cell) -> int:
        return round_to_base(cell.n, base, rounding_draw(cell.key, draw, secret))

    return Published(
        total=rounded(block.total) if block.total is not None else None,
        partitions={name: {code: rounded(cell) for code, cell in cells.items()}
                    for name, cells in block.partitions.items()},
        subsets={name: rounded(cell) for name, cell in block.subsets.items()},
        draw=draw,
    )


def pinned(published: Published, base: int, within: Sequence[tuple[str, str]] = ()) -> tuple[str, ...]:
    """The counts of a published block whose true value a reader could work out exactly."""
    return tuple(name for name, (low, high) in block_ranges(published, base, within).items() if low >= high)


def block_publish(block: Block, *, base: int, secret: bytes) -> Published:
    """The rounded counts of one block, drawn again until no count can be worked out."""
    if base < 2:
        raise ValueError("the rounding base must be at least 2")
    result = None
    for draw in range(MAX_DRAWS):
        result = _draw(block, base, draw, secret)
        found = pinned(result, base, block.within)
        if not found:
            return result
    return Published(result.total, result.partitions, result.subsets, result.draw, found)


def add_published(into: dict, published: Published, prefix: str = "") -> None:
    """Add a published block's numbers into running sums {name: int} (names as in `block_ranges`)."""
    if published.total is not None:
        into["total"] = into.get("total", 0) + published.total
    for name, cells in published.partitions.items():
        for code, value in cells.items():
            into[f"{name}:{code}"] = into.get(f"{name}:{code}", 0) + value
    for name, value in published.subsets.items():
        into[name] = into.get(name, 0) + value


def exact_sums(into: dict, block: Block) -> None:
    """The same sums as `add_published`, of the exact counts (what managers see)."""
    if block.total is not None:
        into["total"] = into.get("total", 0) + block.total.n
    for name, cells in block.partitions.items():
        for code, cell in cells.items():
            into[f"{name}:{code}"] = into.get(f"{name}:{code}", 0) + cell.n
    for name, cell in block.subsets.items():
        into[name] = into.get(name, 0) + cell.n


def cells_from(counts: Mapping[str, int], keys: Mapping[str, int], names) -> dict[str, Cell]:
    return {name: Cell(int(counts.get(name, 0)), int(keys.get(name, 0)) % KEY_SPACE) for name in names}


def display(value: int | None) -> str:
    """The text a reader sees for one number (kept for the readers of the outputs)."""
    return "" if value is None else str(value)
