"""The reports API: request a report, poll its status, download it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reports import services
from reports.models import Report
from tests.conftest import PERSONA_NAMES
from tests.factories import api_token
from tests.reports.conftest import pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db


def _list(case):
    return f"/api/v1/incidents/{case.reference}/reports/"


def _api(personas, name=None) -> APIClient:
    client = APIClient()
    if name:
        client.force_authenticate(getattr(personas, name))
    return client


def test_a_manager_requests_polls_and_downloads_a_report(
    personas, case, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr("reports.tasks.render_report.delay", enqueued.append)
    client = _api(personas, "manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _list(case),
            {"kind": "police", "purposes": ["prosecution", "restraining_order"], "name_perpetrator": False},
            format="json",
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    report = Report.objects.get()
    assert enqueued == [report.pk]
    assert body["status"] == "pending" and body["version"] == 1 and body["download_url"] is None
    assert response["Location"] == body["url"] == f"http://testserver{_list(case)}{report.pk}/"
    assert report.options["purposes"] == ["prosecution", "restraining_order"]
    assert report.options["name_perpetrator"] is False
    assert len(report.options["publication_ids"]) == 2  # the default: every publication

    assert client.get(body["url"]).json()["status"] == "pending"
    services.report_render(report.pk)
    status = client.get(body["url"]).json()
    assert status["status"] == "ready" and status["sha256"] and status["page_count"] >= 1
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    assert content == pdf_bytes(Report.objects.get())
    assert "Tilhold" in pdf_text(Report.objects.get())
    assert AuditEvent.objects.filter(action="download", object_type="reports.report", details__via="api").exists()


def test_the_request_is_checked_like_the_form(personas, case):
    client = _api(personas, "manager")
    unknown = client.post(_list(case), {"kind": "statistics"}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()
    other = case.__class__.objects.exclude(pk=case.pk).first().publications.create(platform="blog", url="https://x.dk")
    bad = client.post(_list(case), {"kind": "police", "publications": [other.pk], "purposes": []}, format="json")
    assert bad.status_code == 400
    errors = bad.json()
    assert "hører ikke til sagen" in errors["publications"][0]
    assert errors["purposes"] == ["Vælg mindst ét formål med anmeldelsen."]
    dsa = client.post(_list(case), {"kind": "dsa_notice", "sender_email": "ikke-en-adresse"}, format="json")
    assert dsa.status_code == 400 and dsa.json()["sender_email"] == ["Skriv en gyldig e-mailadresse."]
    assert not Report.objects.exists()


def test_the_dsa_sender_defaults_to_the_manager(personas, case):
    response = _api(personas, "manager").post(_list(case), {"kind": "dsa_notice"}, format="json")
    assert response.status_code == 202
    options = Report.objects.get().options
    assert options["sender_email"] == "mette.leder@testkommune.invalid"
    assert options["sender_name"] == "Mette Leder"


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_who_may_request(personas, case, name):
    response = _api(personas, name).post(_list(case), {"kind": "internal_hr"}, format="json")
    expected = {"manager": 202, "caseworker": 403}.get(name, 404)
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["detail"] == "Kun ledere for hændelsens enhed kan lave rapporter."


def test_who_may_read_and_download(personas, case, generate):
    police = generate(case, "police")
    plain = generate(case, "internal_hr", include_internal_notes=False)
    with_notes = generate(case, "internal_hr", include_internal_notes=True)
    for name in PERSONA_NAMES:
        client = _api(personas, name)
        listing = client.get(_list(case))
        if name == "manager":
            assert {r["id"] for r in listing.json()} == {police.pk, plain.pk, with_notes.pk}
        elif name == "caseworker":
            assert [r["id"] for r in listing.json()] == [plain.pk]
        else:
            assert listing.status_code == 404, name
        for report in (police, plain, with_notes):
            allowed = name == "manager" or (name == "caseworker" and report == plain)
            status = client.get(f"{_list(case)}{report.pk}/")
            download = client.get(f"{_list(case)}{report.pk}/download/")
            assert (status.status_code, download.status_code) == ((200, 200) if allowed else (404, 404)), (
                name,
                report.kind,
            )


def test_anonymous_gets_401_and_a_token_works(personas, case, generate):
    report = generate(case, "police")
    assert APIClient().get(_list(case)).status_code == 401
    assert APIClient().get(f"{_list(case)}{report.pk}/download/").status_code == 401
    token = api_token(personas.manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{_list(case)}{report.pk}/").json()["sha256"] == report.sha256
    download = client.get(f"{_list(case)}{report.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200


def test_a_report_not_ready_answers_404_on_download(personas, case):
    report = services.report_request(actor=personas.manager, incident=case, kind="police", options={})
    response = _api(personas, "manager").get(f"{_list(case)}{report.pk}/download/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Rapporten er ikke klar endnu."


def test_the_schema_documents_the_endpoints(personas, client):
    client.force_login(personas.manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/v1/incidents/{reference}/reports/" in schema
    assert "/api/v1/incidents/{reference}/reports/{report_id}/download/" in schema


def test_a_union_rep_the_case_is_shared_with_cannot_request_or_read(personas, case, generate):
    from incidents import models as incident_models

    share_model = getattr(incident_models, "IncidentShare", None)
    if share_model is None:
        pytest.skip("incident sharing is not in this version")
    report = generate(case, "internal_hr", include_internal_notes=False)
    share_model.objects.create(incident=case, union_rep=personas.union_rep, shared_by=personas.caseworker)
    client = _api(personas, "union_rep")
    assert client.post(_list(case), {"kind": "internal_hr"}, format="json").status_code == 404
    assert client.get(f"{_list(case)}{report.pk}/download/").status_code == 404
