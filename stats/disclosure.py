"""Disclosure control: what a union rep may see of the counts (DOMAIN.md section 7, issue 22).

Plain Python, no Django, so the rules can be tested on their own (tests/stats/test_disclosure.py).
Managers get exact figures and never pass through here. Everything a union rep sees (page,
CSV, JSON, PDF, API) is added up from the published numbers this module returns, so every
output shows the same figures. The longer explanation for a data protection officer is in
docs/statistics-disclosure.md.

The method: rounding of fixed blocks to a base of k, with a secret offset per cell
-----------------------------------------------------------------------------------

1. **Blocks.** The smallest thing that is ever published is a *block*: one closed calendar
   month × one reporting unit (a unit with the small units folded into it, `stats.scope`).
   For each block we count the incidents, and for each code of each table (level, status,
   perpetrator relation, platform, related phenomenon, reported to the police or
   Datatilsynet, with an action) how many of them have it; the same for citizens'
   requests to record meetings, and for the employees of each reporting unit.

2. **Rounding to a base of k.** Every count of a block is rounded to a multiple of k
   (the organisation's «mindste antal i statistik», at least 3): a count n is published as
   k · ⌊(n + o) / k⌋, where the *offset* o (0 … k−1) is fixed for that cell – that month,
   that unit, that code – and computed from the installation's secret with a keyed hash
   (`cell_offset`). A reader does not know o, so a published 5 (k = 5) means "somewhere from
   1 to 9" and a published 0 means "0 to 4". Because o is spread evenly, the rounding
   neither adds nor removes anything on average. A count of 0 is published as 0 for
   every offset below k, i.e. always.

3. **Check before publishing** (`block_publish`). A block's counts are tied together: the
   counts by level, by status and by relation each add up to the block's incidents, and a
   count by platform, phenomenon or action is at most that (a report to the police is at
   most the count with an action). Before a block is published, the module works out from
   the rounded numbers and those ties alone what range of true values a reader could
   still believe for every count of the block (`block_ranges`). If a range has shrunk to a
   single value, the block is rounded again with the next set of offsets (draw 1, 2, …)
   until no count is pinned down.

4. **Everything else is a sum of published blocks.** A quarter or a year is the sum of its
   months; "all my units" or a unit with the units below it is the sum of its reporting
   units; a table's totals are the sums of its rounded cells; a share is computed from
   rounded numbers. Nothing a union rep sees is computed from the exact counts of more
   than one block (the median is the one exception, see below).

What this guarantees (tests/stats/test_disclosure.py and test_properties.py check it):

* Every published count is a multiple of k; a count from 1 to k−1 is never shown as itself.
* Subtracting any two selections a rep can ask for (periods, units) gives a sum of
  published blocks, never anything new: January–December minus February–December is
  January's published blocks, which the rep could have asked for directly.
* From all published numbers of a block taken together, adding, subtracting and reasoning
  with intervals ("this is 0 or 5, so the true count is 0–9") never leaves a single
  possible value for a count of the block.
* The same block always gives the same numbers, whoever asks, in whichever output.
  The current month is never published (`stats.forms`), so an incident registered today
  changes nothing a rep can see.
* When a published count changes by one (an incident registered in the month afterwards,
  a status that changes), its offset stays the same. A reader who compares the figures
  before and after and knows the change was one incident still cannot tell the count:
  with o unknown, every count from (n + o) − (k − 1) to (n + o) remains possible, and
  that is k values however many versions they compare.

What it does not claim:

* The published figures are not exact. Each rounded count is off by less than k, and a sum
  of many blocks can be off by more (README: the measured mean absolute deviation). Tables
  are rounded separately, so the totals of two tables of the same incidents may differ.
* A reader who learns one count of a cell exactly from somewhere else (for example because
  they know every incident of their own small team in a month) learns that cell's offset
  and can then follow later changes of that cell exactly. The folding of units under k
  employees keeps such cells at k employees or more.
* The check of step 3 is per version of a block. If a block had to be rounded again
  (draw 1 or more), its offsets differ from the ones before, and comparing the two
  versions can narrow the ranges; this happens rarely (the tests measure it).
* The median of days to the first action is not a count and is computed from the exact
  days of the selection; it is shown only when at least k incidents had an action.
* Changing the installation's secret key (SECRET_KEY) changes every offset and so every
  published figure, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

_DRAW_SPACE = 2**64
MAX_DRAWS = 64  # a block is rounded again at most this often (in practice once in a while)
INFINITY = 10**12


@dataclass
class Block:
    """The exact counts of one block, named: its population (`total`, None when it is not
    published), groups of counts that each add up to the population (`partitions`:
    {name: {code: n}}), counts that are each at most the population (`subsets`), and pairs
    (a subset, the subset it lies within). `identity` names the block (kind, month, unit),
    so every cell of it has its own fixed offset."""

    identity: str
    total: int | None
    partitions: dict[str, dict[str, int]] = field(default_factory=dict)
    subsets: dict[str, int] = field(default_factory=dict)
    within: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Published:
    total: int | None
    partitions: dict[str, dict[str, int]]
    subsets: dict[str, int]
    draw: int = 0
    pinned: tuple[str, ...] = ()


def cell_offset(identity: str, cell: str, draw: int, base: int, secret: bytes) -> int:
    """The fixed offset (0 … base−1) of one cell of a block, from the secret (keyed BLAKE2b)."""
    digest = hashlib.blake2b(f"{identity}|{cell}|{draw}".encode(), key=secret[:64], digest_size=8).digest()
    return int.from_bytes(digest, "big") % base


def round_to_base(n: int, base: int, offset: int) -> int:
    """n rounded to a multiple of `base`: base · ⌊(n + offset) / base⌋."""
    if n < 0:
        raise ValueError("counts are never negative")
    if not 0 <= offset < base:
        raise ValueError("the offset is 0 … base−1")
    return base * ((n + offset) // base)


def published_range(value: int, base: int) -> tuple[int, int]:
    """The true counts that rounding to `base` with an unknown offset can publish as `value`."""
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
    def rounded(cell: str, n: int) -> int:
        return round_to_base(n, base, cell_offset(block.identity, cell, draw, base, secret))

    return Published(
        total=rounded("total", block.total) if block.total is not None else None,
        partitions={
            name: {code: rounded(f"{name}:{code}", n) for code, n in cells.items()}
            for name, cells in block.partitions.items()
        },
        subsets={name: rounded(name, n) for name, n in block.subsets.items()},
        draw=draw,
    )


def pinned(published: Published, base: int, within: Sequence[tuple[str, str]] = ()) -> tuple[str, ...]:
    """The counts of a published block whose true value a reader could work out exactly."""
    return tuple(name for name, (low, high) in block_ranges(published, base, within).items() if low >= high)


def block_publish(block: Block, *, base: int, secret: bytes) -> Published:
    """The rounded counts of one block, rounded again with new offsets until no count can be worked out."""
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
        into["total"] = into.get("total", 0) + block.total
    for name, cells in block.partitions.items():
        for code, n in cells.items():
            into[f"{name}:{code}"] = into.get(f"{name}:{code}", 0) + n
    for name, n in block.subsets.items():
        into[name] = into.get(name, 0) + n


def display(value: int | None) -> str:
    """The text a reader sees for one number."""
    return "" if value is None else str(value)
