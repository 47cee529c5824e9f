"""Evidence files: streaming SHA-256, type from content, size limit, private storage.

Public interface, used by the pages and the API:

    evidence_store(*, actor, incident, uploaded_file, description="", captured_at=None,
                   publication=None, request=None) -> Evidence
        validates (raises EvidenceRejected with a Danish message), stores, hashes,
        writes the timeline entry and the audit event.

    evidence_open(evidence) -> File
        the stored original, opened for reading (FileNotFoundError when removed or missing).

    evidence_list_for(incident) -> QuerySet
        every evidence row of the incident, removed ones included, ready for the template.

The upload is read exactly once, in chunks: the first bytes decide the type (never the
file name), then the same stream goes to storage while the SHA-256 and the size are
computed and the limit is enforced. The bytes are stored unchanged under a random name
through Django's storage API (private local disk or an S3-compatible bucket); the name
the user gave is kept only for display.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import Evidence, TimelineEntry
from .storage import delete_quietly

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
# How many leading bytes the type is decided from (filetype looks at most at 8 KiB).
SNIFF_BYTES = 8192
MAX_NAME_LENGTH = 255

Kind = Evidence.Kind

# Detected MIME type -> kind. Everything not listed here is refused.
ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": Kind.IMAGE,
    "image/png": Kind.IMAGE,
    "image/apng": Kind.IMAGE,
    "image/gif": Kind.IMAGE,
    "image/webp": Kind.IMAGE,
    "image/tiff": Kind.IMAGE,
    "image/bmp": Kind.IMAGE,
    "image/heic": Kind.IMAGE,
    "image/avif": Kind.IMAGE,
    "application/pdf": Kind.PDF,
    "audio/mpeg": Kind.AUDIO,
    "audio/mp4": Kind.AUDIO,
    "audio/aac": Kind.AUDIO,
    "audio/ogg": Kind.AUDIO,
    "audio/x-flac": Kind.AUDIO,
    "audio/x-wav": Kind.AUDIO,
    "audio/amr": Kind.AUDIO,
    "audio/x-aiff": Kind.AUDIO,
    "video/mp4": Kind.VIDEO,
    "video/x-m4v": Kind.VIDEO,
    "video/quicktime": Kind.VIDEO,
    "video/webm": Kind.VIDEO,
    "video/x-matroska": Kind.VIDEO,
    "video/x-msvideo": Kind.VIDEO,
    "video/3gpp": Kind.VIDEO,
    "video/mpeg": Kind.VIDEO,
    "video/x-ms-wmv": Kind.VIDEO,
    "text/plain": Kind.TEXT,
    "text/html": Kind.WEBPAGE,
    "multipart/related": Kind.WEBPAGE,  # MHTML (a page saved as one file)
    "application/warc": Kind.WEBPAGE,  # WARC web archive
}

# Kinds whose content a browser could run or render as a page: always served as a download
# of application/octet-stream, never with their own type.
ACTIVE_CONTENT_KINDS = frozenset({Kind.TEXT, Kind.WEBPAGE})

# What the browser's file picker offers first (a hint only; the server decides from the content).
ACCEPT_ATTRIBUTE = "image/*,application/pdf,audio/*,video/*,text/plain,text/html,.txt,.htm,.html,.mht,.mhtml,.warc"


class EvidenceRejected(ValueError):
    """The file was refused; str(exc) is a Danish message naming the file and the reason."""


def max_upload_bytes() -> int:
    return int(settings.EVIDENCE_MAX_UPLOAD_MB) * 1024 * 1024


def max_upload_label() -> str:
    return f"{int(settings.EVIDENCE_MAX_UPLOAD_MB)} MB"


def too_large_message(name: str) -> str:
    return _("«%(name)s» er for stor. En fil må højst fylde %(limit)s. Filen er ikke gemt.") % {
        "name": name,
        "limit": max_upload_label(),
    }


# --- File names ---------------------------------------------------------------------------

_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean_original_name(name: str | None) -> str:
    """The user's file name, fit for display: basename only, no control or direction characters.

    Never used to build a storage path (files are stored under a random name).
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split())  # tabs and runs of blanks become one space
    if name in {"", ".", ".."}:
        name = _("unavngivet fil")
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


# --- Type from content ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str

    @property
    def needs_utf8(self) -> bool:
        return self.kind == Kind.TEXT

    @property
    def forbids_nul(self) -> bool:
        return self.content_type in ("text/plain", "text/html")


