"""`manage.py verify_evidence`: every stored file against the SHA-256 recorded when it was stored."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from incidents import services as incident_services
from incidents.integrity import stored_files_verify
from reports import services as report_services
from reports.models import Report
from tests.reports.conftest import PDF_FILE, TEXT, options_for, png, register, upload
from tests.security.world import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(personas, settings, tmp_path):
    """A case with three kept files, one removed file and a ready internal report."""
    private_storage(settings, tmp_path)
    incident = register(personas)
    kept = [
        upload(incident, personas.manager, "skærmbillede.png", png()),
        upload(incident, personas.manager, "opslag.pdf", PDF_FILE),
        upload(incident, personas.caseworker, "udskrift.txt", TEXT),
    ]
    removed = upload(incident, personas.manager, "forkert.png", png(3, 3))
    incident_services.evidence_remove(actor=personas.manager, evidence=removed, reason="Forkert sag")
    report = report_services.report_request(
        actor=personas.manager,
        incident=incident,
        kind="internal_hr",
        options=options_for("internal_hr", incident, personas.manager, include_internal_notes=False),
    )
    report_services.report_render(report.pk)
    report = Report.objects.get(pk=report.pk)
    assert report.is_ready
    return kept, report


def _run(**options) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("verify_evidence", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_all_files_match(stored):
    out, err = _run()
    assert "Evidence files: 3 checked, 3 match (1 removed from their case, only the hash kept)." in out
    assert "Report PDFs: 1 checked, 1 match." in out
    assert "All 4 stored files match their recorded SHA-256." in out
    assert err == ""


def test_verbose_lists_every_file_with_its_hash(stored):
    kept, report = stored
    out, _ = _run(verbosity=2)
    for evidence in kept:
        line = f"ok evidence {evidence.pk} {evidence.incident.reference} «{evidence.original_name}» {evidence.sha256}"
        assert line in out
    assert f"ok report {report.pk}" in out


def test_a_changed_file_fails_and_is_named(stored):
    kept, _ = stored
    changed = kept[1]
    path = default_storage.path(changed.file.name)
    with open(path, "r+b") as handle:
        handle.seek(5)
        handle.write(b"X")  # one byte: same size, different content

    with pytest.raises(CommandError, match="1 of 4 stored files are missing or do not match"):
        _run()
    report = stored_files_verify()
    [problem] = report.problems
    assert (problem.category, problem.pk, problem.status) == ("evidence", changed.pk, "mismatch")
    assert problem.expected_sha256 == changed.sha256
    assert problem.actual_sha256 != changed.sha256
    assert "MISMATCH evidence" in problem.describe() and "opslag.pdf" in problem.describe()


def test_a_missing_file_and_a_missing_report_fail(stored):
    kept, report = stored
    default_storage.delete(kept[0].file.name)
    default_storage.delete(report.file.name)

    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="2 of 4"):
        call_command("verify_evidence", stdout=StringIO(), stderr=err)
    assert f"MISSING evidence {kept[0].pk}" in err.getvalue()
    assert "skærmbillede.png" in err.getvalue()
    assert f"MISSING report {report.pk}" in err.getvalue()


def test_a_changed_bundle_fails(stored, personas):
    from reports.models import EvidenceBundle

    _, report = stored
    bundle = report_services.bundle_request(actor=personas.manager, report=report)
    report_services.bundle_build(bundle.pk)
    bundle = EvidenceBundle.objects.get(pk=bundle.pk)
    assert bundle.is_ready
    assert stored_files_verify().ok
    with open(default_storage.path(bundle.file.name), "ab") as handle:
        handle.write(b"\0")

    [problem] = stored_files_verify().problems
    assert (problem.category, problem.pk, problem.status) == ("bundle", bundle.pk, "mismatch")


def test_an_empty_installation_passes(db):
    out, _ = _run()
    assert "All 0 stored files match" in out


def test_every_kind_of_stored_file_is_checked(db):
    """Each app registers its stored files: the check covers what the backup archives."""
    from incidents.integrity import categories

    assert [category for category, _ in categories()] == [
        "evidence",
        "report",
        "bundle",
        "archive",
        "dpia",
        "access_export",
    ]


def test_a_changed_case_archive_fails(stored, personas):
    from reports import archive as archives
    from reports.models import CaseArchive

    _, report = stored
    row = archives.case_archive_request(actor=personas.manager, incident=report.incident)
    archives.case_archive_build(row.pk)
    row = CaseArchive.objects.get(pk=row.pk)
    assert row.is_ready
    out, _ = _run()
    assert "Case archives: 1 checked, 1 match." in out
    with open(default_storage.path(row.file.name), "ab") as handle:
        handle.write(b"\0")

    [problem] = stored_files_verify().problems
    assert (problem.category, problem.pk, problem.status, problem.reference) == (
        "archive",
        row.pk,
        "mismatch",
        report.incident.reference,
    )


def test_a_missing_dpia_draft_fails(stored, personas):
    from privacy.dpia import dpia_render, dpia_request
    from privacy.dpia_models import DpiaDraft

    draft = dpia_request(actor=personas.admin, organisation=personas.org)
    dpia_render(draft.pk)
    draft = DpiaDraft.objects.get(pk=draft.pk)
    assert draft.is_ready
    assert stored_files_verify().ok
    default_storage.delete(draft.file.name)

    [problem] = stored_files_verify().problems
    assert (problem.category, problem.pk, problem.status) == ("dpia", draft.pk, "missing")
