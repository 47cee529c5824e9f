"""Browser journey: a caseworker reports being hung out; who can and cannot see it."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Bruger").fill(username)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_caseworker_self_reports_and_only_the_right_manager_sees_it(
    page, browser, live_server, personas, sign_in, screenshot
):
    sign_in("caseworker", TEST_PASSWORD)
    page.get_by_role("link", name="Anmeld udhængning").click()
    expect(page.get_by_role("heading", name="Er du blevet hængt ud?")).to_be_visible()
    screenshot("self-report-form")

    # Sending nothing gives a kind Danish message and keeps what was chosen.
    page.get_by_label("Der er trusler").check()
    page.get_by_role("button", name="Send til min leder").click()
    expect(page.get_by_role("alert")).to_contain_text("Vi har brug for mindst én af de tre ting")
    expect(page.get_by_label("Der er trusler")).to_be_checked()
    screenshot("self-report-form-error")

    page.get_by_label("Hvor har du set det?").select_option(label="Facebook")
    page.get_by_label("Link").fill("https://www.facebook.com/groups/borgere/posts/123")
    page.get_by_label("Hvad står der?").fill("Sara Sagsbehandler fra Børn og Familie er en heks. Del det!")
    page.get_by_label("Mit navn står der").check()
    page.get_by_text("Det er hårdt", exact=True).click()
    page.get_by_role("button", name="Send til min leder").click()

    incident = Incident.objects.get()
    expect(page).to_have_url(f"{live_server.url}/mine-sager/")
    expect(page.get_by_role("status")).to_contain_text(f"Din sag har nummer {incident.reference}")
    cases = page.get_by_role("table")
    expect(cases.get_by_role("link", name=incident.reference)).to_be_visible()
    expect(cases).to_contain_text("Udhængning på Facebook")
    expect(cases).to_contain_text("Indberettet")
    screenshot("self-report-receipt")

    page.get_by_role("link", name="Mine sager").first.click()
    page.get_by_role("table").get_by_role("link", name=incident.reference).click()
    expect(page.get_by_role("heading", name="Status: Indberettet")).to_be_visible()
    expect(page.get_by_text("Din leder kan se din anmeldelse nu")).to_be_visible()
    expect(page.get_by_text("er en heks. Del det!")).to_be_visible()
    screenshot("self-report-employee-case")
    case_url = page.url
    assert re.search(rf"/haendelser/{incident.reference}/$", case_url)

    # The manager above the unit sees it.
    manager_context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    manager_page = manager_context.new_page()
    _sign_in(manager_page, live_server, "manager")
    expect(manager_page).to_have_url(f"{live_server.url}/leder/")
    manager_page.goto(case_url)
    expect(manager_page.get_by_text(incident.reference).first).to_be_visible()
    expect(manager_page.get_by_text("er en heks. Del det!").first).to_be_visible()
    manager_context.close()

    # A manager of another unit is told the page does not exist.
    other_context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    other_page = other_context.new_page()
    _sign_in(other_page, live_server, "other_manager")
    response = other_page.goto(case_url)
    assert response.status == 404
    expect(other_page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()
    expect(other_page.get_by_text("er en heks")).to_have_count(0)
    other_context.close()
