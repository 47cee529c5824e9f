"""The assessment's output (DOMAIN.md 4 and the JSON contract of section 9)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
    scope: str
    severity: Severity
    legal_references: tuple[LegalReference, ...]
    actions: tuple[Item, ...]
    deadlines: tuple[Deadline, ...]

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
