"""Browser journeys (390 px wide): the employee follows the self-report form's link to the privacy notice;
the manager cannot close a case with a perpetrator until the art. 14 record is made, then closes it."""

import os

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.conftest import SCREENSHOT_DIR
from tests.factories import TEST_PASSWORD
from tests.incidents.test_manager_views import register

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_employee_reads_who_can_see_the_case_from_the_form(page, live_server, personas, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("caseworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/anmeld/")
    page.get_by_role("link", name="Læs, hvem der kan se hvad, og dine rettigheder").click()
    expect(page.get_by_role("heading", name="Hvem kan se din sag")).to_be_visible()
    expect(page.locator("[data-notice=managers]")).to_contain_text("Mette Leder")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("privacy-notice-390")


def test_the_manager_records_the_exception_and_then_closes(page, live_server, personas, sign_in, screenshot):
    incident = register(personas, perpetrator_name="Jens Hansen", perpetrator_relation="citizen_own_case")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
    page.locator("#id_status-to_status").select_option("closed")
    page.get_by_role("button", name="Skift status").click()
    expect(page.get_by_text("Sagen kan ikke afsluttes endnu")).to_be_visible()
    page.get_by_label("… eller undtagelse fra oplysningspligten").select_option("dbl_22_2_4")
    page.get_by_label("Begrundelse for undtagelsen").fill("Politiet efterforsker; personen må ikke advares.")
    page.locator("#afsender").get_by_role("button", name="Gem").click()
    expect(page.locator("[data-art14=summary]")).to_contain_text("§ 22, stk. 2, nr. 4")
    screenshot("incident-art14-390")
    card = page.locator("#afsender")
    assert card.bounding_box()["width"] <= 390
    card.screenshot(path=os.path.join(SCREENSHOT_DIR, "incident-art14-card-390.png"))
    page.locator("#id_status-to_status").select_option("closed")
    page.get_by_role("button", name="Skift status").click()
    expect(page.get_by_text("Sagen har nu status «Afsluttet».")).to_be_visible()
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED


def test_the_dpia_page_fits_a_phone(page, live_server, personas, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/persondata/konsekvensanalyse/")
    expect(page.get_by_role("heading", name="Konsekvensanalyse (DPIA), udkast")).to_be_visible()
    expect(page.locator("[data-dpia-group=perpetrators]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("dpia-page-390")
