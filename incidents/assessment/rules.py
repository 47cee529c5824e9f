"""The rule tables of DOMAIN.md section 4 and the ``assess`` function.

Each table below is a transcription of the matching table in DOMAIN.md, in the same
order, with the right-hand column written in the predicate language of
``conditions.py``. ``assess`` runs the tables in the order 4.1 → 4.2 → 4.3 → 4.4, because
4.3 needs the level of 4.1 and 4.4 needs the legal references of 4.2.

Readings of DOMAIN.md
---------------------
Where DOMAIN.md leaves room for interpretation, these are the readings implemented:

1. ``repeated`` is the feature *or* ``publication_count`` ≥ 3 (3.1, 9); both count
   wherever ``repeated`` appears in 4.1–4.3 (e.g. § 119 a, § 242, restraining_order).
2. Severity ``reasons`` are the codes of the facts behind the highest level that fired
   (for a combined rule, every fact in it, e.g. ``incitement`` + ``private_details``),
   followed by ``repeated`` only when it actually raised the level (not at level 4).
   With no trigger at all the level is 1 and ``reasons`` is empty.
3. ``repeated`` alone, with nothing else that sets a level, raises the floor level 1 to 2:
   a systematic series of publications about an employee is at least moderate.
4. "Adding a feature never lowers the level" holds for every feature except
   ``video_consent``: the table itself makes consent a mitigating fact (a published video
   is level 3 without it and level 1 with it), so adding consent can only lower the level.
   Every other feature, and a higher ``publication_count``, never lowers it.
5. "Level" in 4.2–4.4 (``platform_takedown``, ``change_caseworker``,
   ``restraining_order``) is the level after the ``repeated`` step (4.1, last paragraph).
   Hence ``repeated`` plus a level-2 feature reaches level 3 and fires restraining_order.
6. "Neutral audio_published" is ``audio_published`` without hostile content; "hidden
   recording by a party" is ``hidden_recording`` without ``recorder_not_party``; "with
   hostile content" means any of ``HOSTILE_FEATURES`` is present on the same incident.
7. The content is "on a platform" when no platform is given (9: takedown possible) or when
   any platform other than ``book`` is given; ``{"book"}`` alone is not on a platform.
8. The four "always" actions come first, then the table of 4.3 in order.
9. Deadlines keep the time of day of the moment they count from (calendar days and
   months are wall-clock steps in that datetime's timezone); ``police_report_72h`` is
   exactly 72 elapsed hours. ``easy_14_days`` counts from a date and falls due at the end
   of that day, 23:59:59 in ``discovered_at``'s timezone; without ``absence_start`` it
   counts from ``discovered_at``'s local date. ``private_prosecution_6_months`` is 6
   calendar months after ``discovered_at``, the day clamped to the month's end
   (31 August → 28/29 February).
10. ``assessment_due`` uses ``add_working_days(registered_at, 2)``: Mon–Fri, no public
    holidays (see its docstring). ``takedown_follow_up_7_days`` fires whenever
    ``takedown_requested_at`` is given, whatever the level.
11. Trigger codes of items are feature codes, plus ``citizen_own_case``, ``stalking``,
    platform codes, ``absence_days``, ``psychological_harm``, ``self_report`` and
    ``takedown_requested_at`` for the non-feature facts. Level-based rules list the facts
    that set the level.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from . import dates
from .codes import LEVEL_CODES, LEVEL_LABELS
from .conditions import (
    Condition,
    Context,
    Hit,
    absence,
    all_of,
    always,
    any_of,
    feature_hit,
    has,
    has_any,
    hostile_content,
    lacks,
    legal_reference,
    level_at_least,
    no_hostile_content,
    on_platform,
    phenomenon,
    psychological_harm,
    relation,
    self_reported,
    takedown_requested,
)
from .facts import Facts
from .results import Assessment, Deadline, Item, Severity
from .texts import ACTION_TEXTS, DEADLINE_TEXTS, LEGAL_REFERENCE_TEXTS, Text

RULES_VERSION = "2026.1"


@dataclass(frozen=True)
class LevelRule:
    level: int
    when: Condition


@dataclass(frozen=True)
class Rule:
    code: str
    when: Condition


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    when: Condition
    due: Callable[[Facts], datetime]
    detail: Callable[[Facts], str] = lambda facts: ""


# -- the two terms of 4.1 and the shorthands built from them -----------------------------

neutral_audio = all_of(has("audio_published"), no_hostile_content)
video_with_consent = all_of(has("video_published"), has("video_consent"))
video_without_consent = all_of(has("video_published"), lacks("video_consent"))
hidden_recording_by_a_party = all_of(has("hidden_recording"), lacks("recorder_not_party"))
recording_with_hostile_content = all_of(has_any("audio_published", "video_published"), hostile_content)
citizen_own_case = relation("citizen_own_case")


# -- 4.1 Severity: "set by (any one is enough)" ------------------------------------------

SEVERITY: tuple[LevelRule, ...] = (
    LevelRule(
        1,
        any_of(
            has("named"),
            neutral_audio,
            video_with_consent,
            hidden_recording_by_a_party,
        ),
    ),
    LevelRule(
        2,
        has_any(
            "offensive_language",
            "insulting_description",
            "abuse_of_power_accusation",
            "workplace_details",
            "photo",
        ),
    ),
    LevelRule(
        3,
        any_of(
            has_any(
                "lawbreaking_accusation",
                "private_details",
                "incitement",
                "third_party_confidential",
                "recorder_not_party",
            ),
            video_without_consent,
        ),
    ),
    LevelRule(
        4,
        any_of(
            has("threat"),
            all_of(has("incitement"), has_any("private_details", "workplace_details")),
        ),
    ),
)
FLOOR_LEVEL = 1  # with no trigger at all
REPEATED_RAISES_BY = 1  # then `repeated` raises the level by one …
TOP_LEVEL = 4  # … up to this


# -- 4.2 Legal references ----------------------------------------------------------------

LEGAL_REFERENCES: tuple[Rule, ...] = (
    Rule("strfl_119", has("threat")),
    Rule(
        "strfl_119a",
        any_of(
            has("private_details"),
            has("incitement"),
            all_of(has("photo"), hostile_content),
            all_of(has("repeated"), hostile_content),
        ),
    ),
    Rule("strfl_121", has("offensive_language")),
    Rule("strfl_266", has("threat")),
    Rule(
        "strfl_267_268",
        has_any("insulting_description", "abuse_of_power_accusation", "lawbreaking_accusation"),
    ),
    Rule(
        "strfl_264d",
        any_of(
            has("private_details"),
            has("third_party_confidential"),
            video_without_consent,
        ),
    ),
    Rule("strfl_263", has("recorder_not_party")),
    Rule(
        "strfl_242",
        any_of(
            phenomenon("stalking"),
            all_of(has("repeated"), has("private_details")),
        ),
    ),
    Rule(
        "gdpr",
        any_of(
            video_without_consent,
            has("third_party_confidential"),
            has("private_details"),
        ),
    ),
)


# -- 4.3 Recommended actions -------------------------------------------------------------

ACTIONS: tuple[Rule, ...] = (
    Rule("support_conversation", always),
    Rule("secure_evidence", always),
    Rule("involve_amr_tr", always),
    Rule("no_engagement", always),
    Rule("platform_takedown", all_of(level_at_least(2), on_platform)),
    Rule(
        "police_report",
        any_of(
            has_any(
                "threat",
                "lawbreaking_accusation",
                "private_details",
                "incitement",
                "recorder_not_party",
            ),
            recording_with_hostile_content,
        ),
    ),
    Rule("datatilsynet_report", any_of(video_without_consent, has("third_party_confidential"))),
    Rule("safety_assessment", has_any("threat", "private_details", "incitement")),
    Rule("acute_112", has("threat")),
    Rule("complaint_system", citizen_own_case),
    Rule("bisidder", citizen_own_case),
    Rule("change_caseworker", all_of(citizen_own_case, level_at_least(2))),
    Rule(
        "recording_guidelines",
        has_any("audio_published", "video_published", "hidden_recording", "recorder_not_party"),
    ),
    Rule("occupational_injury", any_of(absence, psychological_harm)),
    Rule(
        "restraining_order",
        any_of(
            all_of(has("repeated"), level_at_least(3)),
            phenomenon("stalking"),
        ),
    ),
)


# -- 4.4 Deadlines -----------------------------------------------------------------------


def _easy_due(facts: Facts) -> datetime:
    first_day = facts.absence_start or facts.discovered_at.date()
    return dates.end_of_day(first_day + timedelta(days=14), facts.discovered_at.tzinfo)


def _easy_detail(facts: Facts) -> str:
    if facts.absence_start is None:
        return "Første fraværsdag er ikke oplyst, så fristen er regnet fra opdagelsen."
    return ""


DEADLINES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        "assessment_due",
        self_reported,
        due=lambda facts: dates.add_working_days(facts.registered_at, 2),
    ),
    DeadlineRule(
        "police_report_72h",
        has("threat"),
        due=lambda facts: dates.add_hours(facts.discovered_at, 72),
    ),
    DeadlineRule(
        "easy_14_days",
        absence,
        due=_easy_due,
        detail=_easy_detail,
    ),
    DeadlineRule(
        "private_prosecution_6_months",
        legal_reference("strfl_267_268"),
        due=lambda facts: dates.add_months(facts.discovered_at, 6),
    ),
    DeadlineRule(
        "follow_up_14_days",
        always,
        due=lambda facts: dates.add_days(facts.registered_at, 14),
    ),
    DeadlineRule(
        "takedown_follow_up_7_days",
        takedown_requested,
        due=lambda facts: dates.add_days(facts.takedown_requested_at, 7),
    ),
)


# -- the assessment ----------------------------------------------------------------------


def assess(facts: Facts) -> Assessment:
    """Compute the assessment of DOMAIN.md section 4 for ``facts``. Pure and deterministic."""
    if not isinstance(facts, Facts):
        raise TypeError(f"assess() needs Facts, got {type(facts).__name__}")
    context = Context(facts=facts, features=facts.effective_features)
    severity, severity_hits = _severity(context)
    context = replace(context, level=severity.level, severity_hits=severity_hits)

    legal_hits = {rule.code: hits for rule in LEGAL_REFERENCES if (hits := rule.when(context)) is not None}
    context = replace(context, legal_hits=legal_hits)
    legal_references = tuple(
        _item(code, LEGAL_REFERENCE_TEXTS[code], hits) for code, hits in legal_hits.items()
    )
    actions = tuple(
        _item(rule.code, ACTION_TEXTS[rule.code], hits)
        for rule in ACTIONS
        if (hits := rule.when(context)) is not None
    )
    deadlines = tuple(
        _deadline(rule, facts, hits) for rule in DEADLINES if (hits := rule.when(context)) is not None
    )
    return Assessment(
        rules_version=RULES_VERSION,
        severity=severity,
        legal_references=legal_references,
        actions=actions,
        deadlines=deadlines,
    )


def _severity(context: Context) -> tuple[Severity, tuple[Hit, ...]]:
    level, hits = FLOOR_LEVEL, ()
    for rule in SEVERITY:
        found = rule.when(context)
        if found is not None and rule.level >= level:
            level, hits = rule.level, found
    if "repeated" in context.features and level < TOP_LEVEL:
        level = min(level + REPEATED_RAISES_BY, TOP_LEVEL)
        hits = (*hits, feature_hit(context, "repeated"))
    hits = _unique(hits)
    severity = Severity(
        level=level,
        code=LEVEL_CODES[level],
        label=LEVEL_LABELS[level],
        reasons=_codes(hits),
    )
    return severity, hits


def _item(code: str, text: Text, hits: tuple[Hit, ...]) -> Item:
    hits = _unique(hits)
    return Item(
        code=code,
        title=text.title,
        reason=_reason(text.lead, hits),
        source=text.source,
        note=text.note,
        anchor=text.anchor,
        triggers=_codes(hits),
    )


def _deadline(rule: DeadlineRule, facts: Facts, hits: tuple[Hit, ...]) -> Deadline:
    text = DEADLINE_TEXTS[rule.code]
    lead = " ".join(part for part in (text.lead, rule.detail(facts)) if part)
    return Deadline(
        code=rule.code,
        title=text.title,
        due=rule.due(facts),
        reason=_reason(lead, _unique(hits)),
        source=text.source,
    )


def _reason(lead: str, hits: tuple[Hit, ...]) -> str:
    if not hits:
        return lead
    words = [hit.text for hit in hits]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"
    return f"{lead} Udløst af: {listed}."


def _unique(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    return tuple(dict.fromkeys(hits))


def _codes(hits: tuple[Hit, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(hit.code for hit in hits if hit.code is not None))
