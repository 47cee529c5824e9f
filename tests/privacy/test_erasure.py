"""Erasure where the law allows (privacy/services.py): what goes, what stays and why, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, Membership, User
from audit.models import AuditEvent
from incidents import services as incident_services
from incidents.evidence import evidence_store
from incidents.models import Incident, Note, Publication, TimelineEntry
from notifications.models import Notification, Preference
from privacy.models import DataSubjectRequest
from privacy.services import NAME_REPLACEMENT
from reports import services as report_services
from reports.models import EvidenceBundle, Report
from tests.factories import TEST_PASSWORD, api_token
from tests.privacy.conftest import PERPETRATOR
from tests.reports.conftest import options_for
from tests.security.world import png

pytestmark = pytest.mark.django_db

ERASE = {"confirm": "on", "justification": "Afsenderen har bedt om sletning"}


def erase(client, dsr, data=ERASE):
    return client.post(reverse("privacy:erase", args=[dsr.pk]), data)


def police_report(personas, incident) -> Report:
    report = report_services.report_request(
        actor=personas.manager,
        incident=incident,
        kind="police",
        options=options_for("police", incident, personas.manager),
    )
    report_services.report_render(report.pk)
    return Report.objects.get(pk=report.pk)


# --- Perpetrator ---------------------------------------------------------------------------------


def test_perpetrator_erasure_clears_closed_cases_and_keeps_the_exempt_ones(
    client, personas, make_incident, make_request, neighbour, storage, django_capture_on_commit_callbacks
):
    closed = make_incident(
        close=True,
        title=f"Opslag af {PERPETRATOR.upper()}",
        description=f"{PERPETRATOR} skrev på Facebook. Han kalder sig Ørjan.",
    )
    incident_services.note_add(
        actor=personas.manager, incident=closed, body=f"Talte med {PERPETRATOR} i dag", visibility="internal"
    )
    evidence = evidence_store(
        actor=personas.manager,
        incident=closed,
        description=f"Skærmbillede af {PERPETRATOR}",
        uploaded_file=SimpleUploadedFile("opslag.png", png()),
    )
    report = police_report(personas, closed)
    bundle = report_services.bundle_request(actor=personas.manager, report=report)
    report_services.bundle_build(bundle.pk)
    files = [report.file.name, EvidenceBundle.objects.get(pk=bundle.pk).file.name]
    assert all(default_storage.exists(name) for name in files)

    open_case = make_incident()
    held = make_incident(close=True, legal_hold=True)
    # Defamation discovered a month ago: the 6-month private prosecution deadline is still running.
    deadline = make_incident(close=True, insulting_description=True, discovered_at=timezone.now() - timedelta(days=30))
    # The same defamation discovered 8 months ago: the deadline has passed, the name may go.
    expired = make_incident(close=True, insulting_description=True, discovered_at=timezone.now() - timedelta(days=240))
    someone_else = make_incident(close=True, perpetrator_name="Bent Bagtaler")
    elsewhere = make_incident(close=True, unit=neighbour.unit, actor=neighbour.manager, targets=[neighbour.caseworker])

    dsr = make_request(subject_name=PERPETRATOR, kind="erasure")
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "Sletning, hvor loven tillader det" in page and "Beholdes – og hvorfor" in page

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are gone for good
        response = erase(client, dsr)
    assert response.status_code == 302

    closed.refresh_from_db()
    assert closed.perpetrator_name == "" and closed.perpetrator_profile_url == ""
    assert closed.title == f"Opslag af {NAME_REPLACEMENT}"
    assert closed.description == f"{NAME_REPLACEMENT} skrev på Facebook. Han kalder sig Ørjan."
    publication = Publication.objects.get(incident=closed)
    assert PERPETRATOR not in publication.title + publication.quote and NAME_REPLACEMENT in publication.quote
    assert Note.objects.get(incident=closed).body == f"Talte med {NAME_REPLACEMENT} i dag"
    assert not TimelineEntry.objects.filter(incident=closed, text__contains=PERPETRATOR).exists()
    assert TimelineEntry.objects.filter(incident=closed, text__contains=dsr.reference).exists()
    assert not Report.objects.filter(incident=closed).exists()
    assert not EvidenceBundle.objects.filter(pk=bundle.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    evidence.refresh_from_db()  # evidence files stay unchanged (their SHA-256); only the description changes
    assert evidence.description == f"Skærmbillede af {NAME_REPLACEMENT}" and default_storage.exists(evidence.file.name)
    expired.refresh_from_db()
    assert expired.perpetrator_name == ""

    for kept in (open_case, held, deadline):
        kept.refresh_from_db()
        assert kept.perpetrator_name == PERPETRATOR, kept.reference
    assert Incident.objects.get(pk=someone_else.pk).perpetrator_name == "Bent Bagtaler"
    assert Incident.objects.get(pk=elsewhere.pk).perpetrator_name == PERPETRATOR

    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.COMPLETED and dsr.completed_at
    assert dsr.decision == DataSubjectRequest.Decision.PARTLY_GRANTED
    assert dsr.justification.startswith("Afsenderen har bedt om sletning")
    result = dsr.erasure_result
    assert {item["what"] for item in result["erase"]} == {closed.reference, expired.reference}
    reasons = {item["what"]: item["reason"] for item in result["keep"]}
    assert "Sagen er åben" in reasons[open_case.reference]
    assert "retligt hold" in reasons[held.reference]
    assert "privat straffesag" in reasons[deadline.reference]
    assert any("Dokumentationsfiler" in what for what in reasons)
    assert result["files_deleted"] == 2

    events = AuditEvent.objects.filter(details__request=dsr.reference, action=AuditEvent.Action.UPDATE)
    assert {e.incident_reference for e in events} == {closed.reference, expired.reference}
    done = AuditEvent.objects.get(
        action=AuditEvent.Action.DELETE, object_id=str(dsr.pk), object_type="privacy.datasubjectrequest"
    )
    assert done.details["incidents_changed"] == 2 and done.actor == personas.admin

    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "Resultat af sletningen" in page and "Sagen er åben" in page
    assert 'action="/persondata/' not in page.split("Resultat af sletningen")[1]  # no forms any more


def test_an_erasure_is_carried_out_once(client, personas, make_incident, make_request):
    make_incident(close=True)
    dsr = make_request(subject_name=PERPETRATOR, kind="erasure")
    client.force_login(personas.admin)
    erase(client, dsr)
    response = erase(client, dsr)
    assert response.status_code == 302
    assert "allerede afsluttet" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_id=str(dsr.pk)).count() == 1


def test_erasure_needs_the_confirmation_and_keeps_what_was_typed(client, personas, make_incident, make_request):
    incident = make_incident(close=True)
    dsr = make_request(subject_name=PERPETRATOR, kind="erasure")
    client.force_login(personas.admin)
    response = erase(client, dsr, {"justification": "Min bemærkning"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bekræft, at du har læst planen" in page and "Min bemærkning" in page
    incident.refresh_from_db()
    assert incident.perpetrator_name == PERPETRATOR
    dsr.refresh_from_db()
    assert not dsr.is_completed


def test_an_access_request_cannot_erase(client, personas, make_incident, make_request):
    incident = make_incident(close=True)
    dsr = make_request(subject_name=PERPETRATOR, kind="access")
    client.force_login(personas.admin)
    response = erase(client, dsr)
    assert response.status_code == 302
    assert "Kun en anmodning om sletning" in client.get(response["Location"]).content.decode()
    assert Incident.objects.get(pk=incident.pk).perpetrator_name == PERPETRATOR


# --- Employee --------------------------------------------------------------------------------------


def test_employee_erasure_deactivates_and_deletes_what_is_not_needed(client, personas, make_incident, make_request):
    incident = make_incident()  # about the caseworker, open
    Preference.objects.create(user=personas.caseworker, kind="status_changed", email=False)
    api_token(personas.caseworker)
    personas.caseworker.phone = "12345678"
    personas.caseworker.save()
    assert Notification.objects.filter(recipient=personas.caseworker).exists()
    dsr = make_request(kind="erasure")
    client.force_login(personas.admin)
    assert erase(client, dsr).status_code == 302

    user = User.objects.get(pk=personas.caseworker.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email == "" and user.phone == ""
    assert (user.first_name, user.last_name) == ("Sara", "Sagsbehandler")  # the kept case still names her
    assert not Membership.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Preference.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert Incident.objects.filter(pk=incident.pk, targets=user).exists()
    assert not Client().login(username="caseworker", password=TEST_PASSWORD)

    dsr.refresh_from_db()
    assert dsr.decision == DataSubjectRequest.Decision.PARTLY_GRANTED
    kept = {item["what"]: item for item in dsr.erasure_result["keep"]}
    assert "opbevaringsperioden" in kept[incident.reference]["reason"]
    assert "Navn og stilling" in kept and "Revisionsloggen" in kept
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk), action=AuditEvent.Action.UPDATE)
    assert event.details["request"] == dsr.reference and event.details["deleted"]["memberships"] == 1
    assert event.organisation_id == personas.org.pk


def test_employee_without_cases_loses_name_and_username(client, personas, make_request):
    dsr = make_request(kind="erasure", subject_user=personas.other_caseworker)
    client.force_login(personas.admin)
    erase(client, dsr)
    user = User.objects.get(pk=personas.other_caseworker.pk)
    assert user.username == f"slettet-{user.pk}"
    assert (user.first_name, user.last_name, user.job_title, user.email) == ("", "", "", "")
    dsr.refresh_from_db()
    assert dsr.subject_user == user and dsr.subject_name  # the request still says whom it was about


def test_an_admin_cannot_erase_their_own_account(client, personas, make_request):
    dsr = make_request(kind="erasure", subject_user=personas.admin)
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "Du kan ikke slette oplysningerne om din egen bruger" in page
    assert reverse("privacy:erase", args=[dsr.pk]) not in page
    response = erase(client, dsr)
    assert "Du kan ikke slette" in client.get(response["Location"]).content.decode()
    assert User.objects.get(pk=personas.admin.pk).is_active


# --- Decisions ---------------------------------------------------------------------------------------


def test_a_refusal_needs_a_justification_and_keeps_what_was_typed(client, personas, make_request):
    dsr = make_request(kind="erasure")
    client.force_login(personas.admin)
    response = client.post(reverse("privacy:decide", args=[dsr.pk]), {"decision": "refused", "justification": ""})
    assert response.status_code == 400
    assert "Skriv en begrundelse for afgørelsen." in response.content.decode()
    response = client.post(
        reverse("privacy:decide", args=[dsr.pk]),
        {"decision": "refused", "justification": "Åbenbart grundløs (art. 12, stk. 5)"},
    )
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.decision == "refused" and dsr.status == DataSubjectRequest.Status.COMPLETED
    assert dsr.justification == "Åbenbart grundløs (art. 12, stk. 5)"
    assert User.objects.get(pk=personas.caseworker.pk).is_active
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, object_id=str(dsr.pk), object_type="privacy.datasubjectrequest"
    )
    assert event.details["decision"] == "refused"


def test_an_erasure_cannot_be_granted_by_a_decision(client, personas, make_request):
    dsr = make_request(kind="erasure")
    client.force_login(personas.admin)
    response = client.post(reverse("privacy:decide", args=[dsr.pk]), {"decision": "granted", "justification": ""})
    assert response.status_code == 400
    dsr.refresh_from_db()
    assert not dsr.is_completed


def test_an_access_request_is_answered(client, export, personas, make_request):
    dsr = make_request()
    client.force_login(personas.admin)
    export(client, dsr, "pdf")
    response = client.post(
        reverse("privacy:decide", args=[dsr.pk]),
        {"decision": "granted", "justification": "Udtræk sendt med sikker post"},
    )
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.decision == "granted" and dsr.handled_by == personas.admin and dsr.result_format == "pdf"
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "Udtræk sendt med sikker post" in page
    assert reverse("privacy:decide", args=[dsr.pk]) not in page
