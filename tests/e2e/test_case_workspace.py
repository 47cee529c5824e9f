"""The manager's case workspace in the browser (issue 17): next step first on a critical case,
assignment and exclusion, messages between employee and owner, and back-and-save-again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from incidents import services
from incidents.models import CaseMessage, Incident
from tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db(transaction=True)


def _critical_case(personas):
    """A "Trusler" case: a threat posted on Facebook three hours ago."""
    return services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={
            "title": "Trusler i kommentarspor",
            "discovered_at": timezone.now() - timedelta(hours=3),
            "threat": True,
            "named": True,
            "related_threats": True,
            "description": "En borger skriver, at han venter på hende ved bilen.",
        },
        targets=[personas.caseworker],
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/groups/1/posts/2",
                "published_at": timezone.now() - timedelta(hours=3),
                "quote": "Jeg venter ved din bil",
            }
        ],
    )


def _sign_out(page):
    page.context.clear_cookies()


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_critical_case_opens_with_112_and_the_72_hours(page, live_server, personas, sign_in, screenshot):
    case = _critical_case(personas)
    sign_in("manager", TEST_PASSWORD)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/haendelser/{case.reference}/")
        urgent = page.locator("#akut")
        expect(urgent).to_be_visible()
        # The urgent block is the first section of the page, inside the first screen.
        first_heading = page.locator("main h2").first
        expect(first_heading).to_have_text("Det haster nu")
        box = urgent.bounding_box()
        assert box is not None and box["y"] < height, (width, box)
        items = urgent.locator(".urgent-item")
        expect(items.nth(0)).to_contain_text("Ved akut fare: ring 112")
        expect(items.nth(1)).to_contain_text("Anmeld til politiet inden 72 timer")
        expect(items.nth(1)).to_contain_text("timer tilbage")
        expect(urgent).to_contain_text("Politianmeldelse ved arbejdsgiveren")
        expect(urgent).to_contain_text("Sikkerhedsvurdering")
        # The rest of the checklist is grouped below it; done actions fold away.
        expect(page.locator("#naeste-skridt h3").first).to_have_text("Nu")
        screenshot(f"critical-incident-{width}")
        assert _page_width(page) <= width  # no sideways scrolling


def test_assignment_and_exclusion(page, live_server, personas, sign_in, screenshot):
    case = _critical_case(personas)
    bo = member(personas.family, Role.MANAGER, username="bo", first_name="Bo", last_name="Bestyrer")
    ib = member(personas.family, Role.MANAGER, username="ib", first_name="Ib", last_name="Implikeret")

    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{case.reference}/")
    page.get_by_role("button", name="Tag sagen").click()
    expect(page.get_by_text("Du er nu sagsansvarlig.")).to_be_visible()
    expect(page.locator("#sagsansvar [data-owner]")).to_have_text("Mette Leder")

    page.locator("#sagsansvar summary", has_text="Giv sagen til en anden leder").click()
    page.get_by_label("Sagsansvarlig", exact=True).select_option(value=str(bo.pk))
    page.get_by_role("button", name="Gem sagsansvarlig").click()
    expect(page.get_by_text("Bo Bestyrer er nu sagsansvarlig og har fået besked.")).to_be_visible()

    # Ib is named in the post: keep him out. A missing reason is said plainly first.
    page.locator("#sagsansvar summary", has_text="Hold en leder ude af sagen").click()
    page.get_by_label("Leder, der skal holdes ude").select_option(value=str(ib.pk))
    page.get_by_role("button", name="Hold lederen ude").click()
    expect(page.locator("#sagsansvar [data-error-summary]")).to_be_focused()
    expect(page.locator("#sagsansvar")).to_contain_text("Skriv hvorfor lederen skal holdes ude af sagen.")
    page.locator("#id_exclude-reason").fill("Ib er selv nævnt i opslaget")
    page.get_by_role("button", name="Hold lederen ude").click()
    expect(page.get_by_text("Lederen er holdt ude af sagen og kan ikke længere se den.")).to_be_visible()
    expect(page.locator("#sagsansvar")).to_contain_text("Ib er selv nævnt i opslaget")
    screenshot("case-owner-and-exclusion")

    # The list shows the owner and filters on it.
    page.goto(f"{live_server.url}/haendelser/?owner=ingen")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    page.goto(f"{live_server.url}/haendelser/")
    expect(page.get_by_role("row").filter(has_text=case.reference)).to_contain_text("Bo Bestyrer")

    _sign_out(page)
    sign_in("ib", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Overblik for ledere")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(case.reference)
    for path in (
        f"/haendelser/{case.reference}/",
        f"/haendelser/{case.reference}/rediger/",
        f"/api/v1/incidents/{case.reference}/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
    page.goto(f"{live_server.url}/haendelser/")
    expect(page.locator("main")).not_to_contain_text(case.reference)

    _sign_out(page)
    sign_in("bo", TEST_PASSWORD)
    page.goto(f"{live_server.url}/leder/?ejer=mine")
    expect(page.locator("main")).to_contain_text(case.reference)


def test_employee_and_owner_exchange_messages(page, live_server, personas, sign_in, screenshot):
    case = _critical_case(personas)
    from incidents import casework

    casework.case_assign(actor=personas.manager, incident=case, owner=personas.manager)
    sign_in("caseworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{case.reference}/")
    expect(page.get_by_role("heading", name="Beskeder", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send besked").click()
    expect(page.locator("#beskeder [data-error-summary]")).to_be_focused()
    page.get_by_label("Din besked").fill("Han stod ved min bil i morges. Hvad gør jeg?")
    page.get_by_role("button", name="Send besked").click()
    expect(page.get_by_text("Beskeden er sendt.")).to_be_visible()
    expect(page.locator("#beskeder")).to_contain_text("Han stod ved min bil i morges.")

    _sign_out(page)
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/notifikationer/")
    expect(page.locator("main")).to_contain_text(f"Ny besked på sag {case.reference}")
    page.goto(f"{live_server.url}/haendelser/{case.reference}/")
    thread = page.locator("#beskeder")
    expect(thread).to_contain_text("Han stod ved min bil i morges.")
    page.get_by_label("Din besked").fill("Bliv inde, jeg ringer til politiet nu og kommer ned til dig.")
    page.get_by_role("button", name="Send besked").click()
    expect(page.get_by_text("Beskeden er sendt.")).to_be_visible()

    _sign_out(page)
    sign_in("caseworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{case.reference}/")
    thread = page.locator("#beskeder .message-item")
    expect(thread).to_have_count(2)
    expect(thread.nth(1)).to_contain_text("Bliv inde, jeg ringer til politiet nu")
    screenshot("employee-message-thread")
    assert list(CaseMessage.objects.values_list("from_employee", flat=True)) == [True, False]


def test_back_and_save_again_makes_no_duplicate(page, live_server, personas, sign_in):
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/ny/")
    page.get_by_label("Enhed").select_option(label="Børn og Familie")
    page.get_by_label("Kort overskrift").fill("Navngivet i Facebook-gruppe")
    page.get_by_label("Medarbejderen nævnes ved navn eller er let genkendelig").check()
    page.get_by_role("button", name="Registrér hændelsen").click()
    incident = Incident.objects.get()
    expect(page).to_have_url(f"{live_server.url}/haendelser/{incident.reference}/")

    page.go_back()
    expect(page.get_by_role("heading", name="Registrér hændelse", level=1)).to_be_visible()
    if not page.get_by_label("Kort overskrift").input_value():  # the browser did not keep what was typed
        page.get_by_label("Enhed").select_option(label="Børn og Familie")
        page.get_by_label("Kort overskrift").fill("Navngivet i Facebook-gruppe")
    page.get_by_role("button", name="Registrér hændelsen").click()
    expect(page).to_have_url(f"{live_server.url}/haendelser/{incident.reference}/")
    expect(page.get_by_text("Formularen var allerede sendt, og det er gemt.")).to_be_visible()
    assert Incident.objects.count() == 1
    assert incident.timeline.filter(kind="registered").count() == 1
