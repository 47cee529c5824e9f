"""Which units one request for statistics covers, and how exactly.

The access policy (`accounts.permissions.statistics_units`) gives the units a user may see
statistics for: managers their units exactly, union reps theirs anonymised. A filter may
narrow that to one unit and the units below it. The figures are exact only when the user
manages every unit asked for (`sees_exact_statistics`); otherwise the disclosure control
applies, and then a unit with fewer than k employees is *folded* into the unit above it:
its incidents are counted there, it is not offered as a filter, and it has no row of its
own. "Employees" are the active users with a caseworker membership in the unit; a folded
unit adds its employees to the unit it is folded into, so a chain of small teams can add
up to a department that stands on its own. The top of a user's scope is never folded
(there is nothing above it the user may see); instead, when the top's own employees (with
its folded units) are fewer than k, its smallest sub-units are folded into it until they
are k or more. So any two units a union rep can choose differ by whole rows of at least k
employees each (issue 22): "all my units" minus the units below the top is never a handful
of colleagues at the top.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from accounts import permissions
from accounts.models import Membership, Role, Unit
from accounts.tree import UnitTree


@dataclass(frozen=True)
class ReportingUnit:
    """One row of the table by unit: a unit with the small units folded into it."""

    id: int
    name: str
    depth: int
    folded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    unit_ids: frozenset[int]
    exact: bool
    k: int
    rows: tuple[ReportingUnit, ...]
    row_of_unit: dict[int, int] = field(hash=False, compare=False)
    selected_unit_id: int | None = None
    # {unit: its active caseworkers} of `unit_ids` (read with the tree, for the share of employees targeted)
    caseworkers: dict[int, frozenset[int]] = field(default_factory=dict, hash=False, compare=False)


class StatisticsUnits:
    """The user's statistics units with the organisation tree, employees and k (2 queries)."""

    def __init__(self, user) -> None:
        self.user = user
        self.allowed = permissions.statistics_units(user)
        self.managed = permissions.units_for(user, Role.MANAGER)
        self.names: dict[int, str] = {}
        self.tree = UnitTree()
        self.parent = self.tree.parent
        self.children = self.tree.children
        self.threshold: dict[int, int] = {}
        self.lag: dict[int, int] = {}
        self.employees: dict[int, int] = {}
        self.caseworkers: dict[int, frozenset[int]] = {}
        if not self.allowed:
            return
        organisations = Unit.objects.filter(pk__in=self.allowed).order_by().values("organisation_id")
        for unit_id, parent_id, name, threshold, lag in (
            Unit.objects.filter(organisation_id__in=organisations)
            .order_by("name", "id")
            .values_list(
                "id", "parent_id", "name", "organisation__statistics_threshold", "organisation__statistics_lag_months"
            )
        ):
            self.lag[unit_id] = lag
            self.names[unit_id] = name
            self.tree.add(unit_id, parent_id)
            self.threshold[unit_id] = threshold
        caseworkers: dict[int, set[int]] = defaultdict(set)
        for unit_id, user_id in Membership.objects.filter(
            role=Role.CASEWORKER, unit_id__in=self.allowed, user__is_active=True
        ).values_list("unit_id", "user_id"):
            caseworkers[unit_id].add(user_id)
        self.caseworkers = {unit_id: frozenset(users) for unit_id, users in caseworkers.items()}
        self.employees = {unit_id: len(users) for unit_id, users in self.caseworkers.items()}

    # -- the tree -------------------------------------------------------------------------

    def roots(self, ids: frozenset[int]) -> list[int]:
        return sorted((u for u in ids if self.parent.get(u) not in ids), key=self._sort_key)

    def _sort_key(self, unit_id: int):
        return (self.names.get(unit_id, ""), unit_id)

    def _preorder(self, ids: frozenset[int]) -> list[tuple[int, int]]:
        """(unit, depth) of `ids`, parents before children, siblings by name."""
        ordered: list[tuple[int, int]] = []
        stack = [(root, 0) for root in reversed(self.roots(ids))]
        while stack:
            unit_id, depth = stack.pop()
            ordered.append((unit_id, depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(unit_id, ())) if child in ids)
        return ordered

    def subtree(self, unit_id: int) -> frozenset[int]:
        return self.tree.descendants([unit_id]) & self.allowed

    def k_for(self, ids: frozenset[int]) -> int:
        return max((self.threshold[u] for u in ids if u in self.threshold), default=5)

    def lag_for(self, ids: frozenset[int] | None = None) -> int:
        """Closed months between the current month and the last one published to a union rep (≥ 1)."""
        ids = self.allowed if ids is None else ids
        return max([self.lag[u] for u in ids if u in self.lag] + [1])

    # -- folding ----------------------------------------------------------------------------

    def small_units(self, ids: frozenset[int], k: int) -> frozenset[int]:
        """Units of `ids` below a root of `ids` whose employees (with their folded units) are fewer than k."""
        roots = set(self.roots(ids))
        effective: dict[int, int] = {}
        small: set[int] = set()
        for unit_id, _depth in reversed(self._preorder(ids)):  # children before parents
            effective[unit_id] = self.employees.get(unit_id, 0) + sum(
                effective[child] for child in self.children.get(unit_id, ()) if child in small
            )
            if effective[unit_id] < k and unit_id not in roots:
                small.add(unit_id)
        for root in roots:  # a small top takes in its smallest sub-units until it has k employees
            for child in sorted(
                (c for c in self.children.get(root, ()) if c in ids and c not in small),
                key=lambda c: (effective[c], self._sort_key(c)),
            ):
                if effective[root] >= k:
                    break
                small.add(child)
                effective[root] += effective[child]
        return frozenset(small)

    # -- what the filter offers and what a selection covers -------------------------------------

    def choices(self) -> list[tuple[int, str]]:
        """Units the user may pick: every unit shown exactly; no folded unit otherwise."""
        if not self.allowed:
            return []
        hidden = self.small_units(self.allowed, self.k_for(self.allowed)) - self.managed
        return [
            (unit_id, "– " * depth + self.names[unit_id])
            for unit_id, depth in self._preorder(self.allowed)
            if unit_id not in hidden
        ]

    def scope(self, unit_id: int | None = None) -> Scope:
        ids = self.subtree(unit_id) if unit_id is not None else self.allowed
        exact = permissions.sees_exact_statistics(self.user, ids)
        k = self.k_for(ids)
        small = frozenset() if exact else self.small_units(ids, k)
        row_of_unit: dict[int, int] = {}
        folded: dict[int, list[str]] = defaultdict(list)
        rows_order: list[tuple[int, int]] = []
        for unit, depth in self._preorder(ids):
            if unit in small:
                row = row_of_unit[self.parent[unit]]
                folded[row].append(self.names[unit])
            else:
                row = unit
                rows_order.append((unit, depth))
            row_of_unit[unit] = row
        rows = tuple(ReportingUnit(u, self.names[u], depth, tuple(folded[u])) for u, depth in rows_order)
        return Scope(
            unit_ids=ids,
            exact=exact,
            k=k,
            rows=rows,
            row_of_unit=row_of_unit,
            selected_unit_id=unit_id,
            caseworkers={u: users for u, users in self.caseworkers.items() if u in ids},
        )


def unit_as_statistics_show_it(user, unit):
    """The unit the user's statistics count an incident of `unit` under: the unit itself, or
    the unit a small one is folded into (the same disclosure rules as the statistics); None
    when the user's statistics do not cover it. Registered for incidents.notify (stats.apps)."""
    scope = StatisticsUnits(user).scope()
    row = scope.row_of_unit.get(unit.pk)
    return next((r for r in scope.rows if r.id == row), None) if row is not None else None
