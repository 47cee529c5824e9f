"""Browser journey (issue 14): the manager records the employee's consent and the publisher's
answer, leaves a home address out of a quote, and marks a police report as sent with the
journal number, which then stands on the case's checklist."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Redaction, TimelineEntry
from reports import services
from tests.factories import TEST_PASSWORD
from tests.reports.conftest import options_for, register

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "Rosenvej 12"


def test_manager_records_facts_redacts_an_address_and_marks_the_police_report_sent(
    page, live_server, personas, sign_in, screenshot, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    incident = register(
        personas,
        named=True,
        private_details=True,
        incitement=True,
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/p/1",
                "quote": f"Hun bor på {ADDRESS}. Tag derhen!",
            }
        ],
    )
    sign_in("manager", TEST_PASSWORD)

    page.goto(f"{live_server.url}/haendelser/{incident.reference}/rapporter/")
    page.get_by_role("link", name="Oplysninger til rapporter (samtykke, vidner, udgiverens svar)").click()
    page.get_by_label("medarbejderen har givet samtykke til politianmeldelsen").check()
    page.get_by_label("vidner").fill("Kim Kollega")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Oplysningerne er gemt.")).to_be_visible()

    page.get_by_role("link", name="Udeladelser i eksterne dokumenter").click()
    page.get_by_label("Hvor står teksten").select_option(label="Citat: Facebook – https://www.facebook.com/p/1")
    page.get_by_label("Tekst, der skal udelades").fill("Nørregade 1")
    page.get_by_role("button", name="Udelad", exact=True).click()
    expect(page.get_by_text("står ikke ordret")).to_be_visible()  # refused, what was typed is kept
    expect(page.get_by_label("Tekst, der skal udelades")).to_have_value("Nørregade 1")
    page.get_by_label("Tekst, der skal udelades").fill(ADDRESS)
    page.get_by_role("button", name="Udelad", exact=True).click()
    expect(page.get_by_text("Teksten udelades nu")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(f"Fjern udeladelsen.*{ADDRESS}"))).to_be_visible()
    screenshot("report-redactions")
    assert Redaction.objects.filter(incident=incident, text=ADDRESS).exists()

    incident.refresh_from_db()
    assert incident.consent_police_report and incident.witnesses == "Kim Kollega"
    report = services.report_request(
        actor=personas.manager,
        incident=incident,
        kind="police",
        options=options_for("police", incident, personas.manager),
    )
    services.report_render(report.pk)
    page.goto(f"{live_server.url}/haendelser/{incident.reference}/rapporter/{report.pk}/")
    page.get_by_label("Modtagerens reference").fill("4100-80253-00001-26")
    page.get_by_role("button", name="Markér som sendt").click()
    expect(page.get_by_text("Rapporten er markeret som sendt")).to_be_visible()
    expect(page.get_by_text("Reference: 4100-80253-00001-26")).to_be_visible()
    screenshot("report-marked-sent")
    entry = TimelineEntry.objects.get(incident=incident, kind="action", action_code="police_report")
    assert entry.external_reference == "4100-80253-00001-26"
