"""`seed_demo --incidents N`: realistic, deterministic demo incidents that fit the rest of the data."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Membership, Organisation, Role, User
from audit.models import AuditEvent
from audit.services import audit_verify
from demo.accounts import DEMO_ORGANISATION, DEMO_PASSWORD
from demo.incidents import HISTORY_DAYS, demo_incidents_seed
from incidents.assessment import RULES_VERSION
from incidents.models import Incident, Publication, ReferenceCounter, TimelineEntry
from incidents.services import incident_reassess, incident_register

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture
def fixed_now(monkeypatch):
    """The seed draws dates back from now; fix now so two runs draw the same."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(UTC))  # aware UTC, like the real one
    return NOW


def _seed(count: int) -> str:
    out = StringIO()
    call_command("seed_demo", "--incidents", str(count), stdout=out)
    return out.getvalue()


def _profile(incidents) -> dict:
    """Counts that describe a batch of seeded incidents."""
    pks = list(incidents.values_list("pk", flat=True))
    return {
        "incidents": len(pks),
        "publications": Publication.objects.filter(incident__in=pks).count(),
        "timeline": TimelineEntry.objects.filter(incident__in=pks).count(),
        "targets": Incident.targets.through.objects.filter(incident__in=pks).count(),
        "status": Counter(incidents.values_list("status", flat=True)),
        "level": Counter(incidents.values_list("assessed_level", flat=True)),
        "unit": Counter(incidents.values_list("unit__name", flat=True)),
        "channel": Counter(incidents.values_list("channel", flat=True)),
        "titles": Counter(incidents.values_list("title", flat=True)),
    }


def test_seed_demo_adds_incidents_and_keeps_the_base_seed_and_logins(fixed_now):
    output = _seed(200)
    assert "Added 200 demo incidents" in output
    assert "leder" in output
    assert DEMO_PASSWORD in output
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    assert Incident.objects.filter(unit__organisation=org).count() == 200
    users, memberships = User.objects.count(), Membership.objects.count()

    _seed(0)  # the base seed alone: idempotent, no incidents added
    assert Incident.objects.count() == 200
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_seed_demo_is_deterministic_and_adds_each_time(fixed_now):
    _seed(200)
    first = Incident.objects.all()
    first_profile = _profile(first)
    last_pk = first.aggregate(m=Max("pk"))["m"]

    _seed(200)
    assert Incident.objects.count() == 400
    second_profile = _profile(Incident.objects.filter(pk__gt=last_pk))
    assert second_profile == first_profile


def test_references_are_reserved_on_the_counter_and_continued_afterwards(fixed_now):
    _seed(200)
    per_year = Incident.objects.values("year").annotate(n=Count("pk"), last=Max("number"))
    assert per_year
    for row in per_year:
        numbers = sorted(Incident.objects.filter(year=row["year"]).values_list("number", flat=True))
        assert numbers == list(range(1, row["n"] + 1))  # no gaps, no duplicates
        assert ReferenceCounter.objects.get(year=row["year"]).last_number == row["n"] == row["last"]
    for incident in Incident.objects.all()[:50]:
        assert incident.reference == f"UDH-{incident.year}-{incident.number:04d}"
        assert incident.year == timezone.localtime(incident.registered_at).year
    # Within a year the numbers follow the registration time.
    ordered = list(Incident.objects.filter(year=2026).order_by("number").values_list("registered_at", flat=True))
    assert ordered == sorted(ordered)

    last_2026 = ReferenceCounter.objects.get(year=2026).last_number
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    manager = User.objects.get(username="leder")
    incident = incident_register(
        actor=manager,
        unit=org.units.get(name="Jobcenter"),
        channel="manager",
        fields={"title": "Ny hændelse", "discovered_at": NOW},
        now=NOW,
    )
    assert incident.reference == f"UDH-2026-{last_2026 + 1:04d}"


