"""Browser journey (issues 7 and 22): the union rep opens the statistics, changes the period
among the published months, sees every figure rounded to a multiple of 5, switches to
quarters, downloads the CSV; any incident URL answers 404, until an employee shares that
incident with them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from incidents import sharing
from stats.forms import default_period
from stats.queries import add_months
from tests.factories import TEST_PASSWORD, member
from tests.stats.conftest import bulk_incidents

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def incidents(personas):
    for _ in range(5):
        member(personas.jobcenter, Role.CASEWORKER)  # Jobcenter stands on its own (6 employees)
    this_month = add_months(default_period()[1], -1)  # the last month a union rep sees
    old = add_months(this_month, -14)  # before the default 12 months
    return bulk_incidents(
        [
            {
                "unit": personas.jobcenter,
                "registered": this_month,
                "level": 2,
                "platforms": ["facebook"],
                "targets": [personas.caseworker] if n == 0 else [],
            }
            for n in range(9)
        ]
        + [{"unit": personas.jobcenter, "registered": old, "level": 4, "platforms": ["youtube"]} for _ in range(2)]
        + [{"unit": personas.family, "registered": old, "level": 3, "targets": [personas.caseworker]}]
    ), old


def test_union_rep_changes_period_sees_rounded_figures_and_downloads_csv(
    page, live_server, personas, sign_in, screenshot, incidents
):
    rows, old = incidents
    first, last = default_period(lag=1)
    sign_in("union_rep", TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/statistik/")
    expect(page.get_by_role("heading", name="Statistik over udhængning", level=1)).to_be_visible()
    months = page.get_by_role("table", name="Hændelser pr. måned og alvorlighed")
    expect(months.get_by_role("rowheader", name=_danish_month(old))).to_have_count(0)
    expect(months.get_by_role("rowheader", name=_danish_month(first))).to_have_count(1)
    # The current month is not offered.
    this_month = default_period()[1]
    expect(page.get_by_label("Til og med måned").locator(f'option[value="{this_month:%Y-%m}"]')).to_have_count(0)

    page.get_by_label("Fra måned").select_option(old.strftime("%Y-%m"))
    page.get_by_role("button", name="Vis statistik").click()
    expect(page).to_have_url(f"{live_server.url}/statistik/?period=month&from={old:%Y-%m}&to={last:%Y-%m}&unit=")
    old_row = months.get_by_role("row").filter(has=page.get_by_role("rowheader", name=_danish_month(old)))
    for text in old_row.get_by_role("cell").all_inner_texts():
        assert int(text.replace(".", "")) % 5 == 0, text
    expect(page.get_by_role("img", name="Hændelser pr. måned", exact=True)).to_be_visible()
    expect(page.get_by_text("Tallene er anonymiserede.")).to_be_visible()
    for incident in rows:
        expect(page.get_by_text(incident.reference)).to_have_count(0)
    screenshot("statistics-union-rep")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent tabellerne som CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"statistik-{old:%Y-%m}-{last:%Y-%m}.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content), delimiter=";"))
    counts = [row[6] for row in table[1:] if row[0] != "nøgletal"]
    assert counts and all(int(value) % 5 == 0 for value in counts)

    page.get_by_label("Periode", exact=True).select_option("quarter")
    page.get_by_role("button", name="Vis statistik").click()
    quarters = page.get_by_role("table", name="Hændelser pr. kvartal og alvorlighed")
    expect(quarters.get_by_role("rowheader").first).to_contain_text("kvartal")
    screenshot("statistics-union-rep-quarters")

    for incident in rows:
        response = page.goto(f"{live_server.url}/haendelser/{incident.reference}/")
        assert response.status == 404
    expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()


def test_shared_incident_opens_read_only_for_the_rep(page, live_server, personas, sign_in, screenshot, incidents):
    rows, _old = incidents
    shared = rows[0]
    sharing.incident_share(actor=personas.caseworker, incident=shared, union_rep=personas.union_rep)
    sign_in("union_rep", TEST_PASSWORD)
    page.get_by_role("link", name=shared.reference).click()
    expect(page).to_have_url(f"{live_server.url}/haendelser/{shared.reference}/")
    expect(page.get_by_text("Du kan læse den, men ikke ændre noget.")).to_be_visible()
    expect(page.get_by_role("button")).not_to_have_count(0)  # the navbar's own buttons only
    expect(page.locator("main form")).to_have_count(0)
    screenshot("statistics-shared-incident")
    assert page.goto(f"{live_server.url}/haendelser/{rows[1].reference}/").status == 404


def _danish_month(month) -> str:
    names = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ]
    return f"{names[month.month - 1]} {month.year}"


@pytest.mark.redis
@pytest.mark.postgres  # the page polls while the worker writes; SQLite's shared test database would lock
def test_union_rep_asks_for_the_pdf_report_and_a_worker_makes_it(
    page, live_server, personas, sign_in, screenshot, incidents
):
    from celery.contrib.testing.worker import start_worker
    from pypdf import PdfReader

    from tests.reports.test_worker import own_broker
    from udhaengning.celery import app

    _rows, old = incidents
    sign_in("union_rep", TEST_PASSWORD)
    page.get_by_label("Fra måned").select_option(old.strftime("%Y-%m"))
    page.get_by_role("button", name="Vis statistik").click()
    with own_broker(), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.get_by_role("button", name="Dan PDF-rapport").click()
        expect(page.get_by_role("heading", name="Statistikrapport, version 1", level=1)).to_be_visible()
        expect(
            page.get_by_text(f"Periode: {_danish_month(old)} – {_danish_month(default_period(lag=1)[1])}")
        ).to_be_visible()
        download_link = page.get_by_role("link", name="Hent PDF")
        expect(download_link).to_be_visible(timeout=60_000)  # the page polls until the worker is done
    expect(page.get_by_text("Rapporten er klar.")).to_be_visible()
    screenshot("statistics-report-ready")
    with page.expect_download() as download_info:
        download_link.click()
    text = "\n".join(p.extract_text() for p in PdfReader(download_info.value.path()).pages)
    assert "afrundet" in text and "Side 1 af" in text
    for incident in _rows:
        assert incident.reference not in text
    page.get_by_role("link", name="Tilbage til statistikken").click()
    expect(page.get_by_role("link", name="Statistikrapport, version 1")).to_be_visible()
