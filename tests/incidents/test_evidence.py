"""Evidence: type from content, streaming hash, size limit, safe names, downloads, removal, audit."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import evidence as evidence_module
from incidents.evidence import EvidenceRejected, clean_original_name, evidence_store, sniff
from incidents.forms.evidence import EvidenceUploadForm
from incidents.models import Evidence, Incident, TimelineEntry
from incidents.services import evidence_remove, incident_register
from incidents.upload_handlers import EvidenceSizeLimitUploadHandler
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


# --- Sample files (made here, byte for byte) -------------------------------------------------


def _png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 32 + b"\xff\xfb\x90\x00" + b"\x00" * 400
WAV = (
    b"RIFF"
    + struct.pack("<I", 36)
    + b"WAVEfmt "
    + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    + b"data\0\0\0\0"
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 64
HTML = (
    b'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>Opslag</title></head>'
    b"<body><p>Hun er en heks</p><script>alert(1)</script></body></html>"
)
SAVED_PAGE = b"<!-- saved from url=(0022)https://facebook.com/ -->\r\n<HTML><HEAD></HEAD><BODY>x</BODY></HTML>"
MHTML = (
    b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.facebook.com/x\r\nSubject: Opslag\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
    b'\ttype="text/html";\r\n\tboundary="----MultipartBoundary--x----"\r\n\r\n'
    b"------MultipartBoundary--x----\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n"
    b"------MultipartBoundary--x------\r\n"
)
TEXT = "Skærmbillede taget kl. 14.30. Citat: «Hun er en heks».\n".encode()
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00@"
    + b"\x00" * 35
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00L\x01\x03\x00"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
SVG_UPPER = b"\xef\xbb\xbf<!-- x -->\n<SVG/onload=alert(1)>"
PAGE_WITH_ICONS = (
    b'<!doctype html><html><body><svg viewBox="0 0 1 1"><path d="M0 0"/></svg><p>Kommentar</p></body></html>'
)
XHTML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body><svg/></body></html>'
)
SVG_BARE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'


def _zip(names=("a.txt",)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path) -> Path:
    """Each test gets its own private storage folder."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def incident(personas) -> Incident:
    """A case in Børn og Familie about the caseworker, registered by the manager."""
    return incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Opslag i lokal Facebook-gruppe",
            "discovered_at": timezone.now() - timedelta(days=1),
            "named": True,
        },
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/x/posts/1"}],
    )


def _store(personas, incident, name="skaermbillede.png", content=PNG, **kwargs) -> Evidence:
    return evidence_store(actor=personas.manager, incident=incident, uploaded_file=_upload(name, content), **kwargs)


def _upload_url(incident) -> str:
    return reverse("incidents:evidence_upload", args=[incident.reference])


def _download_url(item: Evidence) -> str:
    return reverse("incidents:evidence_download", args=[item.incident.reference, item.pk])


def _remove_url(item: Evidence) -> str:
    return reverse("incidents:evidence_remove", args=[item.incident.reference, item.pk])


def _detail_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.reference]) + "#dokumentation-overskrift"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Storing: hash, bytes, name, timeline, audit -------------------------------------------------


def test_store_keeps_bytes_unchanged_with_streamed_sha256(personas, incident, private_storage):
    content = PNG + b"\x00" * (3 * MB)  # several chunks
    item = _store(personas, incident, content=content, description="Opslaget med kommentarer")

    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    assert item.kind == Evidence.Kind.IMAGE
    assert item.content_type == "image/png"
    assert item.original_name == "skaermbillede.png"
    with default_storage.open(item.file.name, "rb") as stored:
        assert stored.read() == content
    # A random name under evidence/<year>/, never derived from the user's name.
    assert item.file.name.startswith(f"evidence/{incident.year}/")
    assert "skaermbillede" not in item.file.name
    assert len(item.file.name.rsplit("/", 1)[1]) == 32
    assert _stored_files(private_storage) == [private_storage / item.file.name]

    entry = TimelineEntry.objects.get(incident=incident, kind=TimelineEntry.Kind.EVIDENCE_ADDED)
    assert entry.visible_to_employee
    assert item.sha256 in entry.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="incidents.evidence")
    assert event.details["sha256"] == item.sha256
    assert event.incident_reference == incident.reference