def test_a_counter_already_in_use_is_continued(fixed_now):
    _seed(0)
    manager = User.objects.get(username="leder")
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    first = incident_register(
        actor=manager,
        unit=org.units.get(name="Jobcenter"),
        channel="manager",
        fields={"title": "Før demodata", "discovered_at": NOW},
        now=NOW,
    )
    assert first.reference == "UDH-2026-0001"
    demo_incidents_seed(organisation=org, count=200)
    numbers = sorted(Incident.objects.filter(year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert Incident.objects.filter(reference="UDH-2026-0001").get() == first


def test_the_stored_assessment_is_the_one_the_services_compute(fixed_now):
    _seed(200)
    for incident in Incident.objects.all():
        stored = (incident.assessed_level, incident.assessment, incident.rules_version, incident.facts_hash)
        incident_reassess(incident, save=False)
        assert stored == (incident.assessed_level, incident.assessment, incident.rules_version, incident.facts_hash), (
            incident.reference
        )
        assert incident.rules_version == RULES_VERSION
        # The deadline rows mirror the assessment, as incidents.services.deadlines_sync keeps them.
        rows = {(row.code, row.due) for row in incident.deadline_rows.all()}
        assert rows == {(d["code"], parse_datetime(d["due"])) for d in incident.assessment["deadlines"]}
        assert 1 <= incident.assessed_level <= 4
        if incident.confirmed_at:
            assert incident.confirmed_facts_hash == incident.facts_hash
            assert incident.confirmed_level in (incident.assessed_level, incident.assessed_level + 1)


def test_the_incidents_look_real(fixed_now):
    _seed(200)
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    incidents = Incident.objects.filter(unit__organisation=org).prefetch_related("publications", "targets", "timeline")
    caseworkers_by_unit = {}
    for unit_id, user_id in Membership.objects.filter(role=Role.CASEWORKER).values_list("unit_id", "user_id"):
        caseworkers_by_unit.setdefault(unit_id, set()).add(user_id)

    assert len({i.unit_id for i in incidents}) == org.units.count()
    assert len({i.status for i in incidents}) == 4
    assert len({i.assessed_level for i in incidents}) >= 3
    assert len({p.platform for i in incidents for p in i.publications.all()}) >= 6
    for incident in incidents:
        publications = list(incident.publications.all())
        assert 1 <= len(publications) <= 4
        if len(publications) >= 3:
            assert incident.repeated
        for publication in publications:
            assert publication.url == "" or publication.url.startswith("https://")
            assert publication.published_at <= incident.discovered_at <= incident.registered_at
        assert NOW - timedelta(days=HISTORY_DAYS + 1) <= incident.registered_at <= NOW
        assert incident.title and incident.description
        assert {u.pk for u in incident.targets.all()} <= caseworkers_by_unit.get(incident.unit_id, set())
        if not incident.targets.exists():
            assert incident.target_names
        if incident.channel == Incident.Channel.SELF_REPORT:
            assert incident.reporter in incident.targets.all()

        timeline = list(incident.timeline.all())
        assert timeline[0].kind == TimelineEntry.Kind.REGISTERED
        assert timeline[0].created_at == incident.registered_at
        assert [t.created_at for t in timeline] == sorted(t.created_at for t in timeline)
        statuses = [(t.from_status, t.to_status) for t in timeline if t.kind == TimelineEntry.Kind.STATUS]
        if incident.status == Incident.Status.REPORTED:
            assert statuses == []
        else:
            assert statuses[-1][1] == incident.status
        if incident.status == Incident.Status.CLOSED:
            assert incident.closed_at is not None
        actions = [t.action_code for t in timeline if t.kind == TimelineEntry.Kind.ACTION]
        recommended = {item["code"] for item in incident.assessment["actions"]}
        assert set(actions) <= recommended
        assert ("platform_takedown" in actions) == (incident.takedown_requested_at is not None)
    # Historical timestamps, not the moment of seeding.
    assert TimelineEntry.objects.filter(created_at__lt=NOW - timedelta(days=365)).exists()


def test_the_seed_is_one_audit_event(fixed_now):
    _seed(200)
    [event] = AuditEvent.objects.filter(object_type="incidents.incident", action=AuditEvent.Action.CREATE)
    assert event.details["count"] == 200
    assert event.actor is None
    assert event.organisation_id == Organisation.objects.get(name=DEMO_ORGANISATION).pk
    assert "200" in event.summary
    assert audit_verify().ok


def test_zero_incidents_adds_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    assert demo_incidents_seed(organisation=org, count=0) == 0
    assert not Incident.objects.exists()
    assert not ReferenceCounter.objects.exists()


@pytest.mark.postgres
def test_copy_path_on_postgresql_stores_the_same_incidents(fixed_now):
    """On PostgreSQL the rows go in with COPY from a second thread, batch by batch."""
    _seed(0)
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    demo_incidents_seed(organisation=org, count=300, batch_size=70)
    incidents = Incident.objects.all()
    assert incidents.count() == 300
    for incident in incidents.order_by("?")[:60]:
        stored = (incident.assessed_level, incident.assessment, incident.facts_hash)
        incident_reassess(incident, save=False)
        assert stored == (incident.assessed_level, incident.assessment, incident.facts_hash)
        rows = {(row.code, row.due) for row in incident.deadline_rows.all()}
        assert rows == {(d["code"], parse_datetime(d["due"])) for d in incident.assessment["deadlines"]}
    numbers = sorted(incidents.filter(year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert Publication.objects.filter(incident__in=incidents).count() >= 300
    assert TimelineEntry.objects.filter(created_at__lt=NOW - timedelta(days=365)).exists()
    # Texts with quotes, « », æøå and backslash-free JSON survive COPY's text format.
    sample = incidents.filter(description__contains="«").first() or incidents.first()
    assert Incident.objects.get(pk=sample.pk).description == sample.description
    # The sequence moved past the ids COPY used: the next ordinary insert does not collide.
    manager = User.objects.get(username="leder")
    incident_register(
        actor=manager,
        unit=org.units.get(name="Jobcenter"),
        channel="manager",
        fields={"title": "Efter demodata", "discovered_at": NOW},
        now=NOW,
    )


def test_sample_fills_an_empty_demo_once(fixed_now):
    from recordings.models import REASON_FIELDS, RecordingRequest
    from recordings.suggest import GuidelinePolicy, RequestFacts, suggest

    out = StringIO()
    call_command("seed_demo", "--sample", "30", stdout=out)
    org = Organisation.objects.get(name=DEMO_ORGANISATION)
    assert Incident.objects.filter(unit__organisation=org).count() == 30
    requests = RecordingRequest.objects.filter(unit__organisation=org)
    assert requests.count() == 10 and "Added 10 demo recording requests" in out.getvalue()
    policy = GuidelinePolicy(without_legitimate_reason=requests[0].guideline.without_legitimate_reason)
    for request in requests:
        reasons = [code for code, field in REASON_FIELDS.items() if getattr(request, field)]
        assert reasons
        assert request.suggested_decision == suggest(RequestFacts.of(reasons, request.media), policy).decision
        assert request.registered_by.memberships.filter(unit=request.unit, role=Role.CASEWORKER).exists()
        assert fixed_now.date() - timedelta(days=365) <= request.request_date <= fixed_now.date()

    call_command("seed_demo", "--sample", "30", stdout=StringIO())  # already filled: adds nothing
    assert Incident.objects.filter(unit__organisation=org).count() == 30 and requests.count() == 10
