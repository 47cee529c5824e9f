"""One incident world shared by the security tests, and the URL walker.

world(...)   an incident in Børn og Familie about the caseworker, registered by the manager,
             with a publication, a stored evidence file, an internal report (ready) and a
             police report with a built evidence bundle, a recording request, the
             caseworker's in-app notification, the demo recording guideline, and the
             union rep's statistics report.
url_patterns()  every (name, route) of the project's URLconf, namespaces joined by ":".
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

PERSONAS = ("anonymous", "outsider", "caseworker", "other_caseworker", "manager", "other_manager", "union_rep", "admin")


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


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """Yield (name, route, pattern) for every URLPattern below the root resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern), pattern


def private_storage(settings, root) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }


@dataclass
class World:
    incident: object
    evidence: object
    report: object  # internal, without internal notes: manager and the employee may see it
    police: object  # police report: managers only
    dsa: object  # DSA notice, with its plain text: managers only
    bundle: object
    recording: object
    guideline: object
    notification: object  # the caseworker's in-app notification of the registration
    statistics: object = None  # the union rep's statistics report (ready): only the union rep may see it
    subject_request: object = None  # the admin's data subject request (access) about the caseworker
    api_token: object = None  # the caseworker's API token: only the caseworker may revoke it
    datatilsynet: object = None  # Datatilsynet complaint with its package of loose files: managers only
    redaction: object = None  # a span left out of external documents


def build_world(personas, *, title="Opslag i Facebook-gruppe", **fields) -> World:
    from demo.recordings import demo_guideline_seed
    from incidents import services
    from incidents.evidence import evidence_store
    from incidents.models import Incident
    from incidents.redactions import redaction_add
    from notifications.models import Notification
    from privacy.services import dsr_register
    from recordings import services as recording_services
    from reports import services as report_services
    from reports.models import EvidenceBundle, Report
    from tests.reports.conftest import options_for

    # Spread private details and an incitement: every kind of report applies (but the breach record).
    fields = {"named": True, "private_details": True, "incitement": True, **fields}
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, "discovered_at": timezone.now() - timedelta(hours=3), **fields},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2"}],
    )
    evidence = evidence_store(
        actor=personas.manager, incident=incident, uploaded_file=SimpleUploadedFile("skaermbillede.png", png())
    )
    services.incident_update_report_facts(
        actor=personas.manager, incident=incident, values={"consent_dsa_notice": True, "consent_police_report": True}
    )
    redaction = redaction_add(actor=personas.manager, incident=incident, field="title", text="Facebook")

    def generate(kind, **overrides):
        report = report_services.report_request(
            actor=personas.manager,
            incident=incident,
            kind=kind,
            options=options_for(kind, incident, personas.manager, **overrides),
        )
        report_services.report_render(report.pk)
        return Report.objects.get(pk=report.pk)

    report = generate("internal_hr", include_internal_notes=False)
    datatilsynet = generate("datatilsynet")
    police = generate("police")
    dsa = generate("dsa_notice")
    bundle = report_services.bundle_request(actor=personas.manager, report=police)
    report_services.bundle_build(bundle.pk)
    guideline = demo_guideline_seed(personas.org)
    recording = recording_services.recording_request_register(
        actor=personas.caseworker,
        unit=personas.family,
        reasons=["memory_problems"],
        fields={
            "request_date": timezone.localdate(),
            "media": "audio",
            "setting": "meeting",
            "free_text": "Borgeren glemmer ofte aftaler.",
            "decision": "allowed",
            "conditions": "",
            "justification": "Borgeren har svært ved at huske.",
            "hidden_recording_discovered": False,
            "hidden_recording_note": "",
        },
    )
    notification = Notification.objects.filter(recipient=personas.caseworker, channel="in_app").first()
    # The last closed month: a union rep's statistics never include the current one.
    this_month = timezone.localdate().replace(day=1)
    month = (this_month - timedelta(days=1)).replace(day=1)
    statistics = report_services.statistics_report_request(
        actor=personas.union_rep, first=month, last=month, unit_id=None
    )
    report_services.report_render(statistics.pk)
    subject_request = dsr_register(
        actor=personas.admin,
        organisation=personas.org,
        kind="access",
        subject_type="employee",
        subject_user=personas.caseworker,
        received_on=timezone.localdate(),
        requester="Den registrerede selv",
    )
    return World(
        incident=incident,
        evidence=evidence,
        report=report,
        police=police,
        dsa=dsa,
        datatilsynet=datatilsynet,
        redaction=redaction,
        bundle=EvidenceBundle.objects.get(pk=bundle.pk),
        recording=recording,
        guideline=guideline,
        notification=notification,
        statistics=Report.objects.get(pk=statistics.pk),
        subject_request=subject_request,
        api_token=_api_token(personas.caseworker),
    )


def _api_token(user):
    from accounts.api_tokens.services import token_create

    return token_create(user=user, name="Regneark", scopes=["incidents:read"], expires_in_days=30)[0]
