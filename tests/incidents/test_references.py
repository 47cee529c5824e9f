"""References UDH-YYYY-NNNN: unique and sequential per year, also under concurrent registration."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.utils import timezone

from audit.services import audit_verify
from incidents.models import Incident, ReferenceCounter
from incidents.services import incident_register, next_reference

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _register(personas, now: datetime, title: str = "Opslag i Facebook-gruppe") -> Incident:
    return incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, "discovered_at": now, "named": True},
        now=now,
    )


def test_references_are_sequential_within_a_year(personas):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=COPENHAGEN)
    incidents = [_register(personas, now) for _ in range(3)]
    assert [i.reference for i in incidents] == ["UDH-2026-0001", "UDH-2026-0002", "UDH-2026-0003"]
    assert [(i.year, i.number) for i in incidents] == [(2026, 1), (2026, 2), (2026, 3)]
    assert ReferenceCounter.objects.get(year=2026).last_number == 3


def test_a_new_year_starts_again_at_0001(personas):
    new_years_eve = datetime(2025, 12, 31, 23, 59, tzinfo=COPENHAGEN)
    new_year = datetime(2026, 1, 1, 0, 1, tzinfo=COPENHAGEN)
    assert _register(personas, new_years_eve).reference == "UDH-2025-0001"
    assert _register(personas, new_years_eve).reference == "UDH-2025-0002"
    assert _register(personas, new_year).reference == "UDH-2026-0001"
    assert _register(personas, new_years_eve).reference == "UDH-2025-0003"  # a late registration for 2025
    assert _register(personas, new_year).reference == "UDH-2026-0002"


def test_the_year_is_the_danish_calendar_year(personas):
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Copenhagen.
    incident = _register(personas, datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert incident.reference == "UDH-2026-0001"


def test_numbers_above_9999_keep_every_digit(db):
    ReferenceCounter.objects.create(year=2026, last_number=9999)
    assert next_reference(2026) == (10000, "UDH-2026-10000")


def test_a_rolled_back_registration_gives_its_number_back(personas):
    now = datetime(2026, 5, 4, 9, 0, tzinfo=COPENHAGEN)
    assert _register(personas, now).reference == "UDH-2026-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        _register(personas, now)
        raise RuntimeError("the form failed after the reference was taken")
    assert _register(personas, now).reference == "UDH-2026-0002"
    assert not Incident.objects.filter(reference="UDH-2026-0003").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_unique_numbers_without_gaps(personas):
    threads, per_thread = 8, 5
    now = timezone.now()
    start = threading.Barrier(threads)

    def register_several(worker: int) -> list[str]:
        try:
            start.wait(timeout=30)  # every thread begins at the same moment, each on its own connection
            return [_register(personas, now, f"Opslag {worker}.{i}").reference for i in range(per_thread)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(register_several, range(threads)))

    references = [ref for refs in results for ref in refs]
    year = timezone.localtime(now).year
    assert len(references) == len(set(references)) == threads * per_thread
    numbers = sorted(Incident.objects.filter(year=year).values_list("number", flat=True))
    assert numbers == list(range(1, threads * per_thread + 1))
    assert sorted(references) == [f"UDH-{year}-{n:04d}" for n in numbers]
    assert ReferenceCounter.objects.get(year=year).last_number == threads * per_thread
    # Each thread's own registrations come out in increasing order.
    for refs in results:
        assert refs == sorted(refs)
    # The audit chain stayed intact under the same concurrency.
    report = audit_verify()
    assert report.ok
    from audit.models import AuditEvent

    assert report.checked == AuditEvent.objects.count()
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.SECURITY).count() == threads * per_thread
