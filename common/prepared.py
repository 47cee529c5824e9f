"""Querysets the ORM builds and compiles once, then runs again as SQL.

Django builds and compiles a queryset anew every time it runs. For the few queries of a page
that are asked again and again with the same shape, that took longer than running them
(issue 20: the manager's list). The queries stay written in the ORM; what is kept is the SQL
the ORM made of them, with its parameters:

- `IdsQuery`: a query whose only variable is a list of ids (a page's people and platforms),
  compiled once per list length with stand-in ids, and run with the real ids in their place;
- `KeptSQL`: a query kept under a key that names everything it depends on (the list as a
  manager opens it: the manager, the units they manage now and the page), at most `size`
  keys per process.

Only querysets of `values()` or `values_list()` whose columns need no conversion from the
database (`from_db_value` or the backend's converters, such as SQLite's for dates) are kept:
the rows come from the cursor as they are. Any other queryset is run by the ORM every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable, ValuesListIterable

# Incident ids, user ids and the like are positive: a negative number never means a real row.
_FIRST_STAND_IN = -1_000_000_001


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple
    names: tuple[str, ...] | None  # the dictionary keys of a values() queryset; None: tuples
    width: int  # the row's columns (the SQL may select more, for its ordering)


def _compile(queryset: QuerySet, using: str) -> _Compiled | None:
    """The queryset's SQL, parameters and row shape, or None when it cannot be run as plain SQL."""
    iterable = queryset._iterable_class
    if iterable not in (ValuesIterable, ValuesListIterable):
        return None
    query = queryset.query
    compiler = query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # `none()`, or an empty `__in`: the ORM answers without a query
        return None
    # As the compiler's results_iter reads the rows: these columns, converted when need be.
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    if compiler.get_converters(fields) or compiler.has_composite_fields(fields):
        return None
    names = None
    if iterable is ValuesIterable:
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
    return _Compiled(sql, tuple(params), names, compiler.col_count)


def _run(compiled: _Compiled, params: Sequence, using: str) -> list:
    with connections[using].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    width = compiled.width
    if compiled.names is None:
        return [row[:width] for row in rows]
    return [dict(zip(compiled.names, row[:width], strict=True)) for row in rows]


class IdsQuery:
    """`build(ids)` returns the queryset for those ids; `rows(ids)` runs it."""

    def __init__(self, build: Callable[[list[int]], QuerySet]):
        self._build = build
        self._compiled: dict[tuple[str, int], tuple[_Compiled | None, tuple[int, ...]]] = {}

    def _compile(self, alias: str, count: int) -> tuple[_Compiled | None, tuple[int, ...]]:
        stand_ins = [_FIRST_STAND_IN - index for index in range(count)]
        compiled = _compile(self._build(stand_ins), alias)
        if compiled is None:
            return None, ()
        wanted = set(stand_ins)
        slots = tuple(
            index
            for index, value in enumerate(compiled.params)
            if type(value) is int and value in wanted  # noqa: E721 - not a bool
        )
        if len(slots) % count:
            raise ValueError(f"the query uses its {count} ids an uneven number of times: {compiled.sql}")
        return compiled, slots

    def rows(self, ids: Sequence[int], *, using: str = "default") -> list:
        """The rows for `ids` (none without ids)."""
        ids = list(ids)
        if not ids:
            return []
        key = (using, len(ids))
        if key not in self._compiled:
            self._compiled[key] = self._compile(using, len(ids))
        compiled, slots = self._compiled[key]
        if compiled is None:
            return list(self._build(ids))
        params = list(compiled.params)
        for slot in slots:
            params[slot] = ids[_FIRST_STAND_IN - compiled.params[slot]]
        return _run(compiled, params, using)


class KeptSQL:
    """`rows(key, build)`: the rows of the queryset `build()` returns, built and compiled the
    first time a key is asked for and run as SQL after that. The key must name everything the
    query depends on; the oldest key goes when more than `size` are kept."""

    def __init__(self, size: int = 1000):
        self.size = size
        self._kept: OrderedDict[Hashable, _Compiled | None] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, key: Hashable, build: Callable[[], QuerySet], *, using: str = "default") -> list:
        full_key = (using, key)
        with self._lock:
            known = full_key in self._kept
            if known:
                self._kept.move_to_end(full_key)
                compiled = self._kept[full_key]
        if not known:
            queryset = build()
            compiled = _compile(queryset, using)
            with self._lock:
                self._kept[full_key] = compiled
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
            if compiled is None:
                return list(queryset)
        if compiled is None:
            return list(build())
        return _run(compiled, compiled.params, using)
