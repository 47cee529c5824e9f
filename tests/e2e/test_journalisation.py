"""Browser journey (issue 16, item 7) at 390 px: the manager makes the case archive of an incident,
downloads it and records the journal number from the municipality's document system."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from reports.archive import case_archive_build
from reports.models import CaseArchive
from tests.factories import TEST_PASSWORD
from tests.reports.conftest import register
from tests.security.world import private_storage

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_makes_the_case_archive_and_records_the_journal_number(
    page, live_server, personas, sign_in, screenshot, settings, tmp_path
):
    private_storage(settings, tmp_path)
    incident = register(personas, named=True)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("manager", TEST_PASSWORD)
    page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
    page.get_by_role("link", name="Sagsarkiv og journalnummer").click()
    expect(page.get_by_role("heading", name="Sagsarkiv til journalisering")).to_be_visible()
    page.get_by_role("button", name="Lav sagsarkiv").click()
    expect(page.get_by_text("Sagsarkivet laves i baggrunden")).to_be_visible()
    case_archive_build(CaseArchive.objects.get().pk)  # what the worker does (tests/reports/test_case_archive.py)
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent sagsarkivet").click()
    with zipfile.ZipFile(download_info.value.path()) as bundle:
        assert json.loads(bundle.read("metadata.json"))["reference"] == incident.reference
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("case-archive-ready-390")
    page.get_by_role("link", name="Sagsarkiv", exact=True).click()
    page.locator("#id_journal_number").fill("27.12.00-G01-123-26")
    page.get_by_role("button", name="Gem journalnummer").click()
    expect(page.get_by_text("Journalnummeret er gemt.")).to_be_visible()
    expect(page.get_by_text("Journaliseret som 27.12.00-G01-123-26")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("case-archive-journalised-390")
