"""Entries of the shared cache that go stale together: each is stored with the generation
number it was built under, and moving the number on makes every entry under it stale at once
(one `get_many` reads an entry and the number; nothing is deleted).

    cached(key, generation_key, build, timeout)   the entry, built with build() when missing or stale
    move_on(generation_key)                       every entry under that number is stale

Used by the access policy's per-user entry (accounts/access_cache.py) and the list's filter
choices (incidents/list_choices.py). When the cache is down (the fail-open Redis backend
answers like an empty cache) every call builds the entry again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache


def cached(key: str, generation_key: str, build: Callable[[], dict], timeout: int) -> dict:
    found = cache.get_many([key, generation_key])
    generation = found.get(generation_key, 0)
    value = found.get(key)
    if value is not None and value.get("generation") == generation:
        return value
    value = {**build(), "generation": generation}
    cache.set(key, value, timeout)
    return value


def move_on(generation_key: str) -> None:
    try:
        cache.incr(generation_key)
    except ValueError:  # not there yet (a plain cache answers so for a missing key)
        cache.set(generation_key, 1, None)
