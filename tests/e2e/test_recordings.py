"""Browser journey (issue 8): a caseworker registers a citizen's request to record a
meeting; the app suggests "allowed" for problems with memory; the manager sees it in the
overview. Also: a CPR number typed by mistake is refused and removed, the rest is kept."""

import os
import re

import pytest
from playwright.sync_api import expect

from demo.recordings import demo_guideline_seed
from recordings.models import RecordingRequest
from tests.conftest import SCREENSHOT_DIR
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_caseworker_registers_a_request_and_the_manager_sees_it(
    page, browser, live_server, personas, sign_in, screenshot
):
    demo_guideline_seed(personas.org)
    sign_in("caseworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/optagelser/")
    expect(page.get_by_role("heading", name="Anmodninger om optagelse")).to_be_visible()
    page.get_by_role("link", name="Registrér anmodning").click()
    expect(page.get_by_role("heading", name="Registrér anmodning om optagelse")).to_be_visible()

    panel = page.locator("#recording-suggestion")
    expect(panel).to_contain_text("Sæt kryds ved borgerens grunde")
    # With JavaScript the suggestion is live, so the «Vis forslag» button is hidden.
    expect(page.get_by_role("button", name="Vis forslag")).to_be_hidden()

    page.get_by_label("Problemer med hukommelsen").check()
    expect(panel.locator("[data-suggest='label']")).to_have_text("Tilladt")
    expect(panel).to_contain_text("problemer med hukommelsen")
    expect(panel).to_contain_text("Problemer med hukommelsen er en saglig begrundelse")  # the guideline's passage
    screenshot("recording-request-suggestion")

    # Video makes it "allowed with conditions"; back to sound gives "allowed" again.
    page.get_by_label("Videooptagelse").check()
    expect(panel.locator("[data-suggest='label']")).to_have_text("Tilladt med vilkår")
    page.get_by_label("Lydoptagelse").check()
    expect(panel.locator("[data-suggest='label']")).to_have_text("Tilladt")

    # A CPR number typed by mistake is refused and removed; everything else is kept.
    page.get_by_label("Borgerens begrundelse med egne ord").fill(
        "Borgeren 010190-1234 siger, at hun glemmer det meste efter møderne."
    )
    page.get_by_label("Tilladt", exact=True).check()
    page.get_by_label("Begrundelse for afgørelsen").fill("Borgeren har svært ved at huske samtalerne.")
    page.get_by_role("button", name="Gem anmodningen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Anmodningen er ikke gemt endnu")
    expect(page.get_by_label("Borgerens begrundelse med egne ord")).to_have_value(
        "Borgeren [CPR-nummer fjernet] siger, at hun glemmer det meste efter møderne."
    )
    expect(page.get_by_label("Begrundelse for afgørelsen")).to_have_value("Borgeren har svært ved at huske samtalerne.")
    expect(page.get_by_label("Problemer med hukommelsen")).to_be_checked()
    expect(page.locator("body")).not_to_contain_text("010190-1234")
    assert not RecordingRequest.objects.exists()
    screenshot("recording-request-cpr-refused")

    page.get_by_label("Borgerens begrundelse med egne ord").fill("Borgeren siger, at hun glemmer det meste.")
    page.get_by_role("button", name="Gem anmodningen").click()
    rr = RecordingRequest.objects.get()
    expect(page).to_have_url(re.compile(rf"/optagelser/{rr.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Anmodningen er gemt.")
    expect(page.get_by_role("heading", name="Anmodning om lydoptagelse af møde")).to_be_visible()
    expect(page.locator(".suggestion-panel")).to_contain_text("Tilladt")
    screenshot("recording-request-detail")
    assert (rr.suggested_decision, rr.decision, rr.reasons) == ("allowed", "allowed", ("memory_problems",))

    # The manager above the unit sees it in the overview and can review it.
    manager_context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    manager_page = manager_context.new_page()
    manager_page.goto(f"{live_server.url}/accounts/login/")
    manager_page.get_by_label("Bruger").fill("manager")
    manager_page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    manager_page.get_by_role("button", name="Log ind").click()
    manager_page.goto(f"{live_server.url}/optagelser/overblik/")
    expect(manager_page.get_by_role("heading", name="Overblik over anmodninger om optagelse")).to_be_visible()
    reasons = manager_page.get_by_role("table", name="Anmodninger per grund og afgørelse")
    memory_row = reasons.get_by_role("row", name=re.compile("^Problemer med hukommelsen"))
    expect(memory_row.get_by_role("cell")).to_have_text(["1", "1", "0", "0"])
    units = manager_page.get_by_role("table", name="Anmodninger per enhed og afgørelse")
    expect(units.get_by_role("row", name=re.compile("^Børn og Familie"))).to_be_visible()
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    manager_page.screenshot(path=os.path.join(SCREENSHOT_DIR, "recording-request-overview.png"), full_page=True)

    manager_page.goto(f"{live_server.url}/optagelser/")
    manager_page.get_by_role("link", name=rr.reference).click()
    manager_page.get_by_label("Bemærkning").fill("Enig i afgørelsen.")
    manager_page.get_by_role("button", name="Markér som gennemgået").click()
    expect(manager_page.get_by_role("status")).to_contain_text("Din gennemgang er gemt.")
    manager_context.close()
    rr.refresh_from_db()
    assert rr.reviewed_by == personas.manager


def test_union_rep_reads_the_guideline_and_gets_the_pdf(page, live_server, personas, sign_in, screenshot):
    guideline = demo_guideline_seed(personas.org)
    sign_in("union_rep", TEST_PASSWORD)
    response = page.goto(f"{live_server.url}/optagelser/")
    assert response.status == 404  # requests are for caseworkers and managers
    page.goto(f"{live_server.url}/optagelser/retningslinje/")
    expect(page.get_by_role("heading", name=guideline.title)).to_be_visible()
    expect(page.get_by_text("Det er den version, der gælder nu.")).to_be_visible()
    expect(page.get_by_role("heading", name="Hvad er en saglig begrundelse?")).to_be_visible()
    screenshot("recording-guideline")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent som PDF til udskrift").click()
    download = download_info.value
    assert download.suggested_filename.startswith("retningslinje-optagelse-")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
