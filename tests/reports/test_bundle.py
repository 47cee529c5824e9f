"""Evidence bundles: the ZIP holds the report and the original files byte for byte, and the
manifest's hashes can be recomputed from the files in the ZIP."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory

from audit.models import AuditEvent
from incidents.models import Evidence
from reports import bundles, services
from reports.models import EvidenceBundle, Report
from tests.reports.conftest import MP3, PDF_FILE, TEXT, pdf_bytes, png

pytestmark = pytest.mark.django_db

ORIGINALS = {"skærmbillede-facebook.png": png(), "opslag-gemt.pdf": PDF_FILE, "lydklip.mp3": MP3, "udskrift.txt": TEXT}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bundle(report, actor) -> EvidenceBundle:
    bundle = services.bundle_request(actor=actor, report=report)
    services.bundle_build(bundle.pk)
    bundle.refresh_from_db()
    return bundle


def _zip(bundle) -> tuple[bytes, zipfile.ZipFile]:
    with default_storage.open(bundle.file.name, "rb") as handle:
        data = handle.read()
    return data, zipfile.ZipFile(io.BytesIO(data))


def test_every_hash_in_the_manifest_is_recomputed_from_the_files_in_the_zip(case, generate, personas):
    report = generate(case, "police")
    bundle = _bundle(report, personas.manager)
    assert bundle.status == Report.Status.READY, bundle.error
    data, archive = _zip(bundle)
    assert bundle.sha256 == _sha(data) and bundle.size == len(data)

    manifest_bytes = archive.read("manifest.json")
    assert bundle.manifest_sha256 == _sha(manifest_bytes)
    manifest = json.loads(manifest_bytes)
    assert manifest["incident"] == case.reference

    # The report: same bytes as stored, same hash as recorded when it was made.
    report_bytes = archive.read(manifest["report"]["path"])
    assert report_bytes == pdf_bytes(report)
    assert manifest["report"]["sha256"] == _sha(report_bytes) == report.sha256
    assert manifest["report"]["size"] == len(report_bytes)

    # Every evidence file: recomputed hash and size match the manifest and the upload.
    stored = {e.original_name: e for e in Evidence.objects.filter(incident=case)}
    names = []
    for entry in manifest["files"]:
        content = archive.read(entry["path"])
        assert entry["sha256"] == _sha(content), entry["path"]
        assert entry["size"] == len(content)
        original = stored[entry["original_name"]]
        assert entry["sha256"] == original.sha256
        assert content == ORIGINALS[entry["original_name"]]  # byte for byte
        assert entry["kind"] == original.kind
        # The capture time typed in, else the system's time of upload, and which of the two it is.
        assert entry["captured_at"] == bundles._iso(original.captured_at or original.uploaded_at)
        assert entry["captured_at_source"] == ("typed" if original.captured_at else "system")
        assert entry["uploaded_by"] == (original.uploaded_by.get_full_name() if original.uploaded_by else "")
        names.append(entry["original_name"])
    assert sorted(names) == sorted(ORIGINALS)
    assert bundle.file_count == 4

    # The removed file is listed as removed, not shipped.
    removed = Evidence.objects.get(incident=case, original_name="forkert-sag.png")
    assert manifest["removed"] == [
        {
            "original_name": "forkert-sag.png",
            "sha256": removed.sha256,
            "size": removed.size,
            "removed_at": bundles._iso(removed.removed_at),
        }
    ]
    zip_names = archive.namelist()
    assert not any("forkert-sag" in name for name in zip_names)
    assert set(zip_names) == {
        manifest["report"]["path"],
        "manifest.json",
        "manifest.txt",
        *(entry["path"] for entry in manifest["files"]),
    }

    text = archive.read("manifest.txt").decode()
    for entry in manifest["files"]:
        assert entry["sha256"] in text and entry["original_name"] in text
    assert report.sha256 in text and case.reference in text

    event = AuditEvent.objects.get(object_type="reports.evidencebundle", action="export")
    assert event.details["manifest_sha256"] == bundle.manifest_sha256


def test_a_file_removed_after_the_report_is_listed_as_removed(case, generate, personas):
    from incidents.services import evidence_remove

    report = generate(case, "police")
    audio = Evidence.objects.get(incident=case, original_name="lydklip.mp3")
    evidence_remove(actor=personas.manager, evidence=audio, reason="Forkert optagelse")
    bundle = _bundle(report, personas.manager)
    _, archive = _zip(bundle)
    manifest = json.loads(archive.read("manifest.json"))
    assert "lydklip.mp3" not in [entry["original_name"] for entry in manifest["files"]]
    assert [item["original_name"] for item in manifest["removed"]] == ["lydklip.mp3", "forkert-sag.png"]
    assert manifest["removed"][0]["sha256"] == audio.sha256
    assert "Fjernet fra sagen" in archive.read("manifest.txt").decode()


def test_a_datatilsynet_bundle_holds_only_the_attachable_files(case, generate, personas):
    report = generate(case, "datatilsynet")
    _, archive = _zip(_bundle(report, personas.manager))
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(entry["original_name"] for entry in manifest["files"]) == [
        "opslag-gemt.pdf",
        "skærmbillede-facebook.png",
        "udskrift.txt",
    ]


def test_a_changed_file_in_storage_fails_the_bundle_with_the_reason(case, generate, personas):
    report = generate(case, "police")
    screenshot = Evidence.objects.get(incident=case, original_name="skærmbillede-facebook.png")
    with default_storage.open(screenshot.file.name, "wb") as handle:
        handle.write(b"tampered")
    bundle = _bundle(report, personas.manager)
    assert bundle.status == Report.Status.FAILED
    assert "skærmbillede-facebook.png" in bundle.error and "SHA-256" in bundle.error
    assert not bundle.file


def test_a_bundle_of_a_report_whose_pdf_is_gone_fails_clearly(case, generate, personas):
    report = generate(case, "police")
    default_storage.delete(report.file.name)
    bundle = _bundle(report, personas.manager)
    assert bundle.status == Report.Status.FAILED
    assert "PDF-fil findes ikke" in bundle.error


def test_the_incident_card_shows_the_manifest_hash_with_one_query(case, generate, personas, django_assert_num_queries):
    report = generate(case, "police")
    generate(case, "police")  # a newer version without a bundle
    internal = generate(case, "internal_hr")
    bundle = _bundle(report, personas.manager)
    internal_bundle = _bundle(internal, personas.manager)
    request = RequestFactory().get("/")
    request.user = personas.manager
    from accounts import permissions
    from incidents import policy

    permissions.units_for(personas.manager, "manager")  # the page has asked the policy already,
    policy.is_manager_of(personas.manager, case)  # for the case too (exclusions, cached on it)
    template = Template('{% include "reports/includes/incident_reports_card.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"incident": case, "request": request, "user": personas.manager}))
    assert internal_bundle.manifest_sha256 in html
    assert bundle.manifest_sha256 not in html  # the card shows the newest version of each kind
    assert "Politianmeldelse" in html and "v2" in html and "Intern sagsrapport" in html
    assert "Lav rapport" in html
