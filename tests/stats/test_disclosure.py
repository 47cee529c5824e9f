"""The disclosure control on its own (stats.disclosure): rounding and the check of a block,
with properties over random blocks.

The properties are checked with an independent judge (`feasible`): it lists, by brute force
over explicit sets of values, every true value a reader could still believe for each count of
a published block (and of two versions of a block, before and after one more incident),
knowing the method and every tie between the counts. The module's own check works with
interval arithmetic; the judge does not.
"""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stats.disclosure import (
    Block,
    Published,
    block_publish,
    block_ranges,
    cell_offset,
    published_range,
    round_to_base,
)

from .judge import feasible

SECRET = b"test secret for the rounding offsets"


# --- The judge -------------------------------------------------------------------------------


def _names(published: Published) -> list[str]:
    names = ["total"] if published.total is not None else []
    names += [f"{name}:{code}" for name, cells in published.partitions.items() for code in cells]
    return names + list(published.subsets)


def _values(published: Published) -> dict[str, int]:
    values = {"total": published.total} if published.total is not None else {}
    values.update({f"{name}:{code}": v for name, cells in published.partitions.items() for code, v in cells.items()})
    values.update(published.subsets)
    return values


def one_version(published: Published, base: int) -> dict[str, set[int]]:
    domains = {}
    for name, value in _values(published).items():
        low, high = published_range(value, base)
        domains[name] = set(range(low, high + 1))
    return domains


def two_versions(before: Published, after: Published, change: dict[str, int], base: int) -> dict[str, set[int]]:
    """The counts before, as a reader sees them who has both versions and knows the change exactly.

    With the same draw every cell kept its offset o: the true x satisfies both
    x + o ∈ [p, p + base − 1] and x + change + o ∈ [p', p' + base − 1] for one o."""
    first, second = _values(before), _values(after)
    domains = {}
    for name, p in first.items():
        q, e = second[name], change.get(name, 0)
        if before.draw == after.draw:
            domains[name] = {
                x
                for x in range(0, p + base)
                for o in range(base)
                if p <= x + o <= p + base - 1 and q <= x + e + o <= q + base - 1
            }
        else:
            low, high = published_range(p, base)
            low2, high2 = published_range(q, base)
            domains[name] = {x for x in range(low, high + 1) if low2 <= x + e <= high2}
    return domains


# --- Random blocks --------------------------------------------------------------------------

CODES = {"level": ("1", "2", "3", "4"), "status": ("a", "b", "c"), "relation": ("x", "y")}
SUBSETS = ("facebook", "with_action", "police")
WITHIN = (("police", "with_action"),)


@st.composite
def incidents(draw, max_size=14):
    """A block as its incidents: a code per partition each, and which subsets they are in."""
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "level": st.sampled_from(CODES["level"]),
                    "status": st.sampled_from(CODES["status"]),
                    "relation": st.sampled_from(CODES["relation"]),
                    "facebook": st.booleans(),
                    "action": st.booleans(),
                    "police": st.booleans(),
                }
            ),
            max_size=max_size,
        )
    )


def block_of(items, identity="incident|2026-03|7") -> Block:
    partitions = {name: dict.fromkeys(codes, 0) for name, codes in CODES.items()}
    subsets = dict.fromkeys(SUBSETS, 0)
    for item in items:
        for name in CODES:
            partitions[name][item[name]] += 1
        subsets["facebook"] += item["facebook"]
        subsets["with_action"] += item["action"] or item["police"]
        subsets["police"] += item["police"]
    return Block(identity=identity, total=len(items), partitions=partitions, subsets=subsets, within=WITHIN)


def exact_of(block: Block) -> dict[str, int]:
    values = {"total": block.total}
    values.update({f"{name}:{code}": n for name, cells in block.partitions.items() for code, n in cells.items()})
    values.update(block.subsets)
    return values


def partition_names(block: Block) -> dict[str, list[str]]:
    return {name: [f"{name}:{code}" for code in cells] for name, cells in block.partitions.items()}


# --- Examples -----------------------------------------------------------------------------


def test_rounding_to_base():
    assert [round_to_base(n, 5, 0) for n in (0, 1, 4, 5, 9, 10)] == [0, 0, 0, 5, 5, 10]
    assert [round_to_base(n, 5, 4) for n in (0, 1, 4, 5, 6)] == [0, 5, 5, 5, 10]
    assert {round_to_base(0, 5, o) for o in range(5)} == {0}
    assert {round_to_base(10, 5, o) for o in range(5)} == {10}  # a multiple of k is shown as it is
    with pytest.raises(ValueError):
        round_to_base(-1, 5, 0)
    with pytest.raises(ValueError):
        round_to_base(3, 5, 5)


def test_published_range():
    assert published_range(0, 5) == (0, 4)
    assert published_range(5, 5) == (1, 9)
    assert published_range(20, 3) == (18, 22)


