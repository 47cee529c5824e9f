"""DOMAIN.md 4.0–4.4 (rules 2026.2), row by row: what fires, and nothing else."""

from datetime import date, datetime, timedelta

import pytest

from incidents.assessment import ALWAYS_ACTIONS, assess

from .factories import COPENHAGEN, DISCOVERED, REGISTERED, make_facts

LEVEL_2 = (
    "offensive_language",
    "insulting_description",
    "abuse_of_power_accusation",
    "workplace_details",
    "photo",
)
LEVEL_3 = (
    "lawbreaking_accusation",
    "private_details",
    "family_exposed",
    "threat_to_expose",
    "incitement",
    "third_party_confidential",
    "recorder_not_party",
)


def cph(*args: int) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN)


# -- 4.1 Severity ------------------------------------------------------------------------

SEVERITY_CASES = [
    # (features, other facts, level, reasons)
    pytest.param((), {}, 1, (), id="no features: level 1"),
    pytest.param(("named",), {}, 1, ("named",), id="named"),
    pytest.param(("audio_published",), {}, 1, ("audio_published",), id="neutral audio"),
    pytest.param(
        ("audio_published", "offensive_language"),
        {},
        2,
        ("offensive_language",),
        id="hostile audio: level set by the hostile feature",
    ),
    pytest.param(
        ("video_published", "video_consent"),
        {},
        1,
        ("video_published", "video_consent"),
        id="video with consent",
    ),
    pytest.param(("video_published",), {}, 3, ("video_published",), id="video without consent"),
    pytest.param(("video_consent",), {}, 1, (), id="consent alone sets nothing"),
    pytest.param(("hidden_recording",), {}, 1, ("hidden_recording",), id="hidden, by a party"),
    pytest.param(
        ("hidden_recording", "recorder_not_party"),
        {},
        3,
        ("recorder_not_party",),
        id="hidden, recorder not a party",
    ),
    *(pytest.param((code,), {}, 2, (code,), id=f"level 2: {code}") for code in LEVEL_2),
    *(pytest.param((code,), {}, 3, (code,), id=f"level 3: {code}") for code in LEVEL_3),
    pytest.param(("threat",), {}, 4, ("threat",), id="threat"),
    pytest.param((), {"related_phenomena": ["stalking"]}, 3, ("stalking",), id="stalking sets level 3"),
    pytest.param(
        ("offensive_language", "addressed_to_employee"),
        {},
        2,
        ("offensive_language",),
        id="addressed_to_employee sets no level of its own",
    ),
    pytest.param(
        ("incitement", "private_details"),
        {},
        4,
        ("incitement", "private_details"),
        id="incitement + private_details",
    ),
    pytest.param(
        ("incitement", "workplace_details"),
        {},
        4,
        ("incitement", "workplace_details"),
        id="incitement + workplace_details",
    ),
    pytest.param(
        ("private_details", "workplace_details"),
        {},
        3,
        ("private_details",),
        id="no incitement: no combined rule",
    ),
    pytest.param(
        ("named", "offensive_language", "lawbreaking_accusation"),
        {},
        3,
        ("lawbreaking_accusation",),
        id="maximum over triggers",
    ),
    pytest.param(
        ("threat", "incitement", "private_details"),
        {},
        4,
        ("threat", "incitement", "private_details"),
        id="every level-4 trigger is a reason",
    ),
    pytest.param(("repeated",), {}, 2, ("repeated",), id="repeated alone raises the floor"),
    pytest.param(("named", "repeated"), {}, 2, ("named", "repeated"), id="repeated 1 -> 2"),
    pytest.param(
        ("offensive_language", "repeated"),
        {},
        3,
        ("offensive_language", "repeated"),
        id="repeated 2 -> 3",
    ),
    pytest.param(
        ("private_details", "repeated"),
        {},
        4,
        ("private_details", "repeated"),
        id="repeated 3 -> 4",
    ),
    pytest.param(("threat", "repeated"), {}, 4, ("threat",), id="repeated: capped at 4"),
    pytest.param(
        ("named",),
        {"publication_count": 3},
        2,
        ("named", "repeated"),
        id="3 publications count as repeated",
    ),
    pytest.param(
        ("named",),
        {"publication_count": 2},
        1,
        ("named",),
        id="2 publications do not",
    ),
    pytest.param(
        ("photo",),
        {"publication_count": 7},
        3,
        ("photo", "repeated"),
        id="7 publications raise level 2",
    ),
]


