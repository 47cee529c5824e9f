"""Browser journey: a caseworker self-reports; the manager sees the unread badge and the
notification, opens it and lands on the incident."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from notifications import tasks
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _wired(settings, monkeypatch):
    # No worker runs here: keep e-mail rows in the outbox rather than queue them in Redis.
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *args, **kwargs: None)


def test_manager_sees_badge_opens_notification_and_lands_on_the_incident(
    page, live_server, personas, sign_in, screenshot
):
    sign_in("caseworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/anmeld/")
    page.get_by_label("Hvor har du set det?").select_option(label="Facebook")
    page.get_by_label("Link").fill("https://www.facebook.com/groups/borgere/posts/123")
    page.get_by_label("Hvad står der?").fill("Sara fra Børn og Familie er en heks.")
    page.get_by_role("button", name="Send til min leder").click()
    expect(page).to_have_url(f"{live_server.url}/mine-sager/")
    incident = Incident.objects.get()

    page.context.clear_cookies()
    sign_in("manager", TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/leder/")
    badge = page.get_by_role("link", name=re.compile(r"^Notifikationer"))
    expect(badge).to_have_accessible_name(re.compile(r"Notifikationer\s+1\s+ulæste"))
    screenshot("notifications-badge")

    badge.click()
    expect(page).to_have_url(f"{live_server.url}/notifikationer/")
    expect(page.get_by_role("heading", name="Notifikationer", exact=True)).to_be_visible()
    expect(page.get_by_text("Du har 1 ulæst notifikation.")).to_be_visible()
    item = page.get_by_role("button", name=f"Ny selvanmeldelse {incident.reference} i Børn og Familie")
    expect(item).to_be_visible()
    expect(page.get_by_text("Ny", exact=True)).to_be_visible()
    expect(page.get_by_text("Sara fra Børn og Familie er en heks.")).to_have_count(0)
    screenshot("notifications-centre")

    item.click()
    expect(page).to_have_url(f"{live_server.url}/haendelser/{incident.reference}/")
    expect(page.get_by_role("heading", name=incident.title, level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Notifikationer"))).to_have_accessible_name("Notifikationer")
    screenshot("notifications-landed-on-incident")

    page.goto(f"{live_server.url}/notifikationer/")
    expect(page.get_by_text("Du har 0 ulæste notifikationer.")).to_be_visible()
    expect(page.get_by_text("Ny", exact=True)).to_have_count(0)
