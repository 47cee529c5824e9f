"""Writes that are safe to retry (issue 25).

- the API: a repeat with the same Idempotency-Key returns the first answer and stores
  nothing new; an error frees the key; another path with the key is 422; the schema names it;
- the HTML forms: the same one-time token sent twice (back and save again, pressed again)
  makes one incident and one note, and the second post shows what was saved;
- a lost database connection answers 503 with Retry-After: JSON for the API, a Danish page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from idempotency.models import IdempotencyRecord
from idempotency.services import records_purge
from incidents.models import Incident, Note
from tests.incidents.test_manager_views import form_data, register


def _api(personas) -> APIClient:
    client = APIClient()
    client.force_login(personas.manager)
    return client


def _registration() -> dict:
    return {"title": "Opslag i lokal gruppe", "discovered_at": (timezone.now() - timedelta(hours=1)).isoformat()}


@pytest.mark.django_db
def test_api_repeat_with_the_key_returns_the_first_answer(personas):
    client = _api(personas)
    body = {**_registration(), "unit": personas.family.pk}
    first = client.post(reverse("api:incident-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    again = client.post(reverse("api:incident-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    other = client.post(reverse("api:incident-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="reg-2")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_api_error_frees_the_key_and_another_path_is_422(personas):
    client = _api(personas)
    refused = client.post(
        reverse("api:incident-list"), {"title": "Uden enhed"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    fixed = client.post(
        reverse("api:incident-list"),
        {**_registration(), "unit": personas.family.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    incident = Incident.objects.get()
    elsewhere = client.patch(
        reverse("api:incident-detail", args=[incident.reference]),
        {"title": "x"},
        format="json",
        HTTP_IF_MATCH=incident.etag,
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert refused.status_code == 400 and fixed.status_code == 201
    assert elsewhere.status_code == 422 and "allerede brugt" in elsewhere.json()["detail"]
    incident.refresh_from_db()
    assert incident.title == "Opslag i lokal gruppe"


@pytest.mark.django_db
def test_keys_are_per_user_and_forgotten_after_a_day(personas):
    register(personas)
    client = _api(personas)
    client.post(
        reverse("api:incident-list"),
        {**_registration(), "unit": personas.family.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    colleague = APIClient()
    colleague.force_login(personas.other_manager)
    theirs = colleague.post(
        reverse("api:incident-list"),
        {**_registration(), "unit": personas.jobcenter.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert theirs.status_code == 201 and not theirs.has_header("Idempotent-Replayed")
    assert IdempotencyRecord.objects.count() == 2
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert records_purge() == 2


@pytest.mark.django_db
def test_schema_names_the_idempotency_key_on_writes(personas):
    schema = _api(personas).get(reverse("api-schema"), {"format": "json"}).json()
    incidents = schema["paths"]["/api/v1/incidents/"]
    assert "Idempotency-Key" in [p["name"] for p in incidents["post"].get("parameters", [])]
    assert "Idempotency-Key" not in [p["name"] for p in incidents["get"].get("parameters", [])]


def _token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_form_sent_twice_registers_one_incident_and_shows_it(client, personas):
    client.force_login(personas.manager)
    token = _token(client.get(reverse("incidents:create")).content.decode())
    data = {**form_data(personas, total=1), "form_token": token}

    first = client.post(reverse("incidents:create"), data)
    again = client.post(reverse("incidents:create"), data, follow=True)

    incident = Incident.objects.get()
    assert first.status_code == 302 and first["Location"].endswith(incident.reference + "/")
    assert again.redirect_chain[0][0] == first["Location"]
    assert "Formularen var allerede sendt" in again.content.decode() and incident.reference in again.content.decode()


@pytest.mark.django_db
def test_note_pressed_twice_is_one_note(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    note_form = page[page.index(reverse("incidents:note", args=[incident.reference])) :]
    data = {"note-body": "Talt med medarbejderen", "note-visibility": "internal", "form_token": _token(note_form)}

    for _ in range(3):
        assert client.post(reverse("incidents:note", args=[incident.reference]), data).status_code == 302
    assert Note.objects.filter(incident=incident).count() == 1

    refused = client.post(
        reverse("incidents:note", args=[incident.reference]), {**data, "note-body": "", "form_token": "fresh"}
    )
    assert refused.status_code == 200 and not IdempotencyRecord.objects.filter(key="fresh").exists()


def _broken(*args, **kwargs):
    raise OperationalError("terminating connection due to administrator command")


@pytest.mark.django_db
def test_lost_database_connection_is_503_with_retry_after(personas, monkeypatch):
    incident = register(personas)
    monkeypatch.setattr("incidents.services.note_add", _broken)
    monkeypatch.setattr("incidents.services.incident_register", _broken)
    page_client = Client(raise_request_exception=False)
    page_client.force_login(personas.manager)
    api_client = APIClient(raise_request_exception=False)
    api_client.force_login(personas.manager)

    page = page_client.post(
        reverse("incidents:note", args=[incident.reference]), {"note-body": "Tekst", "note-visibility": "internal"}
    )
    api = api_client.post(reverse("api:incident-list"), {**_registration(), "unit": personas.family.pk}, format="json")

    assert page.status_code == 503 and page["Retry-After"] == "5"
    html = page.content.decode()
    assert "Prøv igen om lidt" in html and "Intet er gået tabt" in html and 'lang="da"' in html
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert "Idempotency-Key" in api.json()["detail"]