@pytest.mark.parametrize(("features", "fields", "level", "reasons"), SEVERITY_CASES)
def test_severity(features, fields, level, reasons):
    severity = assess(make_facts(*features, **fields)).severity

    assert (severity.level, severity.reasons) == (level, reasons)
    assert severity.code == {1: "low", 2: "moderate", 3: "serious", 4: "critical"}[level]
    assert severity.label == {1: "Lav", 2: "Moderat", 3: "Alvorlig", 4: "Kritisk"}[level]


# -- 4.2 Legal references ----------------------------------------------------------------

LEGAL_CASES = [
    # (features, other facts, exactly these references in this order)
    pytest.param(("threat",), {}, ["strfl_119", "strfl_266"], id="threat"),
    pytest.param(("threat_to_expose",), {}, ["strfl_119_2"], id="threat to expose"),
    pytest.param(("private_details",), {}, ["strfl_119a", "strfl_264d", "gdpr"], id="private_details"),
    pytest.param(
        ("private_details",), {"platforms": ["messaging"]}, [], id="private_details in a private message: none"
    ),
    pytest.param(
        ("private_details",),
        {"platforms": ["facebook"], "reaches": ["private_message"]},
        [],
        id="private_details as a Facebook private message: none",
    ),
    pytest.param(("family_exposed",), {"platforms": ["email"]}, ["strfl_119a", "strfl_264d"], id="family_exposed"),
    pytest.param(("incitement",), {}, ["strfl_119a", "strfl_136"], id="incitement"),
    pytest.param(
        ("incitement",), {"reaches": ["private_message"]}, ["strfl_119a"], id="incitement not spread: no § 136"
    ),
    pytest.param(("photo",), {}, [], id="photo alone"),
    pytest.param(
        ("photo", "offensive_language"),
        {},
        ["strfl_119a", "strfl_267_268"],
        id="photo with offensive words about her",
    ),
    pytest.param(
        ("photo", "offensive_language", "addressed_to_employee"),
        {},
        ["strfl_119a", "strfl_121"],
        id="photo with offensive words to her",
    ),
    pytest.param(
        ("photo", "insulting_description"),
        {},
        ["strfl_119a", "strfl_267_268"],
        id="photo with insulting description",
    ),
    pytest.param(("repeated",), {}, [], id="repeated alone"),
    pytest.param(
        ("repeated", "insulting_description"),
        {},
        ["strfl_119a", "strfl_267_268"],
        id="repeated with hostile content",
    ),
    pytest.param(
        ("abuse_of_power_accusation",),
        {"publication_count": 3},
        ["strfl_119a", "strfl_267_268"],
        id="3 publications with hostile content",
    ),
    pytest.param(("offensive_language",), {}, ["strfl_267_268"], id="offensive_language about her"),
    pytest.param(("offensive_language", "addressed_to_employee"), {}, ["strfl_121"], id="offensive_language to her"),
    pytest.param(("addressed_to_employee",), {}, [], id="addressed alone"),
    pytest.param(("insulting_description",), {}, ["strfl_267_268"], id="insulting"),
    pytest.param(("abuse_of_power_accusation",), {}, ["strfl_267_268"], id="abuse of power"),
    pytest.param(("lawbreaking_accusation",), {}, ["strfl_267_268"], id="lawbreaking"),
    pytest.param(("third_party_confidential",), {}, ["strfl_264d", "gdpr_breach"], id="third_party_confidential"),
    pytest.param(("video_published",), {}, ["gdpr"], id="video without consent"),
    pytest.param(("video_published",), {"platforms": ["email"]}, [], id="video without consent by e-mail"),
    pytest.param(("video_published", "video_consent"), {}, [], id="video with consent"),
    pytest.param(("video_published", "hidden_recording"), {}, ["strfl_264a", "gdpr"], id="secretly filmed meeting"),
    pytest.param(("recorder_not_party",), {}, ["strfl_263"], id="recorder_not_party"),
    pytest.param(("hidden_recording",), {}, [], id="hidden recording by a party"),
    pytest.param(("audio_published",), {}, [], id="neutral audio"),
    pytest.param((), {"related_phenomena": ["stalking"]}, ["strfl_242"], id="stalking"),
    pytest.param((), {"related_phenomena": ["bullying", "threats", "case_complaint"]}, [], id="other phenomena"),
    pytest.param(
        ("repeated", "private_details"),
        {},
        ["strfl_119a", "strfl_242", "strfl_264d", "gdpr"],
        id="repeated with private_details",
    ),
    pytest.param(("named", "workplace_details"), {}, [], id="named, workplace only"),
    pytest.param(("named",), {"related_phenomena": ["case_complaint"]}, [], id="case complaint only: no references"),
]


