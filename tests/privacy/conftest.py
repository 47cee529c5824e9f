"""Data subject requests: incidents with a named perpetrator, a second organisation, helpers.

make_incident(...)  an incident registered through the service in Børn og Familie (by the manager,
                    about the caseworker unless told otherwise), with one publication; `close=True`
                    closes it, `legal_hold=True` puts it under a legal hold
neighbour           a second organisation (Nabokommune) with its own admin, manager and caseworker,
                    and an incident naming the same perpetrator
make_request(...)   a data subject request registered through the service by the admin
storage             private storage in a temporary folder
pdf_text(bytes)     the PDF's text as pypdf reads it
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, Unit
from incidents import services as incident_services
from incidents.art14 import art14_record
from incidents.models import Incident
from privacy.services import dsr_register
from tests.factories import OrganisationFactory, UnitFactory, member
from tests.security.world import private_storage

PERPETRATOR = "Ørjan Ærlig-Åsted"


@pytest.fixture
def storage(settings, tmp_path):
    private_storage(settings, tmp_path)
    return tmp_path


@pytest.fixture
def make_incident(personas):
    def make(
        *,
        unit=None,
        actor=None,
        targets=None,
        perpetrator_name=PERPETRATOR,
        perpetrator_profile_url="https://www.facebook.com/orjan.profil",
        title=None,
        description=None,
        quote=None,
        close=False,
        legal_hold=False,
        discovered_at=None,
        **features,
    ) -> Incident:
        title = title if title is not None else f"Opslag af {perpetrator_name or 'ukendt'}"
        fields = {
            "title": title,
            "description": description if description is not None else f"{perpetrator_name} skrev om Sara.",
            "perpetrator_name": perpetrator_name,
            "perpetrator_profile_url": perpetrator_profile_url,
            "perpetrator_relation": "citizen_own_case",
            "discovered_at": discovered_at or timezone.now() - timedelta(days=2),
            **features,
        }
        incident = incident_services.incident_register(
            actor=actor or personas.manager,
            unit=unit or personas.family,
            channel=Incident.Channel.MANAGER,
            fields=fields,
            targets=[personas.caseworker] if targets is None else targets,
            publications=[
                {
                    "platform": "facebook",
                    "url": "https://www.facebook.com/groups/1/posts/2",
                    "title": f"Opslag af {perpetrator_name}",
                    "quote": quote if quote is not None else f"Jeg, {perpetrator_name}, siger sandheden",
                }
            ],
        )
        if close:
            if perpetrator_name or perpetrator_profile_url:
                # Closing needs the art. 14 record (incidents.art14).
                art14_record(
                    actor=actor or personas.manager, incident=incident, informed_on=timezone.localdate(), request=None
                )
            incident_services.incident_change_status(
                actor=actor or personas.manager, incident=incident, to_status=Incident.Status.CLOSED
            )
        if legal_hold:
            Incident.objects.filter(pk=incident.pk).update(legal_hold=True)
        incident.refresh_from_db()
        return incident

    return make


@dataclass
class Neighbour:
    org: object
    unit: Unit
    admin: object
    manager: object
    caseworker: object


@pytest.fixture
def neighbour(db) -> Neighbour:
    org = OrganisationFactory(name="Nabokommune")
    unit = UnitFactory(organisation=org, name="Nabo Familie")
    return Neighbour(
        org=org,
        unit=unit,
        admin=member(unit, Role.ADMIN, username="nabo_admin"),
        manager=member(unit, Role.MANAGER, username="nabo_leder"),
        caseworker=member(unit, Role.CASEWORKER, username="nabo_sagsbehandler", first_name="Nina", last_name="Nabo"),
    )


@pytest.fixture
def make_request(personas):
    def make(*, kind="access", subject_user=None, subject_name="", actor=None, organisation=None, **extra):
        subject_type = "perpetrator" if subject_name else "employee"
        if subject_type == "employee" and subject_user is None:
            subject_user = personas.caseworker
        return dsr_register(
            actor=actor or personas.admin,
            organisation=organisation or personas.org,
            kind=kind,
            subject_type=subject_type,
            subject_user=subject_user,
            subject_name=subject_name,
            received_on=extra.get("received_on", timezone.localdate()),
            requester="Den registrerede selv",
        )

    return make


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@dataclass
class Downloaded:
    response: object
    content: bytes
    export: object

    def __getitem__(self, header: str) -> str:
        return self.response[header]

    @property
    def status_code(self) -> int:
        return self.response.status_code


@pytest.fixture
def export(storage):
    """Order an export on the page, render it as the worker does (`access_export_render`, the
    task's body; tests/privacy/test_worker.py runs a real worker) and download it."""
    from django.urls import reverse

    from privacy.models import AccessExport
    from privacy.services import access_export_render

    def run(client, dsr, fmt: str) -> Downloaded:
        response = client.post(reverse("privacy:export_request", args=[dsr.pk]), {"format": fmt})
        assert response.status_code == 302, response
        row = AccessExport.objects.filter(request=dsr).latest("pk")
        assert response["Location"] == reverse("privacy:export_status", args=[dsr.pk, row.pk])
        assert row.status == AccessExport.Status.PENDING  # nothing is rendered inside the request
        access_export_render(row.pk)
        row.refresh_from_db()
        assert row.status == AccessExport.Status.READY, row.error
        download = client.get(reverse("privacy:export_download", args=[dsr.pk, row.pk]))
        assert download.status_code == 200
        content = b"".join(download.streaming_content)
        return Downloaded(download, content, row)

    return run
