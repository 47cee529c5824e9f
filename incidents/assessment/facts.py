"""The facts an assessment is computed from (DOMAIN.md section 3), validated on creation."""

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime

from .codes import ALL_FEATURES, PERPETRATOR_RELATIONS, PLATFORMS, REACHES, RELATED_PHENOMENA

REPEATED_PUBLICATION_COUNT = 3
"""From this many publications an incident counts as ``repeated`` (DOMAIN.md 3.1)."""


class InvalidFacts(ValueError):
    """A fact has an unknown code, a wrong type or a bad value.

    ``field`` is the Facts field (the same name as the key in the API request), ``value``
    the offending value (for a collection, the offending element), ``message`` an English
    explanation for the API client.
    """

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(f"{field}: {message} (got {value!r})")
        self.field = field
        self.value = value
        self.message = message


@dataclass(frozen=True)
class Facts:
    """What is known about one incident.

    ``features`` may be given positionally; every other field is keyword-only.
    Collections may be given as any iterable of codes (list, tuple, set) except a plain
    string; they are stored as frozensets. Datetimes must be timezone-aware.
    """

    features: frozenset[str]
    _: KW_ONLY
    perpetrator_relation: str = "unknown"
    related_phenomena: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    reaches: frozenset[str] = frozenset()
    publication_count: int = 0
    first_published_at: datetime | None = None
    last_published_at: datetime | None = None
    absence_days: int = 0
    absence_start: date | None = None
    psychological_harm: bool = False
    discovered_at: datetime
    registered_at: datetime
    self_report: bool = False
    takedown_requested_at: datetime | None = None

    def __post_init__(self) -> None:
        self._set("features", _codes("features", self.features, ALL_FEATURES))
        if not isinstance(self.perpetrator_relation, str):
            raise InvalidFacts("perpetrator_relation", self.perpetrator_relation, "must be a string code")
        if self.perpetrator_relation not in PERPETRATOR_RELATIONS:
            raise InvalidFacts(
                "perpetrator_relation",
                self.perpetrator_relation,
                f"unknown code; expected one of {', '.join(PERPETRATOR_RELATIONS)}",
            )
        self._set(
            "related_phenomena",
            _codes("related_phenomena", self.related_phenomena, RELATED_PHENOMENA),
        )
        self._set("platforms", _codes("platforms", self.platforms, PLATFORMS))
        self._set("reaches", _codes("reaches", self.reaches, REACHES))
        _count("publication_count", self.publication_count)
        for name in ("first_published_at", "last_published_at"):
            if getattr(self, name) is not None:
                _aware(name, getattr(self, name))
        if (
            self.first_published_at is not None
            and self.last_published_at is not None
            and self.last_published_at < self.first_published_at
        ):
            raise InvalidFacts("last_published_at", self.last_published_at, "must not be before first_published_at")
        _count("absence_days", self.absence_days)
        if self.absence_start is not None and (
            not isinstance(self.absence_start, date) or isinstance(self.absence_start, datetime)
        ):
            raise InvalidFacts("absence_start", self.absence_start, "must be a date or null")
        _flag("psychological_harm", self.psychological_harm)
        _aware("discovered_at", self.discovered_at)
        _aware("registered_at", self.registered_at)
        _flag("self_report", self.self_report)
        if self.takedown_requested_at is not None:
            _aware("takedown_requested_at", self.takedown_requested_at)

    @property
    def effective_features(self) -> frozenset[str]:
        """The features, plus ``repeated`` when there are 3 or more publications."""
        if self.publication_count >= REPEATED_PUBLICATION_COUNT:
            return self.features | {"repeated"}
        return self.features

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)


def _codes(field: str, value: object, known: tuple[str, ...]) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidFacts(field, value, "must be a list of codes")
    codes = tuple(value)
    for code in codes:
        if not isinstance(code, str):
            raise InvalidFacts(field, code, "each element must be a string code")
        if code not in known:
            raise InvalidFacts(field, code, f"unknown code; expected any of {', '.join(known)}")
    return frozenset(codes)


def _count(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidFacts(field, value, "must be an integer")
    if value < 0:
        raise InvalidFacts(field, value, "must be 0 or more")


def _flag(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidFacts(field, value, "must be true or false")


def _aware(field: str, value: object) -> None:
    if not isinstance(value, datetime):
        raise InvalidFacts(field, value, "must be a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidFacts(field, value, "must include a timezone offset")
