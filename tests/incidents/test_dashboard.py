"""The manager's dashboard (issue 4): levels, deadlines, waiting for assessment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:manager")


def _register(personas, unit, **fields):
    fields.setdefault("title", "Opslag")
    fields.setdefault("discovered_at", timezone.now() - timedelta(hours=1))
    return services.incident_register(actor=personas.manager, unit=unit, channel="manager", fields=fields)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("manager", 200),
        ("other_manager", 200),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_dashboard_per_persona(client, personas, persona, expected):
    client.force_login(getattr(personas, persona))
    assert client.get(URL).status_code == expected


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_levels_deadlines_and_waiting(client, personas):
    threat = _register(personas, personas.family, threat=True)  # critical, police 72h in the coming days
    old = _register(personas, personas.team, threat=True, discovered_at=timezone.now() - timedelta(days=5))
    _register(personas, personas.jobcenter, offensive_language=True)
    closed = _register(personas, personas.family, named=True)
    services.incident_change_status(actor=personas.manager, incident=closed, to_status="closed")
    services.incident_confirm_level(actor=personas.manager, incident=old, level=4)

    client.force_login(personas.manager)
    body = client.get(URL).content.decode()
    assert "3 åbne hændelser" in body
    assert 'href="/haendelser/?level=4"' in body
    deadlines = body[body.index('id="deadlines-heading"') : body.index('id="waiting-heading"')]
    assert "1 overskredet" in deadlines and old.reference in deadlines
    assert threat.reference in deadlines and "Anmeld til politiet inden 72 timer" in deadlines
    waiting = body[body.index('id="waiting-heading"') :]
    assert threat.reference in waiting and old.reference not in waiting
    assert closed.reference not in body

    # Recording the police report meets the 72-hour deadline.
    services.incident_record_action(
        actor=personas.manager, incident=old, action_code="police_report", occurred_on=timezone.localdate()
    )
    body = client.get(URL).content.decode()
    assert "0 overskredne" in body


def test_other_manager_sees_only_own_units(client, personas):
    mine = _register(personas, personas.jobcenter, threat=True)
    theirs = _register(personas, personas.family, threat=True)
    client.force_login(personas.other_manager)
    body = client.get(URL).content.decode()
    assert mine.reference in body and theirs.reference not in body
    assert "1 åben hændelse" in body


def test_changed_facts_put_the_incident_back_in_the_queue(client, personas):
    case = _register(personas, personas.family, named=True)
    services.incident_confirm_level(actor=personas.manager, incident=case, level=1)
    client.force_login(personas.manager)
    assert case.reference not in client.get(URL).content.decode().split('id="waiting-heading"')[1]
    services.incident_update(actor=personas.manager, incident=case, fields={"threat": True})
    waiting = client.get(URL).content.decode().split('id="waiting-heading"')[1]
    assert case.reference in waiting and "Oplysninger ændret" in waiting


def test_query_count_does_not_grow_with_incidents(client, personas, django_assert_max_num_queries):
    for _ in range(3):
        _register(personas, personas.family, threat=True)
    client.force_login(personas.manager)
    client.get(URL)
    with django_assert_max_num_queries(26) as few:  # + filters, watch list, own cases, removed pages (issue 17)
        client.get(URL)
    for _ in range(20):
        _register(personas, personas.family, threat=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
