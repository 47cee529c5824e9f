"""The assessment's output (DOMAIN.md 4 and the JSON contract of section 9)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Item:
    """One legal reference (4.2) or recommended action (4.3).

    ``reason`` names, in Danish, the facts that fired the rule; ``triggers`` holds their
    codes. ``note`` carries what the UI and reports must say with a legal reference (who
    prosecutes, the Datatilsynet caveat, the 6-month rule); ``anchor`` is the slug of the
    knowledge-base section the item links to (see ``texts.ANCHORS``).
    """

    code: str
    title: str
    reason: str
    source: str
    note: str = ""
    anchor: str = ""
    triggers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, str]:
        """The JSON item: code, title, reason, source, plus the documented note and anchor."""
        return {
            "code": self.code,
            "title": self.title,
            "reason": self.reason,
            "source": self.source,
            "note": self.note,
            "anchor": self.anchor,
        }


@dataclass(frozen=True)
class Severity:
    """The computed level (4.1); ``reasons`` are the feature codes that set it."""

    level: int
    code: str
    label: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "label": self.label,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Deadline:
    """One deadline (4.4); ``due`` is timezone-aware."""

    code: str
    title: str
    due: datetime
    reason: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """The JSON item: code, title, due (ISO 8601 with offset), reason, source."""
        return {
            "code": self.code,
            "title": self.title,
            "due": self.due.isoformat(timespec="seconds"),
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True)
class Assessment:
    """The whole assessment of one set of facts."""

    rules_version: str
    severity: Severity
    legal_references: tuple[Item, ...]
    actions: tuple[Item, ...]
    deadlines: tuple[Deadline, ...]

    def to_dict(self) -> dict[str, Any]:
        """The response body of ``POST /api/v1/assessment/preview/`` (DOMAIN.md 9).

        Shape::

            {"rules_version": "2026.1",
             "severity": {"level", "code", "label", "reasons": [feature codes]},
             "legal_references": [{"code", "title", "reason", "source", "note", "anchor"}],
             "actions": [{"code", "title", "reason", "source", "note", "anchor"}],
             "deadlines": [{"code", "title", "due", "reason", "source"}]}

        Beyond the keys shown in DOMAIN.md 9, items carry ``note`` and ``anchor`` (empty
        strings when there is none) and deadlines carry ``title`` and ``source``. ``due``
        is ISO 8601 with seconds and the UTC offset, e.g. ``2026-12-05T09:00:00+01:00``.
        """
        return {
            "rules_version": self.rules_version,
            "severity": self.severity.to_dict(),
            "legal_references": [item.to_dict() for item in self.legal_references],
            "actions": [item.to_dict() for item in self.actions],
            "deadlines": [deadline.to_dict() for deadline in self.deadlines],
        }