_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux programs
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",  # macOS (Mach-O)
    b"\xca\xfe\xba\xbe",  # Java classes and universal Mach-O
    b"\x00asm",  # WebAssembly
)
_ARCHIVE_TYPES = {
    "application/zip",
    "application/x-tar",
    "application/x-rar-compressed",
    "application/gzip",
    "application/x-bzip2",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/zstd",
    "application/x-brotli",
    "application/x-lz4",
    "application/x-lzip",
    "application/x-lzop",
    "application/x-compress",
    "application/vnd.ms-cab-compressed",
    "application/x-unix-archive",
    "application/x-deb",
    "application/x-rpm",
    "application/epub+zip",
}
_OFFICE_TYPES = {
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/rtf",
}
_EXECUTABLE_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/wasm",
    "application/x-shockwave-flash",
    "application/x-google-chrome-extension",
    "application/x-nintendo-nes-rom",
}


def _root_element(text: str) -> str:
    """The markup's first element name ("html", "svg", …), or "" when the text does not start with markup.

    Skips a byte-order mark, blanks, <?xml …?> and other processing instructions, <!-- comments -->
    (saved pages often begin with one) and a <!DOCTYPE …>, whose name counts as the root.
    """
    text = text.lstrip("\ufeff \t\r\n")
    while text.startswith("<"):
        if text.startswith("<?"):
            end = text.find("?>")
            skip = end + 2
        elif text.startswith("<!--"):
            end = text.find("-->")
            skip = end + 3
        elif text[:9].lower() == "<!doctype":
            return text[9:].lstrip().split(None, 1)[0].split(">", 1)[0].lower() if text[9:].strip() else ""
        else:
            name = text[1:].split(None, 1)[0] if text[1:].strip() else ""
            return name.split(">", 1)[0].split("/", 1)[0].split(":")[-1].lower()
        if end < 0:
            return ""
        text = text[skip:].lstrip(" \t\r\n")
    return ""


def _is_mhtml(head: bytes) -> bool:
    block = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    return b"mime-version:" in block and b"content-type: multipart/related" in block


