"""Pages of the local test site captured by a real Chromium through a real Celery worker on the
"capture" queue, time-stamped by a real local TSA, then watched until they change and disappear."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from warcio.archiveiterator import ArchiveIterator

from incidents.capture import services
from incidents.capture.models import Capture, CaptureFile, Watch
from incidents.evidence import evidence_open
from incidents.models import TimelineEntry
from notifications.models import Notification
from tests.capture.conftest import close_worker_connections
from tests.reports.test_worker import finished_tasks, wait_for_task
from tests.security.world import private_storage
from udhaengning.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTURE_TASK = "incidents.capture.tasks.capture_page"


def _read(item: CaptureFile) -> bytes:
    with evidence_open(item.evidence) as handle:
        return handle.read()


def _files(capture: Capture) -> dict[str, bytes]:
    return {item.role: _read(item) for item in capture.files.select_related("evidence")}


def _leftover_browsers() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"udh-capture-" in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _capture(done, event, manager, case, url, publication=None) -> Capture:
    before = done.count(CAPTURE_TASK)
    capture = services.capture_request(actor=manager, incident=case, url=url, publication=publication)
    while done.count(CAPTURE_TASK) == before:
        assert event.wait(90), f"the worker did not capture {url} (ran {done})"
        event.clear()
    capture.refresh_from_db()
    return capture


def test_the_capture_worker_secures_times_and_watches_pages(personas, case, site, tsa, limits, settings, tmp_path):
    private_storage(settings, tmp_path / "storage")
    settings.CAPTURE_WATCH_MIN_MINUTES = 60
    manager = personas.manager
    publication = case.publications.get()
    app.control.purge()
    started = timezone.now().replace(microsecond=0)
    with (
        finished_tasks() as (done, event),
        start_worker(app, pool="solo", perform_ping_check=False, queues=["capture"], shutdown_timeout=30),
    ):
        normal = _capture(done, event, manager, case, site.url("/normal"), publication)
        redirected = _capture(done, event, manager, case, site.url("/redirect"))
        huge = _capture(done, event, manager, case, site.url("/huge"))
        hanging = _capture(done, event, manager, case, site.url("/hang"))
        changing = _capture(done, event, manager, case, site.url("/changing"))
        disappearing = _capture(done, event, manager, case, site.url("/disappearing"))

        # The site changes: one page gets new text, the other is taken down.
        site.state["version"] = 2
        site.state["gone"] = True
        Watch.objects.update(next_check_at=timezone.now() - timedelta(minutes=1))
        app.send_task("incidents.capture.tasks.watch_due_pages")
        wait_for_task(done, event, "incidents.capture.tasks.watch_due_pages")
        while done.count("incidents.capture.tasks.check_watch") < 4:  # four watched pages
            assert event.wait(90), f"the worker did not check the watches (ran {done})"
            event.clear()

    close_worker_connections()

    # A normal page: every file stored as evidence with its SHA-256, the capture time from the system.
    assert normal.status == Capture.Status.DONE, normal.error
    assert normal.http_status == 200 and normal.final_url == site.url("/normal")
    assert started <= normal.captured_at <= timezone.now()
    assert normal.response_headers["x-test-site"] == "normal"
    files = _files(normal)
    assert set(files) == {"screenshot", "pdf", "mhtml", "warc", "text", "headers", "manifest"}
    for item in normal.files.select_related("evidence"):
        assert hashlib.sha256(files[item.role]).hexdigest() == item.evidence.sha256
        assert item.evidence.captured_at == normal.captured_at and item.evidence.publication_id == publication.pk
    shot = Image.open(io.BytesIO(files["screenshot"]))
    assert shot.width == 1280 and shot.getpixel((4, 4))[:3] == (25, 42, 86)  # the header band with URL and time
    assert "Sara fra jobcentret" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert b"multipart/related" in files["mhtml"] and b"Opslag om Sara" in files["mhtml"]
    assert "Æ, ø og å virker." in files["text"].decode()
    records = [
        (
            r.rec_headers.get_header("WARC-Target-URI"),
            r.http_headers.get_statuscode(),
            r.rec_headers.get_header("WARC-IP-Address"),
        )
        for r in ArchiveIterator(io.BytesIO(files["warc"]))
        if r.rec_type == "response"
    ]
    assert (site.url("/normal"), "200", "127.0.0.1") in records
    assert any(uri == site.url("/pixel.png") for uri, _, _ in records)
    manifest = json.loads(files["manifest"])
    assert normal.manifest_sha256 == hashlib.sha256(files["manifest"]).hexdigest()
    assert {f["role"]: f["sha256"] for f in manifest["files"]} == {
        item.role: item.evidence.sha256 for item in normal.files.select_related("evidence") if item.role != "manifest"
    }
    assert manifest["captured_at"] == normal.captured_at.isoformat() and manifest["http_status"] == 200

    # One timeline entry for the whole capture; the publication is marked as secured and online.
    entries = TimelineEntry.objects.filter(
        incident=case, kind=TimelineEntry.Kind.EVIDENCE_ADDED, text__contains=normal.manifest_sha256
    )
    assert entries.count() == 1 and "tidsstemplet" in entries.get().text
    publication.refresh_from_db()
    assert publication.captured_at == normal.captured_at

    # The manifest's hash carries a token from the local TSA that openssl accepts as it is.
    token = normal.tokens.get()
    assert token.ok and abs(token.gen_time - normal.captured_at) < timedelta(minutes=1)
    (tmp_path / "manifest.json").write_bytes(files["manifest"])
    (tmp_path / "token.tsr").write_bytes(bytes(token.response))
    verified = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            str(tmp_path / "token.tsr"),
            "-data",
            str(tmp_path / "manifest.json"),
            "-CAfile",
            str(tsa["ca_file"]),
        ],
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stderr

    # A redirect is followed (each hop checked) and recorded.
    assert redirected.status == Capture.Status.DONE and redirected.final_url == site.url("/normal")
    assert redirected.redirects == [{"url": site.url("/redirect"), "status": 302, "location": site.url("/normal")}]

    # Too large and hanging pages fail with a Danish reason; the browser of each was stopped.
    assert huge.status == Capture.Status.FAILED and "større end grænsen på 1 MB" in huge.error
    assert hanging.status == Capture.Status.FAILED and "svarede ikke inden for 3 sekunder" in hanging.error
    assert not huge.files.exists() and not hanging.files.exists()
    assert _leftover_browsers() == []

    # verify_evidence re-hashes the files and verifies every token.
    out = io.StringIO()
    call_command("verify_evidence", stdout=out)
    assert "Time-stamp tokens: 4 checked, 4 valid" in out.getvalue()  # normal, redirected, changing, disappearing

    # The watch saw the change and the removal; both are on the timeline and told to the managers.
    changed = Watch.objects.get(url=changing.url)
    removed = Watch.objects.get(url=disappearing.url)
    assert changed.changed_since_capture and changed.state == Watch.State.ONLINE
    assert removed.state == Watch.State.REMOVED and removed.last_http_status == 404
    assert Watch.objects.get(url=normal.url).interval_minutes == 120  # unchanged: the interval doubles
    kinds = list(TimelineEntry.objects.filter(incident=case, kind__startswith="page_").values_list("kind", "text"))
    assert ("page_changed", f"Ændret: {changing.url} (HTTP 200)") in kinds
    assert ("page_removed", f"Fjernet: {disappearing.url} (HTTP 404)") in kinds
    told = Notification.objects.filter(recipient=manager, kind="page_watch", channel="in_app")
    assert told.count() == 2
    assert all(case.reference in n.subject and site.base not in n.body for n in told)
