"""The case archive of an incident, for journalisation in the municipality's own document system.

A public authority must journalise the documents it receives or sends in a case
(offentlighedsloven, lov nr. 606 af 12. juni 2013, § 15, stk. 1) and keep them under the
archive's rules on kassation (arkivloven) before this system deletes the incident after its
retention period. The manager orders a case archive; the worker builds it:

    sagsarkiv.zip
        dokumenter/NN-<report>.pdf     the reports marked as sent (PDF/A-3b, as rendered)
        dokumentation/NNN-<file>       the evidence files (originals, unchanged)
        metadata.json                  reference, journal number, dates, parties' roles,
        metadata.xml                   document list with SHA-256 (the same facts, simple XML)

Every file's SHA-256 is computed while it is copied and checked against the one recorded at
upload or rendering: a file that no longer matches stops the archive with a Danish reason.
The ZIP is stored privately; its download is audited. The manager then records the journal
number on the incident (`incidents.services.incident_set_journal_number`); the retention run
warns about closed incidents never journalised.

    case_archive_request(actor, incident, request=None) -> CaseArchive   (worker after commit)
    case_archive_build(archive_id, now=None) -> CaseArchive | None        (the worker's task)
    case_archive_fail(archive_id, reason)
    case_archive_open(archive) -> file
    archive_metadata(incident, documents, now) -> dict ; metadata_xml(metadata) -> bytes
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import zipfile
from xml.etree import ElementTree

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.evidence import delete_quietly, evidence_open
from incidents.models import Evidence, Incident

from .bundles import _copy_into, _iso, _zip_name
from .models import CaseArchive, Report, Status
from .services import TRANSIENT_ERRORS, ReportProblem, _claim, spool_store

logger = logging.getLogger(__name__)

FORMAT = "udhaengning-sagsarkiv/1"
LEGAL_BASIS = (
    "Offentlighedsloven (lov nr. 606 af 12. juni 2013) § 15, stk. 1: journalisering af dokumenter, "
    "der modtages eller afsendes i en sag; arkivloven (lovbekendtgørelse nr. 1201 af 29. september "
    "2016) om bevaring og kassation."
)

# Who received each kind of report (the party's role in the metadata).
RECIPIENTS = {
    Report.Kind.POLICE: "Politiet",
    Report.Kind.DATATILSYNET: "Datatilsynet",
    Report.Kind.DSA_NOTICE: "Platformen (DSA art. 16)",
    Report.Kind.BREACH_RECORD: "Den dataansvarlige (intern registrering)",
    Report.Kind.INTERNAL_HR: "HR og ledelse",
    Report.Kind.INTERNAL_AMO: "Arbejdsmiljøorganisationen",
}


def _enqueue(archive_id: int) -> None:
    from . import tasks

    try:
        tasks.build_case_archive.delay(archive_id)
    except Exception:  # noqa: BLE001 - a broker outage must not break the page
        logger.exception("Could not enqueue the case archive %s", archive_id)
        case_archive_fail(archive_id, _("Køen kunne ikke nås, så sagsarkivet er ikke gået i gang. Prøv igen om lidt."))


@transaction.atomic
def case_archive_request(*, actor, incident: Incident, request=None) -> CaseArchive:
    archive = CaseArchive.objects.create(incident=incident, created_by=actor)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=archive,
        summary=_("Sagsarkiv til journalisering bestilt"),
        details={"archive": archive.pk},
    )
    transaction.on_commit(lambda: _enqueue(archive.pk))
    return archive


def case_archive_fail(archive_id: int, reason: str) -> CaseArchive | None:
    with transaction.atomic():
        row = CaseArchive.objects.select_for_update().filter(pk=archive_id).first()
        if row is None or row.status == Status.READY:
            return row
        row.status, row.error, row.finished_at = Status.FAILED, reason, timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
    return row


def case_archive_open(archive: CaseArchive):
    if not (archive.is_ready and archive.file.name):
        raise FileNotFoundError("the case archive has no file")
    return default_storage.open(archive.file.name, "rb")


def sent_reports(incident: Incident) -> list[Report]:
    """The reports the authority sent in the case (marked as sent), oldest first."""
    return list(
        Report.objects.filter(incident=incident, status=Status.READY, sent_at__isnull=False)
        .exclude(file="")
        .order_by("sent_at", "id")
    )


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _parties(incident: Incident, reports: list[Report]) -> list[dict]:
    parties = [
        {"role": "berørt medarbejder", "name": _person(user), "job_title": getattr(user, "job_title", "")}
        for user in incident.targets.order_by("last_name", "first_name", "pk")
    ]
    if incident.target_names:
        parties.append({"role": "berørt (uden bruger)", "name": incident.target_names, "job_title": ""})
    if incident.reporter_id:
        parties.append({"role": "anmelder", "name": _person(incident.reporter), "job_title": ""})
    if incident.perpetrator_name or incident.perpetrator_relation != "unknown":
        parties.append(
            {
                "role": "afsender (har offentliggjort)",
                "name": incident.perpetrator_name,
                "relation": str(incident.get_perpetrator_relation_display()),
                "profile_url": incident.perpetrator_profile_url,
            }
        )
    for kind in dict.fromkeys(report.kind for report in reports):
        parties.append({"role": "modtager", "name": RECIPIENTS.get(kind, str(kind)), "kind": kind})
    return parties


def archive_metadata(incident: Incident, documents: list[dict], *, now, created_by: str) -> dict:
    """The metadata of the case archive (metadata.json; metadata.xml holds the same facts)."""
    return {
        "format": FORMAT,
        "legal_basis": LEGAL_BASIS,
        "reference": incident.reference,
        "journal_number": incident.journal_number,
        "title": incident.title,
        "organisation": incident.unit.organisation.name,
        "unit": incident.unit.name,
        "status": incident.status,
        "dates": {
            "discovered_at": _iso(incident.discovered_at),
            "registered_at": _iso(incident.registered_at),
            "closed_at": _iso(incident.closed_at),
            "archived_at": _iso(now),
        },
        "archived_by": created_by,
        "parties": _parties(incident, [d["_report"] for d in documents if d.get("_report") is not None]),
        "documents": [{key: value for key, value in d.items() if not key.startswith("_")} for d in documents],
    }


def metadata_xml(metadata: dict) -> bytes:
    """The metadata as a simple XML document (UTF-8), for document systems that import XML."""
    root = ElementTree.Element("sagsarkiv", {"format": metadata["format"]})
    for name in (
        "reference",
        "journal_number",
        "title",
        "organisation",
        "unit",
        "status",
        "archived_by",
        "legal_basis",
    ):
        ElementTree.SubElement(root, name).text = metadata[name] or ""
    dates = ElementTree.SubElement(root, "dates")
    for name, value in metadata["dates"].items():
        ElementTree.SubElement(dates, name).text = value or ""
    parties = ElementTree.SubElement(root, "parties")
    for party in metadata["parties"]:
        element = ElementTree.SubElement(parties, "party", {"role": party["role"]})
        element.text = party.get("name") or ""
    documents = ElementTree.SubElement(root, "documents")
    for document in metadata["documents"]:
        element = ElementTree.SubElement(documents, "document", {"type": document["type"]})
        for name in ("path", "title", "kind", "date", "content_type", "size", "sha256"):
            ElementTree.SubElement(element, name).text = "" if document.get(name) is None else str(document[name])
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _add_file(archive: zipfile.ZipFile, arcname: str, handle, expected: str, what: str) -> tuple[str, int]:
    with handle:
        sha, size = _copy_into(archive, arcname, handle)
    if expected and sha != expected:
        raise ReportProblem(
            _("«%(what)s» svarer ikke til den SHA-256, der blev registreret; den er ikke lagt i sagsarkivet.")
            % {"what": what}
        )
    return sha, size


def _write(archive: zipfile.ZipFile, incident: Incident, *, now, created_by: str) -> tuple[dict, bytes]:
    documents: list[dict] = []
    reports = sent_reports(incident)
    for number, report in enumerate(reports, start=1):
        arcname = f"dokumenter/{number:02d}-{report.download_name}"
        try:
            handle = default_storage.open(report.file.name, "rb")
        except FileNotFoundError as exc:
            raise ReportProblem(_("rapportens PDF-fil findes ikke i lageret.")) from exc
        sha, size = _add_file(archive, arcname, handle, report.sha256, report.get_kind_display())
        documents.append(
            {
                "type": "report",
                "path": arcname,
                "title": str(report.get_kind_display()),
                "kind": report.kind,
                "version": report.version,
                "date": _iso(report.sent_at),
                "sent_reference": report.sent_reference,
                "content_type": "application/pdf",
                "pdf_variant": "PDF/A-3b",
                "size": size,
                "sha256": sha,
                "_report": report,
            }
        )
    evidence = list(Evidence.objects.filter(incident=incident, removed_at__isnull=True).order_by("uploaded_at", "id"))
    for number, item in enumerate(evidence, start=1):
        arcname = _zip_name(number, item.original_name)
        try:
            handle = evidence_open(item)
        except FileNotFoundError as exc:
            raise ReportProblem(_("filen «%(name)s» findes ikke i lageret.") % {"name": item.original_name}) from exc
        sha, size = _add_file(archive, arcname, handle, item.sha256, item.original_name)
        documents.append(
            {
                "type": "evidence",
                "path": arcname,
                "title": item.original_name,
                "kind": item.kind,
                "date": _iso(item.captured_at or item.uploaded_at),
                "content_type": item.content_type,
                "size": size,
                "sha256": sha,
            }
        )
    metadata = archive_metadata(incident, documents, now=now, created_by=created_by)
    metadata_json = (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode()
    archive.writestr("metadata.json", metadata_json, compress_type=zipfile.ZIP_DEFLATED)
    archive.writestr("metadata.xml", metadata_xml(metadata), compress_type=zipfile.ZIP_DEFLATED)
    return metadata, metadata_json


def case_archive_build(archive_id: int, *, now=None) -> CaseArchive | None:
    """Write the ZIP to private storage and mark the archive ready (or failed with the reason)."""
    row, done = _claim(CaseArchive, archive_id, ("incident", "incident__unit__organisation", "created_by"))
    if row is None:
        return done
    incident, now = row.incident, now or timezone.now()
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                metadata, metadata_json = _write(archive, incident, now=now, created_by=_person(row.created_by))
            stored, sha256, size = spool_store(spool, row, "archive.zip")
    except ReportProblem as exc:
        return case_archive_fail(archive_id, _("Sagsarkivet kunne ikke laves: %(reason)s") % {"reason": exc})
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("Case archive %s could not be built", archive_id)
        return case_archive_fail(
            archive_id,
            _(
                "Der opstod en uventet fejl, da sagsarkivet skulle laves. Prøv igen; "
                "sker det igen, så kontakt support og oplys arkiv-id %(id)s."
            )
            % {"id": archive_id},
        )
    try:
        with transaction.atomic():
            done = CaseArchive.objects.select_for_update().get(pk=archive_id)
            done.status, done.error, done.file.name = Status.READY, "", stored
            done.sha256, done.size = sha256, size
            done.metadata_sha256 = hashlib.sha256(metadata_json).hexdigest()
            done.document_count = len(metadata["documents"])
            done.finished_at = timezone.now()
            done.save(
                update_fields=[
                    "status",
                    "error",
                    "file",
                    "sha256",
                    "size",
                    "metadata_sha256",
                    "document_count",
                    "finished_at",
                ]
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.EXPORT,
                obj=done,
                summary=_("Sagsarkiv lavet"),
                details={
                    "sha256": done.sha256,
                    "metadata_sha256": done.metadata_sha256,
                    "documents": done.document_count,
                },
            )
    except CaseArchive.DoesNotExist:
        delete_quietly(stored)
        return None
    except BaseException:
        delete_quietly(stored)
        raise
    return done
