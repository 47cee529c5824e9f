"""The factories the tests and the demo share (demo/factories.py): plausible defaults drawn from the
pools the bulk generator uses, and the sample seed through them storing what the bulk seed stores."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import factory.random
import pytest
from django.utils import timezone

from accounts.models import Role
from demo.accounts import demo_seed
from demo.factories import (
    FEATURE_SENTENCES,
    OPENINGS,
    PLATFORM_WEIGHTS,
    QUOTES,
    IncidentFactory,
    PublicationFactory,
    RecordingRequestFactory,
)
from demo.incidents import demo_incidents_seed
from incidents.models import Incident, IncidentDeadline, Publication, ReferenceCounter, TimelineEntry
from incidents.services import incident_reassess
from recordings.models import REASON_FIELDS
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def test_an_incident_from_the_factory_is_plausible_and_assessed():
    factory.random.reseed_random(7)
    unit = UnitFactory(name="Jobcenter")
    target = member(unit, Role.CASEWORKER)
    incident = IncidentFactory(unit=unit, targets=[target])
    assert incident.reference == f"UDH-{incident.year}-{incident.number:04d}"
    assert ReferenceCounter.objects.get(year=incident.year).last_number == incident.number
    assert incident.description.startswith(OPENINGS[incident.perpetrator_relation].format(unit="Jobcenter"))
    features = [code for code in FEATURE_SENTENCES if getattr(incident, code, False)]
    assert all(FEATURE_SENTENCES[code] in incident.description for code in features)
    assert incident.discovered_at <= incident.registered_at
    assert list(incident.targets.all()) == [target]
    stored = (incident.assessed_level, incident.assessment, incident.facts_hash)
    again = incident_reassess(Incident.objects.get(pk=incident.pk), save=False)
    assert incident.assessment and stored == (again.assessed_level, again.assessment, again.facts_hash)
    assert incident.deadline_rows.count() == len(incident.assessment["deadlines"])
    second = IncidentFactory(unit=unit, title="Given title")
    assert second.title == "Given title" and second.number == incident.number + 1

    publication = PublicationFactory(incident=incident)
    assert publication.platform in PLATFORM_WEIGHTS
    assert publication.quote in QUOTES.values()
    assert publication.url == "" or publication.url.startswith("https://")
    assert publication.published_at <= incident.discovered_at


def test_the_factories_repeat_with_factory_boys_seed():
    unit = UnitFactory()
    factory.random.reseed_random(3)
    first = [(i.title, i.description) for i in IncidentFactory.create_batch(5, unit=unit)]
    factory.random.reseed_random(3)
    assert [(i.title, i.description) for i in IncidentFactory.create_batch(5, unit=unit)] == first


def test_a_recording_request_follows_the_suggestion_for_its_reasons():
    request = RecordingRequestFactory(reasons=("memory_problems",))
    assert request.reason_memory_problems and not request.reason_publish_intent
    assert request.decision == request.suggested_decision
    assert request.registered_by.organisation == request.unit.organisation
    drawn = RecordingRequestFactory()
    assert any(getattr(drawn, field) for field in REASON_FIELDS.values())


def _stored(incidents) -> list:
    rows = []
    for incident in incidents.order_by("registered_at", "pk"):
        rows.append(
            (
                incident.title,
                incident.description,
                incident.status,
                incident.assessed_level,
                incident.facts_hash,
                incident.registered_at,
                incident.updated_at,
                incident.closed_at,
                incident.unit_id,
                incident.reporter_id,
                sorted(incident.targets.values_list("pk", flat=True)),
                list(incident.publications.order_by("pk").values_list("platform", "url", "quote", "created_at")),
                list(incident.timeline.order_by("pk").values_list("kind", "action_code", "created_at", "to_status")),
                sorted(incident.deadline_rows.values_list("code", "due")),
            )
        )
    return rows


def test_the_sample_through_the_factories_stores_what_the_bulk_seed_stores(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(UTC))
    org = demo_seed()
    demo_incidents_seed(organisation=org, count=40, seed=5, through_factories=True)
    through_factories = _stored(Incident.objects.all())
    counts = (Publication.objects.count(), TimelineEntry.objects.count(), IncidentDeadline.objects.count())
    Incident.objects.all().delete()
    demo_incidents_seed(organisation=org, count=40, seed=5)
    assert _stored(Incident.objects.all()) == through_factories
    assert (Publication.objects.count(), TimelineEntry.objects.count(), IncidentDeadline.objects.count()) == counts
