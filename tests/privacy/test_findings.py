"""What the request page finds about a subject, within the organisation only; audit and query count."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from incidents import services as incident_services
from incidents.evidence import evidence_store
from incidents.models import Note
from notifications.models import Notification
from privacy.models import DataSubjectRequest
from privacy.selectors import findings_for, name_is_near, name_matches, profile_key
from privacy.services import access_item_decide
from tests.privacy.conftest import PERPETRATOR
from tests.security.world import png

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "given,stored,match,near",
    [
        ("Jens Hansen", "Jens Hansen", True, False),
        ("jens hansen", "JENS  HANSEN ", True, False),
        ("Jens Hansen", "Jens Peter Hansen", False, True),  # the whole name, not the words (issue 16)
        ("Jens Peter Hansen", "Jens Hansen", False, True),
        ("ørjan ærlig-åsted", "ØRJAN ÆRLIG-ÅSTED", True, False),
        ("Ørjan Ærlig-Åsted", "Ørjan Ærlig-A\u030asted", True, False),  # Å written as A + combining ring
        ("Ørjan Ærlig-Åsted", "Ø​rjan", False, False),
        ("Jens Hansen", "Jensine Hansen", False, False),
        ("Jens Hansen", "Jens", False, True),
        ("", "Jens", False, False),
    ],
)
def test_name_matching(given, stored, match, near):
    assert name_matches(given, stored) is match
    assert name_is_near(given, stored) is near


def test_profile_links_compare_without_scheme_www_and_trailing_slash():
    assert profile_key("https://www.Facebook.com/orjan.profil/") == profile_key("http://facebook.com/orjan.profil")
    assert profile_key("https://facebook.com/orjan.profil") != profile_key("https://facebook.com/orjan.profil2")


def test_employee_findings_cover_every_kind_of_data_and_stay_in_the_organisation(
    personas, make_incident, make_request, neighbour, storage
):
    own = make_incident(title="Sara hængt ud")
    incident_services.note_add(actor=personas.manager, incident=own, body="Lederens note", visibility="internal")
    self_report = make_incident(actor=personas.caseworker, targets=[], title="Min egen anmeldelse")
    Note.objects.create(incident=own, author=personas.caseworker, body="Saras egen note")
    evidence_store(actor=personas.caseworker, incident=own, uploaded_file=SimpleUploadedFile("bevis.png", png()))
    other_org = make_incident(
        unit=neighbour.unit, actor=neighbour.manager, targets=[personas.caseworker], title="Nabosag om Sara"
    )
    unrelated = make_incident(targets=[personas.other_caseworker], title="En kollegas sag")

    findings = findings_for(make_request())
    counts = findings.counts
    references = {row["reference"] for row in findings.section("incidents").rows}
    assert references == {own.reference, self_report.reference}
    assert other_org.reference not in references and unrelated.reference not in references
    relation = {row["reference"]: row["relation"] for row in findings.section("incidents").rows}
    assert relation[own.reference] == "berørt" and "anmeldt af" in relation[self_report.reference]
    assert [row["body"] for row in findings.section("notes").rows] == ["Saras egen note"]
    assert [row["original_name"] for row in findings.section("evidence").rows] == ["bevis.png"]
    assert (
        counts["notifications"]
        == Notification.objects.filter(recipient=personas.caseworker, organisation=personas.org).count()
        > 0
    )
    assert counts["memberships"] == 1 and findings.section("memberships").rows[0]["unit"] == "Børn og Familie"
    assert findings.section("profile").rows[0]["username"] == "caseworker"
    assert counts["audit_by"] >= 1  # her own self-report was audited


def test_recording_requests_and_audit_events_about_the_user_are_found(personas, make_request):
    from django.utils import timezone

    from audit.services import audit_record
    from recordings import services as recording_services

    recording_services.recording_request_register(
        actor=personas.caseworker,
        unit=personas.family,
        reasons=["memory_problems"],
        fields={
            "request_date": timezone.localdate(),
            "media": "audio",
            "setting": "meeting",
            "free_text": "",
            "decision": "allowed",
            "conditions": "",
            "justification": "Hukommelsen svigter.",
            "hidden_recording_discovered": False,
            "hidden_recording_note": "",
        },
    )
    audit_record(
        actor=personas.admin,
        action="update",
        obj=personas.caseworker,
        organisation_id=personas.org.pk,
        summary="Stilling ændret",
    )
    findings = findings_for(make_request())
    assert len(findings.section("recording_requests").rows) == 1
    summaries = [row["summary"] for row in findings.section("audit_about").rows]
    # Besides the change, the security events about her account (created, signed in …) are hers too.
    assert "Stilling ændret" in summaries and "Bruger oprettet" in summaries


def test_perpetrator_findings_match_the_name_in_the_organisation_only(personas, make_incident, make_request, neighbour):
    mine = make_incident(perpetrator_name="ørjan ÆRLIG-åsted")
    longer = make_incident(perpetrator_name=f"{PERPETRATOR} Junior")
    other = make_incident(perpetrator_name="Bent Bagtaler")
    elsewhere = make_incident(unit=neighbour.unit, actor=neighbour.manager, targets=[neighbour.caseworker])
    dsr = make_request(subject_name=PERPETRATOR)
    findings = findings_for(dsr)
    references = {row["reference"] for row in findings.section("incidents").rows}
    assert references == {mine.reference}  # the whole name; the longer one is a near match (issue 16)
    assert [(item.reference, item.stored_name, item.included) for item in findings.near] == [
        (longer.reference, f"{PERPETRATOR} Junior", False)
    ]
    assert other.reference not in references and elsewhere.reference not in references
    assert len(findings.section("publications").rows) == 1

    access_item_decide(actor=personas.admin, dsr=dsr, key=f"incident:{longer.pk}", included=True)
    findings = findings_for(dsr)
    assert {row["reference"] for row in findings.section("incidents").rows} == {mine.reference, longer.reference}
    assert len(findings.section("publications").rows) == 2
    assert {row["url"] for row in findings.section("publications").rows} == {
        "https://www.facebook.com/groups/1/posts/2"
    }


def test_the_detail_page_shows_findings_audits_and_takes_the_request_on(client, personas, make_incident, make_request):
    incident = make_incident(close=True)
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert incident.reference in page and "https://www.facebook.com/orjan.profil" in page
    event = AuditEvent.objects.filter(
        object_type="privacy.datasubjectrequest", object_id=str(dsr.pk), action=AuditEvent.Action.VIEW
    ).get()
    assert event.actor == personas.admin and event.organisation_id == personas.org.pk
    assert event.details["incidents"] == [incident.reference]
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.IN_PROGRESS and dsr.handled_by == personas.admin


def test_the_list_is_audited(client, personas, make_request):
    dsr = make_request()
    client.force_login(personas.admin)
    client.get(reverse("privacy:list"))
    event = AuditEvent.objects.filter(summary="Anmodninger fra registrerede vist").get()
    assert event.details == {"references": [dsr.reference]}


def test_text_from_users_is_escaped_on_the_page(client, personas, make_incident, make_request):
    make_incident(perpetrator_name="Ørjan <script>alert(1)</script>", close=True)
    dsr = make_request(subject_name="Ørjan")
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_detail_page_queries_do_not_grow_with_the_data(
    client, personas, make_incident, make_request, django_assert_max_num_queries
):
    make_incident(close=True)
    employee = make_request()
    perpetrator = make_request(subject_name=PERPETRATOR, kind="erasure")
    client.force_login(personas.admin)
    client.get(reverse("privacy:detail", args=[employee.pk]))  # warm up (first view takes the request on)
    client.get(reverse("privacy:detail", args=[perpetrator.pk]))
    with django_assert_max_num_queries(100) as few_employee:
        client.get(reverse("privacy:detail", args=[employee.pk]))
    with django_assert_max_num_queries(100) as few_perpetrator:
        client.get(reverse("privacy:detail", args=[perpetrator.pk]))
    for n in range(6):
        incident = make_incident(close=n % 2 == 0)
        incident_services.note_add(
            actor=personas.caseworker, incident=incident, body=f"note {n}", visibility="internal"
        )
    with django_assert_max_num_queries(len(few_employee.captured_queries)):
        assert client.get(reverse("privacy:detail", args=[employee.pk])).status_code == 200
    with django_assert_max_num_queries(len(few_perpetrator.captured_queries)):
        assert client.get(reverse("privacy:detail", args=[perpetrator.pk])).status_code == 200
    # session, user, roles, the request, one query per section (eleven), the audit event, the badge
    assert len(few_employee.captured_queries) <= 30
