"""The suggestion rules (recordings/suggest.py), table-driven."""

import pytest

from recordings.suggest import (
    GuidelinePolicy,
    InvalidRequestFacts,
    RequestFacts,
    suggest,
)

CONDITIONS = "allowed_with_conditions"
STRICT = GuidelinePolicy("refused")
LENIENT = GuidelinePolicy("allowed_with_conditions")

# reasons, media, policy, expected decision, rule, decisive reasons
TABLE = [
    ({"memory_problems"}, "audio", STRICT, "allowed", "legitimate", ("memory_problems",)),
    ({"concentration_problems"}, "audio", STRICT, "allowed", "legitimate", ("concentration_problems",)),
    ({"note_taking_difficulty"}, "audio", STRICT, "allowed", "legitimate", ("note_taking_difficulty",)),
    (
        {"memory_problems", "note_taking_difficulty"},
        "audio",
        STRICT,
        "allowed",
        "legitimate",
        ("memory_problems", "note_taking_difficulty"),
    ),
    ({"memory_problems", "distrust"}, "audio", STRICT, "allowed", "legitimate", ("memory_problems",)),
    (
        {"memory_problems", "wants_documentation", "other"},
        "audio",
        STRICT,
        "allowed",
        "legitimate",
        ("memory_problems",),
    ),
    ({"memory_problems"}, "video", STRICT, CONDITIONS, "legitimate_video", ("memory_problems",)),
    (
        {"memory_problems", "publish_intent"},
        "audio",
        STRICT,
        CONDITIONS,
        "legitimate_with_publish_intent",
        ("memory_problems", "publish_intent"),
    ),
    (
        {"concentration_problems", "publish_intent"},
        "video",
        STRICT,
        CONDITIONS,
        "legitimate_with_publish_intent",
        ("concentration_problems", "publish_intent"),
    ),
    ({"publish_intent"}, "audio", STRICT, "refused", "publish_intent", ("publish_intent",)),
    ({"publish_intent"}, "audio", LENIENT, "refused", "publish_intent", ("publish_intent",)),
    ({"publish_intent", "distrust"}, "video", LENIENT, "refused", "publish_intent", ("publish_intent",)),
    ({"publish_intent", "language_barrier"}, "audio", STRICT, "refused", "publish_intent", ("publish_intent",)),
    ({"language_barrier"}, "audio", STRICT, CONDITIONS, "language_barrier", ("language_barrier",)),
    ({"language_barrier", "distrust"}, "audio", STRICT, CONDITIONS, "language_barrier", ("language_barrier",)),
    ({"wants_documentation"}, "audio", STRICT, "refused", "documentation_or_distrust", ("wants_documentation",)),
    ({"distrust"}, "audio", STRICT, "refused", "documentation_or_distrust", ("distrust",)),
    (
        {"wants_documentation", "distrust"},
        "video",
        STRICT,
        "refused",
        "documentation_or_distrust",
        ("wants_documentation", "distrust"),
    ),
    ({"wants_documentation"}, "audio", LENIENT, CONDITIONS, "documentation_or_distrust", ("wants_documentation",)),
    ({"distrust"}, "audio", LENIENT, CONDITIONS, "documentation_or_distrust", ("distrust",)),
    ({"other"}, "audio", STRICT, "refused", "other", ("other",)),
    ({"other"}, "audio", LENIENT, CONDITIONS, "other", ("other",)),
    ({"other", "distrust"}, "audio", STRICT, "refused", "documentation_or_distrust", ("distrust",)),
    (set(), "audio", STRICT, "refused", "no_reason", ()),
    (set(), "audio", LENIENT, "refused", "no_reason", ()),
]


@pytest.mark.parametrize(("reasons", "media", "policy", "decision", "rule", "decisive"), TABLE)
def test_rule_table(reasons, media, policy, decision, rule, decisive):
    result = suggest(RequestFacts.of(reasons, media), policy)
    assert (result.decision, result.rule, result.reasons) == (decision, rule, decisive)
    assert str(result.explanation)


def test_explanation_names_the_reasons():
    result = suggest(RequestFacts.of({"memory_problems"}))
    assert "problemer med hukommelsen" in str(result.explanation)
    assert "Ombudsmand" in str(result.explanation)
    result = suggest(RequestFacts.of({"distrust"}))
    assert "Mistillid til sagsbehandleren" in str(result.explanation)
    assert any("bisidder" in str(item) for item in result.advice)
    assert any("klagesystemet" in str(item) for item in result.advice)


def test_passage_keys_point_at_the_decisive_reasons_then_video():
    assert suggest(RequestFacts.of({"memory_problems"}, "video")).passage_keys == ("memory_problems", "video")
    assert suggest(RequestFacts.of({"distrust", "memory_problems"})).passage_keys == ("memory_problems",)
    assert suggest(RequestFacts.of(set())).passage_keys == ("general",)


def test_default_policy_refuses_without_a_legitimate_reason():
    assert suggest(RequestFacts.of({"wants_documentation"})).decision == "refused"


def test_adding_a_legitimate_reason_never_makes_the_suggestion_stricter():
    order = {"refused": 0, "allowed_with_conditions": 1, "allowed": 2}
    for reasons, media, policy, *_ in TABLE:
        before = suggest(RequestFacts.of(reasons, media), policy).decision
        after = suggest(RequestFacts.of(set(reasons) | {"memory_problems"}, media), policy).decision
        assert order[after] >= order[before]


@pytest.mark.parametrize(
    ("reasons", "media", "field"),
    [
        ({"memory"}, "audio", "reasons"),
        ({"memory_problems"}, "film", "media"),
    ],
)
def test_unknown_codes_are_refused(reasons, media, field):
    with pytest.raises(InvalidRequestFacts) as info:
        RequestFacts.of(reasons, media)
    assert info.value.field == field


def test_unknown_policy_is_refused():
    with pytest.raises(InvalidRequestFacts):
        GuidelinePolicy("allowed")
