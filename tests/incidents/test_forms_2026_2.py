"""The incident form under rules 2026.2: the new features, publication dates against the
discovery, and a case complaint only explained before saving (DOMAIN.md 3.1, 3.3, 4.0)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Incident

from .test_manager_views import form_data, local_input

pytestmark = pytest.mark.django_db
CREATE = reverse("incidents:create")


def test_the_new_features_are_in_the_form_with_plain_danish_help(client, personas):
    client.force_login(personas.manager)

    page = client.get(CREATE).content.decode()

    for code in ("addressed_to_employee", "family_exposed", "threat_to_expose"):
        assert f'name="{code}"' in page, code
    assert "Skriver nogen om medarbejderen til andre (»hun er en heks«), er det omtale" in page
    assert "Almindelig besked om, at borgeren vil klage, er ikke en trussel." in page
    assert "Kritik af en afgørelse er ikke udhængning" in page


def test_a_publication_dated_after_the_discovery_is_refused_and_everything_typed_is_kept(client, personas):
    client.force_login(personas.manager)
    discovered = timezone.now() - timedelta(days=2)
    data = form_data(
        personas,
        discovered_at=local_input(discovered),
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/groups/1/posts/2",
                "published_at": local_input(discovered + timedelta(hours=5)),
                "quote": "Hun er en heks",
            },
        ],
    )

    response = client.post(CREATE, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Offentliggørelsen kan ikke ligge efter, at indholdet blev opdaget" in page
    assert "Hændelsen er ikke gemt endnu" in page
    assert "Hun er en heks" in page and "Navngivet i lokal Facebook-gruppe" in page
    assert local_input(discovered + timedelta(hours=5)) in page
    assert not Incident.objects.exists()


def test_a_publication_in_the_future_is_refused(client, personas):
    client.force_login(personas.manager)
    data = form_data(
        personas,
        publications=[{"platform": "facebook", "published_at": local_input(timezone.now() + timedelta(days=1))}],
    )

    response = client.post(CREATE, data)

    assert response.status_code == 200
    assert "Tidspunktet kan ikke ligge i fremtiden." in response.content.decode()
    assert not Incident.objects.exists()


def test_a_publication_before_the_discovery_is_saved_and_counts_from_the_offence(client, personas):
    client.force_login(personas.manager)
    discovered = timezone.now() - timedelta(hours=2)
    posted = discovered - timedelta(hours=30)
    data = form_data(
        personas,
        discovered_at=local_input(discovered),
        lawbreaking_accusation="on",
        publications=[{"platform": "facebook", "published_at": local_input(posted)}],
    )

    response = client.post(CREATE, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    police = next(d for d in incident.assessment["deadlines"] if d["code"] == "police_report_72h")
    assert police["due"].startswith(
        timezone.localtime(posted.replace(second=0, microsecond=0) + timedelta(hours=72)).strftime("%Y-%m-%dT%H:%M")
    )


def _complaint(personas, **overrides):
    return form_data(
        personas,
        offensive_language=None,
        related_case_complaint="on",
        perpetrator_name="Jens Borger",
        perpetrator_profile_url="https://www.facebook.com/jens",
        publications=[{"platform": "facebook"}],
        **overrides,
    )


def test_a_case_complaint_only_is_explained_before_saving(client, personas):
    client.force_login(personas.manager)

    response = client.post(CREATE, _complaint(personas))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Kritik af en afgørelse er ikke udhængning. Det, I har markeret, er kun en klage" in page
    assert "Jens Borger" in page  # kept as typed until the manager chooses
    assert not Incident.objects.exists()


def test_a_case_complaint_can_be_registered_with_nothing_about_the_citizen(client, personas):
    client.force_login(personas.manager)

    response = client.post(CREATE, _complaint(personas, case_complaint_choice="without_citizen"))

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.perpetrator_name, incident.perpetrator_profile_url) == ("", "")
    assert incident.assessment["scope"] == "case_complaint"
    assert incident.assessment["legal_references"] == []
    page = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "Jens Borger" not in page and "Kritik af en afgørelse er ikke udhængning" in page


def test_a_case_complaint_may_keep_the_citizen_when_the_manager_chooses_so(client, personas):
    client.force_login(personas.manager)

    response = client.post(CREATE, _complaint(personas, case_complaint_choice="with_citizen"))

    assert response.status_code == 302
    assert Incident.objects.get().perpetrator_name == "Jens Borger"


def test_more_than_a_complaint_asks_nothing(client, personas):
    client.force_login(personas.manager)

    response = client.post(CREATE, _complaint(personas, insulting_description="on"))

    assert response.status_code == 302
    assert Incident.objects.get().assessment["scope"] == "udhaengning"


def test_the_api_refuses_a_publication_after_the_discovery_naming_the_field(personas):
    client = APIClient()
    client.force_login(personas.manager)
    discovered = timezone.now() - timedelta(days=1)

    response = client.post(
        reverse("api:incident-list"),
        {
            "unit": personas.family.pk,
            "title": "Opslag",
            "features": ["named"],
            "discovered_at": discovered.isoformat(),
            "publications": [{"platform": "facebook", "published_at": (discovered + timedelta(hours=1)).isoformat()}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "published_at" in response.json()["publications"][0]
    assert not Incident.objects.exists()
