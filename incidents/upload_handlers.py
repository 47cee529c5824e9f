"""Upload handlers for evidence: a file above the size limit is stopped while it arrives.

Django's TemporaryFileUploadHandler already streams large uploads to a temporary file
instead of memory. `EvidenceSizeLimitUploadHandler` goes in front of it and counts the
bytes of each file; when a file passes settings.EVIDENCE_MAX_UPLOAD_MB it raises SkipFile:
the temporary file is closed and deleted at once, the rest of that file is read from the
connection and thrown away (never written, never held in memory), the file is left out
of request.FILES, and its name is remembered in `too_large` so the view can say so in
Danish. Other files of the same request are handled as usual.

The evidence upload view installs it per request (`install_evidence_upload_handlers`).
Project-wide it could instead be configured as

    FILE_UPLOAD_HANDLERS = [
        "incidents.upload_handlers.EvidenceSizeLimitUploadHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from .evidence import max_upload_bytes


class EvidenceSizeLimitUploadHandler(FileUploadHandler):
    """Refuse each uploaded file that grows past the evidence size limit, while it streams."""

    def __init__(self, request=None, *, limit: int | None = None):
        super().__init__(request)
        self.limit = max_upload_bytes() if limit is None else limit
        self.too_large: list[str] = []
        self.received = 0

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.received = 0
        if content_length is not None and content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data  # pass the chunk on to the next handler unchanged

    def file_complete(self, file_size):
        return None  # the next handler builds the UploadedFile

    def _refuse(self):
        if self.file_name not in self.too_large:
            self.too_large.append(self.file_name)
        raise SkipFile


def install_evidence_upload_handlers(request) -> EvidenceSizeLimitUploadHandler:
    """Put the size limit in front of the request's upload handlers; before request.POST/FILES are read.

    Returns the handler (already configured project-wide or newly inserted), whose
    `too_large` lists the files that were refused.
    """
    for handler in request.upload_handlers:
        if isinstance(handler, EvidenceSizeLimitUploadHandler):
            return handler
    handler = EvidenceSizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