def _utf8_prefix_ok(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff(head: bytes, name: str, *, accept_wacz: bool = False) -> Sniffed:
    """Decide the type from the first bytes, or raise EvidenceRejected (Danish, naming the file).

    `accept_wacz`: a ZIP named *.wacz is a web archive (ArchiveWeb.page); the caller has
    checked its structure (incidents.capture.services.capture_upload)."""

    def refuse(reason: str) -> EvidenceRejected:
        return EvidenceRejected(_("«%(name)s» blev afvist: %(reason)s") % {"name": name, "reason": reason})

    if not head:
        raise refuse(_("filen er tom."))
    binary = b"\x00" in head
    if head.startswith(_EXECUTABLE_MAGIC) and (binary or not head.startswith(b"MZ")):
        raise refuse(_("det er et program eller anden kørbar kode, ikke dokumentation."))
    guessed = filetype.guess_mime(head[:SNIFF_BYTES])
    if guessed == "application/x-msdownload" and not binary:
        guessed = None  # plain text that happens to begin with "MZ"
    if guessed in ALLOWED_TYPES:
        return Sniffed(guessed, ALLOWED_TYPES[guessed])
    if guessed in _EXECUTABLE_TYPES:
        raise refuse(_("det er et program eller anden kørbar kode, ikke dokumentation."))
    if accept_wacz and guessed == "application/zip" and name.lower().endswith(".wacz"):
        return Sniffed("application/wacz", Kind.WEBPAGE)
    if guessed in _ARCHIVE_TYPES:
        raise refuse(_("komprimerede arkiver (fx ZIP) modtages ikke. Upload filerne enkeltvis."))
    if (guessed and ("officedocument" in guessed or "opendocument" in guessed or guessed in _OFFICE_TYPES)) or (
        head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    ):  # old Office files (OLE2), macros included
        raise refuse(_("Office-dokumenter kan indeholde makroer og modtages ikke. Gem dokumentet som PDF."))
    if guessed:
        raise refuse(_("filtypen (%(type)s) er ikke tilladt.") % {"type": guessed})
    pdf_at = head.find(b"%PDF-", 0, 1024)  # readers accept a little junk before the header
    if pdf_at >= 0 and (b"\x00" in head[:pdf_at] or not _utf8_prefix_ok(head[:pdf_at])):
        return Sniffed("application/pdf", Kind.PDF)
    if head.startswith((b"WARC/1.0", b"WARC/1.1")):
        return Sniffed("application/warc", Kind.WEBPAGE)
    if _is_mhtml(head):
        return Sniffed("multipart/related", Kind.WEBPAGE)
    # Text from here on: the first bytes must look like text at all.
    if binary:
        raise refuse(_("filtypen kunne ikke genkendes. Tilladt er billeder, PDF, lyd, video, tekst og gemte websider."))
    root = _root_element(head.decode("utf-8", errors="replace"))
    if root in {"html", "head", "body"}:
        return Sniffed("text/html", Kind.WEBPAGE)
    if root == "svg":
        raise refuse(_("SVG-tegninger kan indeholde scripts og modtages ikke. Gem billedet som PNG eller PDF."))
    if _utf8_prefix_ok(head):
        return Sniffed("text/plain", Kind.TEXT)
    raise refuse(_("filtypen kunne ikke genkendes. Tekstfiler skal være gemt som UTF-8."))


# --- The stream -----------------------------------------------------------------------------


class _InspectingStream:
    """The upload as a one-pass, read-only file for `Storage.save`.

    Yields the bytes unchanged while it hashes, counts, enforces the size limit and (for
    text) checks the encoding. Both `chunks()` (local disk) and `read()` (S3 uploads) are
    served from the same single pass over the upload.
    """

    content_type = "application/octet-stream"  # what S3 is told; the object itself is inert

    def __init__(
        self,
        source: Iterator[bytes],
        *,
        name: str,
        display_name: str,
        sniffed: Sniffed,
        limit: int,
        declared_size: int | None,
    ):
        self._source = source
        self.name = name
        self.size = declared_size
        self._display_name = display_name
        self._sniffed = sniffed
        self._limit = limit
        self._decoder = codecs.getincrementaldecoder("utf-8")() if sniffed.needs_utf8 else None
        self._buffer = b""
        self._started = False
        self._finished = False
        self.sha256 = hashlib.sha256()
        self.bytes_seen = 0

    def _inspect(self, chunk: bytes) -> bytes:
        self.bytes_seen += len(chunk)
        if self.bytes_seen > self._limit:
            raise EvidenceRejected(too_large_message(self._display_name))
        if self._sniffed.forbids_nul and b"\x00" in chunk:
            raise EvidenceRejected(
                _("«%(name)s» blev afvist: filen indeholder binære data og er ikke en tekstfil.")
                % {"name": self._display_name}
            )
        if self._decoder is not None:
            try:
                self._decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                raise EvidenceRejected(
                    _("«%(name)s» blev afvist: tekstfiler skal være gemt som UTF-8.") % {"name": self._display_name}
                ) from exc
        self.sha256.update(chunk)
        return chunk

    def _next(self) -> bytes | None:
        self._started = True
        for chunk in self._source:
            if chunk:
                return self._inspect(chunk)
        self._finish()
        return None

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self._decoder is not None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise EvidenceRejected(
                    _("«%(name)s» blev afvist: tekstfiler skal være gemt som UTF-8.") % {"name": self._display_name}
                ) from exc

    # File API used by the storage backends.
    def chunks(self, chunk_size=None):
        if self._buffer:
            data, self._buffer = self._buffer, b""
            yield data
        while (chunk := self._next()) is not None:
            yield chunk

    def multiple_chunks(self, chunk_size=None) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size is None or size < 0 or len(self._buffer) < size:
            chunk = self._next()
            if chunk is None:
                break
            self._buffer += chunk
        if size is None or size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if offset == 0 and whence == 0 and not self._started:
            return 0
        raise OSError("the upload stream can only be read once")

    def tell(self) -> int:
        return self.bytes_seen - len(self._buffer)

    def close(self) -> None:
        pass

    @property
    def closed(self) -> bool:
        return False

    def __iter__(self):
        return self.chunks()


def _read_head(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first SNIFF_BYTES (or the whole file if smaller), and the iterator of the rest."""
    parts: list[bytes] = []
    length = 0
    for chunk in chunks:
        parts.append(chunk)
        length += len(chunk)
        if length >= SNIFF_BYTES:
            break
    return b"".join(parts), chunks


# --- Services ---------------------------------------------------------------------------------


def evidence_store(
    *,
    actor,
    incident,
    uploaded_file,
    description: str = "",
    captured_at=None,
    publication=None,
    request=None,
    timeline: bool = True,
    accept_wacz: bool = False,
) -> Evidence:
    """Validate and store one uploaded file as evidence of the incident.

    `timeline=False` leaves the timeline entry to the caller (a page capture writes one entry
    for all its files); `accept_wacz` admits a checked WACZ web archive (see `sniff`).

    Raises EvidenceRejected (a Danish message naming the file) when the type is not
    allowed, the file is empty or too large, or a text file is not UTF-8. Nothing is kept
    of a refused file.
    """
    display_name = clean_original_name(getattr(uploaded_file, "name", ""))
    if publication is not None and publication.incident_id != incident.pk:
        raise ValueError("The publication belongs to another incident.")
    limit = max_upload_bytes()
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise EvidenceRejected(too_large_message(display_name))

    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks = iter(uploaded_file.chunks(CHUNK_SIZE))
    head, rest = _read_head(chunks)
    sniffed = sniff(head[:SNIFF_BYTES], display_name, accept_wacz=accept_wacz)

    evidence = Evidence(
        incident=incident,
        publication=publication,
        original_name=display_name,
        content_type=sniffed.content_type,
        kind=sniffed.kind,
        description=(description or "").strip()[:500],
        captured_at=captured_at,
        uploaded_by=actor,
    )
    # The random storage name comes from the field's upload_to; the user's name is never part of it.
    storage_name = Evidence._meta.get_field("file").generate_filename(evidence, "upload")

    def source() -> Iterator[bytes]:
        if head:
            yield head
        yield from rest

    stream = _InspectingStream(
        source(), name=storage_name, display_name=display_name, sniffed=sniffed, limit=limit, declared_size=declared
    )
    try:
        stored_name = default_storage.save(storage_name, stream)
    except BaseException:
        delete_quietly(storage_name)
        raise
    if stream.bytes_seen == 0:
        delete_quietly(stored_name)
        raise EvidenceRejected(_("«%(name)s» blev afvist: filen er tom.") % {"name": display_name})

    evidence.file.name = stored_name
    evidence.size = stream.bytes_seen
    evidence.sha256 = stream.sha256.hexdigest()
    try:
        with transaction.atomic():
            evidence.save()
            if timeline:
                TimelineEntry.objects.create(
                    incident=incident,
                    actor=actor,
                    kind=TimelineEntry.Kind.EVIDENCE_ADDED,
                    text=f"{display_name} (SHA-256 {evidence.sha256})",
                    visible_to_employee=True,
                    occurred_on=timezone.localdate(),
                )
            audit_record(
                request=request,
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=evidence,
                summary=_("Dokumentation tilføjet"),
                details={
                    "sha256": evidence.sha256,
                    "name": display_name,
                    "size": evidence.size,
                    "kind": evidence.kind,
                    "content_type": evidence.content_type,
                },
            )
    except BaseException:
        delete_quietly(stored_name)
        raise
    return evidence


def evidence_open(evidence: Evidence):
    """The stored original, opened for binary reading (a Django File; the caller closes it)."""
    if evidence.is_removed or not evidence.file.name:
        raise FileNotFoundError("the evidence file has been removed")
    return default_storage.open(evidence.file.name, "rb")


def evidence_list_for(incident) -> QuerySet:
    """Every evidence row of the incident, removed ones included, with the people selected."""
    return (
        Evidence.objects.filter(incident=incident)
        .select_related("uploaded_by", "removed_by", "publication")
        .order_by("uploaded_at", "id")
    )


def evidence_duplicate_of(evidence: Evidence) -> Evidence | None:
    """Another file of the same incident with the same SHA-256 (still kept), if any."""
    return (
        Evidence.objects.filter(incident_id=evidence.incident_id, sha256=evidence.sha256, removed_at__isnull=True)
        .exclude(pk=evidence.pk)
        .order_by("uploaded_at", "id")
        .first()
    )


def served_content_type(evidence: Evidence) -> str:
    """The Content-Type a download is sent with: never one a browser would run or render as a page."""
    if evidence.kind in ACTIVE_CONTENT_KINDS or evidence.content_type not in ALLOWED_TYPES:
        return "application/octet-stream"
    return evidence.content_type
