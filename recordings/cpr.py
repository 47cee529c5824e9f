"""Refuse free text that looks like a Danish CPR number.

A recording request needs no personal number, so none may be stored. A CPR number is
DDMMYY-SSSS: a date of birth and a four-digit serial, written with or without a hyphen
or a space. We look for exactly ten digits (six, an optional separator, four) that are not
part of a longer run of digits, and count them only when the first six make a real date.
The century comes from the first serial digit (CPR-kontoret's table), so 29 February is
accepted only in leap years. The modulus-11 check is not used: numbers issued since 2007
need not pass it.

Near misses that pass: telephone numbers ("12 34 56 78"), dates ("12-05-2024"),
impossible dates ("320199-1234"), runs of 9 or 11 digits, references ("UDH-2026-0042").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Hyphen, space, en dash, non-breaking hyphen and no-break space (text pasted from Word).
_SEPARATORS = "- \u2013\u2011\u00a0"
_CPR_RE = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{2}})(?P<month>[0-9]{{2}})(?P<year>[0-9]{{2}})"
    rf"[{_SEPARATORS}]?(?P<serial>[0-9]{{4}})(?![0-9])"
)

MESSAGE = _(
    "Feltet ser ud til at indeholde et CPR-nummer. CPR-numre må ikke registreres her, så vi har "
    "fjernet nummeret og ikke gemt noget. Tjek teksten og gem igen."
)
MASK = "[CPR-nummer fjernet]"


def _century(year: int, first_serial_digit: int) -> int:
    """The full year of birth from the two-digit year and the first serial digit."""
    if first_serial_digit <= 3:
        return 1900 + year
    if first_serial_digit in (4, 9):
        return (2000 if year <= 36 else 1900) + year
    # 5–8
    return (2000 if year <= 57 else 1800) + year


def _is_date(day: int, month: int, year: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year, month)[1]


def _matches(text: str) -> Iterable[re.Match]:
    for match in _CPR_RE.finditer(text or ""):
        day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
        if _is_date(day, month, _century(year, int(match["serial"][0]))):
            yield match


def contains_cpr(text: str) -> bool:
    """Whether the text holds something that looks like a CPR number."""
    return next(iter(_matches(text)), None) is not None


def mask_cpr(text: str) -> str:
    """The text with every CPR-like number replaced by a marker; the rest kept as typed."""
    result, last = [], 0
    for match in _matches(text):
        result.append(text[last : match.start()])
        result.append(MASK)
        last = match.end()
    result.append(text[last:])
    return "".join(result)


def validate_no_cpr(value: str) -> None:
    """Model and form validator: refuse text that contains a CPR-like number."""
    if contains_cpr(value):
        raise ValidationError(MESSAGE, code="cpr")
