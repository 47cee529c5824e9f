"""A small predicate language for the rule tables in ``rules.py``.

A condition looks at the facts (through a ``Context``) and either does not fire
(returns ``None``) or fires with the ``Hit``s that made it fire: the code of each fact
and the words the reason text uses for it. Conditions that only restrict (``lacks``,
``no_hostile_content``, ``not_long_running``) fire with no hits of their own.

Hit texts are made with ``context.t`` (the translation function given to ``assess``;
the identity, so Danish, by default). Every template is one whole ``gettext_noop``
literal so makemessages extracts it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from .codes import (
    FEATURE_LABELS,
    HOSTILE_FEATURES,
    LEVEL_LABELS,
    LONG_RUNNING_DAYS,
    NO_SERVICE_PLATFORMS,
    NOT_HOSTED_PLATFORMS,
    NOT_SPREAD_PLATFORMS,
    NOT_SPREAD_REACHES,
    PERPETRATOR_RELATION_LABELS,
    PLATFORM_LABELS,
    PLATFORMS,
    REACH_LABELS,
    REACHES,
    RELATED_PHENOMENA_LABELS,
)
from .facts import Facts
from .i18n import gettext_noop
from .texts import LEGAL_REFERENCE_TEXTS


def _identity(message: str) -> str:
    return message


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
    t: Callable[[str], str] = _identity
    level: int = 0
    severity_hits: tuple[Hit, ...] = ()
    legal_hits: dict[str, tuple[Hit, ...]] = field(default_factory=dict)
    legal_prosecution: dict[str, str | None] = field(default_factory=dict)
    action_hits: dict[str, tuple[Hit, ...]] = field(default_factory=dict)


Condition = Callable[[Context], tuple[Hit, ...] | None]


def quoted(text: str) -> str:
    return f"»{text}«"


def feature_hit(context: Context, code: str) -> Hit:
    t = context.t
    text = quoted(t(FEATURE_LABELS[code]))
    facts = context.facts
    if code == "repeated" and "repeated" not in facts.features:
        text += " " + t(gettext_noop("(%(count)s offentliggørelser)")) % {"count": facts.publication_count}
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
"""DOMAIN.md 3.3: any of the hostile features."""


def no_hostile_content(context: Context) -> tuple[Hit, ...] | None:
    """None of the hostile features is present."""
    return None if context.features.intersection(HOSTILE_FEATURES) else ()


def relation_in(*codes: str) -> Condition:
    """The perpetrator's relation to the case is one of ``codes``."""
    for code in codes:
        if code not in PERPETRATOR_RELATION_LABELS:
            raise ValueError(f"unknown relation {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        code = context.facts.perpetrator_relation
        if code not in codes:
            return None
        label = quoted(context.t(PERPETRATOR_RELATION_LABELS[code]))
        return (Hit(code, context.t(gettext_noop("gerningspersonen er %(relation)s")) % {"relation": label}),)

    return check


def phenomenon(code: str) -> Condition:
    """``related_phenomena`` includes ``code``."""
    if code not in RELATED_PHENOMENA_LABELS:
        raise ValueError(f"unknown phenomenon {code!r}")

    def check(context: Context) -> tuple[Hit, ...] | None:
        if code not in context.facts.related_phenomena:
            return None
        label = quoted(context.t(RELATED_PHENOMENA_LABELS[code]))
        return (Hit(code, context.t(gettext_noop("beslægtet med %(phenomenon)s")) % {"phenomenon": label}),)

    return check


# -- the derived terms of DOMAIN.md 3.3 / 9 ------------------------------------------------


def is_spread(facts: Facts) -> bool:
    """Some reach other than ``private_message`` (or none given) on some platform other than
    ``messaging``/``email`` (or none given)."""
    reach_ok = not facts.reaches or bool(facts.reaches - NOT_SPREAD_REACHES)
    platform_ok = not facts.platforms or bool(facts.platforms - NOT_SPREAD_PLATFORMS)
    return reach_ok and platform_ok


def is_hosted(facts: Facts) -> bool:
    """Spread, and some platform other than ``book``/``messaging``/``email`` (or none given)."""
    return is_spread(facts) and (not facts.platforms or bool(facts.platforms - NOT_HOSTED_PLATFORMS))


def is_online_service(facts: Facts) -> bool:
    """Some platform other than ``book``/``email`` (or none given)."""
    return not facts.platforms or bool(facts.platforms - NO_SERVICE_PLATFORMS)


def is_long_running(facts: Facts) -> bool:
    """``stalking``, or the publications span more than 5 × 24 hours (both dates given)."""
    if "stalking" in facts.related_phenomena:
        return True
    first, last = facts.first_published_at, facts.last_published_at
    return first is not None and last is not None and last - first > timedelta(days=LONG_RUNNING_DAYS)


def _listed(context: Context, codes: list[str], labels: dict[str, str]) -> str:
    return ", ".join(quoted(context.t(labels[code])) for code in codes)


def spread(context: Context) -> tuple[Hit, ...] | None:
    """The content is spread (reaches others than the employee)."""
    facts = context.facts
    if not is_spread(facts):
        return None
    if not facts.platforms and not facts.reaches:
        return (Hit(None, context.t(gettext_noop("ingen offentliggørelse angivet, så indholdet regnes for spredt"))),)
    reaches = [code for code in REACHES if code in facts.reaches and code not in NOT_SPREAD_REACHES]
    platforms = [code for code in PLATFORMS if code in facts.platforms and code not in NOT_SPREAD_PLATFORMS]
    where = _listed(context, platforms, PLATFORM_LABELS) or _listed(context, reaches, REACH_LABELS)
    if platforms and reaches:
        where = f"{where} ({_listed(context, reaches, REACH_LABELS)})"
    return (Hit(None, context.t(gettext_noop("indholdet er spredt til andre: %(where)s")) % {"where": where}),)


def hosted(context: Context) -> tuple[Hit, ...] | None:
    """The content is spread on a hosting service that can act on it (DSA)."""
    facts = context.facts
    if not is_hosted(facts):
        return None
    if not facts.platforms:
        return (Hit(None, context.t(gettext_noop("ingen platform angivet, så indholdet antages at ligge online"))),)
    online = [code for code in PLATFORMS if code in facts.platforms and code not in NOT_HOSTED_PLATFORMS]
    return (
        Hit(
            None,
            context.t(gettext_noop("indholdet ligger offentligt hos en hostingtjeneste: %(where)s"))
            % {"where": _listed(context, online, PLATFORM_LABELS)},
        ),
    )


def online_service(context: Context) -> tuple[Hit, ...] | None:
    """The content is on a service with its own reporting tool (any platform but book and e-mail)."""
    facts = context.facts
    if not is_online_service(facts):
        return None
    if not facts.platforms:
        return (Hit(None, context.t(gettext_noop("ingen platform angivet, så indholdet antages at ligge online"))),)
    services = [code for code in PLATFORMS if code in facts.platforms and code not in NO_SERVICE_PLATFORMS]
    return tuple(Hit(code, quoted(context.t(PLATFORM_LABELS[code]))) for code in services)


def on_platform(code: str) -> Condition:
    """Some publication is on platform ``code``."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        if code not in context.facts.platforms:
            return None
        return (Hit(code, quoted(context.t(PLATFORM_LABELS[code]))),)

    return check


def long_running(context: Context) -> tuple[Hit, ...] | None:
    """A course of events: ``stalking`` or publications spanning more than 5 days."""
    facts = context.facts
    if not is_long_running(facts):
        return None
    if "stalking" in facts.related_phenomena:
        return phenomenon("stalking")(context)
    first, last = facts.first_published_at, facts.last_published_at
    if first is None or last is None:  # is_long_running has checked both; this tells the type checker
        return None
    days = (last - first).days
    return (
        Hit(
            None,
            context.t(gettext_noop("offentliggørelserne strækker sig over %(days)s dage (et længere forløb)"))
            % {"days": days},
        ),
    )


def not_long_running(context: Context) -> tuple[Hit, ...] | None:
    """Not long-running."""
    return None if is_long_running(context.facts) else ()


def level_at_least(level: int) -> Condition:
    """The computed level, after the ``repeated`` step, is at least ``level``."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        if context.level < level:
            return None
        label = quoted(context.t(LEVEL_LABELS[context.level]))
        return (Hit(None, context.t(gettext_noop("alvorlighed %(level)s")) % {"level": label}),) + (
            context.severity_hits
        )

    return check


def absence(context: Context) -> tuple[Hit, ...] | None:
    """At least one day of sick leave (``absence_days`` ≥ 1)."""
    days = context.facts.absence_days
    if days < 1:
        return None
    if days == 1:
        return (Hit("absence_days", context.t(gettext_noop("sygefravær på 1 dag"))),)
    return (Hit("absence_days", context.t(gettext_noop("sygefravær på %(days)s dage")) % {"days": days}),)


def psychological_harm(context: Context) -> tuple[Hit, ...] | None:
    """The employee has suffered psychological harm."""
    if not context.facts.psychological_harm:
        return None
    return (Hit("psychological_harm", context.t(gettext_noop("psykisk skade hos medarbejderen"))),)


def self_reported(context: Context) -> tuple[Hit, ...] | None:
    """The employee registered the incident themselves."""
    if not context.facts.self_report:
        return None
    return (Hit("self_report", context.t(gettext_noop("medarbejderens egen indberetning"))),)


def takedown_requested(context: Context) -> tuple[Hit, ...] | None:
    """A takedown request has been logged on the (saved) incident."""
    if context.facts.takedown_requested_at is None:
        return None
    return (Hit("takedown_requested_at", context.t(gettext_noop("anmodning om fjernelse er sendt"))),)


def legal_reference(code: str) -> Condition:
    """The legal reference ``code`` (4.2) fired; its hits."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        return context.legal_hits.get(code)

    return check


def legal_reference_other_than(*codes: str) -> Condition:
    """Some legal reference other than ``codes`` fired."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        if not any(code not in codes for code in context.legal_hits):
            return None
        return (Hit(None, context.t(gettext_noop("indholdet kan være ulovligt (se lovhenvisningerne)"))),)

    return check


def prosecution_in(*kinds: str) -> Condition:
    """Some legal reference that fired is prosecuted in one of the ways ``kinds``."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        hits = [
            Hit(code, quoted(context.t(LEGAL_REFERENCE_TEXTS[code].title)))
            for code, kind in context.legal_prosecution.items()
            if kind in kinds
        ]
        return tuple(hits) if hits else None

    return check


def action(code: str) -> Condition:
    """The action ``code`` (4.3) is recommended; its hits."""

    def check(context: Context) -> tuple[Hit, ...] | None:
        return context.action_hits.get(code)

    return check
