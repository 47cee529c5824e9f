"""The audit log: a hash chain that verifies, breaks visibly when tampered with, and that
admins can read and filter but nobody can change."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from audit.models import AuditEvent
from audit.services import audit_record, audit_verify
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/audit/auditevent/"
TRIGGER = "audit_event_no_update_or_delete"


def _events(actor, count: int = 4) -> list[AuditEvent]:
    actions = [
        AuditEvent.Action.VIEW,
        AuditEvent.Action.CREATE,
        AuditEvent.Action.UPDATE,
        AuditEvent.Action.DOWNLOAD,
        AuditEvent.Action.EXPORT,
    ]
    return [
        audit_record(
            actor=actor,
            action=actions[i % len(actions)],
            object_type="incidents.incident",
            object_id=str(100 + i),
            incident_reference=f"UDH-2026-{i + 1:04d}",
            summary=f"Hændelse nummer {i + 1}",
            details={"n": i},
        )
        for i in range(count)
    ]


def _tamper(sql: str, params: list) -> None:
    """Run `sql` on the audit table past the PostgreSQL trigger (as a database owner could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no pending FK checks
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


# --- The chain ----------------------------------------------------------------------------


def test_a_chain_of_events_verifies(personas):
    events = _events(personas.manager, 5)
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert "Audit log intact: 5 events verified." in _verify()


def test_an_empty_log_verifies(db):
    assert "Audit log intact: 0 events verified." in _verify()


def test_altering_one_stored_event_breaks_the_chain_at_that_event(personas):
    events = _events(personas.manager, 4)
    _tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Intet at se her", events[1].pk])

    with pytest.raises(CommandError) as exc:
        _verify()
    message = str(exc.value)
    assert f"event {events[1].pk}" in message
    assert "after 1 good events" in message
    assert "content does not match its hash" in message
    assert audit_verify().broken_event_id == events[1].pk


@pytest.mark.parametrize(
    "column, value",
    [("actor_label", "someone_else"), ("ip_address", "10.9.9.9"), ("incident_reference", "UDH-2026-9999")],
)
def test_any_altered_column_is_detected(personas, column, value):
    events = _events(personas.manager, 3)
    _tamper(
        f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608 - fixed column names
        [value, events[2].pk],
    )
    report = audit_verify()
    assert not report.ok
    assert report.broken_event_id == events[2].pk


def test_rehashing_an_altered_event_still_breaks_the_link_to_the_next(personas):
    events = _events(personas.manager, 3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.summary = "Forfalsket"
    forged_hash = forged.compute_hash()
    _tamper(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s", [forged.summary, forged_hash, events[1].pk]
    )
    report = audit_verify()
    assert not report.ok
    assert report.broken_event_id == events[2].pk
    assert "prev_hash" in report.problem


def test_deleting_an_event_in_the_middle_breaks_the_chain(personas):
    events = _events(personas.manager, 4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"event {events[2].pk}"):
        _verify()


def test_deleting_the_newest_event_is_noticed_through_the_chain_head(personas):
    events = _events(personas.manager, 3)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError, match="chain head differs"):
        _verify()


# --- Append-only ----------------------------------------------------------------------------


def test_saving_an_existing_event_again_is_refused(personas):
    event = _events(personas.manager, 1)[0]
    event.summary = "Ændret"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Hændelse nummer 1"


def test_deleting_an_event_is_refused(personas):
    event = _events(personas.manager, 1)[0]
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET summary = 'Ændret' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(personas, statement):
    event = _events(personas.manager, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="Ændret")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Hændelse nummer 1"
    assert audit_verify().ok


# --- Who, from where ----------------------------------------------------------------------


def test_audit_record_takes_who_and_where_from_the_request(personas):
    request = RequestFactory().get(
        "/haendelser/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"
    )
    request.user = personas.manager
    event = audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="incidents.incident",
        object_id="7",
        incident_reference="UDH-2026-0007",
        summary="Hændelse vist",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == personas.manager
    assert stored.actor_label == "manager"
    assert stored.organisation_id == personas.org.pk
    assert stored.ip_address == "192.0.2.10"
    assert stored.user_agent == "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"
    assert stored.at is not None


def test_a_forged_forwarded_for_is_not_stored_without_a_trusted_proxy(personas, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.44", HTTP_X_FORWARDED_FOR="6.6.6.6", HTTP_USER_AGENT="x" * 400
    )
    request.user = personas.caseworker
    event = audit_record(request=request, action=AuditEvent.Action.DOWNLOAD, object_type="incidents.evidence")
    assert event.ip_address == "192.0.2.44"
    assert len(event.user_agent) == 300


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        # The client wrote 6.6.6.6 itself; our one proxy appended the address it saw.
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (1, "203.0.113.5", "203.0.113.5"),
        # Two proxies of ours: the outer one appended the client, the inner one the outer proxy.
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        # Fewer entries than proxies: the request did not come through them; the peer is used.
        (2, "203.0.113.5", "10.0.0.2"),
    ],
)
def test_the_client_address_is_taken_only_from_the_trusted_proxy_hops(personas, settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    request.user = personas.caseworker
    event = audit_record(request=request, action=AuditEvent.Action.VIEW, object_type="incidents.incident")
    assert AuditEvent.objects.get(pk=event.pk).ip_address == expected
    assert "6.6.6.6" not in str(AuditEvent.objects.values_list("ip_address", flat=True))


def test_audit_record_without_a_request_is_the_system(db):
    event = audit_record(action=AuditEvent.Action.EXPORT, object_type="reports.report", summary="Natlig eksport")
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.ip_address is None


# --- The admin ----------------------------------------------------------------------------


@pytest.fixture
def two_organisations(personas):
    """Events of the personas' organisation and of another one."""
    own = _events(personas.manager, 3)
    stranger = UserFactory(username="fremmed", organisation=OrganisationFactory(name="Anden Kommune"))
    other = audit_record(
        actor=stranger,
        action=AuditEvent.Action.VIEW,
        object_type="incidents.incident",
        incident_reference="UDH-2026-0777",
        summary="Fremmed kommunes hændelse",
    )
    return own, other


def test_admin_reads_the_log_of_their_own_organisation_only(client, personas, two_organisations):
    own, other = two_organisations
    client.force_login(personas.admin)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for event in own:
        assert event.summary in content
        assert event.incident_reference in content
    assert other.summary not in content
    assert "UDH-2026-0777" not in content


def test_admin_filters_the_log_by_action_and_searches_it(client, personas, two_organisations):
    client.force_login(personas.admin)
    content = client.get(LIST_URL, {"action__exact": "create"}).content.decode()
    assert "Hændelse nummer 2" in content
    assert "Hændelse nummer 1" not in content
    assert "Hændelse nummer 3" not in content

    content = client.get(LIST_URL, {"q": "UDH-2026-0003"}).content.decode()
    assert "Hændelse nummer 3" in content
    assert "Hændelse nummer 1" not in content


def test_admin_cannot_add_change_or_delete_events(client, personas, two_organisations):
    own, _ = two_organisations
    event = own[0]
    client.force_login(personas.admin)

    listing = client.get(LIST_URL).content.decode()
    assert f"{LIST_URL}add/" not in listing
    assert "delete_selected" not in listing

    assert client.get(f"{LIST_URL}add/").status_code == 403
    assert client.post(f"{LIST_URL}add/", {"summary": "Ny"}).status_code == 403

    detail = client.get(f"{LIST_URL}{event.pk}/change/")
    assert detail.status_code == 200  # read-only view
    assert event.summary in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.post(f"{LIST_URL}{event.pk}/change/", {"summary": "Ændret"}).status_code == 403

    assert client.get(f"{LIST_URL}{event.pk}/delete/").status_code == 403
    assert client.post(f"{LIST_URL}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(LIST_URL, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.summary == event.summary
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.SECURITY).count() == 4
    assert audit_verify().ok


def test_admin_cannot_open_another_organisations_event(client, personas, two_organisations):
    _, other = two_organisations
    client.force_login(personas.admin)
    response = client.get(f"{LIST_URL}{other.pk}/change/", follow=True)
    assert other.summary not in response.content.decode()


@pytest.mark.parametrize(
    "name", ["manager", "other_manager", "caseworker", "other_caseworker", "union_rep", "outsider"]
)
def test_other_personas_cannot_open_the_audit_log(client, personas, two_organisations, name):
    client.force_login(getattr(personas, name))
    for url in (LIST_URL, f"{LIST_URL}{two_organisations[0][0].pk}/change/"):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert "Hændelse nummer 1" not in response.content.decode()
        if response.status_code == 302:
            assert "login" in response["Location"]


def test_anonymous_is_sent_to_sign_in(client, two_organisations):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]