@pytest.mark.parametrize(("features", "fields", "expected"), LEGAL_CASES)
def test_legal_references(features, fields, expected):
    references = assess(make_facts(*features, **fields)).legal_references

    assert [item.code for item in references] == expected


PROSECUTION_CASES = [
    # (features, reference, prosecution, victims)
    pytest.param(("threat",), "strfl_119", "public", ["employee"], id="§ 119 public"),
    pytest.param(("threat_to_expose",), "strfl_119_2", "public", ["employee"], id="§ 119 stk. 2 public"),
    pytest.param(("private_details",), "strfl_119a", "public", ["employee"], id="§ 119 a public"),
    pytest.param(("offensive_language", "addressed_to_employee"), "strfl_121", "public", ["employee"], id="§ 121"),
    pytest.param(("incitement",), "strfl_136", "public", ["employee"], id="§ 136"),
    pytest.param(("recorder_not_party",), "strfl_263", "request", ["everyone_recorded"], id="§ 263"),
    pytest.param(("video_published", "hidden_recording"), "strfl_264a", "request", ["employee"], id="§ 264 a"),
    pytest.param(("private_details",), "strfl_264d", "request", ["employee"], id="§ 264 d own data"),
    pytest.param(("family_exposed",), "strfl_264d", "request", ["family"], id="§ 264 d family"),
    pytest.param(
        ("private_details", "family_exposed", "third_party_confidential"),
        "strfl_264d",
        "request",
        ["employee", "family", "third_party"],
        id="§ 264 d several victims",
    ),
    pytest.param(("threat",), "strfl_266", "public", ["employee"], id="§ 266"),
    pytest.param(("insulting_description",), "strfl_267_268", "private", ["employee"], id="§ 267 private"),
    pytest.param(("offensive_language",), "strfl_267_268", "private", ["employee"], id="§ 267 words about her"),
    pytest.param(("lawbreaking_accusation",), "strfl_267_268", "request", ["employee"], id="§ 268 request"),
    pytest.param(("abuse_of_power_accusation",), "strfl_267_268", "request", ["employee"], id="§ 275, 2, nr. 2"),
    pytest.param(("private_details",), "gdpr", None, ["employee"], id="GDPR: Datatilsynet"),
    pytest.param(("third_party_confidential",), "gdpr_breach", None, ["third_party"], id="breach: the employer"),
]


@pytest.mark.parametrize(("features", "code", "prosecution", "victims"), PROSECUTION_CASES)
def test_prosecution_and_victim(features, code, prosecution, victims):
    item = next(item for item in assess(make_facts(*features)).legal_references if item.code == code)

    assert (item.prosecution, list(item.victim)) == (prosecution, victims)
    assert item.summary and item.guidance and item.summary != item.guidance


def test_legal_reference_reason_names_the_facts():
    (item,) = assess(make_facts("photo", "offensive_language", "named")).legal_references[:1]

    assert item.code == "strfl_119a"
    assert item.triggers == ("photo", "offensive_language")
    assert "»Billeder af medarbejderen er offentliggjort«" in item.reason
    assert "»Grimt eller nedsættende sprog«" in item.reason
    assert item.source == "Straffeloven § 119 a"
    assert item.anchor == "straffeloven-119a"


