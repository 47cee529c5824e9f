"""A manager registers an incident in the browser and finds it in the list."""

from __future__ import annotations

import struct
import zlib

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_manager_registers_incident_with_two_publications_and_two_files(
    page, live_server, personas, sign_in, screenshot, tmp_path
):
    png = tmp_path / "skaermbillede-opslag.png"
    png.write_bytes(_png_bytes())
    pdf = tmp_path / "opslag-gemt-som-pdf.pdf"
    pdf.write_bytes(PDF_BYTES)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    sign_in("manager", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Overblik for ledere")).to_be_visible()
    page.get_by_role("link", name="Registrér hændelse").click()
    expect(page.get_by_role("heading", name="Registrér hændelse", level=1)).to_be_visible()

    # With JavaScript the blank rows collapse to one, and the add button appears.
    rows = page.locator("[data-formset-rows] > [data-formset-row]")
    expect(rows).to_have_count(1)
    expect(page.locator("#id_publications-TOTAL_FORMS")).to_have_value("1")

    # Hvem er ramt
    page.get_by_label("Enhed").select_option(label="Børn og Familie")
    page.get_by_label("Berørte medarbejdere").select_option(value=str(personas.caseworker.pk))

    # Hvor er det offentliggjort: the first row, then one more through the add button
    page.get_by_label("Platform").first.select_option("facebook")
    page.locator("#id_publications-0-url").fill("https://www.facebook.com/groups/lokalby/posts/123")
    page.locator("#id_publications-0-quote").fill("Sagsbehandleren Sara lyver og stjæler børn")
    page.get_by_role("button", name="Tilføj endnu en offentliggørelse").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#id_publications-TOTAL_FORMS")).to_have_value("2")
    expect(page.locator("#id_publications-1-platform")).to_be_focused()
    expect(rows.nth(1).locator("legend")).to_have_text("Offentliggørelse 2")
    page.locator("#id_publications-1-platform").select_option("youtube")
    page.locator("#id_publications-1-url").fill("https://www.youtube.com/watch?v=abc123")
    page.locator("#id_publications-1-title").fill("Video fra mødet den 3. november")
    page.get_by_label("Skærmbilleder, optagelser og andre filer").set_input_files([str(png), str(pdf)])

    # Hvad gør indholdet
    page.get_by_label("Kort overskrift").fill("Navngivet i lokal Facebook-gruppe og på YouTube")
    page.get_by_label("Hvad er sket?").fill("Borgeren har lagt et opslag og en video ud om sagsbehandleren.")
    page.get_by_label("Medarbejderen nævnes ved navn eller er let genkendelig").check()
    page.get_by_label("Beskyldninger om lovovertrædelser").check()
    # Optagelser
    page.get_by_label("En videooptagelse af en samtale er offentliggjort").check()
    # Hvem har offentliggjort det
    page.get_by_label("Hvem har offentliggjort det?").select_option("citizen_own_case")
    screenshot("manager-incident-form")

    page.get_by_role("button", name="Registrér hændelsen").click()

    incident = Incident.objects.get()
    expect(page).to_have_url(f"{live_server.url}/haendelser/{incident.reference}/")
    expect(page.get_by_text(f"Hændelsen {incident.reference} er registreret.")).to_be_visible()
    expect(page.get_by_role("heading", name="Navngivet i lokal Facebook-gruppe og på YouTube")).to_be_visible()
    publications = page.locator(".publications-table tbody tr")
    expect(publications).to_have_count(2)
    expect(publications.nth(0)).to_contain_text("Facebook")
    expect(publications.nth(1)).to_contain_text("YouTube")
    evidence = page.locator("#dokumentation")
    expect(evidence).to_contain_text("skaermbillede-opslag.png")
    expect(evidence).to_contain_text("opslag-gemt-som-pdf.pdf")
    assert incident.publications.count() == 2
    assert sorted(incident.evidence.values_list("original_name", flat=True)) == [
        "opslag-gemt-som-pdf.pdf",
        "skaermbillede-opslag.png",
    ]
    assert incident.assessed_level == 3
    screenshot("manager-incident-detail")

    page.get_by_role("link", name="Hændelser", exact=True).first.click()
    expect(page.get_by_role("heading", name="Hændelser", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=incident.reference)
    expect(row).to_contain_text("Navngivet i lokal Facebook-gruppe og på YouTube")
    expect(row).to_contain_text("Sara Sagsbehandler")
    expect(row).to_contain_text("Facebook, YouTube")
    expect(row).to_contain_text("Alvorlig")
    screenshot("manager-incident-list")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_form_errors_keep_the_typed_text_in_the_browser(page, live_server, personas, sign_in, screenshot):
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/ny/")
    page.get_by_label("Enhed").select_option(label="Børn og Familie")
    page.locator("#id_publications-0-platform").select_option("facebook")
    page.locator("#id_publications-0-url").fill("javascript:alert(1)")
    page.get_by_label("Hvad er sket?").fill("Noget skete")
    page.get_by_role("button", name="Registrér hændelsen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Hændelsen er ikke gemt endnu")
    expect(alert).to_contain_text("Skriv en kort overskrift.")
    expect(alert).to_contain_text("Skriv en gyldig webadresse, der begynder med http:// eller https://.")
    expect(page.get_by_label("Hvad er sket?")).to_have_value("Noget skete")
    expect(page.locator("#id_publications-0-url")).to_have_value("javascript:alert(1)")
    # The row with data stays; more can be added.
    expect(page.locator("[data-formset-rows] > [data-formset-row]")).to_have_count(1)
    expect(page.get_by_role("button", name="Tilføj endnu en offentliggørelse")).to_be_visible()
    screenshot("manager-incident-form-errors")
    assert not Incident.objects.exists()


def test_manager_edits_and_moves_the_case_on(page, live_server, personas, sign_in, screenshot):
    from tests.incidents.test_manager_views import register

    incident = register(personas, title="Opslag på Facebook", named=True)
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{incident.reference}/rediger/")
    expect(page.get_by_role("heading", name=f"Redigér {incident.reference}")).to_be_visible()
    page.locator("#id_threat").check()
    page.get_by_role("button", name="Tilføj endnu en offentliggørelse").click()
    page.locator("#id_publications-2-platform").select_option("tiktok")
    page.locator("#id_publications-2-url").fill("https://www.tiktok.com/@borger/video/1")
    screenshot("manager-incident-edit")
    page.get_by_role("button", name="Gem ændringer").click()
    expect(page.get_by_text("Ændringerne er gemt")).to_be_visible()
    expect(page.locator(".publications-table tbody tr")).to_have_count(2)
    expect(page.locator("header .level-badge")).to_have_text("Kritisk")

    page.locator("#id_action-action_code").select_option("police_report")
    page.get_by_label("Ekstern reference").fill("1200-80123-00042-26")
    page.get_by_role("button", name="Registrér handling").click()
    timeline = page.locator("#tidslinje")
    expect(timeline).to_contain_text("Politianmeldelse ved arbejdsgiveren")
    expect(timeline).to_contain_text("1200-80123-00042-26")
    expect(page.locator("header .status-badge")).to_have_text("Handling iværksat")

    page.locator("#id_status-to_status").select_option("closed")
    page.get_by_role("button", name="Skift status").click()
    page.locator("#id_status-to_status").select_option("in_progress")
    page.get_by_role("button", name="Skift status").click()
    expect(page.locator("#id_status-reason ~ .invalid-feedback, #id_status-reason_error")).to_contain_text(
        "Skriv hvorfor sagen genåbnes."
    )
    screenshot("manager-incident-reopen-error")
