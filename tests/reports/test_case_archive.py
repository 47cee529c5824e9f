"""The case archive for journalisation (issue 16, item 7; offentlighedsloven § 15): built by a real
worker from a real broker, stored privately, downloaded by the manager and audited; every hash in
its metadata is the hash of the file in the ZIP; the manager records the journal number; the
retention run and the admin overview warn about closed incidents never journalised."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services as incident_services
from incidents.models import Incident, TimelineEntry
from reports import archive as archives
from reports import services
from reports.models import CaseArchive, Report
from retention.services import add_months
from tests.reports.conftest import options_for
from tests.reports.test_worker import finished_tasks, own_broker, wait_for_task
from udhaengning.celery import app

JOURNAL = "27.12.00-G01-123-26"
ADMIN_HOME = "dashboard:admin"


def _check_hashes(bundle: zipfile.ZipFile, metadata: dict) -> None:
    for document in metadata["documents"]:
        data = bundle.read(document["path"])
        assert hashlib.sha256(data).hexdigest() == document["sha256"], document["path"]
        assert len(data) == document["size"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_case_archive_with_the_sent_report_evidence_and_metadata(client, personas, case):
    from celery.contrib.testing.worker import start_worker

    client.force_login(personas.manager)
    options = options_for("police", case, personas.manager, purposes=["prosecution"])
    with (
        own_broker(),
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        report = services.report_request(actor=personas.manager, incident=case, kind="police", options=options)
        wait_for_task(done, event, "reports.tasks.render_report")
        report.refresh_from_db()
        assert report.status == Report.Status.READY, report.error
        services.report_mark_sent(
            actor=personas.manager,
            report=report,
            sent_on=timezone.localdate(),
            external_reference="0100-12345-00001-26",
        )
        response = client.post(reverse("reports:archive_create", args=[case.reference]))
        row = CaseArchive.objects.get(incident=case)
        assert response["Location"] == reverse("reports:archive_status", args=[case.reference, row.pk])
        wait_for_task(done, event, "reports.tasks.build_case_archive")
    row.refresh_from_db()
    assert row.status == CaseArchive.Status.READY, row.error
    assert row.attempts == 1 and row.document_count == 5  # the police report and four evidence files
    status = client.get(reverse("reports:archive_status", args=[case.reference, row.pk]), {"format": "json"}).json()
    assert status["status"] == "ready" and status["sha256"] == row.sha256

    download = client.get(reverse("reports:archive_download", args=[case.reference, row.pk]))
    assert download.status_code == 200 and download["X-Content-SHA256"] == row.sha256
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == row.sha256
    bundle = zipfile.ZipFile(io.BytesIO(content))
    names = bundle.namelist()
    assert "metadata.json" in names and "metadata.xml" in names
    metadata_json = bundle.read("metadata.json")
    assert hashlib.sha256(metadata_json).hexdigest() == row.metadata_sha256
    metadata = json.loads(metadata_json)
    assert metadata["format"] == "udhaengning-sagsarkiv/1" and metadata["reference"] == case.reference
    assert "offentlighedsloven" in metadata["legal_basis"].lower() and "§ 15" in metadata["legal_basis"]
    assert metadata["dates"]["registered_at"] and metadata["dates"]["archived_at"]
    roles = {party["role"]: party["name"] for party in metadata["parties"]}
    assert roles["berørt medarbejder"] == "Sara Sagsbehandler" and roles["modtager"] == "Politiet"
    assert roles["afsender (har offentliggjort)"] == case.perpetrator_name
    [sent] = [d for d in metadata["documents"] if d["type"] == "report"]
    assert sent["sha256"] == report.sha256 and sent["pdf_variant"] == "PDF/A-3b"
    assert sent["sent_reference"] == "0100-12345-00001-26"
    assert bundle.read(sent["path"]).startswith(b"%PDF")
    assert sorted(d["title"] for d in metadata["documents"] if d["type"] == "evidence") == [
        "lydklip.mp3",
        "opslag-gemt.pdf",
        "skærmbillede-facebook.png",
        "udskrift.txt",
    ]  # not the removed one
    _check_hashes(bundle, metadata)
    xml = ElementTree.fromstring(bundle.read("metadata.xml"))  # noqa: S314 - the file this test's worker wrote
    assert xml.findtext("reference") == case.reference
    assert [d.findtext("sha256") for d in xml.iter("document")] == [d["sha256"] for d in metadata["documents"]]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD,
        object_type="reports.casearchive",
        object_id=str(row.pk),
        actor=personas.manager,
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="reports.casearchive", details__sha256=row.sha256
    ).exists()


@pytest.mark.django_db
def test_the_manager_records_the_journal_number(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert reverse("reports:archive", args=[case.reference]) in page
    response = client.post(reverse("reports:journal_number", args=[case.reference]), {"journal_number": "  "})
    assert response.status_code == 400 and "Skriv journalnummeret" in response.content.decode()
    response = client.post(reverse("reports:journal_number", args=[case.reference]), {"journal_number": JOURNAL})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.journal_number == JOURNAL and case.journalised_by == personas.manager and case.journalised_at
    assert TimelineEntry.objects.filter(incident=case, text__contains=JOURNAL).exists()
    event = AuditEvent.objects.filter(
        object_type="incidents.incident", object_id=str(case.pk), summary="Journalnummer registreret"
    ).get()
    assert event.details["journal_number"] == JOURNAL
    page = client.get(reverse("reports:archive", args=[case.reference])).content.decode()
    assert JOURNAL in page


@pytest.mark.django_db
def test_a_changed_evidence_file_stops_the_archive(personas, case):
    from django.core.files.storage import default_storage

    evidence = case.evidence.filter(removed_at__isnull=True).first()
    with default_storage.open(evidence.file.name, "wb") as handle:
        handle.write(b"changed")
    row = archives.case_archive_request(actor=personas.manager, incident=case)
    archives.case_archive_build(row.pk)
    row.refresh_from_db()
    assert row.status == CaseArchive.Status.FAILED and "SHA-256" in row.error and not row.file


@pytest.mark.django_db
def test_retention_and_the_admin_overview_warn_about_incidents_never_journalised(client, personas, case):
    old = timezone.now() - timedelta(days=1)
    Incident.objects.filter(pk=case.pk).update(
        status=Incident.Status.CLOSED, closed_at=add_months(old, -personas.org.retention_months)
    )
    client.force_login(personas.admin)
    page = client.get(reverse(ADMIN_HOME)).content.decode()
    assert 'data-retention="not-journalised">1 sag' in page
    out, err = StringIO(), StringIO()
    call_command("purge_incidents", "--dry-run", stdout=out, stderr=err)
    assert "never journalised" in err.getvalue() and case.reference in err.getvalue()

    incident_services.incident_set_journal_number(actor=personas.manager, incident=case, journal_number=JOURNAL)
    page = client.get(reverse(ADMIN_HOME)).content.decode()
    assert 'data-retention="not-journalised">0 sager' in page
    out, err = StringIO(), StringIO()
    call_command("purge_incidents", "--dry-run", stdout=out, stderr=err)
    assert "never journalised" not in err.getvalue()


@pytest.mark.django_db
def test_a_case_archive_whose_message_was_lost_is_queued_again_by_the_sweep(personas, case):
    row = archives.case_archive_request(actor=personas.manager, incident=case)
    CaseArchive.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    result = services.stuck_jobs_sweep()
    assert ("CaseArchive", row.pk) in result.requeued
    row.refresh_from_db()
    assert row.status == CaseArchive.Status.PENDING and row.retried_at is not None
