"""The DPIA drafts and access exports in `manage.py verify_evidence`.

Registered with `incidents.integrity.register_stored_files` in PrivacyConfig.ready(); each
ready row's file is re-hashed and compared with the SHA-256 in its row. They belong to no
incident: a DPIA draft is named by its version, an export by its request's reference.
"""

from __future__ import annotations

from collections.abc import Iterator

from incidents.integrity import FileCheck, file_check, register_stored_files

from .dpia_models import DpiaDraft
from .models import AccessExport

DPIA = "dpia"
ACCESS_EXPORT = "access_export"


def _dpia_checks() -> Iterator[FileCheck]:
    rows = DpiaDraft.objects.filter(status=DpiaDraft.Status.READY).order_by("pk")
    for row in rows.iterator(chunk_size=500):
        yield file_check(DPIA, row.pk, f"DPIA v{row.version}", row.download_name, row.file.name or "", row.sha256)


def _export_checks() -> Iterator[FileCheck]:
    rows = AccessExport.objects.filter(status=AccessExport.Status.READY).select_related("request").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        yield file_check(ACCESS_EXPORT, row.pk, row.request.reference, row.filename, row.file.name or "", row.sha256)


def register() -> None:
    register_stored_files(DPIA, "DPIA drafts", _dpia_checks)
    register_stored_files(ACCESS_EXPORT, "Access exports", _export_checks)
