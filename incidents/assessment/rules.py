"""The rule tables of DOMAIN.md section 4 (rules 2026.2) and the ``assess`` function.

Each table below is a transcription of the matching table in DOMAIN.md, in the same
order, with the right-hand column written in the predicate language of
``conditions.py``. ``assess`` runs the steps in the order 4.0 → 4.1 → 4.2 → 4.3 → 4.4,
because 4.3 needs the level of 4.1 and the references of 4.2, and 4.4 needs both.

Readings of DOMAIN.md
---------------------
Where DOMAIN.md leaves room for interpretation, these are the readings implemented:

1. ``repeated`` is the feature *or* ``publication_count`` ≥ 3 (3.1, 9); both count
   wherever ``repeated`` appears in 4.1–4.3 (§ 119 a, § 242, restraining_order) and
   both end "case complaint only".
2. Severity ``reasons`` are the codes of the facts behind the highest level that fired
   (for a combined rule, every fact in it, e.g. ``incitement`` + ``private_details``),
   followed by ``repeated`` only when it actually raised the level (not at level 4).
   With no trigger at all the level is 1 and ``reasons`` is empty. ``stalking`` (a
   related phenomenon, level 3) appears in ``reasons`` as ``stalking``.
3. ``repeated`` alone, with nothing else that sets a level, raises the floor level 1 to 2.
4. "Adding a feature never lowers the level" holds for every feature except
   ``video_consent`` (mitigating: a published video is level 3 without it, 1 with it).
   ``addressed_to_employee`` sets no level of its own; it only moves offensive language
   from §§ 267–268 to § 121.
5. "Level" in 4.3 (``platform_report``, ``change_caseworker``, ``restraining_order``) is
   the level after the ``repeated`` step.
6. "Neutral audio_published" is ``audio_published`` without hostile content; "hidden
   recording by a party" is ``hidden_recording`` without ``recorder_not_party``; "with
   hostile content" means any of ``HOSTILE_FEATURES`` (3.3, now with
   ``threat_to_expose``) is present on the same incident.
7. Spread, hosted, online service and long-running are computed from the *sets* of
   platforms and reaches and from the first and last ``published_at`` (DOMAIN.md 9), both
   for the preview and for a saved incident (``incidents.services.incident_facts`` passes
   its publications as those sets). With no platform and no reach given the content is
   spread, hosted and on an online service. A saved incident with a Facebook post sent as
   a private message and an e-mail to a closed group counts as spread (the sets mix the
   two); a publication-by-publication reading would not — the set reading is the
   contract.
8. Long-running by dates needs both ``first_published_at`` and ``last_published_at``;
   "more than 5 days" is strictly more than 5 × 24 elapsed hours.
9. The four "always" actions come first, then the table of 4.3 in order. In scope
   ``case_complaint`` the actions are ``support_conversation`` then ``complaint_system``,
   no legal references, and the only possible deadline is ``assessment_due``; severity
   is computed as usual (it is 1, as only ``named`` may be set).
10. ``platform_takedown`` needs a legal reference other than ``gdpr_breach`` and hosted
    content; ``contact_publisher`` fires for any publication on ``book``, whatever the
    level.
11. § 264 d's ``victim`` lists, in this order, ``employee`` (private details, spread),
    ``family`` (``family_exposed``) and ``third_party`` (``third_party_confidential``) for
    the triggers that fired. §§ 267–268 are ``request`` when ``lawbreaking_accusation`` or
    ``abuse_of_power_accusation`` is set, otherwise ``private``. ``prosecution`` is None
    (JSON null, "—" in DOMAIN.md) for ``gdpr`` and ``gdpr_breach``.
12. Deadlines keep the time of day of the moment they count from (calendar days and
    months are wall-clock steps in that datetime's timezone); ``police_report_72h`` and
    ``breach_72h`` are exactly 72 elapsed hours. ``police_report_72h`` counts from
    ``first_published_at`` (shown in ``discovered_at``'s timezone) or, when that is not
    known, from ``discovered_at``; it "has already passed at discovery" when the due
    moment is before ``discovered_at``. ``request_6_months`` is 6 calendar months after
    ``discovered_at``, the day clamped to the month's end (31 August → 28/29 February),
    and fires whenever a fired reference is ``request`` or ``private``.
13. ``easy_14_days`` fires with ``occupational_injury`` and falls due at the end of the
    14th day, 23:59:59 in ``discovered_at``'s timezone: counted from ``absence_start``
    when ``absence_days`` ≥ 1 and a start is given, otherwise from ``discovered_at``'s
    local date (also for ``psychological_harm`` without absence, where an
    ``absence_start`` given is ignored). No EASY deadline with ``occupational_disease``:
    the doctor reports.
14. ``assessment_due`` uses ``add_working_days(registered_at, 2)``: Mon–Fri, no public
    holidays (see its docstring). ``takedown_follow_up_7_days`` fires whenever
    ``takedown_requested_at`` is given (only saved incidents have one).
15. Trigger codes of items are feature codes, plus ``citizen_own_case``/``relative``,
    ``stalking``/``case_complaint``, platform codes, ``absence_days``,
    ``psychological_harm``, ``self_report`` and ``takedown_requested_at`` for the
    non-feature facts, and reference codes for ``request_6_months``. Level-based rules
    list the facts that set the level.
16. Texts: ``assess(facts, translate=f)`` passes every text literal (titles, summaries,
    guidance, sources, reason leads and fact words) through ``f`` before formatting; the
    default is the identity (Danish). The stored assessment and the API are Danish; the
    pages call it with Django's ``gettext`` for other languages.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from . import dates
from .codes import LEVEL_CODES, LEVEL_LABELS
from .conditions import (
    Condition,
    Context,
    Hit,
    absence,
    action,
    all_of,
    always,
    any_of,
    feature_hit,
    has,
    has_any,
    hosted,
    hostile_content,
    lacks,
    legal_reference,
    legal_reference_other_than,
    level_at_least,
    long_running,
    no_hostile_content,
    not_long_running,
    on_platform,
    online_service,
    phenomenon,
    prosecution_in,
    psychological_harm,
    relation_in,
    self_reported,
    spread,
    takedown_requested,
)
from .facts import Facts
from .results import Assessment, Deadline, Item, LegalReference, Severity
from .texts import (
    ACTION_TEXTS,
    DEADLINE_TEXTS,
    EASY_NO_ABSENCE,
    EASY_NO_START,
    LEGAL_REFERENCE_TEXTS,
    POLICE_72H_NO_DATE,
    POLICE_72H_PASSED,
    REASON_AND,
    REASON_TEMPLATE,
    REQUEST_DETAIL,
    Text,
)

RULES_VERSION = "2026.2"

Translate = Callable[[str], str]


@dataclass(frozen=True)
class LevelRule:
    level: int
    when: Condition


@dataclass(frozen=True)
class Rule:
    code: str
    when: Condition


@dataclass(frozen=True)
class LegalRule:
    """A row of 4.2: when it fires, how the police can act, and who the victims are.

    ``prosecution`` and ``victims`` are (value, condition) pairs: the first pair whose
    condition fires gives the prosecution; every pair that fires adds its victim.
    """

    code: str
    when: Condition
    prosecution: tuple[tuple[str | None, Condition], ...]
    victims: tuple[tuple[str, Condition], ...]


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    when: Condition
    due: Callable[[Facts], datetime]
    details: tuple[tuple[str, Callable[[Facts], bool]], ...] = ()


# -- shorthands built from the terms of 3.3 ----------------------------------------------

neutral_audio = all_of(has("audio_published"), no_hostile_content)
video_with_consent = all_of(has("video_published"), has("video_consent"))
video_without_consent = all_of(has("video_published"), lacks("video_consent"))
hidden_recording_by_a_party = all_of(has("hidden_recording"), lacks("recorder_not_party"))
recording_with_hostile_content = all_of(has_any("audio_published", "video_published"), hostile_content)
private_details_spread = all_of(has("private_details"), spread)
citizen_or_relative = relation_in("citizen_own_case", "relative")
the_employee: tuple[tuple[str, Condition], ...] = (("employee", always),)
PUBLIC: tuple[tuple[str | None, Condition], ...] = (("public", always),)
REQUEST: tuple[tuple[str | None, Condition], ...] = (("request", always),)
NO_PROSECUTION: tuple[tuple[str | None, Condition], ...] = ((None, always),)


# -- 4.0 Scope ---------------------------------------------------------------------------


def is_case_complaint_only(facts: Facts) -> bool:
    """``related_phenomena`` is exactly ``case_complaint`` and no feature but ``named`` is set."""
    return facts.related_phenomena == {"case_complaint"} and facts.effective_features <= {"named"}


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
                "family_exposed",
                "threat_to_expose",
                "incitement",
                "third_party_confidential",
                "recorder_not_party",
            ),
            video_without_consent,
            phenomenon("stalking"),
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

LEGAL_REFERENCES: tuple[LegalRule, ...] = (
    LegalRule("strfl_119", has("threat"), PUBLIC, the_employee),
    LegalRule("strfl_119_2", has("threat_to_expose"), PUBLIC, the_employee),
    LegalRule(
        "strfl_119a",
        any_of(
            private_details_spread,
            has("family_exposed"),
            has("incitement"),
            all_of(has("photo"), hostile_content),
            all_of(has("repeated"), hostile_content),
        ),
        PUBLIC,
        the_employee,
    ),
    LegalRule("strfl_121", all_of(has("offensive_language"), has("addressed_to_employee")), PUBLIC, the_employee),
    LegalRule("strfl_136", all_of(has("incitement"), spread), PUBLIC, the_employee),
    LegalRule(
        "strfl_242",
        any_of(phenomenon("stalking"), all_of(has("repeated"), has("private_details"))),
        PUBLIC,
        the_employee,
    ),
    LegalRule("strfl_263", has("recorder_not_party"), REQUEST, (("everyone_recorded", always),)),
    LegalRule("strfl_264a", all_of(has("video_published"), has("hidden_recording")), REQUEST, the_employee),
    LegalRule(
        "strfl_264d",
        any_of(private_details_spread, has("family_exposed"), has("third_party_confidential")),
        REQUEST,
        (
            ("employee", private_details_spread),
            ("family", has("family_exposed")),
            ("third_party", has("third_party_confidential")),
        ),
    ),
    LegalRule("strfl_266", has("threat"), PUBLIC, the_employee),
    LegalRule(
        "strfl_267_268",
        any_of(
            has_any("insulting_description", "abuse_of_power_accusation", "lawbreaking_accusation"),
            all_of(has("offensive_language"), lacks("addressed_to_employee")),
        ),
        (
            ("request", has_any("lawbreaking_accusation", "abuse_of_power_accusation")),
            ("private", always),
        ),
        the_employee,
    ),
    LegalRule(
        "gdpr",
        any_of(all_of(video_without_consent, spread), private_details_spread),
        NO_PROSECUTION,
        the_employee,
    ),
    LegalRule("gdpr_breach", has("third_party_confidential"), NO_PROSECUTION, (("third_party", always),)),
)


# -- 4.3 Recommended actions -------------------------------------------------------------

distrust = any_of(
    hostile_content,
    phenomenon("case_complaint"),
    has("hidden_recording"),
    has("audio_published"),
    video_without_consent,
)

ACTIONS: tuple[Rule, ...] = (
    Rule("support_conversation", always),
    Rule("secure_evidence", always),
    Rule("involve_amr_tr", always),
    Rule("no_engagement", always),
    Rule("platform_takedown", all_of(legal_reference_other_than("gdpr_breach"), hosted)),
    Rule("platform_report", all_of(level_at_least(2), online_service)),
    Rule("contact_publisher", on_platform("book")),
    Rule(
        "police_report",
        any_of(
            has_any("threat", "threat_to_expose", "lawbreaking_accusation"),
            private_details_spread,
            has_any("family_exposed", "incitement", "recorder_not_party"),
            phenomenon("stalking"),
            recording_with_hostile_content,
        ),
    ),
    Rule("datatilsynet_report", legal_reference("gdpr")),
    Rule("breach_assessment", has("third_party_confidential")),
    Rule(
        "safety_assessment",
        any_of(has_any("threat", "private_details", "family_exposed", "incitement"), phenomenon("stalking")),
    ),
    Rule("acute_112", has("threat")),
    Rule("complaint_system", all_of(citizen_or_relative, distrust)),
    Rule("bisidder", all_of(citizen_or_relative, distrust)),
    Rule("change_caseworker", all_of(citizen_or_relative, level_at_least(2))),
    Rule(
        "recording_guidelines",
        has_any("audio_published", "video_published", "hidden_recording", "recorder_not_party"),
    ),
    Rule("occupational_injury", all_of(any_of(absence, psychological_harm), not_long_running)),
    Rule("occupational_disease", all_of(any_of(absence, psychological_harm), long_running)),
    Rule(
        "restraining_order",
        any_of(
            all_of(has("repeated"), level_at_least(3)),
            phenomenon("stalking"),
        ),
    ),
)

# 4.0: a case complaint only gets these two actions (complaint_system always).
CASE_COMPLAINT_ACTIONS: tuple[Rule, ...] = (
    Rule("support_conversation", always),
    Rule("complaint_system", phenomenon("case_complaint")),
)


# -- 4.4 Deadlines -----------------------------------------------------------------------


def _offence(facts: Facts) -> datetime:
    """The moment of the offence: the earliest ``published_at``, else ``discovered_at``."""
    if facts.first_published_at is None:
        return facts.discovered_at
    return facts.first_published_at.astimezone(facts.discovered_at.tzinfo)


def _police_due(facts: Facts) -> datetime:
    return dates.add_hours(_offence(facts), 72)


def _easy_due(facts: Facts) -> datetime:
    if facts.absence_days >= 1 and facts.absence_start is not None:
        first_day = facts.absence_start
    else:
        first_day = facts.discovered_at.date()
    return dates.end_of_day(first_day + timedelta(days=14), facts.discovered_at.tzinfo)


DEADLINES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        "assessment_due",
        self_reported,
        due=lambda facts: dates.add_working_days(facts.registered_at, 2),
    ),
    DeadlineRule(
        "police_report_72h",
        action("police_report"),
        due=_police_due,
        details=(
            (POLICE_72H_NO_DATE, lambda facts: facts.first_published_at is None),
            (POLICE_72H_PASSED, lambda facts: _police_due(facts) < facts.discovered_at),
        ),
    ),
    DeadlineRule(
        "request_6_months",
        prosecution_in("request", "private"),
        due=lambda facts: dates.add_months(facts.discovered_at, 6),
        details=((REQUEST_DETAIL, lambda facts: True),),
    ),
    DeadlineRule(
        "easy_14_days",
        action("occupational_injury"),
        due=_easy_due,
        details=(
            (EASY_NO_START, lambda facts: facts.absence_days >= 1 and facts.absence_start is None),
            (EASY_NO_ABSENCE, lambda facts: facts.absence_days < 1),
        ),
    ),
    DeadlineRule(
        "breach_72h",
        legal_reference("gdpr_breach"),
        due=lambda facts: dates.add_hours(facts.discovered_at, 72),
    ),
    DeadlineRule(
        "follow_up_14_days",
        always,
        due=lambda facts: dates.add_days(facts.registered_at, 14),
    ),
    DeadlineRule(
        "takedown_follow_up_7_days",
        takedown_requested,
        due=lambda facts: dates.add_days(facts.takedown_requested_at, 7),  # type: ignore[arg-type] # set when it fires
    ),
)
CASE_COMPLAINT_DEADLINES: frozenset[str] = frozenset({"assessment_due"})


# -- the assessment ----------------------------------------------------------------------


def _identity(message: str) -> str:
    return message


def assess(facts: Facts, translate: Translate | None = None) -> Assessment:
    """Compute the assessment of DOMAIN.md section 4 for ``facts``. Pure and deterministic.

    ``translate`` (default: none, so Danish) is applied to every text literal; see reading 16.
    """
    if not isinstance(facts, Facts):
        raise TypeError(f"assess() needs Facts, got {type(facts).__name__}")
    t = translate or _identity
    case_complaint = is_case_complaint_only(facts)
    context = Context(facts=facts, features=facts.effective_features, t=t)
    severity, severity_hits = _severity(context)
    context = replace(context, level=severity.level, severity_hits=severity_hits)

    legal_rules = () if case_complaint else LEGAL_REFERENCES
    legal: list[LegalReference] = []
    legal_hits: dict[str, tuple[Hit, ...]] = {}
    legal_prosecution: dict[str, str | None] = {}
    for rule in legal_rules:
        hits = rule.when(context)
        if hits is None:
            continue
        prosecution = next(value for value, when in rule.prosecution if when(context) is not None)
        victims = tuple(dict.fromkeys(victim for victim, when in rule.victims if when(context) is not None))
        legal_hits[rule.code] = hits
        legal_prosecution[rule.code] = prosecution
        legal.append(_legal_reference(rule.code, prosecution, victims, hits, t))
    context = replace(context, legal_hits=legal_hits, legal_prosecution=legal_prosecution)

    actions: list[Item] = []
    action_hits: dict[str, tuple[Hit, ...]] = {}
    for action_rule in CASE_COMPLAINT_ACTIONS if case_complaint else ACTIONS:
        hits = action_rule.when(context)
        if hits is None:
            continue
        action_hits[action_rule.code] = hits
        actions.append(_item(action_rule.code, ACTION_TEXTS[action_rule.code], hits, t))
    context = replace(context, action_hits=action_hits)

    deadlines = tuple(
        _deadline(rule, facts, hits, t)
        for rule in DEADLINES
        if (not case_complaint or rule.code in CASE_COMPLAINT_DEADLINES) and (hits := rule.when(context)) is not None
    )
    return Assessment(
        rules_version=RULES_VERSION,
        scope="case_complaint" if case_complaint else "udhaengning",
        severity=severity,
        legal_references=tuple(legal),
        actions=tuple(actions),
        deadlines=deadlines,
    )


def _severity(context: Context) -> tuple[Severity, tuple[Hit, ...]]:
    level, hits = FLOOR_LEVEL, cast(tuple[Hit, ...], ())
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
        label=context.t(LEVEL_LABELS[level]),
        reasons=_codes(hits),
    )
    return severity, hits


def _legal_reference(
    code: str, prosecution: str | None, victims: tuple[str, ...], hits: tuple[Hit, ...], t: Translate
) -> LegalReference:
    text = LEGAL_REFERENCE_TEXTS[code]
    hits = _unique(hits)
    return LegalReference(
        code=code,
        title=t(text.title),
        summary=t(text.summary),
        guidance=t(text.guidance),
        prosecution=prosecution,
        victim=victims,
        reason=_reason(t(text.lead), hits, t),
        source=t(text.source),
        anchor=text.anchor,
        triggers=_codes(hits),
    )


def _item(code: str, text: Text, hits: tuple[Hit, ...], t: Translate) -> Item:
    hits = _unique(hits)
    return Item(
        code=code,
        title=t(text.title),
        reason=_reason(t(text.lead), hits, t),
        source=t(text.source),
        anchor=text.anchor,
        triggers=_codes(hits),
    )


def _deadline(rule: DeadlineRule, facts: Facts, hits: tuple[Hit, ...], t: Translate) -> Deadline:
    text = DEADLINE_TEXTS[rule.code]
    parts = [t(text.lead)] + [t(detail) for detail, applies in rule.details if applies(facts)]
    return Deadline(
        code=rule.code,
        title=t(text.title),
        due=rule.due(facts),
        reason=_reason(" ".join(parts), _unique(hits), t),
        source=t(text.source),
    )


def _reason(lead: str, hits: tuple[Hit, ...], t: Translate) -> str:
    if not hits:
        return lead
    words = [hit.text for hit in hits]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {t(REASON_AND)} {words[-1]}"
    return t(REASON_TEMPLATE) % {"lead": lead, "facts": listed}


def _unique(hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    return tuple(dict.fromkeys(hits))


def _codes(hits: tuple[Hit, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(hit.code for hit in hits if hit.code is not None))
