"""The assessment's output (DOMAIN.md 4 and the JSON contract of section 9).

``Assessment.to_dict()`` is what an incident stores (``Incident.assessment``);
``Assessment.from_dict(stored)`` reads it back, typed, for every consumer. The reader is
forgiving: a key an older rules version did not write gets its default, an item that is
not an object is left out, a deadline whose ``due`` cannot be read is left out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _codes(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _items(data: Mapping, key: str) -> list[Mapping]:
    value = data.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class Item:
    """One recommended action (4.3).

    ``reason`` names the facts that fired the rule; ``triggers`` holds their codes.
    ``anchor`` is the slug of the knowledge-base section the item links to (see
    ``texts.ANCHORS``).
    """

    code: str
    title: str
    reason: str
    source: str
    anchor: str = ""
    triggers: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> "Item":
        return cls(
            code=_text(data, "code"),
            title=_text(data, "title"),
            reason=_text(data, "reason"),
            source=_text(data, "source"),
            anchor=_text(data, "anchor"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON item: code, title, reason, source, plus the knowledge-base anchor."""
        return {
            "code": self.code,
            "title": self.title,
            "reason": self.reason,
            "source": self.source,
            "anchor": self.anchor,
        }


@dataclass(frozen=True)
class LegalReference:
    """One legal reference (4.2): may be relevant, never a verdict.

    ``prosecution`` is ``public``, ``request`` or ``private`` for the criminal provisions
    and None for the data-protection ones (Datatilsynet; the employer's own breach).
    ``victim`` lists who is the forurettede (``employee``, ``family``, ``third_party``,
    ``everyone_recorded``). ``summary`` is the neutral text outside recipients may read;
    ``guidance`` is for the manager only and never printed in external documents.
    """

    code: str
    title: str
    summary: str
    guidance: str
    prosecution: str | None
    victim: tuple[str, ...]
    reason: str
    source: str
    anchor: str = ""
    triggers: tuple[str, ...] = ()
    # False when read from a stored item without the key (older rules versions): the reader
    # then works the prosecution out itself (reports.legal).
    prosecution_stored: bool = True

    @classmethod
    def from_dict(cls, data: Mapping) -> "LegalReference":
        prosecution = data.get("prosecution")
        return cls(
            code=_text(data, "code"),
            title=_text(data, "title"),
            summary=_text(data, "summary"),
            guidance=_text(data, "guidance") or _text(data, "note"),  # `note` before 2026.1
            prosecution=prosecution if isinstance(prosecution, str) else None,
            victim=_codes(data.get("victim")),
            reason=_text(data, "reason"),
            source=_text(data, "source"),
            anchor=_text(data, "anchor"),
            prosecution_stored="prosecution" in data,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "summary": self.summary,
            "guidance": self.guidance,
            "prosecution": self.prosecution,
            "victim": list(self.victim),
            "reason": self.reason,
            "source": self.source,
            "anchor": self.anchor,
        }


@dataclass(frozen=True)
class Severity:
    """The computed level (4.1); ``reasons`` are the feature codes that set it."""

    level: int
    code: str
    label: str
    reasons: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: Any) -> "Severity":
        """`level` 0 when nothing was stored."""
        data = data if isinstance(data, Mapping) else {}
        level = data.get("level")
        return cls(
            level=level if isinstance(level, int) and not isinstance(level, bool) else 0,
            code=_text(data, "code"),
            label=_text(data, "label"),
            reasons=_codes(data.get("reasons")),
        )

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

    @classmethod
    def from_dict(cls, data: Mapping) -> "Deadline | None":
        """None when `due` is not an ISO 8601 moment."""
        try:
            due = datetime.fromisoformat(data["due"])
        except (KeyError, TypeError, ValueError):
            return None
        return cls(
            code=_text(data, "code"),
            title=_text(data, "title"),
            due=due,
            reason=_text(data, "reason"),
            source=_text(data, "source"),
        )

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
    scope: str
    severity: Severity
    legal_references: tuple[LegalReference, ...]
    actions: tuple[Item, ...]
    deadlines: tuple[Deadline, ...]

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "Assessment":
        """The stored assessment (``Incident.assessment``), typed; an empty one for None or {}."""
        data = data if isinstance(data, Mapping) else {}
        deadlines = []
        for item in _items(data, "deadlines"):
            deadline = Deadline.from_dict(item)
            if deadline is not None:
                deadlines.append(deadline)
        return cls(
            rules_version=_text(data, "rules_version"),
            scope=_text(data, "scope"),
            severity=Severity.from_dict(data.get("severity")),
            legal_references=tuple(LegalReference.from_dict(item) for item in _items(data, "legal_references")),
            actions=tuple(Item.from_dict(item) for item in _items(data, "actions")),
            deadlines=tuple(deadlines),
        )

    def deadline(self, code: str) -> "Deadline | None":
        return next((d for d in self.deadlines if d.code == code), None)

    @property
    def action_codes(self) -> set[str]:
        return {item.code for item in self.actions}

    def to_dict(self) -> dict[str, Any]:
        """The response body of ``POST /api/v1/assessment/preview/`` (DOMAIN.md 9).

        Shape::

            {"rules_version": "2026.2",
             "scope": "udhaengning" | "case_complaint",
             "severity": {"level", "code", "label", "reasons": [feature codes]},
             "legal_references": [{"code", "title", "summary", "guidance", "prosecution",
                                   "victim": [codes], "reason", "source", "anchor"}],
             "actions": [{"code", "title", "reason", "source", "anchor"}],
             "deadlines": [{"code", "title", "due", "reason", "source"}]}

        Beyond the keys shown in DOMAIN.md 9, items carry ``anchor`` (the knowledge-base
        section; empty when there is none) and deadlines carry ``title``. ``prosecution``
        is null for ``gdpr`` and ``gdpr_breach``. ``due`` is ISO 8601 with seconds and the
        UTC offset, e.g. ``2026-12-05T09:00:00+01:00``.
        """
        return {
            "rules_version": self.rules_version,
            "scope": self.scope,
            "severity": self.severity.to_dict(),
            "legal_references": [item.to_dict() for item in self.legal_references],
            "actions": [item.to_dict() for item in self.actions],
            "deadlines": [deadline.to_dict() for deadline in self.deadlines],
        }