# -- 4.3 Actions -------------------------------------------------------------------------

BOOK = {"platforms": ["book"]}
OWN_CASE = {"perpetrator_relation": "citizen_own_case"}

ACTION_CASES = [
    # (features, other facts, exactly these actions after the four "always" ones)
    pytest.param((), {}, [], id="nothing: only the always-actions"),
    pytest.param(
        ("offensive_language",),
        {},
        ["platform_takedown", "platform_report"],
        id="level 2 with a reference, no platform given: DSA notice and platform report",
    ),
    pytest.param(("offensive_language",), BOOK, ["contact_publisher"], id="level 2, book only: the publisher"),
    pytest.param(
        ("offensive_language",),
        {"platforms": ["book", "blog"]},
        ["platform_takedown", "platform_report", "contact_publisher"],
        id="level 2, book and blog",
    ),
    pytest.param(("offensive_language",), {"platforms": ["email"]}, [], id="e-mail: no platform at all"),
    pytest.param(
        ("offensive_language",),
        {"platforms": ["messaging"]},
        ["platform_report"],
        id="private messaging: the service's own report, no DSA notice",
    ),
    pytest.param(("photo",), {"platforms": ["facebook"]}, ["platform_report"], id="photo alone: no DSA notice"),
    pytest.param(
        ("workplace_details",), {"platforms": ["facebook"]}, ["platform_report"], id="workplace alone: no DSA"
    ),
    pytest.param(("named",), {"platforms": ["facebook"]}, [], id="level 1: nothing for the platform"),
    pytest.param(
        ("named", "repeated"),
        {"platforms": ["facebook"]},
        ["platform_report"],
        id="level 2 after the repeated step: platform report",
    ),
    pytest.param(
        ("threat",), BOOK, ["contact_publisher", "police_report", "safety_assessment", "acute_112"], id="threat"
    ),
    pytest.param(
        ("threat_to_expose",),
        {"platforms": ["facebook"]},
        ["platform_takedown", "platform_report", "police_report"],
        id="threat to expose",
    ),
    pytest.param(("lawbreaking_accusation",), BOOK, ["contact_publisher", "police_report"], id="lawbreaking"),
    pytest.param(
        ("private_details",),
        BOOK,
        ["contact_publisher", "police_report", "datatilsynet_report", "safety_assessment"],
        id="private_details",
    ),
    pytest.param(
        ("private_details",),
        {"platforms": ["messaging"]},
        ["platform_report", "safety_assessment"],
        id="private_details in a private message",
    ),
    pytest.param(
        ("family_exposed",),
        {"platforms": ["facebook"]},
        ["platform_takedown", "platform_report", "police_report", "safety_assessment"],
        id="family exposed",
    ),
    pytest.param(("incitement",), BOOK, ["contact_publisher", "police_report", "safety_assessment"], id="incitement"),
    pytest.param(
        ("recorder_not_party",),
        BOOK,
        ["contact_publisher", "police_report", "recording_guidelines"],
        id="recorder_not_party",
    ),
    pytest.param(("audio_published",), {}, ["recording_guidelines"], id="neutral audio"),
    pytest.param(
        ("audio_published", "offensive_language"),
        BOOK,
        ["contact_publisher", "police_report", "recording_guidelines"],
        id="hostile audio: police",
    ),
    pytest.param(
        ("video_published", "video_consent", "insulting_description"),
        BOOK,
        ["contact_publisher", "police_report", "recording_guidelines"],
        id="hostile video: police",
    ),
    pytest.param(("offensive_language",), BOOK, ["contact_publisher"], id="hostile text without recording"),
    pytest.param(
        ("video_published",),
        BOOK,
        ["contact_publisher", "datatilsynet_report", "recording_guidelines"],
        id="video without consent: Datatilsynet",
    ),
    pytest.param(
        ("video_published", "video_consent"),
        BOOK,
        ["contact_publisher", "recording_guidelines"],
        id="video with consent",
    ),
    pytest.param(
        ("third_party_confidential",),
        BOOK,
        ["contact_publisher", "breach_assessment"],
        id="third_party_confidential: the employer's breach, no Datatilsynet complaint",
    ),
    pytest.param(("hidden_recording",), {}, ["recording_guidelines"], id="hidden recording"),
    pytest.param(("named",), OWN_CASE, [], id="citizen_own_case, no distrust shown"),
    pytest.param(
        ("named", "hidden_recording"),
        OWN_CASE,
        ["complaint_system", "bisidder", "recording_guidelines"],
        id="citizen_own_case with a hidden recording",
    ),
    pytest.param(
        ("insulting_description",),
        {**OWN_CASE, **BOOK},
        ["contact_publisher", "complaint_system", "bisidder", "change_caseworker"],
        id="citizen_own_case at level 2 with hostile content",
    ),
    pytest.param(
        ("repeated",),
        {**OWN_CASE, **BOOK},
        ["contact_publisher", "change_caseworker"],
        id="citizen_own_case at level 2 reached by repeated",
    ),
    pytest.param(
        ("insulting_description",),
        {"perpetrator_relation": "relative", **BOOK},
        ["contact_publisher", "complaint_system", "bisidder", "change_caseworker"],
        id="relative counts as the citizen",
    ),
    pytest.param(
        ("insulting_description",),
        {"perpetrator_relation": "other_citizen", **BOOK},
        ["contact_publisher"],
        id="other citizen: no complaint system",
    ),
    pytest.param((), {"absence_days": 1}, ["occupational_injury"], id="absence"),
    pytest.param((), {"psychological_harm": True}, ["occupational_injury"], id="psychological harm"),
    pytest.param((), {"absence_days": 0, "absence_start": date(2026, 11, 20)}, [], id="no absence days"),
    pytest.param(
        (),
        {
            "absence_days": 4,
            "first_published_at": cph(2026, 11, 1, 10, 0),
            "last_published_at": cph(2026, 11, 6, 10, 1),
        },
        ["occupational_disease"],
        id="a course of more than 5 days: occupational disease",
    ),
    pytest.param(
        (),
        {
            "absence_days": 4,
            "first_published_at": cph(2026, 11, 1, 10, 0),
            "last_published_at": cph(2026, 11, 6, 10, 0),
        },
        ["occupational_injury"],
        id="exactly 5 days: still an accident",
    ),
    pytest.param(
        (),
        {"related_phenomena": ["stalking"]},
        ["platform_takedown", "platform_report", "police_report", "safety_assessment", "restraining_order"],
        id="stalking",
    ),
    pytest.param(
        (),
        {"related_phenomena": ["stalking"], "psychological_harm": True, **BOOK},
        ["contact_publisher", "police_report", "safety_assessment", "occupational_disease", "restraining_order"],
        id="stalking is long-running",
    ),
    pytest.param(
        ("offensive_language", "repeated"),
        BOOK,
        ["contact_publisher", "restraining_order"],
        id="repeated at level 3 (after the step)",
    ),
    pytest.param(("repeated",), BOOK, ["contact_publisher"], id="repeated at level 2"),
    pytest.param(
        ("lawbreaking_accusation",),
        {"publication_count": 4, **BOOK},
        ["contact_publisher", "police_report", "restraining_order"],
        id="4 publications at level 4",
    ),
]


