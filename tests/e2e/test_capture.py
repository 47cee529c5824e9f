"""Browser journey «Sikr side»: the manager captures a publication's page from the incident page;
a real worker on the capture queue runs Chromium against the local test site, the status page
polls until the capture is done and shows the files, hashes and the trusted timestamp."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.capture.models import Capture
from incidents.models import Incident
from tests.capture.conftest import close_worker_connections, site, tsa  # noqa: F401 - fixtures
from tests.factories import TEST_PASSWORD
from tests.security.world import private_storage
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_manager_secures_a_publication_and_watches_the_status_page(
    page,
    live_server,
    personas,
    sign_in,
    site,  # noqa: F811
    tsa,
    settings,
    tmp_path,
    screenshot,
):  # noqa: F811
    private_storage(settings, tmp_path / "storage")
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Opslag om Sara", "discovered_at": timezone.now() - timedelta(hours=2)},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": site.url("/normal")}],
    )
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["capture"], shutdown_timeout=30):
        sign_in("manager", TEST_PASSWORD)
        page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
        page.get_by_role("button", name="Sikr side (Facebook)").click()
        expect(page).to_have_url(re.compile(rf"/haendelser/{incident.reference}/sikring/\d+/$"))
        expect(page.get_by_role("heading", name="Sikring af webside", exact=True)).to_be_visible()
        expect(page.locator("#capture-status [data-status-label]")).to_have_text("Sikret", timeout=90_000)
    close_worker_connections()
    capture = Capture.objects.get()
    expect(page.get_by_role("heading", name="Filer og SHA-256")).to_be_visible()
    expect(page.get_by_role("link", name="skaermbillede.png")).to_be_visible()
    expect(page.get_by_text(capture.manifest_sha256).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"Betroet tidsstempel \d\d\.\d\d\.\d{4}"))).to_be_visible()
    expect(page.get_by_role("button", name="Sikr igen")).to_be_visible()
    screenshot("capture-done")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("capture-done-390")

    page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
    expect(page.locator("#sikring").get_by_role("link", name=re.compile("normal"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Side sikret: .*/normal"))).to_be_visible()
