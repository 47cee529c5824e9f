"""The DPIA drafts and access exports in `manage.py verify_evidence`.

Registered with `incidents.integrity.register_stored_rows` in PrivacyConfig.ready(); each
ready row's file is re-hashed and compared with the SHA-256 in its row. They belong to no
incident: a DPIA draft is named by its version, an export by its request's reference.
"""

from __future__ import annotations

from incidents.integrity import register_stored_rows

from .dpia_models import DpiaDraft
from .models import AccessExport

DPIA = "dpia"
ACCESS_EXPORT = "access_export"


def register() -> None:
    register_stored_rows(
        DPIA,
        "DPIA drafts",
        lambda: DpiaDraft.objects.filter(status=DpiaDraft.Status.READY),
        reference=lambda row: f"DPIA v{row.version}",
    )
    register_stored_rows(
        ACCESS_EXPORT,
        "Access exports",
        lambda: AccessExport.objects.filter(status=AccessExport.Status.READY).select_related("request"),
        reference=lambda row: row.request.reference,
        name="filename",
    )