@pytest.mark.parametrize(("features", "fields", "expected"), ACTION_CASES)
def test_actions(features, fields, expected):
    actions = assess(make_facts(*features, **fields)).actions

    assert [item.code for item in actions] == [*ALWAYS_ACTIONS, *expected]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"related_phenomena": ["case_complaint"]}, id="nothing set"),
        pytest.param({"related_phenomena": ["case_complaint"], **OWN_CASE, "self_report": True}, id="self-report"),
    ],
)
def test_case_complaint_only(fields):
    result = assess(make_facts("named", **fields))

    assert result.scope == "case_complaint"
    assert result.severity.level == 1
    assert result.legal_references == ()
    assert [item.code for item in result.actions] == ["support_conversation", "complaint_system"]
    assert [d.code for d in result.deadlines] == (["assessment_due"] if fields.get("self_report") else [])


@pytest.mark.parametrize(
    ("features", "fields"),
    [
        pytest.param(("offensive_language",), {"related_phenomena": ["case_complaint"]}, id="a feature beyond named"),
        pytest.param(("named",), {"related_phenomena": ["case_complaint"], "publication_count": 3}, id="3 posts"),
        pytest.param(("named",), {"related_phenomena": ["case_complaint", "bullying"]}, id="another phenomenon"),
        pytest.param(("named",), {}, id="no case complaint"),
    ],
)
def test_not_case_complaint_only(features, fields):
    result = assess(make_facts(*features, **fields))

    assert result.scope == "udhaengning"
    assert [item.code for item in result.actions][:4] == list(ALWAYS_ACTIONS)