def test_store_reads_the_upload_once_through_read_based_storage(personas, incident, monkeypatch):
    """S3-style storages pull with read(n); the hash and bytes are the same."""
    written = {}

    class ReadingStorage(Storage):
        def _save(self, name, content):
            parts = []
            while chunk := content.read(100_000):
                parts.append(chunk)
            written[name] = b"".join(parts)
            return name

        def exists(self, name):
            return False

        def delete(self, name):
            written.pop(name, None)

    monkeypatch.setattr(evidence_module, "default_storage", ReadingStorage())
    content = PDF + b"% padding\n" * 50_000
    item = _store(personas, incident, name="brev.pdf", content=content)
    assert written[item.file.name] == content
    assert item.sha256 == hashlib.sha256(content).hexdigest()


def test_stored_file_is_deleted_when_the_database_write_fails(personas, incident, private_storage, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(evidence_module, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _store(personas, incident)
    assert not Evidence.objects.exists()
    assert _stored_files(private_storage) == []


def test_publication_of_another_incident_is_refused(personas, incident):
    other = incident_register(
        actor=personas.manager,
        unit=personas.jobcenter,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Andet", "discovered_at": timezone.now()},
        publications=[{"platform": "x", "url": "https://x.com/a"}],
    )
    with pytest.raises(ValueError):
        _store(personas, incident, publication=other.publications.get())
    form = EvidenceUploadForm(
        {"publication": str(other.publications.get().pk)}, {"files": _upload("a.png", PNG)}, incident=incident
    )
    assert not form.is_valid()
    assert form.errors["publication"] == ["Vælg en af sagens offentliggørelser."]


# --- Type from content, never from the name ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("billede.pdf", PNG, "image", "image/png"),  # a PNG named .pdf is an image
        ("foto.txt", JPEG, "image", "image/jpeg"),
        ("skaermbillede.png", PDF, "pdf", "application/pdf"),
        ("scan.pdf", b"\x00\x01junk" + PDF, "pdf", "application/pdf"),
        ("om-pdf.txt", b"Filen starter med %PDF-1.4 og er en PDF.\n", "text", "text/plain"),
        ("optagelse.mp3", MP3, "audio", "audio/mpeg"),
        ("optagelse", WAV, "audio", "audio/x-wav"),
        ("video.mp4", MP4, "video", "video/mp4"),
        ("side.html", HTML, "webpage", "text/html"),
        ("side.htm", SAVED_PAGE, "webpage", "text/html"),
        ("side.mhtml", MHTML, "webpage", "multipart/related"),
        ("facebook.html", PAGE_WITH_ICONS, "webpage", "text/html"),  # inline SVG icons are part of a page
        ("side.xhtml", XHTML, "webpage", "text/html"),
        ("noter.txt", TEXT, "text", "text/plain"),
        ("noter.png", TEXT, "text", "text/plain"),
        ("MZ-noter.txt", b"MZ Hansen skrev: du er en heks\n", "text", "text/plain"),
    ],
)
def test_type_is_detected_from_content(personas, incident, name, content, kind, content_type):
    item = _store(personas, incident, name=name, content=content)
    assert (item.kind, item.content_type) == (kind, content_type)
    assert item.original_name == name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("ferie.png", EXE, "program"),  # a .exe renamed .png
        ("ferie.jpg", ELF, "program"),
        ("tegning.svg", SVG, "SVG"),
        ("logo.png", SVG_BARE, "SVG"),
        ("ikon.txt", SVG_UPPER, "SVG"),
        ("bilag.zip", _zip(), "ZIP"),
        ("referat.docx", _zip(["[Content_Types].xml", "word/document.xml"]), "Office"),
        ("referat.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Office"),
        ("latin1.txt", "Skærmbillede æøå".encode("latin-1"), "UTF-8"),
        ("tom.png", b"", "tom"),
        ("binaer.dat", b"\x01\x02\x00\x03" * 10, "genkendes"),
    ],
)
def test_refused_types_get_a_danish_message_naming_the_file(personas, incident, private_storage, name, content, reason):
    with pytest.raises(EvidenceRejected) as caught:
        _store(personas, incident, name=name, content=content)
    message = str(caught.value)
    assert f"«{name}» blev afvist" in message
    assert reason in message
    assert not Evidence.objects.exists()
    assert _stored_files(private_storage) == []


