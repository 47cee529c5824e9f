"""Issue 4 in the browser: live preview, save, override with a reason, mark an action done."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_assesses_overrides_and_records_police_report(page, live_server, personas, sign_in, screenshot):
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/ny/")
    preview = page.locator("#assessment-preview")
    level = preview.locator("[data-preview=level]")
    expect(level).to_have_text("Lav")

    page.get_by_label("Kort overskrift").fill("Trussel i kommentarspor")
    page.locator("#id_unit").select_option(str(personas.family.pk))
    page.locator("#id_offensive_language").check()
    expect(level).to_have_text("Moderat")
    page.locator("#id_threat").check()
    expect(level).to_have_text("Kritisk")
    expect(preview).to_contain_text("Politianmeldelse ved arbejdsgiveren")
    screenshot("assessment-live-preview")
    page.locator("#id_threat").uncheck()
    expect(level).to_have_text("Moderat")
    page.locator("#id_threat").check()
    expect(level).to_have_text("Kritisk")

    page.get_by_role("button", name="Registrér hændelsen").click()
    incident = Incident.objects.get(title="Trussel i kommentarspor")
    expect(page).to_have_url(f"{live_server.url}/haendelser/{incident.reference}/")
    assert incident.assessed_level == 4

    # Override to "Alvorlig" with a justification.
    panel = page.locator("#vurdering").locator("xpath=..")
    page.get_by_label("Alvorlighed").select_option("3")
    page.get_by_role("button", name="Gem vurdering").click()
    expect(page.get_by_text("Skriv hvorfor niveauet afviger fra det beregnede.")).to_be_visible()
    page.locator("#id_assess-justification").fill("Truslen er trukket tilbage, og afsender er kendt.")
    page.get_by_label("Alvorlighed").select_option("3")
    page.get_by_role("button", name="Gem vurdering").click()
    expect(panel.get_by_text("Ændret af leder (beregnet: Kritisk)")).to_be_visible()
    incident.refresh_from_db()
    assert (incident.assessed_level, incident.confirmed_level) == (4, 3)

    # Mark the police report done with the police's journal number.
    page.locator("a[href='?handling=police_report#handling']").click()
    expect(page.locator("#id_action-action_code")).to_have_value("police_report")
    page.locator("#id_action-external_reference").fill("1200-80123-00042-26")
    page.get_by_role("button", name="Registrér handling").click()
    timeline = page.locator("#tidslinje").locator("xpath=..")
    expect(timeline).to_contain_text("Politianmeldelse ved arbejdsgiveren")
    expect(timeline).to_contain_text("1200-80123-00042-26")
    # Done actions fold away under "Næste skridt" (issue 17), with the journal number.
    expect(page.locator(".done-actions")).to_contain_text("1200-80123-00042-26")
    expect(page.locator("#akut")).not_to_contain_text("Politianmeldelse ved arbejdsgiveren")
    screenshot("assessment-after-police-report")
