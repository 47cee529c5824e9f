"""One named scenario per correction of guidance/LEGAL-REVIEW.md A–C (rules 2026.2).

Each test name says the scenario and what the law gives; the docstring names the item.
C17–C19 (what a DSA notice must contain and leave out) concern the reports, not the engine.
"""

from datetime import date, datetime, timedelta

from incidents.assessment import assess
from incidents.assessment.texts import ACTION_TEXTS, DEADLINE_TEXTS, LEGAL_REFERENCE_TEXTS

from .factories import COPENHAGEN, DISCOVERED, make_facts

FACEBOOK = {"platforms": ["facebook"], "reaches": ["public"]}


def refs(result):
    return {item.code: item for item in result.legal_references}


def actions(result):
    return [item.code for item in result.actions]


def deadlines(result):
    return {d.code: d for d in result.deadlines}


# -- A. Provisions ---------------------------------------------------------------------------------


def test_a1_insult_about_her_on_facebook_is_267_268_private_and_no_121():
    """A1: words about her to others ("hun er en heks") are § 267, not § 121."""
    result = assess(make_facts("named", "offensive_language", **FACEBOOK))

    assert "strfl_121" not in refs(result)
    assert refs(result)["strfl_267_268"].prosecution == "private"
    assert list(refs(result)["strfl_267_268"].victim) == ["employee"]


def test_a1_insult_addressed_to_her_in_a_comment_is_121_publicly_prosecuted():
    """A1: § 121 needs words addressed to the public servant."""
    result = assess(make_facts("named", "offensive_language", "addressed_to_employee", **FACEBOOK))

    assert refs(result)["strfl_121"].prosecution == "public"
    assert "strfl_267_268" not in refs(result)


def test_a2_home_address_in_a_private_message_is_neither_264d_nor_gdpr():
    """A2: a private message to the victim passes nothing on."""
    result = assess(make_facts("named", "private_details", platforms=["messaging"], reaches=["private_message"]))

    assert not {"strfl_264d", "gdpr", "strfl_119a"} & set(refs(result))
    assert "datatilsynet_report" not in actions(result)
    assert "safety_assessment" in actions(result)  # she still may be sought out


def test_a2_home_address_posted_publicly_is_264d_and_gdpr():
    result = assess(make_facts("named", "private_details", **FACEBOOK))

    assert {"strfl_119a", "strfl_264d", "gdpr"} <= set(refs(result))


def test_a3_secretly_filmed_meeting_is_264a_on_her_request():
    """A3: § 264 a, photographing persons in a place not freely accessible."""
    result = assess(make_facts("named", "video_published", "hidden_recording", platforms=["youtube"]))

    assert (refs(result)["strfl_264a"].prosecution, list(refs(result)["strfl_264a"].victim)) == (
        "request",
        ["employee"],
    )
    assert "request_6_months" in deadlines(result)


def test_a4_ill_expose_you_unless_is_119_stk_2_publicly_prosecuted():
    """A4: § 119, stk. 2 — threatening an accusation to influence a decision."""
    result = assess(make_facts("threat_to_expose", platforms=["email"], reaches=["private_message"]))

    assert refs(result)["strfl_119_2"].prosecution == "public"
    assert refs(result)["strfl_119_2"].source == "Straffeloven § 119, stk. 2"
    assert "police_report" in actions(result)
    assert result.severity.level == 3


def test_a5_public_call_to_go_after_her_considers_136():
    """A5: § 136, stk. 1, public incitement, to consider with incitement."""
    public = assess(make_facts("named", "incitement", **FACEBOOK))
    private = assess(make_facts("named", "incitement", platforms=["messaging"]))

    assert refs(public)["strfl_136"].source == "Straffeloven § 136, stk. 1"
    assert "strfl_136" not in refs(private)


def test_a6_accusation_of_a_crime_is_police_on_request_a_plain_insult_is_never_the_police():
    """A6: § 275, stk. 2, nr. 1–3: the police *may* act on request; a plain § 267 insult not at all."""
    accusation = refs(assess(make_facts("lawbreaking_accusation", **FACEBOOK)))["strfl_267_268"]
    abuse = refs(assess(make_facts("abuse_of_power_accusation", **FACEBOOK)))["strfl_267_268"]
    insult = refs(assess(make_facts("insulting_description", **FACEBOOK)))["strfl_267_268"]

    assert (accusation.prosecution, abuse.prosecution, insult.prosecution) == ("request", "request", "private")
    assert "§ 275, stk. 2, nr. 1–3" in insult.source
    assert "privat straffesag" in insult.summary
    for text in (*LEGAL_REFERENCE_TEXTS.values(), *ACTION_TEXTS.values()):
        assert "Politiet rejser kun sag, hvis medarbejderen" not in text.summary + text.guidance + text.lead


