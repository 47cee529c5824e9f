"""Issue 7 fixtures: a fast way to put many incidents in the database, private storage,
and the PDF of the statistics through the reports machinery.

    make_incidents  bulk-create incidents with chosen facts (no services: no audit, no
                    notifications), for the statistics only; their rollup blocks recounted
    recount(incidents)  recount the rollup blocks of incidents changed with QuerySet.update
    private_storage (autouse) each test's own private storage folder (statistics reports)
    render_statistics_report(client, params)
                    "Dan PDF-rapport" with `params` as the signed-in user, the worker's
                    rendering (`report_render`, called directly as the task would), then the
                    download; returns the download response
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, Publication, TimelineEntry
from reports.models import Report
from reports.services import report_render
from stats import rollup

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def render_statistics_report(client, params: dict):
    """Ask for a statistics report with `params`, render it as the worker would, and download it."""
    response = client.post(reverse("stats:report_request"), params)
    assert response.status_code == 302, response.content[:500]
    report_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    report = report_render(report_id)
    assert report is not None and report.status == Report.Status.READY, report and report.error
    download = client.get(reverse("stats:report_download", args=[report_id]))
    assert download.status_code == 200
    read = HttpResponse(b"".join(download.streaming_content), status=download.status_code)
    for header, value in download.items():
        read[header] = value
    return read


def local(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def bulk_incidents(specs: list[dict]) -> list[Incident]:
    """Create incidents from dicts: unit, registered (date), level, confirmed, status, relation,
    phenomena (codes), platforms (codes), actions ([(code, days after registration)]), targets (users)."""
    rows = []
    for spec in specs:
        number = next(_numbers)
        registered = local(spec["registered"], spec.get("hour", 12))
        rows.append(
            Incident(
                reference=f"UDH-T-{number:06d}",
                year=registered.year,
                number=number,
                unit=spec["unit"],
                channel="manager",
                title="Statistik",
                discovered_at=registered - timedelta(hours=2),
                registered_at=registered,
                assessed_level=spec.get("level", 1),
                confirmed_level=spec.get("confirmed"),
                status=spec.get("status", "reported"),
                perpetrator_relation=spec.get("relation", "unknown"),
                **{f"related_{code}": True for code in spec.get("phenomena", ())},
            )
        )
    incidents = Incident.objects.bulk_create(rows)
    publications, entries = [], []
    for incident, spec in zip(incidents, specs, strict=True):
        publications += [Publication(incident=incident, platform=platform) for platform in spec.get("platforms", ())]
        for code, days in spec.get("actions", ()):
            entries.append(
                TimelineEntry(
                    incident=incident,
                    kind="action",
                    action_code=code,
                    occurred_on=spec["registered"] + timedelta(days=days),
                )
            )
        if spec.get("targets"):
            incident.targets.add(*spec["targets"])
    Publication.objects.bulk_create(publications)
    TimelineEntry.objects.bulk_create(entries)
    recount(incidents)  # bulk_create sends no signals
    return incidents


def recount(incidents) -> None:
    """Recount the statistics' rollup of the incidents' blocks, after writes that send no signal
    (bulk_create, QuerySet.update)."""
    rollup.cells_refresh({(incident.unit_id, rollup.month_of(incident.registered_at)) for incident in incidents})


@pytest.fixture
def make_incidents(db):
    return bulk_incidents
