"""Issue 7 fixtures: the project's URLs with the statistics and sharing routes, and a fast
way to put many incidents in the database.

    stats_urls      (autouse) ROOT_URLCONF = tests.stats.urls
    make_incidents  bulk-create incidents with chosen facts (no services: no audit, no
                    notifications), for the statistics only
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, Publication, TimelineEntry

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def stats_urls(settings):
    settings.ROOT_URLCONF = "tests.stats.urls"


def local(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def bulk_incidents(specs: list[dict]) -> list[Incident]:
    """Create incidents from dicts: unit, registered (date), level, confirmed, status, relation,
    phenomena (codes), platforms (codes), actions ([(code, days after registration)]), targets (users)."""
    rows = []
    for spec in specs:
        number = next(_numbers)
        registered = local(spec["registered"], spec.get("hour", 12))
        rows.append(Incident(
            reference=f"UDH-T-{number:06d}", year=registered.year, number=number, unit=spec["unit"],
            channel="manager", title="Statistik", discovered_at=registered - timedelta(hours=2),
            registered_at=registered, assessed_level=spec.get("level", 1), confirmed_level=spec.get("confirmed"),
            status=spec.get("status", "reported"), perpetrator_relation=spec.get("relation", "unknown"),
            **{f"related_{code}": True for code in spec.get("phenomena", ())},
        ))
    incidents = Incident.objects.bulk_create(rows)
    publications, entries = [], []
    for incident, spec in zip(incidents, specs, strict=True):
        publications += [Publication(incident=incident, platform=platform) for platform in spec.get("platforms", ())]
        for code, days in spec.get("actions", ()):
            entries.append(TimelineEntry(incident=incident, kind="action", action_code=code,
                                         occurred_on=spec["registered"] + timedelta(days=days)))
        if spec.get("targets"):
            incident.targets.add(*spec["targets"])
    Publication.objects.bulk_create(publications)
    TimelineEntry.objects.bulk_create(entries)
    return incidents


@pytest.fixture
def make_incidents(db):
    return bulk_incidents
