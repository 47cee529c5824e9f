"""A case with everything a report shows, and helpers to generate and read reports.

case             an incident about the caseworker (Sara Sagsbehandler) in Børn og Familie with
                 threats, defamation and private details; two publications with quotes; four
                 stored evidence files (PNG, PDF, MP3, text) and one removed; an internal and a
                 shared note; a takedown action; a level override with a justification; the
                 employee's consents, contact and witnesses; an earlier incident by the same perpetrator.
generate(...)    request a report through the service and render it (no Celery: the
                 service function is called directly, as the task would).
pdf_text(report) the PDF's text as pypdf reads it.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import services as incident_services
from incidents.evidence import evidence_store
from incidents.models import Incident, Publication
from reports import services
from reports.forms import ReportOptionsForm, form_defaults
from reports.models import Report

PERPETRATOR = "Ole Opslagsen"
PERPETRATOR_URL = "https://www.facebook.com/ole.opslagsen.profil"
INTERNAL_NOTE = "Fortroligt: borgeren har tidligere truet en kollega i Jobcenter"
SHARED_NOTE = "Vi har bedt Facebook om at fjerne opslaget"
JUSTIFICATION = "Lederen vurderer truslen som mindre konkret end beregnet"
URLS = (
    "https://www.facebook.com/groups/borgere-i-byen/posts/1234567890",
    "https://www.youtube.com/watch?v=abcDEF12345&t=42s",
)
QUOTES = (
    "Sara Sagsbehandler stjæler børn fra familierne. Jeg ved hvor hun bor på Østergade!",
    "Hun er en løgner og burde smides ud – del så alle ved det",
)


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF_FILE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 32 + b"\xff\xfb\x90\x00" + b"\x00" * 400
TEXT = "Udskrift af videoen kl. 14.30: «Hun er en heks».\n".encode()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path) -> Path:
    """Each test gets its own private storage folder."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def upload(incident, actor, name: str, content: bytes, *, captured_at=None, publication=None, description=""):
    return evidence_store(
        actor=actor,
        incident=incident,
        uploaded_file=SimpleUploadedFile(name, content),
        captured_at=captured_at,
        publication=publication,
        description=description,
    )


def register(
    personas, *, title="Trusler og løgne på Facebook", publications=None, unit=None, targets=None, **fields
) -> Incident:
    fields.setdefault("discovered_at", (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0))
    return incident_services.incident_register(
        actor=personas.manager,
        unit=unit or personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, **fields},
        targets=[personas.caseworker] if targets is None else targets,
        publications=publications if publications is not None else [],
    )


@pytest.fixture
def case(personas):
    personas.caseworker.job_title = "Socialrådgiver"
    personas.caseworker.email = "sara@testkommune.invalid"
    personas.caseworker.save()
    personas.manager.email = "mette.leder@testkommune.invalid"
    personas.manager.save()
    now = timezone.now().replace(second=0, microsecond=0)
    incident = register(
        personas,
        description="Borgeren har skrevet opslag om Sara i en åben gruppe.\nHan nævner hendes bopæl og børn.",
        named=True,
        threat=True,
        private_details=True,
        insulting_description=True,
        offensive_language=True,
        perpetrator_relation="citizen_own_case",
        perpetrator_name=PERPETRATOR,
        perpetrator_profile_url=PERPETRATOR_URL,
        absence_days=2,
        psychological_harm=True,
        publications=[
            {
                "platform": "facebook",
                "url": URLS[0],
                "title": "Opslag i «Borgere i byen»",
                "quote": QUOTES[0],
                "published_at": now - timedelta(days=3),
                "captured_at": now - timedelta(days=2),
                "reach": "public",
                "audience_size": 4200,
            },
            {
                "platform": "youtube",
                "url": URLS[1],
                "quote": QUOTES[1],
                "published_at": now - timedelta(days=3),
                "reach": "public",
            },
        ],
    )
    first, second = list(Publication.objects.filter(incident=incident).order_by("id"))
    upload(
        incident,
        personas.manager,
        "skærmbillede-facebook.png",
        png(),
        captured_at=now - timedelta(days=2),
        publication=first,
        description="Skærmbillede med URL og klokkeslæt",
    )
    upload(incident, personas.manager, "opslag-gemt.pdf", PDF_FILE, captured_at=now - timedelta(days=2))
    upload(incident, personas.manager, "lydklip.mp3", MP3, publication=second)
    upload(incident, personas.caseworker, "udskrift.txt", TEXT, captured_at=now - timedelta(days=1))
    wrong = upload(incident, personas.manager, "forkert-sag.png", png(3, 3))
    incident_services.evidence_remove(actor=personas.manager, evidence=wrong, reason="Hører til en anden sag")
    incident_services.note_add(actor=personas.manager, incident=incident, body=INTERNAL_NOTE, visibility="internal")
    incident_services.note_add(actor=personas.manager, incident=incident, body=SHARED_NOTE, visibility="shared")
    incident_services.incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=timezone.localdate(),
        note="Anmeldt via Facebooks formular",
        external_reference="FB-ticket-991",
    )
    incident.refresh_from_db()
    incident_services.incident_confirm_level(
        actor=personas.manager, incident=incident, level=3, justification=JUSTIFICATION
    )
    incident_services.incident_update_report_facts(
        actor=personas.manager,
        incident=incident,
        values={
            "consent_police_report": True,
            "consent_dsa_notice": True,
            "employee_police_contact": "+45 12 34 56 78",
            "witnesses": "Kollega Kim Kollegasen så opslaget samme aften",
            "compensation_wanted": True,
            "bistandsadvokat_wanted": True,
        },
    )
    register(
        personas, title="Tidligere opslag", perpetrator_name=PERPETRATOR.upper(), discovered_at=now - timedelta(days=90)
    )
    incident.refresh_from_db()
    return incident


def options_for(kind: str, incident, user, **overrides) -> dict:
    """The options the form gives when the manager accepts its defaults, with `overrides`."""
    publications = list(incident.publications.all())
    targets = list(incident.targets.order_by("first_name", "last_name", "id"))
    timeline = list(incident.timeline.filter(kind="action", action_code="platform_takedown"))
    arguments = {
        "kind": kind,
        "incident": incident,
        "publications": publications,
        "targets": targets,
        "user": user,
        "timeline": timeline,
    }
    form = ReportOptionsForm(form_defaults(ReportOptionsForm(**arguments)), **arguments)
    assert form.is_valid(), form.errors
    return {**form.to_options(), **overrides}


@pytest.fixture
def generate(personas):
    def do(incident, kind: str, *, actor=None, **overrides) -> Report:
        actor = actor or personas.manager
        report = services.report_request(
            actor=actor, incident=incident, kind=kind, options=options_for(kind, incident, actor, **overrides)
        )
        services.report_render(report.pk)
        report.refresh_from_db()
        return report

    return do


def pdf_bytes(report: Report) -> bytes:
    with default_storage.open(report.file.name, "rb") as handle:
        return handle.read()


def pdf_text(report: Report) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes(report)))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def compact(text: str) -> str:
    """Text without any whitespace: long URLs and hashes wrap across lines in a PDF."""
    return re.sub(r"\s+", "", text)
