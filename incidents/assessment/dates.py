"""Date arithmetic for the deadlines of DOMAIN.md 4.4.

Every function works in the timezone of the datetime it is given and returns a datetime
in that same timezone. Day and month steps are wall-clock steps (10:00 stays 10:00 across
a change to or from summer time); hour steps are exact elapsed hours.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from common.dates import add_months as _add_months

END_OF_DAY = time(23, 59, 59)
"""The time a deadline "by the end of the day" falls due."""

_SATURDAY = 5


def add_working_days(start: datetime, days: int) -> datetime:
    """Return the moment ``days`` working days after ``start`` (DOMAIN.md 4.4).

    Working days are Monday to Friday in the local calendar of ``start``'s timezone.

    - Started on a working day, the due time keeps the time of day: Friday 10:00 plus
      2 working days is Tuesday 10:00.
    - Started on a Saturday or Sunday, the clock starts on Monday morning, so Monday is
      the first of the working days and the due time is the end of the last one
      (23:59:59): Saturday or Sunday plus 2 working days is Tuesday 23:59:59.
    - ``days == 0`` returns ``start`` unchanged.

    Danish public holidays (helligdage) are deliberately not skipped: the rule in
    DOMAIN.md says Mon–Fri, a holiday only makes a deadline earlier (never missed), and
    the calendar would need yearly upkeep. An organisation that wants holidays can add
    them here without changing any caller.
    """
    _require_aware("start", start)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"days must be an integer of 0 or more, got {days!r}")
    if days == 0:
        return start
    day = start.date()
    if day.weekday() >= _SATURDAY:
        while day.weekday() >= _SATURDAY:
            day += timedelta(days=1)
        return end_of_day(_step_working_days(day, days - 1), start.tzinfo)
    return _at(_step_working_days(day, days), start.time(), start.tzinfo)


def add_hours(start: datetime, hours: int) -> datetime:
    """Return ``start`` plus exactly ``hours`` elapsed hours, in ``start``'s timezone."""
    _require_aware("start", start)
    later = start.astimezone(UTC) + timedelta(hours=hours)
    return later.astimezone(start.tzinfo)


def add_days(start: datetime, days: int) -> datetime:
    """Return ``start`` plus ``days`` calendar days at the same local time of day."""
    _require_aware("start", start)
    return _at(start.date() + timedelta(days=days), start.time(), start.tzinfo)


def add_months(start: datetime, months: int) -> datetime:
    """Return ``start`` plus ``months`` calendar months at the same local time of day.

    When the target month is shorter, the day is clamped to its last day:
    31 August plus 6 months is 28 February (29 February in a leap year).
    """
    _require_aware("start", start)
    return _add_months(start, months)


def end_of_day(day: date, tz: tzinfo | None) -> datetime:
    """Return 23:59:59 on ``day`` in timezone ``tz``."""
    return _at(day, END_OF_DAY, tz)


def _step_working_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY:
            count -= 1
    return day


def _at(day: date, clock: time, tz: tzinfo | None) -> datetime:
    """Combine a local date and time in ``tz``, normalising times skipped by summer time."""
    local = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz)


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
