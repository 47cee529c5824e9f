"""Suggest a decision on a request to record (DOMAIN.md section 8). Plain Python, no ORM.

The Ombudsman (FOB 2005.578; beretning 2005, sag 20-2) and DUKH Praksisnyt 54: a citizen has
no right to record a meeting or a phone call about their own case unless there is a legitimate
reason (saglig begrundelse), for example
problems with memory or concentration, or physical or mental difficulty taking notes;
each request is judged on its own. The rules, first match wins:

| rule                             | when                                             | suggestion              |
|----------------------------------|--------------------------------------------------|-------------------------|
| `legitimate_with_publish_intent` | a legitimate reason, and the citizen will publish | allowed with conditions |
| `legitimate_video`               | a legitimate reason, video                        | allowed with conditions |
| `legitimate`                     | a legitimate reason                               | allowed                 |
| `publish_intent`                 | the citizen will publish (no legitimate reason)   | refused                 |
| `language_barrier`               | language difficulties (offer an interpreter)      | allowed with conditions |
| `documentation_or_distrust`      | wants documentation, or distrusts the caseworker  | as the guideline says   |
| `other`                          | only another reason                               | as the guideline says   |
| `no_reason`                      | no reason given                                   | refused                 |

"As the guideline says" is the municipality's choice (`GuidelinePolicy`): refused by
default, or allowed with conditions. The suggestion is advice; the caseworker decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .codes import (
    ALLOWED,
    ALLOWED_WITH_CONDITIONS,
    AUDIO,
    CONCENTRATION_PROBLEMS,
    DECISIONS,
    DISTRUST,
    GENERAL,
    LANGUAGE_BARRIER,
    MEDIA_LABELS,
    MEMORY_PROBLEMS,
    NOTE_TAKING_DIFFICULTY,
    OTHER,
    PUBLISH_INTENT,
    REASON_LABELS,
    REASONS,
    REFUSED,
    VIDEO,
    VIDEO_PASSAGE,
    WANTS_DOCUMENTATION,
)

# Reasons the Ombudsman names as legitimate.
LEGITIMATE_REASONS = frozenset({MEMORY_PROBLEMS, CONCENTRATION_PROBLEMS, NOTE_TAKING_DIFFICULTY})
# Reasons that are not legitimate in themselves; the guideline decides.
DOUBTFUL_REASONS = frozenset({WANTS_DOCUMENTATION, DISTRUST})
# What the guideline may choose for requests without a legitimate reason.
POLICY_CHOICES = (ALLOWED_WITH_CONDITIONS, REFUSED)


class InvalidRequestFacts(ValueError):
    """An unknown code; `field` and `value` name it."""

    def __init__(self, field: str, value: object):
        super().__init__(f"{field}: {value!r}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class RequestFacts:
    reasons: frozenset[str]
    media: str = AUDIO

    def __post_init__(self):
        for code in self.reasons:
            if code not in REASONS:
                raise InvalidRequestFacts("reasons", code)
        if self.media not in MEDIA_LABELS:
            raise InvalidRequestFacts("media", self.media)

    @classmethod
    def of(cls, reasons: Iterable[str], media: str = AUDIO) -> RequestFacts:
        return cls(reasons=frozenset(reasons), media=media)


@dataclass(frozen=True)
class GuidelinePolicy:
    """The municipality's choice where the law leaves one (see the table above)."""

    without_legitimate_reason: str = REFUSED

    def __post_init__(self):
        if self.without_legitimate_reason not in POLICY_CHOICES:
            raise InvalidRequestFacts("without_legitimate_reason", self.without_legitimate_reason)


@dataclass(frozen=True)
class Suggestion:
    decision: str
    rule: str
    reasons: tuple[str, ...]  # the reasons that decided it, in form order
    explanation: str  # Danish (lazy): why, naming the reasons
    advice: tuple[str, ...] = ()  # what the caseworker may offer or agree on
    passage_keys: tuple[str, ...] = ()  # the guideline passages to show, most relevant first

    def __post_init__(self):
        assert self.decision in DECISIONS


def _ordered(codes: Iterable[str]) -> tuple[str, ...]:
    codes = set(codes)
    return tuple(code for code in REASONS if code in codes)


def _labels(codes: Iterable[str]) -> str:
    return ", ".join(str(REASON_LABELS[code]).lower() for code in codes)


# No advice states an unconditional ban on sharing or publishing (DOMAIN.md 8; LEGAL-REVIEW.md F 34): the
# citizen may as a rule publish audio of their own meeting; what is unlawful is named instead.
ADVICE_OWN_USE = _(
    "Aftal, hvad optagelsen skal bruges til. Fortæl borgeren, at en optagelse ikke må "
    "offentliggøres, hvis den er krænkende for medarbejderen eller afslører fortrolige oplysninger "
    "om andre end borgeren selv."
)
ADVICE_AUDIO_INSTEAD = _("Tilbyd lydoptagelse i stedet for video, eller aftal at kun borgeren er i billedet.")
ADVICE_VIDEO_CONSENT = _(
    "Fortæl borgeren, at offentliggørelse af en video, hvor medarbejderen kan genkendes, "
    "uden medarbejderens samtykke kan være i strid med databeskyttelsesreglerne; Datatilsynet "
    "vurderer det konkret."
)
ADVICE_INTERPRETER = _("Tilbyd tolk, hvis borgeren ikke forstår dansk godt nok til samtalen.")
ADVICE_NOTES = _("Tilbyd et skriftligt referat eller notat af samtalen.")
ADVICE_BISIDDER = _("Foreslå borgeren at tage en bisidder med.")
ADVICE_COMPLAINT = _("Henvis til klagesystemet, hvis borgeren er utilfreds med sagsbehandlingen.")
ADVICE_OTHER_CASEWORKER = _("Overvej at tilbyde borgeren en anden sagsbehandler.")
ADVICE_NOT_EVIDENCE = _("En optagelse kan ikke dokumentere kommunens afgørelse; samtalen er kun vejledning.")
ADVICE_ASK = _(
    "Spørg ind til borgerens situation: er der personlige forhold, der gør det svært at huske eller tage noter?"
)


