"""The report PDFs, evidence bundles and case archives in `manage.py verify_evidence`.

Registered with `incidents.integrity.register_stored_rows` in ReportsConfig.ready(); each
ready row's file is re-hashed and compared with the SHA-256 in its row.
"""

from __future__ import annotations

from incidents.integrity import BUNDLE, REPORT, register_stored_rows

from .models import CaseArchive, EvidenceBundle, Report, Status

ARCHIVE = "archive"


def register() -> None:
    # A report's reference: the incident's, or a statistics report's own number (it has no incident).
    register_stored_rows(
        REPORT,
        "Report PDFs",
        lambda: Report.objects.filter(status=Status.READY).select_related("incident"),
        reference=lambda row: row.reference,
    )
    register_stored_rows(
        BUNDLE,
        "Evidence bundles",
        lambda: EvidenceBundle.objects.filter(status=Status.READY).select_related("report__incident"),
        reference=lambda row: row.report.incident.reference,
    )
    register_stored_rows(
        ARCHIVE,
        "Case archives",
        lambda: CaseArchive.objects.filter(status=Status.READY).select_related("incident"),
        reference=lambda row: row.incident.reference,
    )