def test_takedown_reason_names_the_hosting_platforms():
    facts = make_facts("offensive_language", platforms=["youtube", "book", "facebook"])
    takedown = next(item for item in assess(facts).actions if item.code == "platform_takedown")

    assert "»Facebook«" in takedown.reason
    assert "»YouTube«" in takedown.reason
    assert "Bog" not in takedown.reason
    assert takedown.source == "Forordning (EU) 2022/2065 om digitale tjenester (DSA) art. 16"


# -- 4.4 Deadlines -----------------------------------------------------------------------

FOLLOW_UP = {"follow_up_14_days": REGISTERED + timedelta(days=14)}

DEADLINE_CASES = [
    # (features, other facts, exactly these deadlines with these due times)
    pytest.param((), {}, FOLLOW_UP, id="follow-up always"),
    pytest.param(
        (),
        {"self_report": True, "registered_at": cph(2026, 11, 20, 10, 0)},
        {"assessment_due": cph(2026, 11, 24, 10, 0), "follow_up_14_days": cph(2026, 12, 4, 10, 0)},
        id="self-report Friday 10:00 -> Tuesday 10:00",
    ),
    pytest.param(
        (),
        {"self_report": True, "registered_at": cph(2026, 11, 21, 9, 0)},
        {"assessment_due": cph(2026, 11, 24, 23, 59, 59), "follow_up_14_days": cph(2026, 12, 5, 9, 0)},
        id="self-report Saturday -> Tuesday end of day",
    ),
    pytest.param(
        (),
        {"self_report": True, "registered_at": cph(2026, 11, 22, 18, 30)},
        {"assessment_due": cph(2026, 11, 24, 23, 59, 59), "follow_up_14_days": cph(2026, 12, 6, 18, 30)},
        id="self-report Sunday -> Tuesday end of day",
    ),
    pytest.param(
        ("threat",),
        {},
        {"police_report_72h": cph(2026, 11, 23, 10, 0), **FOLLOW_UP},
        id="threat: 72 hours",
    ),
    pytest.param(
        ("threat",),
        {"discovered_at": cph(2026, 10, 23, 12, 0)},
        {"police_report_72h": cph(2026, 10, 26, 11, 0), **FOLLOW_UP},
        id="threat: 72 elapsed hours across the end of summer time",
    ),
    pytest.param(
        (),
        {"absence_days": 2, "absence_start": date(2026, 11, 16)},
        {"easy_14_days": cph(2026, 11, 30, 23, 59, 59), **FOLLOW_UP},
        id="absence from its start",
    ),
    pytest.param(
        (),
        {"absence_days": 1},
        {"easy_14_days": cph(2026, 12, 4, 23, 59, 59), **FOLLOW_UP},
        id="absence without start: from discovery",
    ),
    pytest.param(
        (),
        {"psychological_harm": True, "absence_start": date(2026, 11, 16)},
        {"easy_14_days": cph(2026, 12, 4, 23, 59, 59), **FOLLOW_UP},
        id="harm without absence: 14 days from discovery",
    ),
    pytest.param(
        (),
        {
            "psychological_harm": True,
            "related_phenomena": ["bullying"],
            "first_published_at": cph(2026, 11, 1, 9, 0),
            "last_published_at": cph(2026, 11, 19, 9, 0),
        },
        FOLLOW_UP,
        id="long-running: no EASY deadline",
    ),
    pytest.param(
        ("insulting_description",),
        {"discovered_at": cph(2026, 8, 31, 10, 0)},
        {"request_6_months": cph(2027, 2, 28, 10, 0), **FOLLOW_UP},
        id="private case: 31 August -> 28 February",
    ),
    pytest.param(
        ("lawbreaking_accusation",),
        {"discovered_at": cph(2027, 8, 31, 10, 0)},
        {"police_report_72h": cph(2027, 9, 3, 10, 0), "request_6_months": cph(2028, 2, 29, 10, 0), **FOLLOW_UP},
        id="request: 31 August -> 29 February in a leap year",
    ),
    pytest.param(
        ("abuse_of_power_accusation",),
        {},
        {"request_6_months": cph(2027, 5, 20, 10, 0), **FOLLOW_UP},
        id="request: 20 November -> 20 May",
    ),
    pytest.param(
        ("recorder_not_party",),
        {"first_published_at": cph(2026, 11, 19, 22, 41)},
        {"police_report_72h": cph(2026, 11, 22, 22, 41), "request_6_months": cph(2027, 5, 20, 10, 0), **FOLLOW_UP},
        id="72 hours from the offence, not the discovery",
    ),
    pytest.param(
        ("third_party_confidential",),
        {},
        {"request_6_months": cph(2027, 5, 20, 10, 0), "breach_72h": cph(2026, 11, 23, 10, 0), **FOLLOW_UP},
        id="the employer's breach: 72 hours from discovery",
    ),
    pytest.param(
        ("threat", "named"),
        {"related_phenomena": ["case_complaint"]},
        {"police_report_72h": cph(2026, 11, 23, 10, 0), **FOLLOW_UP},
        id="a threat is never a case complaint only",
    ),
    pytest.param(
        (),
        {"takedown_requested_at": cph(2026, 11, 25, 14, 0)},
        {**FOLLOW_UP, "takedown_follow_up_7_days": cph(2026, 12, 2, 14, 0)},
        id="takedown follow-up",
    ),
]


