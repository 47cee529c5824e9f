"""The report PDFs, evidence bundles and case archives in `manage.py verify_evidence`.

Registered with `incidents.integrity.register_stored_files` in ReportsConfig.ready(); each
ready row's file is re-hashed and compared with the SHA-256 in its row.
"""

from __future__ import annotations

from collections.abc import Iterator

from incidents.integrity import BUNDLE, REPORT, FileCheck, file_check, register_stored_files

from .models import CaseArchive, EvidenceBundle, Report, Status

ARCHIVE = "archive"


def _report_checks() -> Iterator[FileCheck]:
    rows = Report.objects.filter(status=Status.READY).select_related("incident").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        # row.reference: the incident's, or a statistics report's own number (it has no incident)
        yield file_check(REPORT, row.pk, row.reference, row.download_name, row.file.name or "", row.sha256)


def _bundle_checks() -> Iterator[FileCheck]:
    rows = EvidenceBundle.objects.filter(status=Status.READY).select_related("report__incident").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        yield file_check(
            BUNDLE, row.pk, row.report.incident.reference, row.download_name, row.file.name or "", row.sha256
        )


def _archive_checks() -> Iterator[FileCheck]:
    rows = CaseArchive.objects.filter(status=Status.READY).select_related("incident").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        yield file_check(ARCHIVE, row.pk, row.incident.reference, row.download_name, row.file.name or "", row.sha256)


def register() -> None:
    register_stored_files(REPORT, "Report PDFs", _report_checks)
    register_stored_files(BUNDLE, "Evidence bundles", _bundle_checks)
    register_stored_files(ARCHIVE, "Case archives", _archive_checks)