def test_text_that_turns_binary_after_the_first_bytes_is_refused_and_not_kept(personas, incident, private_storage):
    content = TEXT * 20_000 + b"\x00\x01binary"
    with pytest.raises(EvidenceRejected, match="tekstfil"):
        _store(personas, incident, name="noter.txt", content=content)
    assert _stored_files(private_storage) == []
    assert not Evidence.objects.exists()


def test_sniff_refuses_macro_documents_and_executables_whatever_the_name():
    with pytest.raises(EvidenceRejected, match="program"):
        sniff(EXE, "x.pdf")
    assert sniff(PNG, "x.exe").kind == "image"


# --- Size limit ------------------------------------------------------------------------------------


def test_service_refuses_a_file_over_the_limit(personas, incident, private_storage, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    with pytest.raises(EvidenceRejected) as caught:
        _store(personas, incident, name="stor.png", content=PNG + b"\x00" * (2 * MB))
    assert str(caught.value) == "«stor.png» er for stor. En fil må højst fylde 1 MB. Filen er ikke gemt."
    assert _stored_files(private_storage) == []


def test_service_counts_bytes_while_streaming_when_the_size_is_not_declared(
    personas, incident, private_storage, settings
):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    upload = _upload("stor.png", PNG + b"\x00" * (2 * MB))
    upload.size = None  # e.g. an API stream without a length
    with pytest.raises(EvidenceRejected, match="for stor"):
        evidence_store(actor=personas.manager, incident=incident, uploaded_file=upload)
    assert _stored_files(private_storage) == []


def test_upload_over_the_limit_is_refused_and_the_other_files_kept(
    client, personas, incident, private_storage, settings
):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    client.force_login(personas.manager)
    response = client.post(
        _upload_url(incident),
        {
            "files": [_upload("stor.png", PNG + b"\x00" * (2 * MB)), _upload("lille.png", PNG)],
            "description": "Opslag fra i går",
        },
    )
    assert response.status_code == 200
    messages = _messages(response)
    assert "«stor.png» er for stor. En fil må højst fylde 1 MB. Filen er ikke gemt." in messages
    assert [e.original_name for e in Evidence.objects.all()] == ["lille.png"]
    assert len(_stored_files(private_storage)) == 1
    # What was typed is still in the form.
    assert 'value="Opslag fra i går"' in response.content.decode()


def test_only_a_too_large_file_gives_the_size_message_not_choose_a_file(client, personas, incident, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    client.force_login(personas.manager)
    response = client.post(_upload_url(incident), {"files": [_upload("stor.mp4", MP4 + b"\x00" * (2 * MB))]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "«stor.mp4» er for stor" in body
    assert "Vælg mindst én fil." not in body
    assert not Evidence.objects.exists()


class _GeneratedUpload(io.RawIOBase):
    """A multipart body with one file of `size` bytes, generated as it is read (never held in memory)."""

    BLOCK = MB

    def __init__(self, size: int, filename: str = "video.mp4"):
        self.head = (
            b'--BOUNDARY\r\nContent-Disposition: form-data; name="files"; filename="'
            + filename.encode()
            + b'"\r\nContent-Type: video/mp4\r\n\r\n'
        )
        self.tail = b"\r\n--BOUNDARY--\r\n"
        self.size = size
        self.sent = 0
        self.block = MP4 + b"\x00" * (self.BLOCK - len(MP4))
        self.length = len(self.head) + size + len(self.tail)

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.BLOCK if n is None or n < 0 else n
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
            return out
        if self.sent < self.size:
            k = min(n, self.size - self.sent, self.BLOCK)
            self.sent += k
            return self.block[:k]
        out, self.tail = self.tail[:n], self.tail[n:]
        return out


def test_size_handler_stops_writing_a_file_as_soon_as_it_passes_the_limit():
    body = _GeneratedUpload(64 * MB)
    limiter = EvidenceSizeLimitUploadHandler(None, limit=1 * MB)
    written = []

    class SpyingTemporaryHandler(TemporaryFileUploadHandler):
        def receive_data_chunk(self, raw_data, start):
            written.append(len(raw_data))
            return super().receive_data_chunk(raw_data, start)

    meta = {"CONTENT_TYPE": "multipart/form-data; boundary=BOUNDARY", "CONTENT_LENGTH": str(body.length)}
    _post, files = MultiPartParser(meta, body, [limiter, SpyingTemporaryHandler()]).parse()
    assert dict(files) == {}
    assert limiter.too_large == ["video.mp4"]
    assert sum(written) <= 1 * MB  # nothing past the limit reached the temporary file


def test_a_2_gb_upload_is_refused_with_a_danish_message_and_never_written(
    personas, incident, private_storage, settings, monkeypatch
):
    """A generated 2 GB request through the whole stack; memory stays flat, disk gets at most the limit."""
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    body = _GeneratedUpload(2 * 1024 * MB, filename="kaempe.mp4")
    client = Client()
    client.force_login(personas.manager)
    response = client.generic(
        "POST",
        _upload_url(incident),
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": "multipart/form-data; boundary=BOUNDARY",
        },
    )
    assert response.status_code == 400
    assert "«kaempe.mp4» er for stor. En fil må højst fylde 1 MB. Filen er ikke gemt." in response.content.decode()
    assert sum(written) <= 1 * MB
    assert not Evidence.objects.exists()
    assert _stored_files(private_storage) == []


# --- Names: path separators, control characters, HTML --------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x.png", "x.png"),
        ("C:\\Users\\sara\\Skrivebord\\opslag.png", "opslag.png"),
        ("mappe/under/billede.png", "billede.png"),
        ("evil\x00.png", "evil.png"),
        ("linje\r\nskift.png", "linjeskift.png"),
        ("\u202egnp.exe", "gnp.exe"),  # right-to-left override hides the real extension
        ("..", "unavngivet fil"),
        ("a" * 300 + ".png", "a" * 251 + ".png"),
    ],
)
def test_original_names_are_cleaned_for_display(given, shown):
    assert clean_original_name(given) == shown


@pytest.mark.parametrize("given", ["../../etc/passwd", "..\\x.png", "a/b/../../c.png", "evil\x00.png"])
def test_path_names_never_reach_storage(personas, incident, private_storage, given):
    item = _store(personas, incident, name=given, content=TEXT)
    assert "/" not in item.original_name and "\\" not in item.original_name and "\x00" not in item.original_name
    stored = _stored_files(private_storage)
    assert stored == [private_storage / item.file.name]
    assert stored[0].resolve().is_relative_to(private_storage.resolve())
    assert not (private_storage.parent / "etc").exists()


def test_path_names_in_a_raw_multipart_upload_are_stored_safely(client, personas, incident, private_storage):
    body = (
        b'--B\r\nContent-Disposition: form-data; name="files"; filename="../../etc/passwd"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + TEXT + b"\r\n"
        b'--B\r\nContent-Disposition: form-data; name="files"; filename="..\\\\..\\\\x.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--B--\r\n"
    )
    client.force_login(personas.manager)
    response = client.post(_upload_url(incident), body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["passwd", "x.png"]
    for path in _stored_files(private_storage):
        assert path.resolve().is_relative_to(private_storage.resolve())


def test_html_in_names_description_and_reason_is_shown_escaped(
    client, personas, incident, django_capture_on_commit_callbacks
):
    kept = _store(
        personas, incident, name="<img src=x onerror=alert(1)>.png", description="<script>alert('beskrivelse')</script>"
    )
    removed = _store(personas, incident, name="b.png")
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=personas.manager, evidence=removed, reason="<b>Forkert sag</b>")
    assert kept.description == "<script>alert('beskrivelse')</script>"  # stored as typed
    client.force_login(personas.manager)
    body = client.get(_upload_url(incident)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&#x27;beskrivelse&#x27;)&lt;/script&gt;" in body
    assert "&lt;b&gt;Forkert sag&lt;/b&gt;" in body


def test_html_typed_in_the_upload_form_is_stored_as_typed_and_echoed_escaped(client, personas, incident):
    client.force_login(personas.manager)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _upload_url(incident),
        {
            "files": [_upload("a.png", PNG)],
            "description": '"><script>alert(1)</script>',
            "captured_at": future,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tidspunktet kan ikke ligge i fremtiden." in body
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "<script>alert(1)</script>" not in body
    assert not Evidence.objects.exists()


# --- Upload through the page ------------------------------------------------------------------------


def test_several_files_at_once_keep_those_that_pass(client, personas, incident, private_storage):
    client.force_login(personas.manager)
    captured = (timezone.localtime() - timedelta(hours=3)).replace(second=0, microsecond=0)
    response = client.post(
        _upload_url(incident),
        {
            "files": [_upload("opslag.png", PNG), _upload("ferie.png", EXE), _upload("brev.pdf", PDF)],
            "description": "Fra gruppen",
            "captured_at": captured.strftime("%Y-%m-%dT%H:%M"),
            "publication": str(incident.publications.get().pk),
        },
    )
    assert response.status_code == 200
    messages = _messages(response)
    assert any(m.startswith("«opslag.png» er gemt") for m in messages)
    assert any(m.startswith("«brev.pdf» er gemt") for m in messages)
    assert any("«ferie.png» blev afvist" in m and "program" in m for m in messages)
    items = list(Evidence.objects.order_by("id"))
    assert [e.original_name for e in items] == ["opslag.png", "brev.pdf"]
    assert all(e.description == "Fra gruppen" and e.captured_at == captured for e in items)
    assert all(e.publication == incident.publications.get() and e.uploaded_by == personas.manager for e in items)
    assert 'value="Fra gruppen"' in response.content.decode()
    assert len(_stored_files(private_storage)) == 2


def test_a_clean_upload_goes_back_to_the_case(client, personas, incident):
    client.force_login(personas.manager)
    response = client.post(_upload_url(incident), {"files": [_upload("a.png", PNG), _upload("b.html", HTML)]})
    assert response.status_code == 302
    assert response["Location"] == _detail_url(incident)
    assert Evidence.objects.count() == 2


def test_upload_without_files_asks_for_one(client, personas, incident):
    client.force_login(personas.manager)
    response = client.post(_upload_url(incident), {"description": "Glemte filen"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vælg mindst én fil." in body
    assert 'value="Glemte filen"' in body


def test_upload_checks_csrf(personas, incident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.manager)
    response = client.post(_upload_url(incident), {"files": [_upload("a.png", PNG)]})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


UPLOADERS = {"manager", "caseworker"}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_upload_per_persona(client, personas, incident, name):
    client.force_login(getattr(personas, name))
    response = client.post(_upload_url(incident), {"files": [_upload("a.png", PNG)]})
    if name in UPLOADERS:
        assert response.status_code == 302
        assert Evidence.objects.get().uploaded_by == getattr(personas, name)
    else:
        assert response.status_code == 404
        assert not Evidence.objects.exists()


def test_upload_and_page_redirect_anonymous_to_sign_in(client, incident):
    for response in (
        client.post(_upload_url(incident), {"files": [_upload("a.png", PNG)]}),
        client.get(_upload_url(incident)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Evidence.objects.exists()


# --- The section ------------------------------------------------------------------------------------


def test_section_shows_table_tombstone_form_and_limits(
    client, personas, incident, settings, django_capture_on_commit_callbacks
):
    settings.EVIDENCE_MAX_UPLOAD_MB = 250
    kept = _store(
        personas,
        incident,
        name="opslag.png",
        description="Kommentarsporet",
        captured_at=timezone.now() - timedelta(hours=1),
    )
    gone = _store(personas, incident, name="forkert.pdf", content=PDF)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=personas.manager, evidence=gone, reason="Hører til en anden sag")
    client.force_login(personas.manager)
    response = client.get(_upload_url(incident))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h2 class="h4" id="dokumentation-overskrift">Dokumentation</h2>' in body
    assert f'<code class="evidence-hash">{kept.sha256}</code>' in body
    assert f'href="{_download_url(kept)}"' in body
    assert f'href="{_download_url(gone)}"' not in body
    assert f'<code class="evidence-hash">{gone.sha256}</code>' in body
    assert '<del class="evidence-name">forkert.pdf</del>' in body
    assert "Hører til en anden sag" in body
    assert "Mette Leder" in body
    assert "Kommentarsporet" in body
    assert "Højst 250 MB pr. fil." in body
    assert "tekst (UTF-8) og gemte websider (HTML, MHTML)" in body
    assert "multiple required" in body and "data-evidence-dropzone" in body
    assert "js/evidence-upload.js" in body
    assert f'action="{_remove_url(kept)}"' in body
    assert f'action="{_remove_url(gone)}"' not in body
    assert " style=" not in body and "<script>" not in body


def test_employee_sees_upload_form_but_no_remove_form(client, personas, incident):
    item = _store(personas, incident)
    client.force_login(personas.caseworker)
    body = client.get(_upload_url(incident)).content.decode()
    assert f'href="{_download_url(item)}"' in body
    assert "Tilføj dokumentation" in body
    assert f'action="{_remove_url(item)}"' not in body


def test_evidence_page_queries_do_not_grow_with_the_rows(client, personas, incident, django_assert_max_num_queries):
    client.force_login(personas.manager)
    _store(personas, incident)
    client.get(_upload_url(incident))
    with django_assert_max_num_queries(30) as few:
        client.get(_upload_url(incident))
    for i in range(8):
        _store(personas, incident, name=f"{i}.png")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_upload_url(incident))


# --- Downloads ----------------------------------------------------------------------------------------


def test_download_is_an_audited_attachment_with_safe_headers(client, personas, incident):
    item = _store(personas, incident, name="Skærmbillede æøå.png")
    client.force_login(personas.manager)
    response = client.get(_download_url(item))
    assert response.status_code == 200
    assert _body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Sk%C3%A6rmbillede%20%C3%A6%C3%B8%C3%A5.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.details["sha256"] == item.sha256
    assert event.actor == personas.manager
    assert event.incident_reference == incident.reference


@pytest.mark.parametrize(("name", "content"), [("side.html", HTML), ("noter.txt", TEXT), ("side.mhtml", MHTML)])
def test_active_content_is_served_as_octet_stream(client, personas, incident, name, content):
    item = _store(personas, incident, name=name, content=content)
    client.force_login(personas.manager)
    response = client.get(_download_url(item))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert _body(response) == content


def test_quotes_in_a_name_cannot_break_the_header(client, personas, incident):
    item = _store(personas, incident, name='a"; filename="evil.html')
    client.force_login(personas.manager)
    response = client.get(_download_url(item))
    assert response["Content-Disposition"] == 'attachment; filename="a\\"; filename=\\"evil.html"'


DOWNLOADERS = {"manager", "caseworker"}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_download_per_persona(client, personas, incident, name):
    item = _store(personas, incident)
    client.force_login(getattr(personas, name))
    response = client.get(_download_url(item))
    if name in DOWNLOADERS:
        assert response.status_code == 200
        assert _body(response) == PNG
    else:
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_download_redirects_anonymous_to_sign_in(client, personas, incident):
    item = _store(personas, incident)
    response = client.get(_download_url(item))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_download_of_evidence_from_another_incident_is_404(client, personas, incident):
    other = incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Anden sag", "discovered_at": timezone.now()},
    )
    item = _store(personas, other)
    client.force_login(personas.manager)
    url = reverse("incidents:evidence_download", args=[incident.reference, item.pk])
    assert client.get(url).status_code == 404


# --- Removal -----------------------------------------------------------------------------------------


def test_removal_leaves_a_tombstone_and_deletes_the_file(
    client, personas, incident, private_storage, django_capture_on_commit_callbacks
):
    item = _store(personas, incident, name="forkert.png")
    client.force_login(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remove_url(item), {"reason": "Billedet viser en anden medarbejder"})
    assert response.status_code == 302
    assert response["Location"] == _detail_url(incident)
    item.refresh_from_db()
    assert item.is_removed and item.removed_by == personas.manager
    assert item.removal_reason == "Billedet viser en anden medarbejder"
    assert item.sha256 == hashlib.sha256(PNG).hexdigest() and item.original_name == "forkert.png"
    assert item.file.name == ""
    assert _stored_files(private_storage) == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.details["sha256"] == item.sha256
    assert event.details["reason"] == "Billedet viser en anden medarbejder"
    assert client.get(_download_url(item)).status_code == 404


def test_removal_needs_a_reason(client, personas, incident, private_storage):
    item = _store(personas, incident, name="a.png")
    client.force_login(personas.manager)
    response = client.post(_remove_url(item), {"reason": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv hvorfor dokumentationen fjernes." in body
    assert "«a.png» er ikke fjernet: skriv en begrundelse." in body
    item.refresh_from_db()
    assert not item.is_removed
    assert len(_stored_files(private_storage)) == 1


def test_removal_is_post_only(client, personas, incident):
    item = _store(personas, incident)
    client.force_login(personas.manager)
    assert client.get(_remove_url(item)).status_code == 405


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_removal_per_persona(client, personas, incident, name):
    item = _store(personas, incident)
    client.force_login(getattr(personas, name))
    response = client.post(_remove_url(item), {"reason": "Forkert"})
    expected = {"manager": 302, "caseworker": 403}.get(name, 404)
    assert response.status_code == expected
    item.refresh_from_db()
    assert item.is_removed == (name == "manager")


def test_removal_redirects_anonymous_to_sign_in(client, personas, incident):
    item = _store(personas, incident)
    response = client.post(_remove_url(item), {"reason": "Forkert"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    item.refresh_from_db()
    assert not item.is_removed


def test_stored_files_are_not_reachable_by_any_url(client, personas, incident, settings, private_storage):
    item = _store(personas, incident)
    assert not private_storage.resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve())
    client.force_login(personas.manager)
    for url in (f"/{item.file.name}", f"/media/{item.file.name}", f"/static/{item.file.name}"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_evidence_page_per_persona(client, personas, incident, name):
    item = _store(personas, incident, name="opslag.png")
    client.force_login(getattr(personas, name))
    response = client.get(_upload_url(incident))
    if name in UPLOADERS:
        assert response.status_code == 200
        assert "opslag.png" in response.content.decode()
        assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=getattr(personas, name)).exists()
    else:
        assert response.status_code == 404
        assert item.original_name not in response.content.decode()


@pytest.mark.parametrize(("name", "may_remove"), [("manager", True), ("caseworker", False)])
def test_case_page_includes_the_section(client, personas, incident, name, may_remove):
    item = _store(personas, incident, name="opslag.png")
    client.force_login(getattr(personas, name))
    body = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert 'id="dokumentation-overskrift"' in body
    assert f'href="{_download_url(item)}"' in body
    assert f'action="{_upload_url(incident)}"' in body
    assert (f'action="{_remove_url(item)}"' in body) is may_remove
