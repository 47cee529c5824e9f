"""Evidence bundles: a ZIP of one report, the original evidence files byte for byte and a manifest
with every file's SHA-256 (`bundle_build`, run by the worker), and opening a finished bundle.

Part of `reports.services`'s interface (imported there); requested with `bundle_request`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.capture.bundle import bundle_captures, captures_text
from incidents.evidence import evidence_open
from incidents.models import Evidence
from incidents.storage import delete_quietly

from .models import EvidenceBundle, Status
from .renderers import ReportProblem
from .services import CHUNK_SIZE, _claim, bundle_fail, report_open, spool_store

logger = logging.getLogger(__name__)


def _zip_name(number: int, original_name: str) -> str:
    """A unique, harmless name inside the ZIP: a number, then the user's name without folders."""
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "fil"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in ':*?"<>|')
    return f"dokumentation/{number:03d}-{name[:150]}"


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _copy_into(archive: zipfile.ZipFile, arcname: str, source) -> tuple[str, int]:
    """Stream `source` into the archive; (SHA-256, size) of the bytes written."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(arcname, "w", force_zip64=True) as target:
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def manifest_text(manifest: dict) -> str:
    """The manifest for people: the same facts as manifest.json, in Danish."""
    lines = [
        _("Bevispakke for sag %(reference)s") % {"reference": manifest["incident"]},
        _("Dannet: %(at)s af %(by)s") % {"at": manifest["created_at"], "by": manifest["created_by"] or "–"},
        "",
        _("Kontrollér en fil ved at beregne dens SHA-256 og sammenligne med tallet her,"),
        _("fx med «sha256sum FILNAVN» (Linux), «shasum -a 256 FILNAVN» (macOS) eller"),
        _("«certutil -hashfile FILNAVN SHA256» (Windows)."),
        "",
        _("Rapport"),
        f"  {manifest['report']['path']}",
        "    " + _("art: %(kind)s, version %(version)s") % manifest["report"],
        "    " + _("størrelse: %(size)s bytes") % manifest["report"],
        f"    SHA-256: {manifest['report']['sha256']}",
        "",
        _("Dokumentation (originalfiler, uændrede)"),
    ]
    if not manifest["files"]:
        lines.append("  " + _("(ingen)"))
    for item in manifest["files"]:
        lines += [
            f"  {item['path']}",
            "    " + _("oprindeligt filnavn: %(original_name)s") % item,
            "    " + _("art: %(kind)s, størrelse: %(size)s bytes") % item,
            "    "
            + _("sikret: %(at)s") % {"at": item["captured_at"] or _("ikke oplyst")}
            + " "
            + (_("(indtastet)") if item.get("captured_at_source") == "typed" else _("(systemets tid ved upload)")),
            "    " + _("uploadet af: %(by)s") % {"by": item.get("uploaded_by") or "–"},
            f"    SHA-256: {item['sha256']}",
        ]
    if manifest["removed"]:
        lines += ["", _("Fjernet fra sagen (ikke i pakken)")]
        for item in manifest["removed"]:
            lines += [
                f"  {item['original_name']}",
                "    " + _("fjernet: %(at)s") % {"at": item["removed_at"]},
                f"    SHA-256: {item['sha256']}",
            ]
    lines += captures_text(manifest.get("captures") or [])
    lines += [
        "",
        _(
            "manifest.json indeholder de samme oplysninger i maskinlæsbar form; dens SHA-256 står på "
            "sagens side i systemet."
        ),
    ]
    return "\n".join(lines) + "\n"


def bundle_build(bundle_id: int, *, now=None) -> EvidenceBundle | None:
    """Write the ZIP to private storage and mark the bundle ready (or failed with the reason)."""
    bundle, done = _claim(
        EvidenceBundle, bundle_id, ("report", "report__incident", "report__incident__unit", "created_by")
    )
    if bundle is None:
        return done
    report = bundle.report
    incident = report.incident
    now = now or timezone.now()
    # The files listed in the report; every file removed from the case is listed as removed.
    evidence = list(
        Evidence.objects.filter(Q(pk__in=report.evidence_ids or []) | Q(removed_at__isnull=False), incident=incident)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    kept = [e for e in evidence if not e.is_removed]
    removed = [e for e in evidence if e.is_removed]
    report_path = f"rapport/{report.download_name}"
    files: list[dict] = []
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                with report_open(report) as handle:
                    report_sha, report_size = _copy_into(archive, report_path, handle)
                if report_sha != report.sha256:
                    raise ReportProblem(
                        _(
                            "rapportens fil svarer ikke længere til den SHA-256, der blev "
                            "registreret, da den blev dannet."
                        )
                    )
                for number, item in enumerate(kept, start=1):
                    arcname = _zip_name(number, item.original_name)
                    try:
                        handle = evidence_open(item)
                    except FileNotFoundError as exc:
                        raise ReportProblem(
                            _("filen «%(name)s» findes ikke i lageret.") % {"name": item.original_name}
                        ) from exc
                    with handle:
                        sha, size = _copy_into(archive, arcname, handle)
                    if sha != item.sha256:
                        raise ReportProblem(
                            _(
                                "filen «%(name)s» svarer ikke til den SHA-256, der blev registreret "
                                "ved upload; den er ikke lagt i pakken."
                            )
                            % {"name": item.original_name}
                        )
                    uploader = item.uploaded_by
                    files.append(
                        {
                            "path": arcname,
                            "original_name": item.original_name,
                            "kind": item.kind,
                            "content_type": item.content_type,
                            "size": size,
                            "sha256": sha,
                            # The capture time a person typed in, else the system's time of upload.
                            "captured_at": _iso(item.captured_at or item.uploaded_at),
                            "captured_at_source": "typed" if item.captured_at else "system",
                            "uploaded_at": _iso(item.uploaded_at),
                            "uploaded_by": (uploader.get_full_name() or uploader.get_username()) if uploader else "",
                        }
                    )
                creator = bundle.created_by
                manifest = {
                    "format": "udhaengning-bevispakke/2",
                    "incident": incident.reference,
                    "created_at": _iso(now),
                    "created_by": (creator.get_full_name() or creator.get_username()) if creator else "",
                    "report": {
                        "path": report_path,
                        "kind": report.kind,
                        "version": report.version,
                        "size": report_size,
                        "sha256": report_sha,
                        "pages": report.page_count,
                        "generated_at": _iso(report.finished_at),
                    },
                    "files": files,
                    "removed": [
                        {
                            "original_name": e.original_name,
                            "sha256": e.sha256,
                            "size": e.size,
                            "removed_at": _iso(e.removed_at),
                        }
                        for e in removed
                    ],
                }
                # Page captures among the files: their manifests, RFC 3161 tokens and how to check them.
                manifest["captures"], capture_files = bundle_captures(incident, {e.pk for e in kept})
                for arcname, data in capture_files:
                    archive.writestr(arcname, data, compress_type=zipfile.ZIP_DEFLATED)
                manifest_json = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
                archive.writestr("manifest.json", manifest_json, compress_type=zipfile.ZIP_DEFLATED)
                archive.writestr("manifest.txt", manifest_text(manifest).encode(), compress_type=zipfile.ZIP_DEFLATED)
            stored, zip_sha, zip_size = spool_store(spool, bundle, "bundle.zip")
    except ReportProblem as exc:
        return bundle_fail(bundle_id, _("Bevispakken kunne ikke laves: %(reason)s") % {"reason": exc})
    except FileNotFoundError:
        return bundle_fail(bundle_id, _("Bevispakken kunne ikke laves: rapportens PDF-fil findes ikke i lageret."))

    manifest_sha = hashlib.sha256(manifest_json).hexdigest()
    try:
        with transaction.atomic():
            row = EvidenceBundle.objects.select_for_update().get(pk=bundle_id)
            row.status = Status.READY
            row.error = ""
            row.file.name = stored
            row.sha256 = zip_sha
            row.size = zip_size
            row.manifest_sha256 = manifest_sha
            row.file_count = len(files)
            row.finished_at = timezone.now()
            row.save(
                update_fields=[
                    "status",
                    "error",
                    "file",
                    "sha256",
                    "size",
                    "manifest_sha256",
                    "file_count",
                    "finished_at",
                ]
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.EXPORT,
                obj=row,
                summary=_("Bevispakke lavet"),
                details={
                    "sha256": row.sha256,
                    "manifest_sha256": manifest_sha,
                    "files": len(files),
                    "report_sha256": report_sha,
                },
            )
    except EvidenceBundle.DoesNotExist:
        delete_quietly(stored)
        return None
    except BaseException:
        delete_quietly(stored)
        raise
    return row


def bundle_open(bundle: EvidenceBundle):
    if not (bundle.is_ready and bundle.file.name):
        raise FileNotFoundError("the bundle has no file")
    return default_storage.open(bundle.file.name, "rb")
