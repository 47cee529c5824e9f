"""The answer to a request as JSON and as PDF: content, SHA-256 on the request, audit."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from incidents import casework
from incidents import services as incident_services
from privacy.models import DataSubjectRequest
from tests.privacy.conftest import PERPETRATOR, pdf_text

pytestmark = pytest.mark.django_db


def test_json_export_of_an_employee(client, export, personas, make_incident, make_request):
    incident = make_incident(title="Sara hængt ud på Facebook", description="Opslag med adresse")
    incident_services.note_add(
        actor=personas.caseworker, incident=incident, body="Min note om det", visibility="internal"
    )
    casework.case_message_post(actor=personas.caseworker, incident=incident, body="Min besked til lederen")
    dsr = make_request()
    client.force_login(personas.admin)
    response = export(client, dsr, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{dsr.reference}-indsigt.json"'
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["format"] == "udhaengning.indsigt/1"
    assert data["request"]["reference"] == dsr.reference and data["request"]["subject"] == "Sara Sagsbehandler"
    sections = data["sections"]
    assert sections["profile"]["rows"][0]["email"] == personas.caseworker.email
    incident_row = sections["incidents"]["rows"][0]
    assert incident_row["reference"] == incident.reference
    assert incident_row["title"] == "Sara hængt ud på Facebook" and incident_row["description"] == "Opslag med adresse"
    assert [row["body"] for row in sections["notes"]["rows"]] == ["Min note om det"]
    assert [row["body"] for row in sections["messages"]["rows"]] == ["Min besked til lederen"]
    assert sections["incidents"]["columns"]["reference"] == "sagsnummer"
    assert data["erasure_plan"] is None

    digest = hashlib.sha256(response.content).hexdigest()
    assert response["X-Content-SHA256"] == digest
    dsr.refresh_from_db()
    assert dsr.result_sha256 == digest and dsr.result_format == "json" and dsr.result_exported_at
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.EXPORT, object_id=str(dsr.pk), object_type="privacy.datasubjectrequest"
    )
    assert event.details["sha256"] == digest and event.details["format"] == "json"
    assert event.details["found"]["incidents"] == 1


def test_json_export_holds_every_own_audit_event(client, export, personas, make_request, settings):
    from audit.services import audit_record

    for n in range(205):
        audit_record(actor=personas.caseworker, action="view", object_type="incidents.incident", summary=f"vist {n}")
    dsr = make_request()
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "De nyeste 200 af 205 hændelser vises" in page
    data = json.loads(export(client, dsr, "json").content)
    assert data["sections"]["audit_by"]["count"] == 205 == len(data["sections"]["audit_by"]["rows"])


def test_pdf_export_of_a_perpetrator_reads_back(client, export, personas, make_incident, make_request):
    open_case = make_incident()
    closed = make_incident(close=True, quote="Hun lyver – det ved alle på Østergade")
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    response = export(client, dsr, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Indsigt i egne oplysninger" in text
    assert dsr.reference in text and "Testkommune" in text
    assert PERPETRATOR in text  # æ, ø, å survive
    assert open_case.reference in text and closed.reference in text
    assert "Østergade" in text
    assert "Side 1 af" in text
    digest = hashlib.sha256(response.content).hexdigest()
    dsr.refresh_from_db()
    assert dsr.result_sha256 == digest and dsr.result_format == "pdf"
    assert response["X-Content-SHA256"] == digest
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(dsr.pk))
    assert event.details["sha256"] == digest and event.details["pages"] >= 1


def test_pdf_of_an_erasure_request_shows_the_plan_with_reasons(client, export, personas, make_incident, make_request):
    open_case = make_incident()
    closed = make_incident(close=True)
    dsr = make_request(subject_name=PERPETRATOR, kind="erasure")
    client.force_login(personas.admin)
    response = export(client, dsr, "pdf")
    assert response["Content-Disposition"] == f'attachment; filename="{dsr.reference}-sletning.pdf"'
    text = " ".join(pdf_text(response.content).split())
    assert "Plan for sletning, hvor loven tillader det" in text
    assert "Sagen er åben" in text and "art. 17, stk. 3, litra b og e" in text
    assert open_case.reference in text and closed.reference in text
    data = json.loads(export(client, dsr, "json").content)
    assert [item["what"] for item in data["erasure_plan"]["erase"]] == [closed.reference]
    assert open_case.reference in [item["what"] for item in data["erasure_plan"]["keep"]]


def test_exports_of_a_request_without_findings(client, export, personas, make_request):
    dsr = make_request(subject_name="Ingen Sådan Person")
    client.force_login(personas.admin)
    data = json.loads(export(client, dsr, "json").content)
    assert all(section["count"] == 0 for section in data["sections"].values())
    text = pdf_text(export(client, dsr, "pdf").content)
    assert "Intet fundet." in text
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.IN_PROGRESS