@pytest.mark.parametrize(("features", "fields", "expected"), DEADLINE_CASES)
def test_deadlines(features, fields, expected):
    deadlines = assess(make_facts(*features, **fields)).deadlines

    assert {d.code: d.due for d in deadlines} == expected
    assert [d.code for d in deadlines] == list(expected)
    for deadline in deadlines:
        assert deadline.due.utcoffset() == expected[deadline.code].utcoffset()


def test_all_deadlines_in_domain_order():
    facts = make_facts(
        "threat",
        "insulting_description",
        "third_party_confidential",
        self_report=True,
        absence_days=3,
        takedown_requested_at=REGISTERED,
    )

    assert [d.code for d in assess(facts).deadlines] == [
        "assessment_due",
        "police_report_72h",
        "request_6_months",
        "easy_14_days",
        "breach_72h",
        "follow_up_14_days",
        "takedown_follow_up_7_days",
    ]


def test_police_deadline_passed_at_discovery_says_report_at_once():
    facts = make_facts("threat", first_published_at=cph(2026, 11, 10, 8, 0))
    (police,) = [d for d in assess(facts).deadlines if d.code == "police_report_72h"]

    assert police.due == cph(2026, 11, 13, 8, 0)
    assert "dispensation" in police.reason
    assert police.source == "Offererstatningsloven § 10, stk. 1 (undtagelser: stk. 2)"


def test_police_deadline_without_publication_time_counts_from_discovery():
    (police,) = [d for d in assess(make_facts("threat")).deadlines if d.code == "police_report_72h"]

    assert "regnet fra opdagelsen" in police.reason
    assert "dispensation" not in police.reason


def test_easy_deadline_cites_the_executive_order():
    (easy,) = [d for d in assess(make_facts(absence_days=1)).deadlines if d.code == "easy_14_days"]

    assert "nr. 485 af 2024" in easy.source and "§ 9, stk. 2" in easy.source


def test_easy_deadline_says_when_it_counts_from_discovery():
    (easy,) = [d for d in assess(make_facts(absence_days=1)).deadlines if d.code == "easy_14_days"]

    assert "regnet fra opdagelsen" in easy.reason
    assert "sygefravær på 1 dag" in easy.reason
    assert DISCOVERED.date() + timedelta(days=14) == easy.due.date()
