"""Calendar-month steps, the one implementation every app uses.

    add_months(value, months)        a date or a datetime `months` calendar months later (or earlier)
    add_months_local(moment, months) the same for an aware moment, stepped in the local time zone

The day is clamped to the last day of a shorter month: 31 August plus 6 months is 28 February
(29 in a leap year). A datetime keeps its wall-clock time in its own time zone (10:00 stays 10:00
across a change to or from summer time); a time that summer time skips is normalised to the
instant it names. Standard library only at import (the assessment engine uses it).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import TypeVar

D = TypeVar("D", date, datetime)


def add_months(value: D, months: int) -> D:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    if not isinstance(value, datetime):
        return date(year, month, day)
    moved = value.replace(year=year, month=month, day=day)
    if moved.tzinfo is None:
        return moved
    return moved.astimezone(UTC).astimezone(moved.tzinfo)


def add_months_local(moment: datetime, months: int) -> datetime:
    """`add_months` of the moment as a local wall-clock time (settings.TIME_ZONE)."""
    from django.utils import timezone  # here, so the assessment engine imports no Django

    return add_months(timezone.localtime(moment), months)
