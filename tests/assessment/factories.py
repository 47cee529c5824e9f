"""Facts for the assessment tests, with fixed dates so every expected value is exact."""

from datetime import datetime
from zoneinfo import ZoneInfo

from incidents.assessment import Facts

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DISCOVERED = datetime(2026, 11, 20, 10, 0, tzinfo=COPENHAGEN)  # a Friday
REGISTERED = datetime(2026, 11, 23, 9, 0, tzinfo=COPENHAGEN)  # the Monday after


def make_facts(*features: str, **fields) -> Facts:
    fields.setdefault("discovered_at", DISCOVERED)
    fields.setdefault("registered_at", REGISTERED)
    return Facts(frozenset(features), **fields)
