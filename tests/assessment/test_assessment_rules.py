"""DOMAIN.md 4.1–4.4, row by row: what fires, and nothing else."""

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
    pytest.param(("private_details",), {}, ["strfl_119a", "strfl_264d", "gdpr"], id="private_details"),
    pytest.param(("incitement",), {}, ["strfl_119a"], id="incitement"),
    pytest.param(("photo",), {}, [], id="photo alone"),
    pytest.param(
        ("photo", "offensive_language"),
        {},
        ["strfl_119a", "strfl_121"],
        id="photo with hostile content",
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
    pytest.param(("offensive_language",), {}, ["strfl_121"], id="offensive_language"),
    pytest.param(("insulting_description",), {}, ["strfl_267_268"], id="insulting"),
    pytest.param(("abuse_of_power_accusation",), {}, ["strfl_267_268"], id="abuse of power"),
    pytest.param(("lawbreaking_accusation",), {}, ["strfl_267_268"], id="lawbreaking"),
    pytest.param(("third_party_confidential",), {}, ["strfl_264d", "gdpr"], id="third_party_confidential"),
    pytest.param(("video_published",), {}, ["strfl_264d", "gdpr"], id="video without consent"),
    pytest.param(("video_published", "video_consent"), {}, [], id="video with consent"),
    pytest.param(("recorder_not_party",), {}, ["strfl_263"], id="recorder_not_party"),
    pytest.param(("hidden_recording",), {}, [], id="hidden recording by a party"),
    pytest.param(("audio_published",), {}, [], id="neutral audio"),
    pytest.param((), {"related_phenomena": ["stalking"]}, ["strfl_242"], id="stalking"),
    pytest.param(
        (), {"related_phenomena": ["bullying", "threats", "case_complaint"]}, [], id="other phenomena"
    ),
    pytest.param(
        ("repeated", "private_details"),
        {},
        ["strfl_119a", "strfl_264d", "strfl_242", "gdpr"],
        id="repeated with private_details",
    ),
    pytest.param(("named", "workplace_details"), {}, [], id="named, workplace only"),
]


@pytest.mark.parametrize(("features", "fields", "expected"), LEGAL_CASES)
def test_legal_references(features, fields, expected):
    references = assess(make_facts(*features, **fields)).legal_references

    assert [item.code for item in references] == expected


def test_legal_reference_notes_say_who_prosecutes():
    references = assess(
        make_facts("threat", "private_details", "insulting_description", "incitement")
    ).legal_references
    notes = {item.code: item.note for item in references}

    assert "begæring" in notes["strfl_264d"]
    assert "begæring" in notes["strfl_267_268"]
    assert "6 måneder" in notes["strfl_267_268"]
    for code in ("strfl_119", "strfl_119a", "strfl_266"):
        assert "Offentlig påtale" in notes[code]
    assert "Datatilsynet" in notes["gdpr"]


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
        ("offensive_language",), {}, ["platform_takedown"], id="level 2, no platform given: takedown"
    ),
    pytest.param(("offensive_language",), BOOK, [], id="level 2, book only: no takedown"),
    pytest.param(
        ("offensive_language",),
        {"platforms": ["book", "blog"]},
        ["platform_takedown"],
        id="level 2, book and blog: takedown",
    ),
    pytest.param(("named",), {"platforms": ["facebook"]}, [], id="level 1: no takedown"),
    pytest.param(
        ("named", "repeated"),
        {"platforms": ["facebook"]},
        ["platform_takedown"],
        id="level 2 after the repeated step: takedown",
    ),
    pytest.param(("threat",), BOOK, ["police_report", "safety_assessment", "acute_112"], id="threat"),
    pytest.param(("lawbreaking_accusation",), BOOK, ["police_report"], id="lawbreaking"),
    pytest.param(("private_details",), BOOK, ["police_report", "safety_assessment"], id="private_details"),
    pytest.param(("incitement",), BOOK, ["police_report", "safety_assessment"], id="incitement"),
    pytest.param(
        ("recorder_not_party",), BOOK, ["police_report", "recording_guidelines"], id="recorder_not_party"
    ),
    pytest.param(("audio_published",), {}, ["recording_guidelines"], id="neutral audio"),
    pytest.param(
        ("audio_published", "offensive_language"),
        BOOK,
        ["police_report", "recording_guidelines"],
        id="hostile audio: police",
    ),
    pytest.param(
        ("video_published", "video_consent", "insulting_description"),
        BOOK,
        ["police_report", "recording_guidelines"],
        id="hostile video: police",
    ),
    pytest.param(("offensive_language",), BOOK, [], id="hostile text without recording"),
    pytest.param(
        ("video_published",),
        BOOK,
        ["datatilsynet_report", "recording_guidelines"],
        id="video without consent: Datatilsynet",
    ),
    pytest.param(
        ("video_published", "video_consent"), BOOK, ["recording_guidelines"], id="video with consent"
    ),
    pytest.param(("third_party_confidential",), BOOK, ["datatilsynet_report"], id="third_party_confidential"),
    pytest.param(("hidden_recording",), {}, ["recording_guidelines"], id="hidden recording"),
    pytest.param(("named",), OWN_CASE, ["complaint_system", "bisidder"], id="citizen_own_case at level 1"),
    pytest.param(
        ("photo",),
        {**OWN_CASE, **BOOK},
        ["complaint_system", "bisidder", "change_caseworker"],
        id="citizen_own_case at level 2",
    ),
    pytest.param(
        ("repeated",),
        {**OWN_CASE, **BOOK},
        ["complaint_system", "bisidder", "change_caseworker"],
        id="citizen_own_case at level 2 reached by repeated",
    ),
    pytest.param(
        ("photo",), {"perpetrator_relation": "relative", **BOOK}, [], id="relative: no complaint system"
    ),
    pytest.param((), {"related_phenomena": ["case_complaint"]}, [], id="case_complaint phenomenon alone"),
    pytest.param((), {"absence_days": 1}, ["occupational_injury"], id="absence"),
    pytest.param((), {"psychological_harm": True}, ["occupational_injury"], id="psychological harm"),
    pytest.param((), {"absence_days": 0, "absence_start": date(2026, 11, 20)}, [], id="no absence days"),
    pytest.param((), {"related_phenomena": ["stalking"]}, ["restraining_order"], id="stalking"),
    pytest.param(
        ("offensive_language", "repeated"),
        BOOK,
        ["restraining_order"],
        id="repeated at level 3 (after the step)",
    ),
    pytest.param(("repeated",), BOOK, [], id="repeated at level 2"),
    pytest.param(
        ("lawbreaking_accusation",),
        {"publication_count": 4, **BOOK},
        ["police_report", "restraining_order"],
        id="4 publications at level 4",
    ),
]


