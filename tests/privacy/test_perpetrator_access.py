"""A perpetrator's access request (issue 16, item 5): the identity check is recorded, matching is on
the whole name (and the profile link), near matches are the admin's choice, and an item withheld
under databeskyttelsesloven § 22 is absent from the JSON and the PDF, which say that something was
withheld and under which provision, never what."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from privacy.models import AccessExport, AccessItem
from reports.models import Report
from tests.privacy.conftest import PERPETRATOR, pdf_text

pytestmark = pytest.mark.django_db

NEAR = "Ørjan Peter Ærlig-Åsted"
REASON = "Politiet efterforsker sagen; anmeldelsen må ikke komme til afsenderens kendskab endnu."


def _report(incident, kind: str, actor, sha: str) -> Report:
    return Report.objects.create(
        incident=incident, kind=kind, version=1, status=Report.Status.READY, requested_by=actor, sha256=sha
    )


def test_a_near_miss_name_is_listed_and_left_out_until_the_admin_includes_it(
    client, personas, make_incident, make_request, export
):
    mine = make_incident(title="Opslaget om Sara")
    near = make_incident(perpetrator_name=NEAR, perpetrator_profile_url="", title="Et andet opslag")
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "Navne, der ligner" in page and f"«{NEAR}»" in page and near.reference in page
    data = json.loads(export(client, dsr, "json").content)
    assert [row["reference"] for row in data["sections"]["incidents"]["rows"]] == [mine.reference]
    assert NEAR not in json.dumps(data, ensure_ascii=False)

    response = client.post(reverse("privacy:item", args=[dsr.pk]), {"key": f"incident:{near.pk}", "action": "include"})
    assert response.status_code == 302
    data = json.loads(export(client, dsr, "json").content)
    assert {row["reference"] for row in data["sections"]["incidents"]["rows"]} == {mine.reference, near.reference}
    event = AuditEvent.objects.filter(
        object_type="privacy.datasubjectrequest", object_id=str(dsr.pk), summary="Punkt i indsigt vurderet"
    ).get()
    assert event.details["included"] is True and event.actor == personas.admin


def test_a_profile_link_finds_the_case_under_another_spelling_of_the_name(
    client, personas, make_incident, make_request
):
    by_link = make_incident(perpetrator_name="Orjan A.", perpetrator_profile_url="https://facebook.com/orjan.profil/")
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    response = client.post(
        reverse("privacy:identity", args=[dsr.pk]),
        {
            "identity_check": "Brev signeret med MitID; navn og profilbillede sammenholdt.",
            "profile_url": "https://www.facebook.com/orjan.profil",
        },
    )
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.identity_check.startswith("Brev signeret med MitID") and dsr.identity_checked_by == personas.admin
    assert dsr.identity_checked_at is not None
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert by_link.reference in page and "samme profil-link" in page and "Registreret af" in page


def test_an_identity_check_without_text_is_refused_and_keeps_the_link(client, personas, make_request):
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    response = client.post(
        reverse("privacy:identity", args=[dsr.pk]), {"identity_check": "", "profile_url": "https://facebook.com/x"}
    )
    assert response.status_code == 400
    assert "https://facebook.com/x" in response.content.decode()
    dsr.refresh_from_db()
    assert dsr.identity_check == "" and dsr.subject_profile_url == ""


def test_a_withheld_police_report_is_absent_from_json_and_pdf_and_the_withholding_is_stated(
    client, personas, make_incident, make_request, export
):
    incident = make_incident(close=True)
    police = _report(incident, Report.Kind.POLICE, personas.manager, "a" * 64)
    complaint = _report(incident, Report.Kind.DATATILSYNET, personas.manager, "b" * 64)
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)

    # Without an exception and a reason nothing is withheld, and what was typed stays.
    response = client.post(
        reverse("privacy:item", args=[dsr.pk]),
        {"action": "withhold", "key": f"report:{police.pk}", "exception": "stk2_nr4", "reason": ""},
    )
    assert response.status_code == 400 and not AccessItem.objects.exists()
    response = client.post(
        reverse("privacy:item", args=[dsr.pk]),
        {"action": "withhold", "key": f"report:{police.pk}", "exception": "stk2_nr4", "reason": REASON},
    )
    assert response.status_code == 302
    item = AccessItem.objects.get(request=dsr, key=f"report:{police.pk}")
    assert item.withheld and item.exception == "stk2_nr4" and item.reason == REASON
    page = client.get(reverse("privacy:detail", args=[dsr.pk])).content.decode()
    assert "§ 22, stk. 2, nr. 4" in page and REASON in page  # the admin still sees it
    assert f"<strong>Rapport {incident.reference} Politianmeldelse</strong>" in page

    downloaded = export(client, dsr, "json")
    data = json.loads(downloaded.content)
    text = downloaded.content.decode()
    kinds = [row["kind"] for row in data["sections"]["reports"]["rows"]]
    assert kinds == ["Klage til Datatilsynet"]
    assert "Politianmeldelse" not in text and police.sha256 not in text and REASON not in text
    assert complaint.sha256 in text
    assert data["withheld"]["count"] == 1
    assert "databeskyttelseslovens § 22" in data["withheld"]["statement"]
    assert data["withheld"]["exceptions"][0]["exception"].startswith("§ 22, stk. 2, nr. 4")
    assert downloaded.export.withheld == 1

    downloaded = export(client, dsr, "pdf")
    assert downloaded.content.startswith(b"%PDF")
    pdf = " ".join(pdf_text(downloaded.content).split())
    assert "Politianmeldelse" not in pdf and REASON not in pdf and police.sha256 not in pdf
    assert "Klage til Datatilsynet" in pdf
    assert "undtaget fra indsigt efter databeskyttelseslovens § 22" in pdf
    assert "§ 22, stk. 2, nr. 4" in pdf
    event = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_id=str(dsr.pk), object_type="privacy.datasubjectrequest"
    ).latest("id")
    assert event.details["withheld"] == 1 and event.details["format"] == "pdf"
    dsr.refresh_from_db()
    assert dsr.result_sha256 == downloaded.export.sha256


def test_a_withheld_incident_takes_its_publications_and_reports_with_it(
    client, personas, make_incident, make_request, export
):
    kept = make_incident(title="Første opslag")
    hidden = make_incident(title="Andet opslag, under efterforskning")
    _report(hidden, Report.Kind.POLICE, personas.manager, "c" * 64)
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    client.post(
        reverse("privacy:item", args=[dsr.pk]),
        {"action": "withhold", "key": f"incident:{hidden.pk}", "exception": "stk2_nr4", "reason": REASON},
    )
    data = json.loads(export(client, dsr, "json").content)
    assert [row["reference"] for row in data["sections"]["incidents"]["rows"]] == [kept.reference]
    assert data["sections"]["publications"]["count"] == 1 and data["sections"]["reports"]["count"] == 0
    assert hidden.reference not in json.dumps(data) and data["withheld"]["count"] == 1


def test_the_status_page_polls_until_the_export_is_ready(client, personas, make_request, storage):
    dsr = make_request(subject_name=PERPETRATOR)
    client.force_login(personas.admin)
    client.post(reverse("privacy:export_request", args=[dsr.pk]), {"format": "pdf"})
    row = AccessExport.objects.get(request=dsr)
    page = client.get(reverse("privacy:export_status", args=[dsr.pk, row.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "dannes i baggrunden" in page
    assert (
        client.get(reverse("privacy:export_status", args=[dsr.pk, row.pk]), {"format": "json"}).json()["status"]
        == "pending"
    )
    assert client.get(reverse("privacy:export_download", args=[dsr.pk, row.pk])).status_code == 404
    assert client.post(reverse("privacy:export_request", args=[dsr.pk]), {"format": "docx"}).status_code == 302
    assert AccessExport.objects.filter(request=dsr).count() == 1
