"""The independent judge of the disclosure tests: by brute force over explicit sets of values,
every true value a reader could still believe for each count of a block, knowing every tie
between the counts (partitions add up to the total, subsets are at most the total, a subset
within another is at most that one). `stats.disclosure` itself uses interval arithmetic."""

from __future__ import annotations


def _sums(sets: list[set[int]]) -> set[int]:
    sums = {0}
    for values in sets:
        sums = {a + b for a in sums for b in values}
    return sums


def feasible(
    domains: dict[str, set[int]],
    partitions: dict[str, list[str]],
    subsets: list[str],
    within=(),
    has_total: bool = True,
) -> dict[str, set[int]]:
    """Every value of every count that fits some complete assignment of the block (brute force)."""
    top = max(max(values) for values in domains.values()) * 4 + 1
    totals = domains["total"] if has_total else set(range(top))
    found: dict[str, set[int]] = {name: set() for name in domains}
    inner = {a for a, _b in within}
    reach = {name: _sums([domains[c] for c in cells]) for name, cells in partitions.items()}
    others = {cell: _sums([domains[c] for c in cells if c != cell]) for cells in partitions.values() for cell in cells}
    for n in sorted(totals):
        # Every partition must reach n; a subset (and its inner subsets) must fit below n.
        if any(n not in sums for sums in reach.values()):
            continue
        subset_values: dict[str, set[int]] = {}
        ok = True
        for outer in subsets:
            if outer in inner:
                continue
            inners = [a for a, b in within if b == outer]
            fits = {v for v in domains[outer] if v <= n and all(min(domains[a]) <= v for a in inners)}
            if not fits:
                ok = False
                break
            subset_values[outer] = fits
            for a in inners:
                subset_values[a] = {w for w in domains[a] if w <= max(fits)}
        if not ok:
            continue
        if "total" in domains:
            found["total"].add(n)
        for cells in partitions.values():
            for cell in cells:
                found[cell].update(v for v in domains[cell] if n - v in others[cell])
        for name, values in subset_values.items():
            found[name].update(values)
    return {name: values for name, values in found.items() if name in domains}
