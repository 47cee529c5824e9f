"""No lost updates (issue 23): optimistic concurrency on incidents.

- two managers writing the same incident at once through the API (threads, PostgreSQL):
  every write is either applied or refused with 412, never silently lost;
- the API refuses a write without If-Match (428) and documents both in the schema;
- a form opened before a colleague's save is refused (409) and shows both versions,
  with everything typed still in the form;
- two managers closing the same case at once write one "closed" entry.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from incidents import services
from incidents.models import Incident, TimelineEntry
from tests.factories import member
from tests.incidents.test_manager_views import form_data, register

ROUNDS = 12


def _detail_url(incident) -> str:
    return reverse("api:incident-detail", args=[incident.reference])


def _race(functions) -> list:
    """Run the functions in threads that start together; their results in order."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_api_writes_are_applied_or_refused_never_lost(personas):
    colleague = member(personas.family, Role.MANAGER, username="colleague")
    incident = register(personas)
    clients = []
    for user in (personas.manager, colleague):
        client = APIClient()
        client.force_login(user)
        clients.append(client)
    applied = refused = 0
    for round_number in range(ROUNDS):
        etag = clients[0].get(_detail_url(incident))["ETag"]
        assert etag == f'"{Incident.objects.get(pk=incident.pk).version}"'
        title = f"Titel fra runde {round_number}"
        description = f"Beskrivelse fra runde {round_number}"
        responses = _race(
            [
                lambda etag=etag, title=title: clients[0].patch(
                    _detail_url(incident), {"title": title}, format="json", HTTP_IF_MATCH=etag
                ),
                lambda etag=etag, description=description: clients[1].patch(
                    _detail_url(incident), {"description": description}, format="json", HTTP_IF_MATCH=etag
                ),
            ]
        )
        statuses = [getattr(r, "status_code", r) for r in responses]
        assert set(statuses) <= {200, 412}, statuses
        assert statuses.count(200) == 1, statuses  # both based on the same version: exactly one wins
        incident.refresh_from_db()
        for response, (field, value) in zip(responses, [("title", title), ("description", description)], strict=True):
            if response.status_code == 200:
                applied += 1
                assert getattr(incident, field) == value  # the applied change is there
                assert response["ETag"] == incident.etag
            else:
                refused += 1
                assert getattr(incident, field) != value  # the refused one wrote nothing
                body = response.json()
                assert body["current"]["version"] == incident.version  # the colleague's change, to compare
                assert response["ETag"] == incident.etag
    assert (applied, refused) == (ROUNDS, ROUNDS)
    assert TimelineEntry.objects.filter(incident=incident, kind="edited").count() == ROUNDS


@pytest.mark.django_db
def test_write_without_if_match_is_428_and_a_stale_one_412(personas):
    incident = register(personas)
    client = APIClient()
    client.force_login(personas.manager)

    missing = client.patch(_detail_url(incident), {"title": "Uden version"}, format="json")
    services.incident_update(actor=personas.manager, incident=incident, fields={"title": "Kollegaens titel"})
    stale = client.patch(_detail_url(incident), {"title": "Gammel version"}, format="json", HTTP_IF_MATCH='"1"')
    fresh = client.patch(_detail_url(incident), {"title": "Ny version"}, format="json", HTTP_IF_MATCH=stale["ETag"])

    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Kollegaens titel"
    assert fresh.status_code == 200 and fresh.json()["title"] == "Ny version"
    incident.refresh_from_db()
    assert incident.title == "Ny version" and fresh["ETag"] == incident.etag


@pytest.mark.django_db
def test_schema_documents_if_match_412_and_428(personas):
    client = APIClient()
    client.force_login(personas.manager)
    schema = client.get(reverse("api-schema"), {"format": "json"}).content.decode()
    path = re.search(
        r'"/api/v1/incidents/\{reference\}/":(.*?)"/api/v1/incidents/\{reference\}/evidence/"', schema, re.S
    ).group(1)
    for method in ("put", "patch"):
        operation = re.search(rf'"{method}":(.*?)("(get|put|patch|delete)":|$)', path, re.S).group(1)
        assert '"If-Match"' in operation and '"412"' in operation and '"428"' in operation


@pytest.mark.django_db
def test_stale_form_is_refused_and_shows_both_versions(client, personas):
    colleague = member(personas.family, Role.MANAGER, username="colleague")
    incident = register(personas, title="Opslag i Facebook-gruppe")
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:edit", args=[incident.reference])).content.decode()
    opened_at = re.search(r'name="version" value="(\d+)"', page).group(1)

    services.incident_update(
        actor=colleague, incident=Incident.objects.get(pk=incident.pk), fields={"title": "Kollegaens overskrift"}
    )
    data = form_data(personas, total=1, initial=0, title="Min overskrift", description="Det, jeg skrev selv.")
    data["version"] = opened_at
    response = client.post(reverse("incidents:edit", args=[incident.reference]), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "En kollega har gemt ændringer, mens du skrev" in html
    assert re.search(r'data-version="saved">Kollegaens overskrift<', html)
    assert re.search(r'data-version="yours">Min overskrift<', html)
    assert 'value="Min overskrift"' in html and "Det, jeg skrev selv." in html  # nothing typed lost
    incident.refresh_from_db()
    assert incident.title == "Kollegaens overskrift"  # the colleague's change kept
    now_at = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert int(now_at) == incident.version

    data["version"] = now_at  # saving again, having seen the difference, is allowed
    assert client.post(reverse("incidents:edit", args=[incident.reference]), data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Min overskrift"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_close_writes_one_entry(personas):
    colleague = member(personas.family, Role.MANAGER, username="colleague")
    incident = register(personas)
    services.incident_change_status(actor=personas.manager, incident=incident, to_status="in_progress")
    clients = []
    for user in (personas.manager, colleague):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = reverse("incidents:status", args=[incident.reference])
    body = {"status-to_status": "closed", "status-reason": ""}

    responses = _race([lambda c=c: c.post(url, body, follow=True) for c in clients])

    assert [r.status_code for r in responses] == [200, 200]
    closed = TimelineEntry.objects.filter(incident=incident, kind="status", to_status="closed")
    assert closed.count() == 1
    texts = [r.content.decode() for r in responses]
    assert sum("Sagen har nu status «Afsluttet»" in t for t in texts) == 1
    assert sum("Sagen har allerede status «Afsluttet»" in t for t in texts) == 1

    again = clients[0].post(url, body, follow=True)  # pressed once more later
    assert "Sagen har allerede status «Afsluttet»" in again.content.decode()
    assert closed.count() == 1
