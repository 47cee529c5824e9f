"""Retention with a basis (issue 16, item 6): the settings page explains the considerations and the
system's defaults; recording requests and the audit log have periods of their own, purged by the
retention run; the audit chain stays verifiable across purges (a checkpoint with an HMAC), and the
database refuses any other deletion of audit events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from django.utils import timezone

from accounts import security
from audit import anchors
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_record, audit_verify
from demo.recordings import demo_guideline_seed
from incidents import services as incident_services
from incidents.models import Incident
from recordings import services as recording_services
from recordings.models import RecordingRequest
from retention.services import add_months, retention_purge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_security_events():
    security.disconnect()
    yield
    security.connect()


def _recording(personas, days_ago: int) -> RecordingRequest:
    return recording_services.recording_request_register(
        actor=personas.caseworker,
        unit=personas.family,
        reasons=["memory_problems"],
        fields={
            "request_date": timezone.localdate() - timedelta(days=days_ago),
            "media": "audio",
            "setting": "meeting",
            "free_text": "Borgeren glemmer aftaler.",
            "decision": "allowed",
            "conditions": "",
            "justification": "Borgeren har svært ved at huske.",
            "hidden_recording_discovered": False,
            "hidden_recording_note": "",
        },
    )


def test_the_settings_page_explains_the_considerations_and_the_defaults(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("admin:accounts_organisation_change", args=[personas.org.pk])).content.decode()
    for text in (
        "straffeloven § 96, stk. 1",
        "offererstatningsloven § 13",
        "forældelsesloven § 3, stk. 1",
        "offentlighedsloven § 15",
        "arkivloven",
        "Systemets standard: 24 måneder",
        "Systemets standard: 36 måneder",
        "Systemets standard: 60 måneder",
        "kontrolpunkt",
        "anonymiseres",
    ):
        assert text in page, text


def test_the_audit_log_must_be_kept_at_least_as_long_as_the_cases(personas):
    org = personas.org
    org.retention_months, org.audit_retention_months = 24, 12
    with pytest.raises(ValidationError) as raised:
        org.full_clean()
    assert "audit_retention_months" in raised.value.message_dict
    org.audit_retention_months = 24
    org.full_clean()


def test_recording_requests_are_anonymised_after_their_own_period_unless_linked_to_a_live_incident(personas):
    demo_guideline_seed(personas.org)
    org = personas.org
    old, linked, recent = _recording(personas, 40 * 31), _recording(personas, 40 * 31), _recording(personas, 30)
    incident = incident_services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Optaget møde lagt på nettet", "discovered_at": timezone.now() - timedelta(days=1)},
    )
    RecordingRequest.objects.filter(pk=linked.pk).update(incident=incident)
    assert org.recording_retention_months == 36

    summary = retention_purge(now=timezone.now(), dry_run=True)
    assert summary.recording_requests == 1
    assert not RecordingRequest.objects.filter(anonymised_on__isnull=False).exists()
    summary = retention_purge(now=timezone.now(), dry_run=False)
    assert summary.recording_requests == 1
    old.refresh_from_db()
    assert old.anonymised_on == timezone.localdate()
    assert (old.free_text, old.justification, old.registered_by, old.decided_by) == ("", "", None, None)
    assert old.decision == "allowed" and old.reason_memory_problems and old.unit == personas.family  # statistics
    for kept in (linked, recent):
        kept.refresh_from_db()
        assert kept.anonymised_on is None and kept.free_text == "Borgeren glemmer aftaler."
    event = AuditEvent.objects.filter(
        object_type="recordings.recordingrequest", action=AuditEvent.Action.UPDATE, details__reason="retention"
    ).get()
    assert event.details["references"] == [old.reference] and event.organisation_id == org.pk
    assert retention_purge(now=timezone.now(), dry_run=False).recording_requests == 0  # once
    assert audit_verify(organisation_id=org.pk).ok


def _events(personas, n: int, label: str) -> None:
    for number in range(n):
        audit_record(
            actor=personas.manager,
            action=AuditEvent.Action.VIEW,
            object_type="incidents.incident",
            summary=f"{label} {number}",
        )


def test_the_audit_log_is_shortened_and_the_chain_still_verifies(personas):
    org = personas.org
    _events(personas, 5, "gammel")
    anchors.anchors_export()  # a head exported before the purge
    later = add_months(timezone.now(), org.audit_retention_months) + timedelta(days=1)
    summary = retention_purge(now=later, dry_run=False)
    assert summary.audit_events >= 5 and not summary.audit_failed
    checkpoint = AuditCheckpoint.objects.get(chain=org.pk)
    assert not AuditEvent.objects.filter(chain=org.pk, seq__lte=checkpoint.seq).exists()
    first = AuditEvent.objects.filter(chain=org.pk).order_by("seq").first()
    assert first.seq == checkpoint.seq + 1 and first.prev_hash == checkpoint.hash
    assert first.summary.startswith("Revisionsloggen afkortet") and first.details["deleted"] == checkpoint.deleted
    report = audit_verify(organisation_id=org.pk)
    assert report.ok, report.problem

    # A second purge later continues from the first checkpoint.
    _events(personas, 3, "nyere")
    anchors.anchors_export()
    summary = retention_purge(now=add_months(later, org.audit_retention_months) + timedelta(days=1), dry_run=False)
    assert AuditCheckpoint.objects.filter(chain=org.pk).count() == 2
    assert audit_verify(organisation_id=org.pk).ok and audit_verify().ok


def test_a_forged_checkpoint_does_not_verify(personas):
    org = personas.org
    _events(personas, 3, "x")
    retention_purge(now=add_months(timezone.now(), org.audit_retention_months) + timedelta(days=1), dry_run=False)
    real = AuditCheckpoint.objects.get(chain=org.pk)
    # Someone with database access only adds a later checkpoint to hide events: its HMAC is wrong.
    AuditCheckpoint.objects.create(
        chain=org.pk, seq=real.seq + 1, hash="f" * 64, before=real.before, at=timezone.now(), deleted=1, mac="0" * 64
    )
    report = audit_verify(organisation_id=org.pk)
    assert not report.ok and "checkpoint" in report.problem


def test_the_database_refuses_deleting_events_no_checkpoint_covers(personas):
    _events(personas, 2, "y")
    event = AuditEvent.objects.filter(chain=personas.org.pk).order_by("seq").first()
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditcheckpoint (chain, seq, hash, before, at, deleted, mac) "
            "VALUES (%s, 1, %s, now(), now(), 0, 'x') RETURNING id",
            [personas.org.pk, event.hash],
        )
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