@pytest.mark.parametrize(("features", "fields", "expected"), ACTION_CASES)
def test_actions(features, fields, expected):
    actions = assess(make_facts(*features, **fields)).actions

    assert [item.code for item in actions] == [*ALWAYS_ACTIONS, *expected]


def test_takedown_reason_names_level_and_platforms():
    facts = make_facts("offensive_language", platforms=["youtube", "book", "facebook"])
    takedown = next(item for item in assess(facts).actions if item.code == "platform_takedown")

    assert takedown.triggers == ("offensive_language", "facebook", "youtube")
    assert "»Moderat«" in takedown.reason
    assert "»Facebook«" in takedown.reason
    assert "Bog" not in takedown.reason
    assert takedown.source.startswith("Forordningen om digitale tjenester")


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
    pytest.param((), {"psychological_harm": True}, FOLLOW_UP, id="harm without absence"),
    pytest.param(
        ("insulting_description",),
        {"discovered_at": cph(2026, 8, 31, 10, 0)},
        {"private_prosecution_6_months": cph(2027, 2, 28, 10, 0), **FOLLOW_UP},
        id="defamation: 31 August -> 28 February",
    ),
    pytest.param(
        ("lawbreaking_accusation",),
        {"discovered_at": cph(2027, 8, 31, 10, 0)},
        {"private_prosecution_6_months": cph(2028, 2, 29, 10, 0), **FOLLOW_UP},
        id="defamation: 31 August -> 29 February in a leap year",
    ),
    pytest.param(
        ("abuse_of_power_accusation",),
        {},
        {"private_prosecution_6_months": cph(2027, 5, 20, 10, 0), **FOLLOW_UP},
        id="defamation: 20 November -> 20 May",
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
        self_report=True,
        absence_days=3,
        takedown_requested_at=REGISTERED,
    )

    assert [d.code for d in assess(facts).deadlines] == [
        "assessment_due",
        "police_report_72h",
        "easy_14_days",
        "private_prosecution_6_months",
        "follow_up_14_days",
        "takedown_follow_up_7_days",
    ]


def test_easy_deadline_says_when_it_counts_from_discovery():
    (easy,) = [d for d in assess(make_facts(absence_days=1)).deadlines if d.code == "easy_14_days"]

    assert "regnet fra opdagelsen" in easy.reason
    assert "sygefravær på 1 dag" in easy.reason
    assert DISCOVERED.date() + timedelta(days=14) == easy.due.date()