def suggest(facts: RequestFacts, policy: GuidelinePolicy | None = None) -> Suggestion:
    """The suggested decision for a request, with the reasons and the rule that decided it."""
    policy = policy or GuidelinePolicy()
    reasons = facts.reasons
    legitimate = _ordered(reasons & LEGITIMATE_REASONS)
    video = facts.media == VIDEO
    video_keys = (VIDEO_PASSAGE,) if video else ()

    if legitimate:
        if PUBLISH_INTENT in reasons:
            return Suggestion(
                decision=ALLOWED_WITH_CONDITIONS,
                rule="legitimate_with_publish_intent",
                reasons=(*legitimate, PUBLISH_INTENT),
                explanation=format_lazy(
                    _(
                        "Borgeren har en saglig begrundelse ({reasons}), så optagelse bør tillades. Borgeren vil "
                        "også offentliggøre optagelsen; det kan kommunen ikke forbyde, men fortæl borgeren om "
                        "grænserne."
                    ),
                    reasons=_labels(legitimate),
                ),
                advice=(ADVICE_OWN_USE, *((ADVICE_VIDEO_CONSENT,) if video else ())),
                passage_keys=(*legitimate, PUBLISH_INTENT, *video_keys),
            )
        if video:
            return Suggestion(
                decision=ALLOWED_WITH_CONDITIONS,
                rule="legitimate_video",
                reasons=legitimate,
                explanation=format_lazy(
                    _(
                        "Borgeren har en saglig begrundelse ({reasons}), så optagelse bør tillades. Video er mere "
                        "indgribende end lyd, så aftal vilkår."
                    ),
                    reasons=_labels(legitimate),
                ),
                advice=(ADVICE_AUDIO_INSTEAD, ADVICE_VIDEO_CONSENT),
                passage_keys=(*legitimate, VIDEO_PASSAGE),
            )
        return Suggestion(
            decision=ALLOWED,
            rule="legitimate",
            reasons=legitimate,
            explanation=format_lazy(
                _(
                    "Borgeren har en saglig begrundelse ({reasons}). Efter Ombudsmandens praksis bør optagelse "
                    "så tillades."
                ),
                reasons=_labels(legitimate),
            ),
            passage_keys=legitimate,
        )

    if PUBLISH_INTENT in reasons:
        return Suggestion(
            decision=REFUSED,
            rule="publish_intent",
            reasons=(PUBLISH_INTENT,),
            explanation=_(
                "Ønsket om at offentliggøre optagelsen er ikke en saglig begrundelse for at optage "
                "samtalen, og borgeren har ikke nævnt andre forhold, der er det."
            ),
            advice=(ADVICE_ASK, ADVICE_NOTES),
            passage_keys=(PUBLISH_INTENT, *video_keys),
        )

    if LANGUAGE_BARRIER in reasons:
        return Suggestion(
            decision=ALLOWED_WITH_CONDITIONS,
            rule="language_barrier",
            reasons=(LANGUAGE_BARRIER,),
            explanation=_(
                "Sprogvanskeligheder kan være en saglig begrundelse, hvis en optagelse hjælper borgeren "
                "med at forstå samtalen bagefter. Tilbyd først tolk."
            ),
            advice=(ADVICE_INTERPRETER, ADVICE_OWN_USE),
            passage_keys=(LANGUAGE_BARRIER, *video_keys),
        )

    doubtful = _ordered(reasons & DOUBTFUL_REASONS)
    by_guideline = policy.without_legitimate_reason
    guideline_says = (
        _("Kommunens retningslinje siger afslag i den situation.")
        if by_guideline == REFUSED
        else _("Kommunens retningslinje tillader optagelse med vilkår i den situation.")
    )
    if doubtful:
        advice = [ADVICE_NOT_EVIDENCE, ADVICE_NOTES]
        if DISTRUST in reasons:
            advice += [ADVICE_BISIDDER, ADVICE_COMPLAINT, ADVICE_OTHER_CASEWORKER]
        return Suggestion(
            decision=by_guideline,
            rule="documentation_or_distrust",
            reasons=doubtful,
            explanation=format_lazy(
                _("{reasons} er ikke i sig selv en saglig begrundelse for at optage. {guideline}"),
                reasons=_labels(doubtful).capitalize(),
                guideline=guideline_says,
            ),
            advice=tuple(advice),
            passage_keys=(*doubtful, *video_keys),
        )

    if OTHER in reasons:
        return Suggestion(
            decision=by_guideline,
            rule="other",
            reasons=(OTHER,),
            explanation=format_lazy(
                _(
                    "Vurdér borgerens egen forklaring konkret. Uden en saglig begrundelse har borgeren ikke krav "
                    "på at optage. {guideline}"
                ),
                guideline=guideline_says,
            ),
            advice=(ADVICE_ASK,),
            passage_keys=(OTHER, GENERAL, *video_keys),
        )

    return Suggestion(
        decision=REFUSED,
        rule="no_reason",
        reasons=(),
        explanation=_(
            "Borgeren har ikke givet en grund. Uden en saglig begrundelse har borgeren ikke krav på at optage samtalen."
        ),
        advice=(ADVICE_ASK,),
        passage_keys=(GENERAL,),
    )
