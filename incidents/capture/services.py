"""Captures: asking for one, running it, storing what it found, time-stamping the manifest.

    capture_request(*, actor, incident, url, publication=None, request=None) -> Capture
        checks the address (ssrf.Refused with a Danish reason), writes the pending row and
        enqueues the task on the "capture" queue after commit.
    capture_run(capture_id) -> Capture | None
        the task's body: runs the browser, stores every file as evidence of the incident with
        the system's capture time, writes the manifest, asks the TSAs, starts the watch.
    capture_upload(*, actor, incident, uploaded_file, url, publication=None, request=None)
        the manager's own capture of a page behind a login (screenshot, SingleFile HTML, WACZ),
        hashed, listed in a manifest and time-stamped the same way.
    capture_retry(*, actor, capture, request=None) -> Capture    a new capture of the same URL
    capture_timestamp(capture) -> list[TimestampToken]           tokens from every configured TSA
    capture_fail(capture_id, reason)

Files are `Evidence` rows (the evidence rules apply: type from content, SHA-256, private
storage, audit); the capture writes one timeline entry for all of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.evidence import EvidenceRejected, evidence_store
from incidents.models import TimelineEntry
from incidents.storage import delete_quietly

from . import browser, ssrf, tsa
from .models import Capture, CaptureFile, TimestampToken, Watch

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = "udhaengning-sikring/1"
FILE_NAMES = {
    CaptureFile.Role.SCREENSHOT: "skaermbillede.png",
    CaptureFile.Role.PDF: "udskrift.pdf",
    CaptureFile.Role.MHTML: "side.mhtml",
    CaptureFile.Role.WARC: "forespoergsler.warc",
    CaptureFile.Role.TEXT: "synlig-tekst.txt",
    CaptureFile.Role.HEADERS: "http-svar.json",
}


class CaptureRefused(ValueError):
    """The capture cannot be asked for; str(exc) is Danish."""


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# --- Asking --------------------------------------------------------------------------------


def capture_request(*, actor, incident, url: str, publication=None, request=None) -> Capture:
    url = (url or "").strip()
    if publication is not None and publication.incident_id != incident.pk:
        raise ValueError("The publication belongs to another incident.")
    try:
        ssrf.check_url(url)
    except ssrf.Refused as exc:
        raise CaptureRefused(_("Siden kan ikke sikres: %(reason)s") % {"reason": exc}) from exc
    with transaction.atomic():
        capture = Capture.objects.create(incident=incident, publication=publication, url=url, requested_by=actor)
        audit_record(
            request=request,
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=capture,
            summary=_("Sikring af webside bestilt"),
            details={"url": url},
        )
        transaction.on_commit(lambda: _enqueue(capture.pk))
    return capture


def capture_retry(*, actor, capture: Capture, request=None) -> Capture:
    """One click: capture the same URL again (a new row; the old capture stays)."""
    return capture_request(
        actor=actor, incident=capture.incident, url=capture.url, publication=capture.publication, request=request
    )


def _enqueue(capture_id: int) -> None:
    from .tasks import capture_page

    try:
        capture_page.delay(capture_id)
    except Exception:  # noqa: BLE001 - a broker that is down must not lose the row silently
        logger.exception("Could not enqueue capture %s", capture_id)
        capture_fail(capture_id, _("Sikringen kunne ikke sendes til behandling. Prøv igen om lidt."))


def capture_fail(capture_id: int, reason: str) -> Capture | None:
    with transaction.atomic():
        capture = Capture.objects.select_for_update().filter(pk=capture_id).first()
        if capture is None:
            return None
        capture.status = Capture.Status.FAILED
        capture.error = reason
        capture.finished_at = timezone.now()
        capture.save(update_fields=["status", "error", "finished_at"])
    return capture


def _claim(capture_id: int) -> Capture | None:
    with transaction.atomic():
        capture = (
            Capture.objects.select_for_update(of=("self",))
            .select_related("incident", "incident__unit", "publication", "requested_by")
            .filter(pk=capture_id)
            .first()
        )
        if capture is None or capture.status not in Capture.UNFINISHED:
            return None
        capture.status = Capture.Status.RUNNING
        capture.started_at = timezone.now()
        capture.attempts += 1
        capture.save(update_fields=["status", "started_at", "attempts"])
    return capture


# --- Running ---------------------------------------------------------------------------------


def capture_run(capture_id: int, *, limits: browser.Limits | None = None) -> Capture | None:
    capture = _claim(capture_id)
    if capture is None:
        return None
    try:
        page = browser.capture_page(capture.url, limits=limits or browser.Limits.from_settings())
    except (browser.CaptureFailed, ssrf.Refused) as exc:
        return capture_fail(capture_id, _("Siden kunne ikke sikres: %(reason)s") % {"reason": exc})
    headers_json = json.dumps(
        {
            "requested_url": capture.url,
            "final_url": page.final_url,
            "status": page.status,
            "headers": page.headers,
            "redirects": page.redirects,
        },
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    ).encode()
    files = [
        (role, page.files[role])
        for role in (
            CaptureFile.Role.SCREENSHOT,
            CaptureFile.Role.PDF,
            CaptureFile.Role.MHTML,
            CaptureFile.Role.WARC,
            CaptureFile.Role.TEXT,
        )
        if page.files.get(role)
    ]
    files.append((CaptureFile.Role.HEADERS, headers_json))
    capture.captured_at = page.captured_at
    capture.final_url = page.final_url[:2000]
    capture.http_status = page.status
    capture.response_headers = page.headers
    capture.redirects = page.redirects
    capture.text_sha256 = page.text_sha256
    capture.login_required = page.login_required
    capture.duration_ms = page.duration_ms
    return _store(
        capture,
        files=files,
        notes=page.notes,
        extra={
            "requests": page.requests,
            "bytes_fetched": page.bytes_fetched,
            "duration_ms": page.duration_ms,
        },
    )


def _store(
    capture: Capture, *, files: list[tuple[str, bytes]], notes: list[str], extra: dict, uploaded_name: str = ""
) -> Capture:
    """Store the files and the manifest as evidence, time-stamp, finish the row, start the watch."""
    incident, actor = capture.incident, capture.requested_by
    stored: list[tuple[str, object]] = []
    try:
        for role, data in files:
            name = uploaded_name if role == CaptureFile.Role.UPLOAD else FILE_NAMES[role]
            evidence = evidence_store(
                actor=actor,
                incident=incident,
                uploaded_file=ContentFile(data, name=name),
                description=(_("Sikring af %(url)s") % {"url": capture.url})[:400],
                captured_at=capture.captured_at,
                publication=capture.publication,
                timeline=False,
                accept_wacz=role == CaptureFile.Role.UPLOAD,
            )
            stored.append((role, evidence))
        manifest = {
            "format": MANIFEST_FORMAT,
            "incident": incident.reference,
            "capture_id": capture.pk,
            "source": capture.source,
            "requested_url": capture.url,
            "final_url": capture.final_url,
            "http_status": capture.http_status,
            "redirects": capture.redirects,
            "captured_at": _iso(capture.captured_at),
            "captured_at_source": "system clock (UTC) when the page had loaded"
            if capture.source == Capture.Source.BROWSER
            else "upload time (system clock)",
            "visible_text_sha256": capture.text_sha256,
            "login_required": capture.login_required,
            "files": [
                {
                    "role": role,
                    "name": ev.original_name,
                    "content_type": ev.content_type,
                    "size": ev.size,
                    "sha256": ev.sha256,
                }
                for role, ev in stored
            ],
            "notes": notes,
            **extra,
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        manifest_ev = evidence_store(
            actor=actor,
            incident=incident,
            uploaded_file=ContentFile(manifest_bytes, name="manifest.json"),
            description=(_("Manifest for sikring af %(url)s") % {"url": capture.url})[:400],
            captured_at=capture.captured_at,
            publication=capture.publication,
            timeline=False,
        )
        stored.append((CaptureFile.Role.MANIFEST, manifest_ev))
    except (EvidenceRejected, OSError) as exc:
        for _role, evidence in stored:
            delete_quietly(evidence.file.name)
            evidence.delete()
        return capture_fail(capture.pk, _("Sikringen kunne ikke gemmes: %(reason)s") % {"reason": exc})

    stamps, errors = _stamps(manifest_bytes)
    with transaction.atomic():
        CaptureFile.objects.bulk_create([CaptureFile(capture=capture, evidence=ev, role=role) for role, ev in stored])
        TimestampToken.objects.bulk_create(
            [
                TimestampToken(
                    capture=capture,
                    tsa_url=s.url,
                    response=s.response,
                    gen_time=s.gen_time,
                    serial_number=s.serial_number,
                )
                for s in stamps
            ]
            + [TimestampToken(capture=capture, tsa_url=url, error=error) for url, error in errors]
        )
        capture.manifest_sha256 = manifest_ev.sha256
        capture.status = Capture.Status.DONE
        capture.error = ""
        capture.finished_at = timezone.now()
        capture.save()
        stamp_text = (
            (_("tidsstemplet %(at)s") % {"at": timezone.localtime(stamps[0].gen_time).strftime("%d.%m.%Y %H:%M:%S")})
            if stamps
            else _("intet betroet tidsstempel")
        )
        TimelineEntry.objects.create(
            incident=incident,
            actor=actor,
            kind=TimelineEntry.Kind.EVIDENCE_ADDED,
            occurred_on=timezone.localdate(),
            visible_to_employee=True,
            text=_("Side sikret: %(url)s (HTTP %(status)s, manifest SHA-256 %(sha)s, %(stamp)s)")
            % {
                "url": capture.url,
                "status": capture.http_status or "–",
                "sha": manifest_ev.sha256,
                "stamp": stamp_text,
            },
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            obj=capture,
            summary=_("Webside sikret"),
            details={
                "url": capture.url,
                "final_url": capture.final_url,
                "status": capture.http_status,
                "manifest_sha256": manifest_ev.sha256,
                "files": len(stored),
                "timestamps": len(stamps),
            },
        )
        if capture.publication_id:
            publication = capture.publication
            publication.captured_at = capture.captured_at
            if capture.http_status is not None and capture.source == Capture.Source.BROWSER:
                publication.still_online = capture.http_status < 400
            publication.save(update_fields=["captured_at", "still_online"])
        if capture.source == Capture.Source.BROWSER:
            watch_start(capture)
    return capture


def _stamps(manifest_bytes: bytes) -> tuple[list[tsa.Stamp], list[tuple[str, str]]]:
    stamps, errors = [], []
    for url in tsa.configured_urls():
        try:
            stamps.append(tsa.timestamp_request(manifest_bytes, url))
        except tsa.TimestampFailed as exc:
            logger.warning("Time-stamping failed: %s", exc)
            errors.append((url, str(exc)))
    return stamps, errors


# --- Upload of the manager's own capture -----------------------------------------------------


def _check_wacz(uploaded_file, name: str) -> None:
    if not name.lower().endswith(".wacz"):
        return
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise CaptureRefused(_("«%(name)s» er ikke en gyldig WACZ-fil.") % {"name": name}) from exc
    finally:
        uploaded_file.seek(0)
    if "datapackage.json" not in names or not any(n.startswith("archive/") for n in names):
        raise CaptureRefused(
            _("«%(name)s» er ikke en WACZ-fil: datapackage.json eller archive/ mangler.") % {"name": name}
        )


def capture_upload(*, actor, incident, uploaded_file, url: str, publication=None, request=None) -> Capture:
    """The manager's own capture of a page the system could not open (behind a login)."""
    name = getattr(uploaded_file, "name", "") or "upload"
    _check_wacz(uploaded_file, name)
    now = timezone.now().replace(microsecond=0)
    capture = Capture.objects.create(
        incident=incident,
        publication=publication,
        url=url,
        requested_by=actor,
        source=Capture.Source.UPLOAD,
        status=Capture.Status.RUNNING,
        started_at=now,
        captured_at=now,
        attempts=1,
    )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    capture = _store(capture, files=[(CaptureFile.Role.UPLOAD, data)], notes=[], extra={}, uploaded_name=name)
    if capture.status == Capture.Status.FAILED:
        error = capture.error
        capture.delete()
        raise CaptureRefused(error)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=capture,
        summary=_("Egen sikring af webside uploadet"),
        details={"url": url, "name": name},
    )
    return capture


