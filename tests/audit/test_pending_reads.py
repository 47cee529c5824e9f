"""Reads of list pages are recorded without locking the chain and sealed into it later, in
the order they were written; the chain verifies, and a changed waiting row is caught."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from audit.models import AuditChainHead, AuditEvent, PendingAuditEvent
from audit.services import audit_record, audit_record_read, audit_seal_pending, audit_verify
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _read(actor, number: int) -> PendingAuditEvent:
    request = RequestFactory().get("/haendelser/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.0.0.7")
    request.user = actor
    return audit_record_read(
        request=request,
        object_type="incidents.incident",
        summary=f"Liste {number}",
        details={"page": number, "filters": {"q": "æøå"}},
    )


def test_a_read_is_one_insert_without_a_lock():
    actor = UserFactory(organisation=OrganisationFactory())
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, object_type="x")  # the chain exists
    head_before = AuditChainHead.objects.get(chain=actor.organisation_id)
    with CaptureQueriesContext(connection) as captured:
        _read(actor, 1)
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "audit_pendingauditevent"')
    assert not any("FOR UPDATE" in sql for sql in statements)
    head = AuditChainHead.objects.get(chain=actor.organisation_id)
    assert (head.count, head.last_hash) == (head_before.count, head_before.last_hash)


def test_sealing_appends_the_reads_in_order_and_the_chains_verify():
    ours = UserFactory(organisation=OrganisationFactory())
    theirs = UserFactory(organisation=OrganisationFactory())
    audit_record(actor=ours, action=AuditEvent.Action.UPDATE, object_type="x")
    for number in range(3):
        _read(ours, number)
        _read(theirs, number)
    report = audit_verify()
    assert report.ok and report.pending == 6
    assert audit_seal_pending(batch_size=4) == 6  # two batches
    assert not PendingAuditEvent.objects.exists()
    events = list(AuditEvent.objects.filter(chain=ours.organisation_id).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.summary for e in events[1:]] == ["Liste 0", "Liste 1", "Liste 2"]
    assert events[1].details == {"page": 0, "filters": {"q": "æøå"}}
    assert events[1].ip_address == "10.0.0.7" and events[1].user_agent == "Firefox"
    assert events[1].actor == ours and events[1].action == AuditEvent.Action.VIEW
    report = audit_verify()
    assert report.ok and report.pending == 0
    assert report.chains == {ours.organisation_id: 4, theirs.organisation_id: 3}
    # A change recorded after the seal continues the same chain.
    audit_record(actor=ours, action=AuditEvent.Action.UPDATE, object_type="x")
    assert audit_verify(organisation_id=ours.organisation_id).checked == 5


def test_a_changed_waiting_read_is_reported_and_not_sealed():
    actor = UserFactory(organisation=OrganisationFactory())
    tampered = _read(actor, 1)
    _read(actor, 2)
    PendingAuditEvent.objects.filter(pk=tampered.pk).update(summary="Ingen liste")
    report = audit_verify()
    assert not report.ok and "waiting for its chain" in report.problem
    assert audit_seal_pending() == 1
    assert PendingAuditEvent.objects.get().pk == tampered.pk
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == ["Liste 2"]
