"""Browser journeys of issue 9: the admin answers a perpetrator's erasure request (the plan,
the confirmation, what is kept and why) and an employee's access request (the PDF export,
read back); the manager puts a closed case on legal hold before it is deleted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from privacy.models import DataSubjectRequest
from tests.factories import TEST_PASSWORD
from tests.privacy.conftest import PERPETRATOR, make_incident, storage  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_erases_a_perpetrators_name_where_the_law_allows(
    page, live_server, personas, sign_in, screenshot, make_incident, storage  # noqa: F811
):
    closed = make_incident(close=True)
    still_open = make_incident()
    sign_in("admin", TEST_PASSWORD)
    page.get_by_role("link", name="Persondata").click()
    page.get_by_role("link", name="Registrér anmodning").click()
    page.get_by_label("Sletning (art. 17)").check()
    page.get_by_label("Afsender (en person, der har offentliggjort noget)").check()
    page.get_by_label("Afsenderens navn").fill(PERPETRATOR)
    page.get_by_role("button", name="Registrér anmodningen").click()

    expect(page.get_by_text("Anmodningen er registreret som")).to_be_visible()
    expect(page.get_by_role("heading", name="Beholdes – og hvorfor")).to_be_visible()
    expect(page.get_by_text(still_open.reference).first).to_be_visible()
    screenshot("privacy-erasure-plan")
    page.get_by_role("button", name="Slet det, der står under «Slettes»").click()
    expect(page.get_by_text("Bekræft, at du har læst planen, før der slettes.")).to_be_visible()
    page.get_by_label("Jeg har læst planen og vil slette det, der står under «Slettes».").check()
    page.get_by_role("button", name="Slet det, der står under «Slettes»").click()
    expect(page.get_by_role("heading", name="Resultat af sletningen")).to_be_visible()
    screenshot("privacy-erasure-done")

    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert PERPETRATOR not in closed.perpetrator_name and not closed.perpetrator_profile_url
    assert still_open.perpetrator_name == PERPETRATOR
    assert DataSubjectRequest.objects.get().status == DataSubjectRequest.Status.COMPLETED


def test_admin_exports_what_is_stored_about_an_employee(
    page, live_server, personas, sign_in, make_incident, storage  # noqa: F811
):
    incident = make_incident()
    sign_in("admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/persondata/ny/")
    page.get_by_label("Indsigt (art. 15)").check()
    page.get_by_label("Medarbejder med en bruger i systemet").check()
    page.locator("#id_subject_user").select_option(str(personas.caseworker.pk))
    page.get_by_role("button", name="Registrér anmodningen").click()
    expect(page.get_by_text(incident.reference).first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent som PDF").click()
    text = "\n".join(p.extract_text() for p in PdfReader(download_info.value.path()).pages)
    assert incident.reference in text and personas.caseworker.username in text and "Side 1 af" in text
    page.reload()
    expect(page.get_by_text("Senest udleveret som PDF")).to_be_visible()


def test_manager_puts_a_closed_case_on_legal_hold(
    page, live_server, personas, sign_in, screenshot, make_incident, storage  # noqa: F811
):
    incident = make_incident(close=True)
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
    card = page.locator("#opbevaring")
    expect(card.get_by_role("heading", name="Opbevaring og sletning")).to_be_visible()
    card.get_by_role("textbox").fill("Sagen skal bruges i en verserende retssag.")
    card.get_by_role("button").click()
    expect(page.locator("#opbevaring")).to_contain_text("retligt hold")
    screenshot("incident-legal-hold")
    incident.refresh_from_db()
    assert incident.legal_hold is True