# --- Watching starts with a capture ----------------------------------------------------------


def watch_start(capture: Capture) -> Watch | None:
    """Watch the captured URL from now on (or re-base an existing watch on this capture)."""
    incident = capture.incident
    if not incident.is_open:
        return None
    minutes = settings.CAPTURE_WATCH_MIN_MINUTES
    removed = capture.http_status is not None and capture.http_status in (404, 410, 451)
    watch, _created = Watch.objects.update_or_create(
        incident=incident,
        url=capture.url,
        defaults={
            "publication": capture.publication,
            "capture": capture,
            "active": True,
            "stopped_reason": "",
            "state": Watch.State.REMOVED if removed else Watch.State.ONLINE,
            "changed_since_capture": False,
            "next_check_at": timezone.now() + timedelta(minutes=minutes),
            "interval_minutes": minutes,
            "last_http_status": capture.http_status,
            "last_final_url": capture.final_url,
            "last_text_sha256": capture.text_sha256,
        },
    )
    return watch


# --- Reading ---------------------------------------------------------------------------------


def timestamp_label(capture: Capture, tokens: list[TimestampToken]) -> str:
    good = [t for t in tokens if t.ok]
    if good:
        return _("Betroet tidsstempel %(at)s (%(n)s TSA)") % {
            "at": timezone.localtime(good[0].gen_time).strftime("%d.%m.%Y %H:%M:%S"),
            "n": len(good),
        }
    if tokens:
        return _("Tidsstempling mislykkedes")
    return _("Intet betroet tidsstempel")


def manifest_bytes_of(capture: Capture) -> bytes | None:
    from incidents.evidence import evidence_open

    item = next((f for f in capture.files.all() if f.role == CaptureFile.Role.MANIFEST), None)
    if item is None:
        return None
    try:
        with evidence_open(item.evidence) as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != item.evidence.sha256:
        return None
    return data
