"""Values every page reads of the signed-in user, loaded with the user in one query.

Django's session authentication loads the user with one query per request. A value that every
page shows (the unread badge of the top bar) would cost a second one. An app registers such a
value here as an annotation of the user row (an expression, a scalar subquery say), and the
sign-in backend (accounts/sso/backends.py) adds every registered annotation to the query that
loads the user. The value is as of the start of the request: code that changes it in the
request drops it (`forget`), and a reader falls back to its own query when the attribute is
not there (a user loaded any other way).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.db.models import Expression

_ANNOTATIONS: dict[str, Callable[[], Expression]] = {}


def register(name: str, expression: Callable[[], Expression]) -> None:
    """Load `name` with the signed-in user, as the annotation `expression()` builds."""
    _ANNOTATIONS[name] = expression


def annotations() -> dict[str, Expression]:
    return {name: build() for name, build in _ANNOTATIONS.items()}


def forget(user, name: str) -> None:
    """Drop a loaded value that the request has changed, so its reader asks again."""
    with contextlib.suppress(AttributeError):
        delattr(user, name)