def test_a7_six_months_are_96_stk_1_for_263_264a_264d_and_267_alike():
    """A7: § 96, stk. 1; mortification § 270 has 3 years (§ 96, stk. 5)."""
    for features in (
        ("recorder_not_party",),
        ("video_published", "hidden_recording"),
        ("family_exposed",),
        ("insulting_description",),
    ):
        due = deadlines(assess(make_facts(*features, **FACEBOOK)))["request_6_months"]
        assert due.source == "Straffeloven § 96, stk. 1", features
        assert due.due == datetime(2027, 5, 20, 10, 0, tzinfo=COPENHAGEN)
    assert "§ 96, stk. 5" in LEGAL_REFERENCE_TEXTS["strfl_267_268"].guidance
    assert "private_prosecution_6_months" not in DEADLINE_TEXTS


def test_a8_stalking_is_described_in_the_statutes_terms():
    """A8: "systematisk og vedvarende kontakte, følge efter eller på anden måde chikanere"; no "groft"."""
    text = LEGAL_REFERENCE_TEXTS["strfl_242"]

    assert "systematisk og vedvarende at kontakte, følge efter eller på anden måde chikanere" in text.summary
    for word in ("groft", "grov", "overvågning"):
        assert word not in (text.summary + text.lead).lower()


def test_a9_119a_says_chikanere_and_flags_the_2025_bill():
    """A9: § 119 a says "chikanere", not "genere"; the October 2025 bill must be checked before citing."""
    text = LEGAL_REFERENCE_TEXTS["strfl_119a"]

    assert "chikanere" in text.summary and "genere" not in text.summary + text.lead
    assert "2025" in text.guidance and "retsinformation.dk" in text.guidance


def test_a10_family_and_other_citizens_are_the_victims_of_264d_not_the_employee():
    """A10: the victim of § 264 d is the person the data concern."""
    children = refs(assess(make_facts("named", "family_exposed", **FACEBOOK)))["strfl_264d"]
    others = refs(assess(make_facts("audio_published", "third_party_confidential", **FACEBOOK)))["strfl_264d"]
    both = refs(assess(make_facts("private_details", "family_exposed", **FACEBOOK)))["strfl_264d"]

    assert list(children.victim) == ["family"]
    assert list(others.victim) == ["third_party"]
    assert list(both.victim) == ["employee", "family"]
    assert "forældremyndighedens indehavere" in children.guidance


def test_a11_restraining_order_forbids_contact_not_mention():
    """A11: tilholdsloven § 1; Højesteret 3.12.2021; no ban on mentioning the employee."""
    order = next(
        item for item in assess(make_facts(related_phenomena=["stalking"])).actions if item.code == "restraining_order"
    )

    assert "kontakte, følge efter eller på anden måde chikanere" in order.reason
    assert "ikke et forbud mod at nævne" in order.reason
    assert order.source == (
        "Lov om tilhold, opholdsforbud og bortvisning (tilholdsloven) § 1; Højesterets dom af 3. december 2021"
    )


# -- B. Deadlines ----------------------------------------------------------------------------------


def test_b12_seventy_two_hours_run_from_the_post_for_any_crime_not_from_discovery():
    """B12: offererstatningsloven § 10 — 72 hours from the offence, for every police report."""
    posted = datetime(2026, 11, 19, 22, 41, tzinfo=COPENHAGEN)
    result = assess(make_facts("named", "lawbreaking_accusation", first_published_at=posted, **FACEBOOK))
    police = deadlines(result)["police_report_72h"]

    assert police.due == posted + timedelta(hours=72)
    assert police.source.startswith("Offererstatningsloven § 10, stk. 1")
    assert "straffesagen" in police.reason


def test_b12_post_older_than_72_hours_at_discovery_says_report_at_once():
    old = DISCOVERED - timedelta(days=6)
    police = deadlines(assess(make_facts("threat", first_published_at=old, **FACEBOOK)))["police_report_72h"]

    assert police.due < DISCOVERED
    assert "anmeld straks og bed om dispensation" in police.reason


