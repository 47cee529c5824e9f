"""The audit trail against an insider holding the application's database credentials
(issue 26 item 4, issue 19 item 7): one keyed chain per organisation, TRUNCATE refused,
and chains checked against the heads exported outside the database.

Each attack is done as such an insider would: with SQL, past the triggers (as the tables'
owner may), recomputing the chain with everything the database holds — but not the HMAC
key, which lives in the environment."""

import hashlib
import json
import logging
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from audit import anchors
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from audit.services import audit_record, audit_verify
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TRIGGERS = ["audit_event_no_update_or_delete", "audit_event_no_truncate"]


def _events(actor, count: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEW,
            object_type="incidents.incident",
            object_id=str(i),
            incident_reference=f"UDH-2026-{i:04d}",
            summary=f"Læst {i}",
        )
        for i in range(1, count + 1)
    ]


def _as_owner(*statements) -> None:
    """Run SQL with the audit triggers disabled, as the tables' owner can."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {trigger}")
        cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        for trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {trigger}")
        cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _recompute_without_the_key(chain: int) -> None:
    """The insider's best effort: re-link the remaining events of a chain, hashing them with
    every hash function and key they can find in the database, and fix the head row."""
    prev = GENESIS_HASH
    statements = []
    rows = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
    for seq, event in enumerate(rows, start=1):
        event.seq = seq
        event.prev_hash = prev
        payload = {**event._payload(), "chain": chain, "seq": seq}
        # Without the key: plain SHA-256 (as the old chain), or HMAC with a guessed key.
        event.hash = (
            event.compute_hash(key=b"guessed-key") if seq % 2 else hashlib.sha256(event._canonical(payload)).hexdigest()
        )
        statements.append(
            (
                "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [seq, prev, event.hash, event.pk],
            )
        )
        prev = event.hash
    statements.append(
        ("UPDATE audit_auditchainhead SET last_hash = %s, count = %s WHERE chain = %s", [prev, len(rows), chain])
    )
    _as_owner(*statements)


@pytest.fixture
def two_organisations(personas):
    stranger = UserFactory(username="fremmed", organisation=OrganisationFactory(name="Anden Kommune"))
    return personas.manager, stranger


def test_each_organisation_has_its_own_chain_and_verifies_alone(two_organisations):
    ours, theirs = two_organisations
    mine = _events(ours, 3)
    other = _events(theirs, 2)
    assert [e.seq for e in mine] == [1, 2, 3] and [e.seq for e in other] == [1, 2]
    assert {e.chain for e in mine} == {ours.organisation_id}
    assert other[0].prev_hash == GENESIS_HASH
    heads = {h.chain: h.count for h in AuditChainHead.objects.filter(chain__isnull=False)}
    assert heads == {ours.organisation_id: 3, theirs.organisation_id: 2}
    assert audit_verify(organisation_id=ours.organisation_id).checked == 3
    assert audit_verify(organisation_id=theirs.organisation_id).checked == 2
    whole = audit_verify()
    assert whole.ok and whole.checked == 5
    assert whole.chains == {ours.organisation_id: 3, theirs.organisation_id: 2}


def test_the_hash_is_keyed(personas, settings):
    event = _events(personas.manager, 1)[0]
    assert audit_verify().ok
    settings.AUDIT_HMAC_KEY = "a-different-key"
    report = audit_verify()
    assert not report.ok and report.broken_event_id == event.pk
    assert report.problem == "content does not match its hash"


def test_a_chain_rewritten_through_the_database_without_the_key_is_detected(two_organisations):
    ours, theirs = two_organisations
    events = _events(ours, 5)
    _events(theirs, 2)
    # The insider disables the trigger, deletes two events, re-links the rest and fixes the head.
    _as_owner(("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[1].pk, events[3].pk]))
    _recompute_without_the_key(ours.organisation_id)
    assert AuditEvent.objects.filter(chain=ours.organisation_id).count() == 3
    assert AuditChainHead.objects.get(chain=ours.organisation_id).count == 3

    report = audit_verify(organisation_id=ours.organisation_id)
    assert not report.ok
    assert report.broken_event_id == events[0].pk
    assert report.problem == "content does not match its hash"
    assert audit_verify(organisation_id=theirs.organisation_id).ok  # the other chain is untouched
    assert not audit_verify().ok


def test_truncate_is_refused_by_the_database(personas):
    _events(personas.manager, 2)
    for table in ("audit_auditevent", "audit_auditchainhead"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
            cursor.execute("SET LOCAL udh.audit_maintenance = off")  # the test suite's switch off
            cursor.execute(f"TRUNCATE {table} CASCADE")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert AuditEvent.objects.count() == 2
    assert audit_verify().ok


def test_a_truncated_log_is_detected_through_the_exported_heads(two_organisations):
    ours, theirs = two_organisations
    _events(ours, 4)
    _events(theirs, 1)
    exported = anchors.anchors_export()
    assert {(a.chain, a.seq) for a in exported} == {(ours.organisation_id, 4), (theirs.organisation_id, 1)}
    # As owner, with the triggers disabled: empty both tables. The database alone now says "intact".
    _as_owner(("TRUNCATE audit_auditevent", []), ("TRUNCATE audit_auditchainhead", []))
    assert AuditEvent.objects.count() == 0

    report = audit_verify()
    assert not report.ok
    assert report.chain == ours.organisation_id
    assert "ends before the exported head 4" in report.problem
    assert not audit_verify(organisation_id=theirs.organisation_id).ok


def test_deleting_the_newest_events_and_rewriting_the_head_is_detected_through_the_exported_heads(personas):
    events = _events(personas.manager, 3)
    anchors.anchors_export()
    _events(personas.manager, 2)
    anchors.anchors_export()
    # Delete the last three and set the head to the third event: links and hashes are all fine.
    _as_owner(
        ("DELETE FROM audit_auditevent WHERE seq > 2 AND chain = %s", [personas.org.pk]),
        (
            "UPDATE audit_auditchainhead SET last_hash = %s, count = 2 WHERE chain = %s",
            [events[1].hash, personas.org.pk],
        ),
    )
    report = audit_verify()
    assert not report.ok
    assert "ends before the exported head 3" in report.problem


def test_a_rewritten_event_that_was_exported_is_detected_even_with_the_key(personas):
    """Even someone who stole the key cannot rewrite history before the last export."""
    events = _events(personas.manager, 3)
    anchors.anchors_export()
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.summary = "Intet at se her"
    forged.hash = forged.compute_hash()
    _as_owner(
        ("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s", [forged.summary, forged.hash, forged.pk]),
        ("UPDATE audit_auditchainhead SET last_hash = %s WHERE chain = %s", [forged.hash, personas.org.pk]),
    )
    report = audit_verify()
    assert not report.ok
    assert "event 3 differs from the head exported" in report.problem


def test_the_export_appends_a_log_line_and_a_json_line_and_never_rewrites(personas, settings, caplog):
    _events(personas.manager, 2)
    file = settings.AUDIT_ANCHOR_FILE
    with caplog.at_level(logging.INFO, logger="audit.anchor"):
        first = anchors.anchors_export()
    assert [(a.seq, a.hash) for a in first] == [(2, AuditChainHead.objects.get(chain=personas.org.pk).last_hash)]
    assert f"chain={personas.org.pk} seq=2 hash={first[0].hash}" in caplog.text
    before = file.read_bytes()
    assert anchors.anchors_export() == []  # nothing new: nothing written
    _events(personas.manager, 1)
    anchors.anchors_export()
    after = file.read_bytes()
    assert after.startswith(before)  # appended, the earlier line untouched
    lines = [json.loads(line) for line in after.decode().splitlines()]
    assert [line["seq"] for line in lines] == [2, 3]
    assert audit_verify().ok


def test_the_verifier_can_check_against_a_copy_of_the_exported_heads(personas, settings, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    _events(personas.manager, 3)
    anchors.anchors_export()
    copy = tmp_path / "off-host-copy.jsonl"
    copy.write_bytes(settings.AUDIT_ANCHOR_FILE.read_bytes())
    settings.AUDIT_ANCHOR_FILE.unlink()  # the insider also removed the local file
    _as_owner(
        ("DELETE FROM audit_auditevent WHERE chain = %s", [personas.org.pk]),
        ("DELETE FROM audit_auditchainhead WHERE chain = %s", [personas.org.pk]),
    )
    call_command("verify_audit_log", f"--organisation={personas.org.pk}")
    assert "Audit log intact: 0 events verified." in capsys.readouterr().out  # the database alone is fooled
    with pytest.raises(CommandError, match="ends before the exported head 3"):
        call_command("verify_audit_log", f"--anchors={copy}")


@pytest.mark.django_db(transaction=True)
def test_organisations_do_not_wait_for_each_others_chain_head(two_organisations):
    ours, theirs = two_organisations
    _events(ours, 1)
    _events(theirs, 1)
    locked = threading.Event()
    release = threading.Event()
    outcome = {}

    def hold_our_head():
        try:
            with transaction.atomic():
                audit_record(actor=ours, action=AuditEvent.Action.VIEW, object_type="incidents.incident")
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def write_theirs():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                outcome["theirs"] = audit_record(
                    actor=theirs, action=AuditEvent.Action.VIEW, object_type="incidents.incident"
                ).seq
        except DatabaseError as error:
            outcome["theirs"] = error
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                audit_record(actor=ours, action=AuditEvent.Action.VIEW, object_type="incidents.incident")
        except DatabaseError as error:
            outcome["ours"] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_our_head)
    holder.start()
    assert locked.wait(10)
    writer = threading.Thread(target=write_theirs)
    writer.start()
    writer.join(15)
    release.set()
    holder.join(15)
    assert outcome["theirs"] == 2  # the other organisation appended while our head was locked
    assert "lock timeout" in str(outcome["ours"])  # our own chain does serialise
    assert audit_verify().ok
