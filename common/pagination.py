"""Pages of long lists whose cost does not grow with the list.

Django's `Paginator` counts every row (`COUNT(*)` over the whole selection) and the page
links were drawn by looping over every page number in the template, which at a million
incidents meant 40,000 iterations per request. `BoundedPaginator` counts at most
`count_limit` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT 1001)`): below the limit the count is
exact, above it the page says "more than 1,000" and the next page is known from one extra
row fetched with the page itself. A caller that knows a cheap part of the rows (a `sample`,
such as the ids a frequent search word's probe found) lets the count try that part first:
when it alone holds more than the limit, the long list is never read; a caller that knows the
list is longer than the limit (`known_longer`) saves the count. `page_links` gives the few page numbers to show,
computed in Python, so the template loops over at most nine items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator

ELLIPSIS = None


def page_links(number: int, num_pages: int | None, *, on_each_side: int = 2) -> list[int | None]:
    """Page numbers around `number` with the first and last page; None marks a gap.

    `num_pages` None means the last page is not known (more rows than were counted)."""
    last = num_pages if num_pages is not None else number + 1
    shown = {1, *range(max(1, number - on_each_side), min(last, number + on_each_side) + 1)}
    if num_pages is not None:
        shown.add(num_pages)
    links: list[int | None] = []
    previous = 0
    for page in sorted(shown):
        if page - previous > 1:
            links.append(ELLIPSIS)
        links.append(page)
        previous = page
    if num_pages is None:
        links.append(ELLIPSIS)
    return links


@dataclass
class BoundedPage:
    """One page of a `BoundedPaginator`, with what the pagination include needs."""

    object_list: list
    number: int
    paginator: BoundedPaginator
    has_next: bool
    links: list = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


class BoundedPaginator:
    """Offset pages of a queryset with a count bounded by `count_limit`."""

    def __init__(
        self,
        queryset,
        per_page: int,
        *,
        count_limit: int = 1000,
        sample=None,
        rows=None,
        known_longer=False,
        read: Callable[[int, int], list] | None = None,
    ):
        # The rows, or a function that returns them, called when they are first counted or read.
        self._queryset = queryset
        # What a page is read from, when not `queryset` itself (the same rows as values, say,
        # with joined columns the count does not need).
        self._rows = rows
        # `read(offset, limit)`, when the caller has a quicker way to a page's rows than
        # slicing `rows` (incidents.selectors.list_page: the list as it opens, kept as SQL).
        self._read = read
        self.per_page = per_page
        self.count_limit = count_limit
        # Rows of `queryset` that are cheap to count (a queryset of a subset of its rows), or None.
        self.sample = sample
        # The caller knows there are more rows than `count_limit` (a count a moment ago found
        # more): nothing is counted.
        self._count: int | None = count_limit + 1 if known_longer else None

    @cached_property
    def queryset(self):
        return self._queryset() if callable(self._queryset) else self._queryset

    @cached_property
    def rows(self):
        return self.queryset if self._rows is None else self._rows

    def _page_rows(self, offset: int, limit: int) -> list:
        if self._read is not None:
            return self._read(offset, limit)
        return list(self.rows[offset : offset + limit])

    def _bounded_count(self, queryset) -> int:
        return queryset.order_by()[: self.count_limit + 1].count()

    @property
    def counted(self) -> int:
        """Rows up to `count_limit` + 1 (one query, however long the list is; two when a sample
        was given and holds no more than the limit)."""
        if self._count is None:
            if self.sample is not None:
                found = self._bounded_count(self.sample)
                if found > self.count_limit:  # the sample is part of the rows: so are there more
                    self._count = found
                    return found
            self._count = self._bounded_count(self.queryset)
        return self._count

    @property
    def exact(self) -> bool:
        return self.counted <= self.count_limit

    @property
    def count(self) -> int:
        """The exact count, or `count_limit` when there are more rows."""
        return self.counted if self.exact else self.count_limit

    @property
    def num_pages(self) -> int | None:
        """Number of pages, None when more rows exist than were counted."""
        if not self.exact:
            return None
        return max(1, -(-self.counted // self.per_page))

    def get_page(self, number) -> BoundedPage:
        """The page asked for; a missing or bad number gives the first page, one past the
        end the last page (when the end is known)."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        if self.num_pages is not None:
            number = min(number, self.num_pages)
        offset = (number - 1) * self.per_page
        rows = self._page_rows(offset, self.per_page + 1)
        if not rows and number > 1:  # beyond the end of a list longer than the count limit
            return self.get_page(max(1, (self.count_limit // self.per_page)))
        has_next = len(rows) > self.per_page
        page = BoundedPage(rows[: self.per_page], number, self, has_next)
        page.links = page_links(number, self.num_pages if self.exact or has_next else number)
        return page


def page_links_of(page) -> list[int | None]:
    """Page links for a page of Django's own `Paginator` (small lists)."""
    paginator: Paginator = page.paginator
    return page_links(page.number, paginator.num_pages)
