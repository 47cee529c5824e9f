"""Information to the perpetrator (art. 14): recorded on the incident, needed to close it (page and API)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from incidents import art14, services
from incidents.models import Incident, TimelineEntry
from tests.incidents.test_manager_views import register

pytestmark = pytest.mark.django_db

BLOCKED = "Sagen kan ikke afsluttes endnu: den har en afsender"


@pytest.fixture
def with_perpetrator(personas):
    return register(personas, perpetrator_name="Jens Hansen", perpetrator_relation="citizen_own_case")


def _close(client, incident):
    return client.post(
        reverse("incidents:status", args=[incident.reference]), {"status-to_status": "closed", "status-reason": ""}
    )


def test_an_incident_with_a_perpetrator_cannot_be_closed_without_the_art14_record(client, personas, with_perpetrator):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[with_perpetrator.reference])).content.decode()
    assert "Oplysning til afsenderen" in page and 'data-art14="close-blocked"' in page
    response = _close(client, with_perpetrator)
    assert response.status_code == 200
    assert BLOCKED in response.content.decode()
    assert Incident.objects.get(pk=with_perpetrator.pk).status == Incident.Status.REPORTED
    assert not TimelineEntry.objects.filter(incident=with_perpetrator, to_status="closed").exists()
    with pytest.raises(services.TransitionNotAllowed, match="art. 14"):
        services.incident_change_status(actor=personas.manager, incident=with_perpetrator, to_status="closed")


def test_an_incident_without_a_perpetrator_closes_as_before(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    assert (
        "Oplysning til afsenderen"
        not in client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    )
    assert _close(client, incident).status_code == 302
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED


def test_the_manager_records_the_date_then_closes(client, personas, with_perpetrator):
    client.force_login(personas.manager)
    url = reverse("incidents:art14", args=[with_perpetrator.reference])
    informed = timezone.localdate() - timedelta(days=2)
    response = client.post(
        url, {"art14-art14_informed_on": informed.isoformat(), "art14-art14_exception": "", "art14-art14_reason": ""}
    )
    assert response.status_code == 302
    stored = Incident.objects.get(pk=with_perpetrator.pk)
    assert stored.art14_informed_on == informed and stored.art14_recorded_by == personas.manager
    event = AuditEvent.objects.filter(
        incident_reference=with_perpetrator.reference, summary__contains="art. 14"
    ).latest("pk")
    assert event.action == AuditEvent.Action.UPDATE and event.details["informed_on"] == informed.isoformat()
    entry = TimelineEntry.objects.filter(incident=with_perpetrator, kind=TimelineEntry.Kind.EDITED).latest("pk")
    assert "Oplyst den" in entry.text and not entry.visible_to_employee
    page = client.get(reverse("incidents:detail", args=[with_perpetrator.reference])).content.decode()
    assert f"Oplyst den {informed:%d.%m.%Y}" in page
    assert _close(client, with_perpetrator).status_code == 302
    assert Incident.objects.get(pk=with_perpetrator.pk).status == Incident.Status.CLOSED


def test_an_exception_needs_a_reason_and_bad_input_keeps_what_was_typed(client, personas, with_perpetrator):
    client.force_login(personas.manager)
    url = reverse("incidents:art14", args=[with_perpetrator.reference])
    response = client.post(
        url, {"art14-art14_informed_on": "", "art14-art14_exception": "dbl_22_2_4", "art14-art14_reason": "kort"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Skriv den konkrete begrundelse for undtagelsen" in body and "\nkort</textarea>" in body
    both = client.post(
        url,
        {
            "art14-art14_informed_on": timezone.localdate().isoformat(),
            "art14-art14_exception": "dbl_22_1",
            "art14-art14_reason": "x" * 20,
        },
    )
    assert both.status_code == 400 and "ikke begge" in both.content.decode()
    future = client.post(url, {"art14-art14_informed_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and "Datoen kan ikke ligge i fremtiden." in future.content.decode()
    assert not art14.is_recorded(Incident.objects.get(pk=with_perpetrator.pk))

    reason = "Politiet efterforsker sagen og har bedt os ikke kontakte personen."
    ok = client.post(
        url, {"art14-art14_informed_on": "", "art14-art14_exception": "dbl_22_2_4", "art14-art14_reason": reason}
    )
    assert ok.status_code == 302
    stored = Incident.objects.get(pk=with_perpetrator.pk)
    assert stored.art14_exception == "dbl_22_2_4" and stored.art14_reason == reason
    assert "§ 22, stk. 2, nr. 4" in art14.describe(stored)


@pytest.mark.parametrize("persona", ["other_manager", "caseworker", "union_rep", "admin", "outsider"])
def test_only_the_incidents_managers_may_record_it(client, personas, with_perpetrator, persona):
    client.force_login(getattr(personas, persona))
    response = client.post(
        reverse("incidents:art14", args=[with_perpetrator.reference]),
        {"art14-art14_informed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert Incident.objects.get(pk=with_perpetrator.pk).art14_informed_on is None


def test_the_api_reads_validates_and_records_it(personas, with_perpetrator):
    api = APIClient()
    api.force_login(personas.manager)
    url = reverse("api:incident-art14", args=[with_perpetrator.reference])
    data = api.get(url).json()
    assert data["required"] is True and data["blocks_closing"] is True and data["summary"] == "Ikke registreret"
    bad = api.put(url, {"exception": "dbl_22_1", "reason": ""}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"reason": ["Skriv den konkrete begrundelse for undtagelsen (mindst 10 tegn)."]}
    unknown = api.put(url, {"exception": "nope"}, format="json")
    assert unknown.status_code == 400 and "Ukendt undtagelse «nope»." in unknown.json()["exception"][0]
    empty = api.put(url, {}, format="json")
    assert empty.status_code == 400 and "informed_on" in empty.json()
    good = api.put(
        url, {"exception": "gdpr_14_5_b", "reason": "Profilen er anonym; vi kender ikke personen."}, format="json"
    )
    assert good.status_code == 200 and good.json()["blocks_closing"] is False
    assert Incident.objects.get(pk=with_perpetrator.pk).art14_exception == "gdpr_14_5_b"
    services.incident_change_status(
        actor=personas.manager, incident=Incident.objects.get(pk=with_perpetrator.pk), to_status="closed"
    )


@pytest.mark.parametrize(
    "persona,expected",
    [("caseworker", 404), ("other_manager", 404), ("union_rep", 404), ("admin", 404), ("anonymous", 401)],
)
def test_the_api_answers_only_the_incidents_managers(personas, with_perpetrator, persona, expected):
    api = APIClient()
    if persona != "anonymous":
        api.force_login(getattr(personas, persona))
    url = reverse("api:incident-art14", args=[with_perpetrator.reference])
    assert api.get(url).status_code == expected
    assert api.put(url, {"informed_on": timezone.localdate().isoformat()}, format="json").status_code == expected
    assert Incident.objects.get(pk=with_perpetrator.pk).art14_informed_on is None


def test_closed_demo_incidents_with_a_perpetrator_have_the_art14_record(db):
    from django.core.management import call_command
    from django.db.models import Q

    call_command("seed_demo", "--incidents", "60", stdout=io.StringIO())
    closed = Incident.objects.filter(status=Incident.Status.CLOSED)
    with_perpetrator = closed.filter(~Q(perpetrator_name="") | ~Q(perpetrator_profile_url=""))
    assert with_perpetrator.exists()
    assert not [i.reference for i in with_perpetrator if art14.blocks_closing(i)]
    assert all(i.art14_recorded_by_id for i in with_perpetrator)
