"""A small predicate language for the rule tables in ``rules.py``.

A condition looks at the facts (through a ``Context``) and either does not fire
(returns ``None``) or fires with the ``Hit``s that made it fire: the code of each fact
and the Danish words the reason text uses for it. Conditions that only restrict
(``lacks``, ``no_hostile_content``) fire with no hits of their own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .codes import (
    FEATURE_LABELS,
    HOSTILE_FEATURES,
    LEVEL_LABELS,
    PERPETRATOR_RELATION_LABELS,
    PLATFORM_LABELS,
    PLATFORMS,
    RELATED_PHENOMENA_LABELS,
)
from .facts import Facts


@dataclass(frozen=True)
class Hit:
    """One fact that made a condition fire. ``code`` is None for derived facts."""

    code: str | None
    text: str


@dataclass(frozen=True)
class Context:
    """The facts plus what earlier steps of the assessment computed."""

    facts: Facts
    features: frozenset[str]
    level: int = 0
    severity_hits: tuple[Hit, ...] = ()
    legal_hits: dict[str, tuple[Hit, ...]] = field(default_factory=dict)


Condition = Callable[[Context], tuple[Hit, ...] | None]


def quoted(text: str) -> str:
    return f"»{text}«"


def feature_hit(context: Context, code: str) -> Hit:
    text = quoted(FEATURE_LABELS[code])
    facts = context.facts
    if code == "repeated" and "repeated" not in facts.features:
        text += f" ({facts.publication_count} offentliggørelser)"
    return Hit(code, text)


# -- combinators --------------------------------------------------------------------------


def all_of(*conditions: Condition) -> Condition:
    """Fires when every condition fires; the hits of all of them."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        hits: list[Hit] = []
        for condition in conditions:
            found = condition(context)
            if found is None:
                return None
            hits.extend(found)
        return tuple(hits)

    return check


def any_of(*conditions: Condition) -> Condition:
    """Fires when at least one condition fires; the hits of every one that fires."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        fired = [found for condition in conditions if (found := condition(context)) is not None]
        if not fired:
            return None
        return tuple(hit for found in fired for hit in found)

    return check


# -- facts --------------------------------------------------------------------------------


def always(context: Context) -> tuple[Hit, ...]:
    """Fires for every incident."""
    return ()


def has(code: str) -> Condition:
    """The feature is present (``repeated`` also when there are 3+ publications)."""
    if code not in FEATURE_LABELS:
        raise ValueError(f"unknown feature {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        return (feature_hit(context, code),) if code in context.features else None

    return check


def has_any(*codes: str) -> Condition:
    """At least one of the features is present."""
    return any_of(*(has(code) for code in codes))


def lacks(code: str) -> Condition:
    """The feature is absent."""
    if code not in FEATURE_LABELS:
        raise ValueError(f"unknown feature {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        return None if code in context.features else ()

    return check


hostile_content: Condition = has_any(*HOSTILE_FEATURES)
"""DOMAIN.md 4.1: any of the hostile features."""


def no_hostile_content(context: Context) -> tuple[Hit, ...] | None:
    """None of the hostile features is present."""
    return None if context.features.intersection(HOSTILE_FEATURES) else ()


def relation(code: str) -> Condition:
    """The perpetrator's relation to the case is ``code``."""
    if code not in PERPETRATOR_RELATION_LABELS:
        raise ValueError(f"unknown relation {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        if context.facts.perpetrator_relation != code:
            return None
        return (Hit(code, f"gerningspersonen er {quoted(PERPETRATOR_RELATION_LABELS[code])}"),)

    return check


def phenomenon(code: str) -> Condition:
    """``related_phenomena`` includes ``code``."""
    if code not in RELATED_PHENOMENA_LABELS:
        raise ValueError(f"unknown phenomenon {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        if code not in context.facts.related_phenomena:
            return None
        return (Hit(code, f"beslægtet med {quoted(RELATED_PHENOMENA_LABELS[code])}"),)

    return check


def on_platform(context: Context) -> tuple[Hit, ...] | None:
    """The content is on a platform that can take it down: any platform but ``book``.

    With no platform given, the content is taken to be on one (DOMAIN.md 9).
    """
    platforms = context.facts.platforms
    if not platforms:
        return (Hit(None, "ingen platform angivet, så indholdet antages at ligge online"),)
    online = [code for code in PLATFORMS if code in platforms and code != "book"]
    if not online:
        return None
    return tuple(Hit(code, quoted(PLATFORM_LABELS[code])) for code in online)


def level_at_least(level: int) -> Condition:
    """The computed level, after the ``repeated`` step, is at least ``level``."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        if context.level < level:
            return None
        return (Hit(None, f"alvorlighed {quoted(LEVEL_LABELS[context.level])}"),) + (context.severity_hits)

    return check


def absence(context: Context) -> tuple[Hit, ...] | None:
    """At least one day of sick leave (``absence_days`` ≥ 1)."""
    days = context.facts.absence_days
    if days < 1:
        return None
    return (Hit("absence_days", f"sygefravær på {days} {'dag' if days == 1 else 'dage'}"),)


def psychological_harm(context: Context) -> tuple[Hit, ...] | None:
    """The employee has suffered psychological harm."""
    if not context.facts.psychological_harm:
        return None
    return (Hit("psychological_harm", "psykisk skade hos medarbejderen"),)


def self_reported(context: Context) -> tuple[Hit, ...] | None:
    """The employee registered the incident themselves."""
    if not context.facts.self_report:
        return None
    return (Hit("self_report", "medarbejderens egen indberetning"),)


def takedown_requested(context: Context) -> tuple[Hit, ...] | None:
    """A takedown request has been logged on the (saved) incident."""
    if context.facts.takedown_requested_at is None:
        return None
    return (Hit("takedown_requested_at", "anmodning om fjernelse er sendt"),)


def legal_reference(code: str) -> Condition:
    """The legal reference ``code`` (4.2) fired; its hits."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        return context.legal_hits.get(code)

    return check
