"""First browser journeys: signing in as a caseworker, and a manager asked for TOTP."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_caseworker_signs_in_and_sees_landing_page(page, live_server, personas, sign_in, screenshot):
    sign_in("caseworker", TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/mine-sager/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", name="Anmeld at du er blevet hængt ud")).to_be_visible()
    expect(page.get_by_role("link", name="Mine sager")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    screenshot("caseworker-landing")


def test_wrong_password_shows_danish_message(page, live_server, personas, sign_in):
    sign_in("caseworker", "forkert-kode")
    expect(page.get_by_text("ikke korrekt")).to_be_visible()
    expect(page.get_by_label("Bruger")).to_have_value("caseworker")


def test_manager_with_required_totp_is_asked_for_it(page, live_server, personas, sign_in, screenshot):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    secret = generate_totp_secret()
    TOTP.activate(personas.manager, secret)

    sign_in("manager", TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    screenshot("manager-totp-prompt")
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(f"{live_server.url}/leder/")
    expect(page.get_by_role("heading", name="Overblik for ledere")).to_be_visible()


def test_manager_without_totp_must_set_it_up(page, live_server, personas, sign_in, screenshot):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    sign_in("manager", TEST_PASSWORD)
    expect(page.get_by_text("kræver tofaktorlogin")).to_be_visible()
    # allauth confirms the password once more before two factors can be set up.
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Bekræft").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Opsæt tofaktorlogin")).to_be_visible()
    screenshot("manager-totp-setup")
    # Until it is set up, every other page sends the manager back here.
    page.goto(f"{live_server.url}/leder/")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")


def test_english_can_be_chosen(page, live_server, personas, sign_in):
    sign_in("caseworker", TEST_PASSWORD)
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Report that you have been hung out")).to_be_visible()