def test_b13_easy_is_14_days_from_the_first_day_of_absence_per_bek_485_2024():
    """B13: BEK 485/2024 § 9, stk. 2."""
    easy = deadlines(assess(make_facts("threat", absence_days=3, absence_start=date(2026, 11, 18))))["easy_14_days"]

    assert easy.due == datetime(2026, 12, 2, 23, 59, 59, tzinfo=COPENHAGEN)
    assert easy.source == "Bekendtgørelse nr. 485 af 2024 om anmeldelse af arbejdsulykker, § 9, stk. 2"


def test_b13_a_three_week_campaign_is_an_occupational_disease_not_an_accident():
    """B13: an injury from a course of more than 5 days is an occupational disease (§ 7)."""
    result = assess(
        make_facts(
            "named",
            "insulting_description",
            publication_count=4,
            absence_days=5,
            absence_start=date(2026, 11, 18),
            first_published_at=datetime(2026, 10, 30, 10, 0, tzinfo=COPENHAGEN),
            last_published_at=datetime(2026, 11, 19, 10, 0, tzinfo=COPENHAGEN),
            **FACEBOOK,
        )
    )

    assert "occupational_disease" in actions(result)
    assert "occupational_injury" not in actions(result)
    assert "easy_14_days" not in deadlines(result)


def test_b14_other_citizens_data_in_a_recording_is_the_employers_own_breach():
    """B14: GDPR art. 33–34: assess, notify within 72 hours of awareness; not a complaint for the employee."""
    result = assess(make_facts("audio_published", "third_party_confidential", platforms=["youtube"]))

    assert refs(result)["gdpr_breach"].prosecution is None
    assert list(refs(result)["gdpr_breach"].victim) == ["third_party"]
    assert "breach_assessment" in actions(result)
    assert "datatilsynet_report" not in actions(result)
    assert deadlines(result)["breach_72h"].due == DISCOVERED + timedelta(hours=72)


def test_b15_follow_up_and_takedown_check_are_labelled_the_systems_default():
    """B15: no law sets 14 or 7 days."""
    for code in ("follow_up_14_days", "takedown_follow_up_7_days", "assessment_due"):
        assert DEADLINE_TEXTS[code].source.startswith("Systemets standard"), code


# -- C. Platforms (DSA) ------------------------------------------------------------------------------


def test_c16_email_gets_no_dsa_notice_and_no_platform_report():
    """C16: e-mail is interpersonal communication, not hosting."""
    result = assess(make_facts("named", "lawbreaking_accusation", platforms=["email"]))

    assert "platform_takedown" not in actions(result) and "platform_report" not in actions(result)


def test_c16_a_photo_alone_goes_through_the_platforms_own_report_not_dsa():
    """C16: content that breaks no law goes through the terms-of-service report."""
    result = assess(make_facts("photo", **FACEBOOK))

    assert refs(result) == {}
    assert "platform_report" in actions(result) and "platform_takedown" not in actions(result)


def test_c16_private_messaging_gets_the_services_report_but_no_dsa_notice():
    result = assess(make_facts("named", "insulting_description", platforms=["messaging"]))

    assert "platform_report" in actions(result) and "platform_takedown" not in actions(result)


def test_c16_illegal_public_post_gets_the_dsa_notice():
    result = assess(make_facts("named", "insulting_description", **FACEBOOK))

    assert "platform_takedown" in actions(result)
    assert next(a for a in result.actions if a.code == "platform_takedown").source == (
        "Forordning (EU) 2022/2065 om digitale tjenester (DSA) art. 16"
    )


def test_c16_a_book_goes_to_the_author_or_publisher():
    result = assess(make_facts("named", "lawbreaking_accusation", platforms=["book"]))

    assert "contact_publisher" in actions(result)
    assert "platform_takedown" not in actions(result) and "platform_report" not in actions(result)


# -- B/C in scope: a case complaint only --------------------------------------------------------------


def test_e32_criticism_of_a_decision_is_not_udhaengning():
    """E32 (with DOMAIN.md 4.0): a case complaint only gets no references and registers nobody."""
    result = assess(
        make_facts(
            "named",
            related_phenomena=["case_complaint"],
            perpetrator_relation="citizen_own_case",
            platforms=["facebook"],
        )
    )

    assert result.scope == "case_complaint"
    assert refs(result) == {} and actions(result) == ["support_conversation", "complaint_system"]