def test_a_pinned_block_is_rounded_again():
    # k = 3, two incidents with different statuses: total 2 shown as 0 (≤ 2) with both statuses
    # shown as 3 (≥ 1 each) would pin the total to 2; the check finds it.
    published = Published(total=0, partitions={"status": {"a": 3, "b": 3}}, subsets={})
    assert block_ranges(published, 3)["total"] == (2, 2)
    items = [
        {"level": "1", "status": "a", "relation": "x", "facebook": False, "action": False, "police": False},
        {"level": "1", "status": "b", "relation": "x", "facebook": False, "action": False, "police": False},
    ]
    for n in range(40):
        result = block_publish(block_of(items, identity=f"incident|2026-0{n % 9 + 1}|{n}"), base=3, secret=SECRET)
        assert not result.pinned
        assert all(len(values) > 1 for values in one_version(result, 3).values())


def test_offsets_are_fixed_per_cell_and_spread():
    offsets = [cell_offset(f"incident|2026-03|{unit}", "status:closed", 0, 5, SECRET) for unit in range(500)]
    assert offsets == [cell_offset(f"incident|2026-03|{unit}", "status:closed", 0, 5, SECRET) for unit in range(500)]
    assert all(offsets.count(o) > 60 for o in range(5))  # about 100 each
    assert cell_offset("incident|2026-03|1", "total", 0, 5, b"another secret") in range(5)


# --- Properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=incidents(), k=st.integers(3, 6), unit=st.integers(1, 10**6))
def test_one_published_block_never_gives_a_count_away(items, k, unit):
    block = block_of(items, identity=f"incident|2026-03|{unit}")
    published = block_publish(block, base=k, secret=SECRET)
    assert not published.pinned
    exact = exact_of(block)
    for name, value in _values(published).items():
        assert value % k == 0 and abs(value - exact[name]) < k, name
    judged = feasible(one_version(published, k), partition_names(block), list(SUBSETS), WITHIN)
    for name, values in judged.items():
        assert exact[name] in values, name  # the judge is sound: the truth is always possible
        assert len(values) >= 2, (name, values)  # … and never the only possibility
    # The module's interval check sees exactly the judge's lowest and highest values.
    ranges = block_ranges(published, k, WITHIN)
    for name, values in judged.items():
        assert ranges[name] == (min(values), max(values)), name
    assert block_publish(block, base=k, secret=SECRET) == published  # the same block, the same figures


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=incidents(max_size=12),
    extra=incidents(max_size=1).filter(bool),
    k=st.integers(3, 6),
    unit=st.integers(1, 10**6),
)
def test_one_more_incident_leaves_every_count_k_possible_values(items, extra, k, unit):
    """A reader who sees a block before and after one more incident, and knows exactly which codes
    the new one has, still has several possible values for each count on its own (the offset of the
    cell stays the same and is unknown); the truth is always among them. (Combined with the other
    counts of the block the range can shrink further; see the module's "does not claim".)"""
    identity = f"incident|2026-03|{unit}"
    before_block, after_block = block_of(items, identity), block_of(items + extra, identity)
    before = block_publish(before_block, base=k, secret=SECRET)
    after = block_publish(after_block, base=k, secret=SECRET)
    exact_before, exact_after = exact_of(before_block), exact_of(after_block)
    change = {name: exact_after[name] - exact_before[name] for name in exact_before}
    domains = two_versions(before, after, change, k)
    for name, values in domains.items():
        assert exact_before[name] in values, name
        if before.draw == after.draw:
            # k values, or at least two for a count near 0.
            assert len(values) >= 2, (name, values)
    judged = feasible(domains, partition_names(before_block), list(SUBSETS), WITHIN)
    assert all(exact_before[name] in values for name, values in judged.items())


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), k=st.integers(3, 8))
def test_rounding_is_unbiased_over_the_offsets(n, k):
    rounded = [round_to_base(n, k, o) for o in range(k)]
    assert sum(rounded) == n * k
    assert all(value % k == 0 and abs(value - n) < k for value in rounded)


def test_every_combination_of_a_tiny_block_is_protected():
    """Exhaustively: every block of up to 4 incidents with k = 3 (two statuses, one level)."""
    options = list(product(("a", "b"), (False, True)))
    for size in range(5):
        for combo in product(options, repeat=size):
            items = [
                {"level": "1", "status": s, "relation": "x", "facebook": f, "action": False, "police": False}
                for s, f in combo
            ]
            block = block_of(items, identity=f"incident|2026-01|{size}")
            published = block_publish(block, base=3, secret=SECRET)
            judged = feasible(one_version(published, 3), partition_names(block), list(SUBSETS), WITHIN)
            assert all(len(values) >= 2 for values in judged.values()), (combo, published)
