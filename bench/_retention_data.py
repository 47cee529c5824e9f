"""The data bench.retention purges: demo incidents made due, with files, reports and recording requests."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from datetime import timedelta


def seed(count: int):
    from django.core.management import call_command

    from demo.accounts import demo_seed
    from demo.incidents import demo_incidents_seed

    call_command("migrate", verbosity=0, interactive=False)
    org = demo_seed()
    started = time.perf_counter()
    demo_incidents_seed(organisation=org, count=count, seed=1)
    return org, time.perf_counter() - started


def make_due(org, now, args, rng) -> tuple[list[int], list[int]]:
    """Close the oldest incidents long enough ago to be due; put some on legal hold. Returns (due, held)."""
    from django.db import connection

    from incidents.models import Incident
    from retention.services import add_months

    due_before = add_months(now, -org.retention_months) - timedelta(days=1)
    not_due_from = add_months(now, -org.retention_months) + timedelta(days=7)
    oldest = list(
        Incident.objects.filter(unit__organisation=org, registered_at__lt=due_before)
        .order_by("registered_at", "id")
        .values_list("pk", flat=True)
    )
    total = Incident.objects.filter(unit__organisation=org).count()
    due = oldest[: round(total * args.due_share)]
    with connection.cursor() as cursor:
        # Closed between 1 and 60 days after registration (the generator's own date when it closed it),
        # and in any case before the retention period: due.
        cursor.execute(
            """
            UPDATE incidents_incident SET status = 'closed',
                closed_at = LEAST(COALESCE(closed_at, registered_at + (id %% 60 + 1) * interval '1 day'), %s)
            WHERE id = ANY(%s)""",
            [due_before, due],
        )
        # The other closed incidents were closed within the period (in a steady state older ones are gone).
        cursor.execute(
            """
            UPDATE incidents_incident SET closed_at = %s
            WHERE status = 'closed' AND closed_at < %s AND NOT id = ANY(%s)""",
            [not_due_from, not_due_from, due],
        )
    held = sorted(rng.sample(due, round(len(due) * args.hold_share)))
    Incident.objects.filter(pk__in=held).update(legal_hold=True)
    return due, held


def _store(storage, name: str, data: bytes) -> tuple[str, str, int]:
    from django.core.files.base import ContentFile

    return storage.save(name, ContentFile(data)), hashlib.sha256(data).hexdigest(), len(data)


def add_files(org, args, rng) -> dict[int, list[int]]:
    """Evidence files, reports with bundles and notifications; returns [evidence files, reports, bundles]
    per incident."""
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from accounts.models import User
    from incidents.models import Evidence, Incident, evidence_upload_to
    from notifications.models import Channel, Kind, Notification
    from reports.models import EvidenceBundle, Report, bundle_upload_to, report_upload_to

    manager = User.objects.get(username="leder")
    incidents = list(
        Incident.objects.filter(unit__organisation=org).only("id", "year", "reference", "registered_at").order_by("id")
    )
    files: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    evidence, reports = [], []
    for incident in rng.sample(incidents, round(len(incidents) * args.evidence_share)):
        for n in range(rng.randint(1, 3)):
            row = Evidence(
                incident=incident,
                original_name=f"skaermbillede-{n + 1}.png",
                content_type="image/png",
                kind=Evidence.Kind.IMAGE,
                uploaded_by=manager,
                captured_at=incident.registered_at,
            )
            row.file, row.sha256, row.size = _store(
                default_storage, evidence_upload_to(row, ""), rng.randbytes(rng.randint(4, 64) * 1024)
            )
            evidence.append(row)
            files[incident.pk][0] += 1
    Evidence.objects.bulk_create(evidence, batch_size=1000)
    with_report = rng.sample(incidents, round(len(incidents) * args.report_share))
    for incident in with_report:
        row = Report(
            incident=incident,
            kind=rng.choice([Report.Kind.POLICE, Report.Kind.INTERNAL_HR]),
            version=1,
            status=Report.Status.READY,
            requested_by=manager,
            requested_at=incident.registered_at,
            started_at=incident.registered_at,
            finished_at=incident.registered_at,
            page_count=4,
        )
        row.file, row.sha256, row.size = _store(
            default_storage, report_upload_to(row, ""), b"%PDF-1.7\n" + rng.randbytes(rng.randint(40, 120) * 1024)
        )
        reports.append(row)
        files[incident.pk][1] += 1
    Report.objects.bulk_create(reports)
    bundles = []
    for report in reports[::2]:
        row = EvidenceBundle(
            report=report,
            status=Report.Status.READY,
            created_by=manager,
            created_at=report.requested_at,
            finished_at=report.requested_at,
            file_count=3,
        )
        row.file, row.sha256, row.size = _store(
            default_storage, bundle_upload_to(row, ""), b"PK\x03\x04" + rng.randbytes(rng.randint(20, 200) * 1024)
        )
        bundles.append(row)
        files[report.incident_id][2] += 1
    EvidenceBundle.objects.bulk_create(bundles)
    Notification.objects.bulk_create(
        [
            Notification(
                organisation=org,
                recipient=manager,
                kind=Kind.REPORT_READY,
                channel=Channel.IN_APP,
                key=f"bench-report-ready:{report.pk}",
                incident_id=report.incident_id,
                subject=f"Rapport klar: {report.incident.reference}",
                body="Rapporten er klar.",
                state="sent",
                sent_at=timezone.now(),
            )
            for report in reports
        ]
    )
    return files


def add_recording_requests(org, due, held, count, rng) -> dict[int, int]:
    """Recording requests linked to due incidents, through the app's services (audited)."""
    from django.utils import timezone

    from accounts.models import User
    from demo.recordings import demo_guideline_seed
    from incidents.models import Incident
    from recordings import services

    demo_guideline_seed(org)
    manager = User.objects.get(username="leder")
    linked: dict[int, int] = defaultdict(int)
    choices = sorted(set(due) - set(held))
    chosen = rng.sample(choices, min(count, len(choices)))
    for incident in Incident.objects.filter(pk__in=chosen).select_related("unit").order_by("pk"):
        request = services.recording_request_register(
            actor=manager,
            unit=incident.unit,
            reasons=[rng.choice(["memory_problems", "distrust", "publish_intent"])],
            fields={
                "request_date": timezone.localdate(),
                "media": rng.choice(["audio", "video"]),
                "setting": "meeting",
                "free_text": "",
                "decision": "allowed",
                "conditions": "",
                "justification": "Borgeren har en begrundelse efter retningslinjen.",
                "hidden_recording_discovered": False,
                "hidden_recording_note": "",
            },
        )
        services.recording_request_link_incident(actor=manager, recording_request=request, incident=incident)
        linked[incident.pk] += 1
    return linked
