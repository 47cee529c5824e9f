"""Every report kind for the scenarios of LEGAL-REVIEW.md, read back from the PDF with pypdf:
what DOMAIN.md 6 says each recipient must get is there, what it must not get is absent.

    S01  address + incitement: a public Facebook post with the employee's home address and a call
         to go there (§§ 119 a, 136, 264 d for her, GDPR); the address is redacted.
    S02  secret video: a meeting filmed in secret and put on YouTube with an accusation of abuse of
         power (§ 264 a, §§ 267–268 on request, GDPR without consent).
    S07  third-party data: a recorded call on Facebook in which another family's case is heard
         (§ 264 d for that family, the employer's own breach, §§ 267–268 private).
    S12  a threat by private message, with sick leave (§§ 119, 121, 266; no platform, no
         Datatilsynet; health data stay internal).
    X2   a conversation recorded by someone who was not a party (§ 263: everyone recorded).

Set REPORT_DUMP_DIR to keep the PDFs (to look at them with pdftoppm).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from incidents import services as incident_services
from incidents.redactions import redaction_add
from reports import checks
from reports.models import Report
from tests.reports.conftest import compact, pdf_bytes, pdf_text, register, upload

pytestmark = pytest.mark.django_db

ADDRESS = "Rosenvej 12, 8000 Aarhus C"
OTHER_FAMILY = "familien Jensen på Bakkevej har fået fjernet deres to drenge"
HEALTH = ("Sygefravær", "sygefravær", "EASY", "arbejdsulykke", "Psykisk belastning", "ud af 5", "10 dage")
GUIDANCE = ("Intern vejledning", "Domstolene har ikke anset", "svageste", "begrænset effekt", "§ 269")
EMPLOYEE = "Sara Sagsbehandler"


def dump(report: Report, name: str) -> None:
    folder = os.environ.get("REPORT_DUMP_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}-{report.kind}.pdf").write_bytes(pdf_bytes(report))


def present(text: str, expected) -> None:
    squeezed = compact(text)
    missing = [item for item in expected if compact(item) not in squeezed]
    assert not missing, f"missing: {missing}"


def absent(text: str, unexpected) -> None:
    squeezed = compact(text)
    found = [item for item in unexpected if compact(item) in squeezed]
    assert not found, f"must not be there: {found}"


def facts(personas, incident, **values):
    incident_services.incident_update_report_facts(actor=personas.manager, incident=incident, values=values)
    incident.refresh_from_db()
    return incident


def _now():
    return timezone.now().replace(second=0, microsecond=0)


def _employee(personas):
    personas.caseworker.job_title = "Socialrådgiver"
    personas.caseworker.save()


# --- The scenarios, as factories ------------------------------------------------------------------


def s01_address_incitement(personas):
    _employee(personas)
    now = _now()
    incident = register(
        personas,
        title="Opslag med hjemadresse og opfordring",
        description=f"Borgeren har lagt Saras hjemadresse ({ADDRESS}) ud og bedt andre om at opsøge hende.",
        named=True,
        private_details=True,
        incitement=True,
        perpetrator_relation="citizen_own_case",
        perpetrator_name="Ole Opslagsen",
        perpetrator_profile_url="https://www.facebook.com/ole.opslagsen",
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/groups/byen/posts/1",
                "published_at": now - timedelta(days=1),
                "reach": "public",
                "audience_size": 3000,
                "quote": f"Sara Sagsbehandler bor på {ADDRESS}. Tag derhen og sig jeres mening!",
            }
        ],
    )
    facebook = incident.publications.get()
    upload(
        incident, personas.manager, "opslag.png", _png(), captured_at=now - timedelta(hours=20), publication=facebook
    )
    for field, publication in (("quote", facebook), ("description", None)):
        redaction_add(actor=personas.manager, incident=incident, field=field, publication=publication, text=ADDRESS)
    return facts(
        personas,
        incident,
        consent_police_report=True,
        consent_dsa_notice=True,
        employee_police_contact="sara.privat@example.invalid",
        compensation_wanted=True,
        publisher_contacted_at=now - timedelta(hours=10),
        publisher_contact_method="Brev til borgeren",
        publisher_answer="Borgeren nægter at fjerne opslaget.",
    )


def s02_secret_video(personas, *, consent: bool = False):
    _employee(personas)
    now = _now()
    incident = register(
        personas,
        title="Skjult optaget møde på YouTube",
        description="Et møde på kontoret er filmet i skjul og lagt på YouTube med en beskyldning om magtmisbrug.",
        named=True,
        video_published=True,
        hidden_recording=True,
        video_consent=consent,
        insulting_description=True,
        abuse_of_power_accusation=True,
        perpetrator_relation="citizen_own_case",
        publications=[
            {
                "platform": "youtube",
                "url": "https://www.youtube.com/watch?v=skjult123",
                "published_at": now - timedelta(days=2),
                "reach": "public",
                "quote": "Se hvordan sagsbehandleren misbruger sin magt over os",
            }
        ],
    )
    upload(
        incident, personas.manager, "udskrift-video.txt", b"Udskrift af videoen.\n", captured_at=now - timedelta(days=1)
    )
    return facts(personas, incident, consent_police_report=True, consent_dsa_notice=True)


def s07_third_party_data(personas):
    _employee(personas)
    now = _now()
    incident = register(
        personas,
        title="Optaget telefonsamtale med andres oplysninger",
        description="Borgeren har lagt en optagelse af en telefonsamtale på Facebook. I optagelsen høres "
        f"oplysninger om en anden families sag: {OTHER_FAMILY}.",
        named=True,
        audio_published=True,
        third_party_confidential=True,
        offensive_language=True,
        perpetrator_relation="citizen_own_case",
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/watch/optagelse7",
                "published_at": now - timedelta(hours=30),
                "reach": "public",
                "quote": "Hør selv hvad den heks fortæller om andre familier",
            }
        ],
    )
    upload(incident, personas.manager, "optagelse.mp3", b"ID3" + b"\x00" * 64)
    return facts(personas, incident, consent_police_report=True, consent_dsa_notice=True)


def s12_private_threat_sick_leave(personas):
    _employee(personas)
    now = _now()
    incident = register(
        personas,
        title="Trussel i privat besked",
        description="Borgeren har skrevet direkte til Sara på Messenger og truet hende.",
        named=True,
        threat=True,
        offensive_language=True,
        addressed_to_employee=True,
        absence_days=10,
        absence_start=timezone.localdate() - timedelta(days=3),
        psychological_harm=True,
        emotional_load=2,
        perpetrator_relation="citizen_own_case",
        perpetrator_name="Per Privatbesked",
        publications=[
            {
                "platform": "messaging",
                "reach": "private_message",
                "published_at": now - timedelta(days=4),
                "quote": "Du er en klam heks, og jeg finder dig når du går hjem",
            }
        ],
    )
    upload(incident, personas.caseworker, "besked.png", _png())
    return facts(personas, incident, consent_police_report=True, witnesses="Ingen vidner; beskeden er privat.")


def x2_recorder_not_party(personas):
    _employee(personas)
    now = _now()
    incident = register(
        personas,
        title="Samtale optaget af en udenforstående",
        description="En pårørende, der ikke deltog, har skjult optaget en samtale mellem Sara og en borger "
        "og lagt lyden på Facebook.",
        named=True,
        audio_published=True,
        hidden_recording=True,
        recorder_not_party=True,
        perpetrator_relation="relative",
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/posts/x2",
                "published_at": now - timedelta(days=1),
                "reach": "public",
            }
        ],
    )
    return facts(personas, incident, consent_police_report=True, consent_dsa_notice=True)


def _png() -> bytes:
    from tests.reports.conftest import png

    return png()


SCENARIOS = {
    "S01": s01_address_incitement,
    "S02": s02_secret_video,
    "S07": s07_third_party_data,
    "S12": s12_private_threat_sick_leave,
    "X2": x2_recorder_not_party,
}
# Which kinds each scenario calls for (DOMAIN.md 4.3 and 6); the others are refused with a reason.
APPLIES = {
    "S01": {"police", "datatilsynet", "dsa_notice", "internal_hr", "internal_amo"},
    "S02": {"police", "datatilsynet", "dsa_notice", "internal_hr", "internal_amo"},
    "S07": {"police", "dsa_notice", "breach_record", "internal_hr", "internal_amo"},
    "S12": {"police", "internal_hr", "internal_amo"},
    "X2": {"police", "dsa_notice", "internal_hr", "internal_amo"},
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_scenario_gets_exactly_the_kinds_it_calls_for(personas, scenario):
    incident = SCENARIOS[scenario](personas)
    available = {kind for kind in Report.INCIDENT_KINDS if not checks.unavailable_reasons(kind, incident)}
    assert available == APPLIES[scenario], incident.assessment.get("legal_references")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_external_report_leaves_out_guidance_health_data_notes_and_redacted_spans(personas, generate, scenario):
    incident = SCENARIOS[scenario](personas)
    for kind in sorted(APPLIES[scenario] - {"internal_hr"}):
        report = generate(incident, kind)
        assert report.status == Report.Status.READY, (kind, report.error)
        dump(report, scenario)
        text = pdf_text(report) + report.plain_text
        absent(text, [*GUIDANCE, *HEALTH, ADDRESS, "ud af 5"])
        if kind == "internal_amo":
            absent(
                text,
                [
                    EMPLOYEE,
                    incident.perpetrator_name or "¤",
                    *[p.quote for p in incident.publications.all() if p.quote],
                ],
            )
    hr = generate(incident, "internal_hr", include_internal_notes=True)
    dump(hr, scenario)
    # The HR report has the whole case, guidance included.
    present(pdf_text(hr), ["Intern vejledning", "Næste skridt", incident.reference])


# --- Police ---------------------------------------------------------------------------------------


def test_s01_police_report(personas, generate):
    incident = s01_address_incitement(personas)
    text = pdf_text(generate(incident, "police"))
    present(
        text,
        [
            "Til Østjyllands Politi",
            "Straffeloven § 119 a",
            "§ 136",
            "§ 264 d",
            "offentlig påtale",
            "kræver begæring",
            "Begæring om påtale 1: Medarbejderen",
            f"Jeg, {EMPLOYEE}, begærer hermed påtale",
            "sara.privat@example.invalid",
            "[udeladt]",
            "Gerningstidspunkt",
            "rejser krav om erstatning",
            "Ole Opslagsen",
        ],
    )
    absent(text, [ADDRESS, "Databeskyttelsesforordningen", "Begæring om påtale 2", "bistandsadvokat (retsplejeloven"])


def test_s02_police_report_requests_prosecution_for_264a_and_267_about_her(personas, generate):
    incident = s02_secret_video(personas)
    text = pdf_text(generate(incident, "police"))
    request = text.split("Begæring om påtale 1")[1]
    present(request, ["Medarbejderen", "§ 264 a", "§§ 267–268"])
    absent(text, ["Begæring om påtale 2", "Databeskyttelsesforordningen", "privat straffesag. Forholdet"])


def test_s07_police_report_the_other_family_signs_for_its_data_not_the_employee(personas, generate):
    incident = s07_third_party_data(personas)
    text = pdf_text(generate(incident, "police"))
    present(
        text,
        [
            "Begæring om påtale 1: De personer, hvis oplysninger er videregivet",
            "§ 264 d",
            "Undertegnede forurettede begærer hermed påtale",
            # §§ 267–268 without an accusation: named, but the police cannot prosecute it
            "kan ikke påtales af politiet; privat straffesag",
        ],
    )
    absent(text, [f"Jeg, {EMPLOYEE}, begærer", "Begæring om påtale 2", "Brud på persondatasikkerheden", "art. 33"])


def test_s12_police_report_has_no_health_data_and_no_request(personas, generate):
    incident = s12_private_threat_sick_leave(personas)
    text = pdf_text(generate(incident, "police"))
    present(
        text,
        [
            "§ 119",
            "§ 266",
            "§ 121",
            "offentlig påtale",
            "Ingen vidner; beskeden er privat.",
            "Per Privatbesked",
            "Du er en klam heks",
        ],
    )
    absent(text, [*HEALTH, "Begæring om påtale", "kræver begæring", "Opfølgende samtale"])


def test_x2_police_report_has_263_for_the_employee_and_the_others_recorded(personas, generate):
    incident = x2_recorder_not_party(personas)
    text = pdf_text(generate(incident, "police"))
    first, second = text.split("Begæring om påtale 1")[1].split("Begæring om påtale 2")
    present(first, ["Medarbejderen", f"Jeg, {EMPLOYEE}, begærer", "§ 263"])
    present(second, ["De øvrige deltagere i den optagne samtale", "§ 263"])


def test_the_employee_never_signs_for_her_childrens_data(personas, generate):
    _employee(personas)
    incident = register(
        personas,
        title="Billeder af børnene",
        named=True,
        family_exposed=True,
        lawbreaking_accusation=True,
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/p/born",
                "reach": "public",
                "quote": "Hun stjæler børn – her er hendes egne",
            }
        ],
    )
    facts(personas, incident, consent_police_report=True)
    text = pdf_text(generate(incident, "police"))
    employee_part = text.split("Begæring om påtale 1: Medarbejderen")[1].split("Begæring om påtale 2")[0]
    family_part = text.split("Begæring om påtale 2")[1]
    # §§ 267–268 about her (an accusation of a crime): in her own request.
    present(employee_part, ["§§ 267–268"])
    absent(employee_part, ["§ 264 d"])
    present(family_part, ["forældremyndigheden", "§ 264 d"])
    absent(family_part, [f"Jeg, {EMPLOYEE}"])


# --- Datatilsynet, DSA, breach record, AMO ----------------------------------------------------------


def test_s01_datatilsynet_complaint(personas, generate):
    incident = s01_address_incitement(personas)
    report = generate(incident, "datatilsynet", employee_address="Skovvej 3, 8200 Aarhus N")
    text = pdf_text(report)
    present(
        text,
        [
            "Skovvej 3, 8200 Aarhus N",
            "Brev til borgeren",
            "Borgeren nægter at fjerne opslaget.",
            "Lindqvist",
            "Buivids",
            "art. 58, stk. 2, litra g",
            "ca.",
            "3000",
        ],
    )
    absent(text, ["samtykke til offentliggørelsen af videoen", "uden samtykke", ADDRESS])


def test_s02_datatilsynet_says_without_consent_only_when_it_was_not_given(personas, generate):
    text = pdf_text(generate(s02_secret_video(personas), "datatilsynet"))
    present(text, ["Medarbejderen har ikke givet samtykke til offentliggørelsen af videoen."])


def test_s02_with_consent_there_is_no_complaint_that_could_claim_the_opposite(personas, generate):
    """With the employee's consent to the video, the video alone is no complaint to Datatilsynet:
    the kind is not offered, so no document can say consent was not given."""
    incident = s02_secret_video(personas, consent=True)
    [reason] = checks.unavailable_reasons("datatilsynet", incident)
    assert "Datatilsynet er kun for medarbejderens egne personoplysninger" in reason
    without = s02_secret_video(personas)
    assert not checks.unavailable_reasons("datatilsynet", without)


def test_s01_dsa_notice_never_repeats_the_address(personas, generate):
    incident = s01_address_incitement(personas)
    facebook = incident.publications.get()
    # Even an explanation that repeats the address does not carry it to the platform.
    report = generate(
        incident,
        "dsa_notice",
        explanations={
            str(facebook.pk): f"Opslaget oplyser hendes bopæl ({ADDRESS}) og opfordrer andre til at tage derhen."
        },
    )
    for text in (pdf_text(report), report.plain_text):
        present(
            text,
            [
                "Meta Platforms Ireland Ltd.",
                "https://www.facebook.com/groups/byen/posts/1",
                "[udeladt]",
                "Tag derhen og sig jeres mening!",
                "på medarbejderens vegne og med medarbejderens samtykke",
            ],
        )
        absent(text, [ADDRESS, "Rosenvej", "Børn og Familie", "Socialrådgiver", *GUIDANCE])
    # The stored quote is unchanged.
    assert ADDRESS in incident.publications.get().quote


def test_s12_has_no_dsa_notice_and_no_datatilsynet_complaint(personas):
    incident = s12_private_threat_sick_leave(personas)
    assert checks.unavailable_reasons("dsa_notice", incident)
    assert checks.unavailable_reasons("datatilsynet", incident)


def test_s07_breach_record(personas, generate):
    incident = s07_third_party_data(personas)
    report = generate(
        incident,
        "breach_record",
        breach={
            "what": "Oplysninger om en anden families børnesag høres i optagelsen.",
            "categories": "Børn og forældre",
            "persons": "4",
            "consequences": "Familien kan blive genkendt.",
            "measures_taken": "Bedt Facebook fjerne den.",
            "measures_proposed": "Undervisning i telefonsamtaler.",
            "informed": "planned",
        },
    )
    text = pdf_text(report)
    present(
        text,
        [
            "Databeskyttelsesrådgiveren",
            "Dorte Databeskytter",
            "dpo@testkommune.invalid",
            "72 timer",
            "art. 33",
            "art. 34",
            "Børn og forældre",
            "Familien kan blive genkendt.",
            "Nej, men de berørte underrettes",
            (incident.discovered_at + timedelta(hours=72)).astimezone(timezone.get_current_timezone()).strftime("%Y"),
        ],
    )
    absent(text, [*HEALTH])


def test_s12_amo_report_has_no_health_data_and_no_identity(personas, generate):
    incident = s12_private_threat_sick_leave(personas)
    text = pdf_text(generate(incident, "internal_amo"))
    present(text, ["Arbejdsmiljøorganisationen", "navnet er udeladt", "APV", "Anmeldelse af arbejdsskade"])
    absent(text, [*HEALTH, EMPLOYEE, "Per Privatbesked", "klam heks", "Borgeren har skrevet direkte"])
    hr = pdf_text(generate(incident, "internal_hr", include_internal_notes=True))
    present(hr, ["10 dage", "Per Privatbesked"])


def test_s07_datatilsynet_is_refused_with_the_reason(personas, generate):
    incident = s07_third_party_data(personas)
    report = services_request_and_render(personas, incident, "datatilsynet")
    assert report.status == Report.Status.FAILED
    assert "medarbejderens egne personoplysninger" in report.error
    assert OTHER_FAMILY not in compact(report.error)


def services_request_and_render(personas, incident, kind):
    from reports import services

    report = services.report_request(actor=personas.manager, incident=incident, kind=kind, options={})
    services.report_render(report.pk)
    report.refresh_from_db()
    return report
