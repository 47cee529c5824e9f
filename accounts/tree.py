"""The unit tree of one or more organisations, loaded once and walked in memory.

    UnitTree.of_organisations(ids)   every unit of these organisations (one query)
    UnitTree.of_units(units)         the tree of units already loaded (each with pk and parent_id)
    UnitTree(pairs)                  from (unit id, parent id) pairs

    tree.descendants(ids)      the units given and every unit below them
    tree.ancestors(id)         the unit and every unit above it, nearest first
    tree.with_ancestors(ids)   the units given and every unit above them

Every walk of the tree in the project goes through here. A walk never loops, even on a cycle
(Unit.clean refuses those, but a walk does not trust it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


class UnitTree:
    def __init__(self, pairs: Iterable[tuple[int, int | None]] = ()) -> None:
        self.parent: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for unit_id, parent_id in pairs:
            self.add(unit_id, parent_id)

    @classmethod
    def of_organisations(cls, organisation_ids: Iterable[int]) -> UnitTree:
        from .models import Unit

        return cls(Unit.objects.filter(organisation_id__in=list(organisation_ids)).values_list("id", "parent_id"))

    @classmethod
    def of_units(cls, units: Iterable) -> UnitTree:
        return cls((unit.pk, unit.parent_id) for unit in units)

    def add(self, unit_id: int, parent_id: int | None) -> None:
        self.parent[unit_id] = parent_id
        self.children[parent_id].append(unit_id)

    def descendants(self, unit_ids: Iterable[int]) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(unit_ids)
        while stack:
            unit_id = stack.pop()
            if unit_id in seen:
                continue
            seen.add(unit_id)
            stack.extend(self.children.get(unit_id, ()))
        return frozenset(seen)

    def ancestors(self, unit_id: int | None) -> list[int]:
        found: list[int] = []
        seen: set[int] = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            found.append(unit_id)
            unit_id = self.parent.get(unit_id)
        return found

    def with_ancestors(self, unit_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for unit_id in unit_ids:
            found.update(self.ancestors(unit_id))
        return found
