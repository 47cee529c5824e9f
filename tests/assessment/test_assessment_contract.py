"""The public API others build on: codes, labels, and the JSON of DOMAIN.md section 9."""

import ast
import json
from datetime import datetime
from pathlib import Path

import incidents.assessment as assessment
from incidents.assessment import (
    ALL_FEATURES,
    CONTENT_FEATURES,
    FEATURE_HELP,
    FEATURE_LABELS,
    HOSTILE_FEATURES,
    LEVEL_CODES,
    LEVEL_LABELS,
    PERPETRATOR_RELATION_LABELS,
    PERPETRATOR_RELATIONS,
    PLATFORM_LABELS,
    PLATFORMS,
    REACH_LABELS,
    REACHES,
    RECORDING_FEATURES,
    RELATED_PHENOMENA,
    RELATED_PHENOMENA_LABELS,
    RULES_VERSION,
    Facts,
    assess,
)
from incidents.assessment.texts import ACTION_TEXTS, ANCHORS, LEGAL_REFERENCE_TEXTS

from .factories import COPENHAGEN


def test_codes_follow_domain_order():
    assert CONTENT_FEATURES[0] == "named" and CONTENT_FEATURES[-1] == "repeated"
    assert RECORDING_FEATURES == (
        "audio_published",
        "video_published",
        "video_consent",
        "third_party_confidential",
        "hidden_recording",
        "recorder_not_party",
    )
    assert ALL_FEATURES == CONTENT_FEATURES + RECORDING_FEATURES
    assert len(set(ALL_FEATURES)) == 20
    assert CONTENT_FEATURES[3] == "addressed_to_employee" and "threat_to_expose" in HOSTILE_FEATURES
    assert set(HOSTILE_FEATURES) < set(CONTENT_FEATURES)
    assert len(PLATFORMS) == 16 and "book" in PLATFORMS
    assert RULES_VERSION == "2026.2"


def test_every_code_has_a_danish_label():
    assert list(FEATURE_LABELS) == list(ALL_FEATURES)
    assert list(FEATURE_HELP) == list(ALL_FEATURES)
    assert list(PERPETRATOR_RELATION_LABELS) == list(PERPETRATOR_RELATIONS)
    assert list(RELATED_PHENOMENA_LABELS) == list(RELATED_PHENOMENA)
    assert list(PLATFORM_LABELS) == list(PLATFORMS)
    assert list(REACH_LABELS) == list(REACHES)
    assert LEVEL_LABELS == {1: "Lav", 2: "Moderat", 3: "Alvorlig", 4: "Kritisk"}
    assert LEVEL_CODES == {1: "low", 2: "moderate", 3: "serious", 4: "critical"}
    assert FEATURE_LABELS["threat"] == "Trusler om vold eller anden skade"
    for text in FEATURE_HELP.values():
        assert 1 <= text.count(".") <= 4 and text.endswith(".")


def test_anchors_are_declared():
    used = {text.anchor for text in (*ACTION_TEXTS.values(), *LEGAL_REFERENCE_TEXTS.values())}
    assert used <= set(ANCHORS)


def test_domain_section_9_example():
    facts = Facts(
        frozenset({"named", "offensive_language", "audio_published"}),
        perpetrator_relation="citizen_own_case",
        related_phenomena=frozenset({"stalking"}),
        platforms=frozenset({"facebook", "youtube"}),
        publication_count=1,
        discovered_at=datetime.fromisoformat("2026-11-20T10:00:00+01:00"),
        registered_at=datetime.fromisoformat("2026-11-21T09:00:00+01:00"),
    )

    body = assess(facts).to_dict()

    assert json.loads(json.dumps(body)) == body
    assert list(body) == ["rules_version", "scope", "severity", "legal_references", "actions", "deadlines"]
    assert body["rules_version"] == "2026.2"
    assert body["scope"] == "udhaengning"
    # stalking sets level 3 (2026.2); words about her, not to her: §§ 267–268, not § 121.
    assert body["severity"] == {"level": 3, "code": "serious", "label": "Alvorlig", "reasons": ["stalking"]}
    assert [i["code"] for i in body["legal_references"]] == ["strfl_242", "strfl_267_268"]
    assert [(i["prosecution"], i["victim"]) for i in body["legal_references"]] == [
        ("public", ["employee"]),
        ("private", ["employee"]),
    ]
    assert [i["code"] for i in body["actions"]] == [
        "support_conversation",
        "secure_evidence",
        "involve_amr_tr",
        "no_engagement",
        "platform_takedown",
        "platform_report",
        "police_report",
        "safety_assessment",
        "complaint_system",
        "bisidder",
        "change_caseworker",
        "recording_guidelines",
        "restraining_order",
    ]
    assert [d["code"] for d in body["deadlines"]] == ["police_report_72h", "request_6_months", "follow_up_14_days"]
    assert body["deadlines"][-1] == {
        "code": "follow_up_14_days",
        "title": "Opfølgende samtale med medarbejderen",
        "due": "2026-12-05T09:00:00+01:00",
        "reason": "Hold en opfølgende samtale med medarbejderen 14 dage efter registreringen.",
        "source": body["deadlines"][-1]["source"],
    }
    assert "standard" in body["deadlines"][-1]["source"]
    for item in body["legal_references"]:
        assert list(item) == [
            "code",
            "title",
            "summary",
            "guidance",
            "prosecution",
            "victim",
            "reason",
            "source",
            "anchor",
        ]
    for item in body["actions"]:
        assert list(item) == ["code", "title", "reason", "source", "anchor"]
        assert all(isinstance(value, str) for value in item.values())


def test_due_is_iso_8601_with_offset_and_seconds():
    facts = Facts(
        frozenset({"threat"}),
        discovered_at=datetime(2026, 7, 1, 8, 15, 42, 123456, tzinfo=COPENHAGEN),
        registered_at=datetime(2026, 7, 1, 9, 0, tzinfo=COPENHAGEN),
    )

    dues = {d["code"]: d["due"] for d in assess(facts).to_dict()["deadlines"]}

    assert dues["police_report_72h"] == "2026-07-04T08:15:42+02:00"


def test_no_django_and_no_third_party_imports():
    allowed = {
        "calendar",
        "collections",
        "dataclasses",
        "datetime",
        "enum",
        "typing",
        "zoneinfo",
    }
    package = Path(assessment.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                if name == "common.dates":  # the one add_months; standard library only (checked below)
                    continue
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
    common_dates = Path(assessment.__file__).parent.parent.parent / "common" / "dates.py"
    for node in ast.parse(common_dates.read_text(encoding="utf-8")).body:  # what importing it runs
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                assert name.split(".")[0] in allowed | {"__future__"}, f"common/dates.py imports {name}"
