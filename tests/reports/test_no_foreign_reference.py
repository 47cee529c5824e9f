"""Nothing crosses to another person's case (issue 26 item 2). The finding: the employee's
internal report listed «Andre sager med samme person: UDH-…», colleagues' cases (one a
self-report) that answer 404 to her. Read back from the real PDF, as she downloads it."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incidents.models import Incident
from tests.reports.conftest import PERPETRATOR, compact, pdf_text, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleagues_cases(personas):
    """Two more cases about the same perpetrator, about a colleague: one a self-report."""
    from incidents import services as incident_services

    about_colleague = register(
        personas,
        title="Kollegas sag",
        unit=personas.jobcenter,
        targets=[personas.other_caseworker],
        perpetrator_name=PERPETRATOR,
    )
    self_report = incident_services.incident_register(
        actor=personas.other_caseworker,
        unit=personas.jobcenter,
        channel=Incident.Channel.SELF_REPORT,
        fields={
            "title": "Selvanmeldelse",
            "perpetrator_name": PERPETRATOR,
            "discovered_at": about_colleague.discovered_at,
        },
        targets=[personas.other_caseworker],
    )
    return about_colleague, self_report


def test_the_employees_internal_report_names_no_other_case(client, personas, case, colleagues_cases, generate):
    report = generate(case, "internal_hr", name_perpetrator=True)
    assert report.employee_may_download
    text = compact(pdf_text(report))
    assert PERPETRATOR.replace(" ", "") in text  # the perpetrator is named: the option was on
    assert "Andresagermedsammeperson" not in text
    for other in colleagues_cases:
        assert other.reference not in text

    client.force_login(personas.caseworker)
    for other in colleagues_cases:  # indeed cases she may not see
        assert client.get(reverse("incidents:detail", args=[other.reference])).status_code == 404
    response = client.get(reverse("reports:download", args=[case.reference, report.pk]))
    assert response.status_code == 200
    downloaded = "".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    for other in colleagues_cases:
        assert other.reference not in compact(downloaded)


def test_the_managers_police_report_still_lists_the_cases_the_manager_may_see(case, colleagues_cases, generate):
    text = compact(pdf_text(generate(case, "police", name_perpetrator=True)))
    for other in colleagues_cases:
        assert other.reference in text


def test_the_internal_report_with_internal_notes_is_for_managers_and_may_list_them(case, colleagues_cases, generate):
    report = generate(case, "internal_hr", name_perpetrator=True, include_internal_notes=True)
    assert not report.employee_may_download
    text = compact(pdf_text(report))
    assert all(other.reference in text for other in colleagues_cases)
