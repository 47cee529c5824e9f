"""Serving a stored private file, after the view has checked permission and written the audit event.

    stored_file_response(handle, *, name, filename, content_type, as_attachment=True) -> HttpResponse

`handle` is the file the view opened through the storage (opening it is what proves the file
exists, so a missing file still answers 404 before anything is audited); `name` is its storage
name. How the bytes travel depends on settings.PRIVATE_DOWNLOADS:

- "stream" (the default, what `make run` and the tests use): the application streams the file
  itself (Django's FileResponse), which holds an application thread for the whole download.
- "proxy" (production behind deploy/nginx): the application only answers the headers and hands
  the transfer to the proxy, so a slow client never holds an application thread:
    * files on local disk: an empty response with `X-Accel-Redirect:
      <PRIVATE_DOWNLOADS_ACCEL_PREFIX><name>`; nginx serves the file from its `internal`
      location (a client cannot ask for that location itself);
    * files in an S3 bucket: a 302 to a presigned URL valid for PRIVATE_DOWNLOADS_URL_EXPIRY
      seconds, which names the download file name and type, so the bucket answers as an
      attachment.
The caller adds its own security headers to whatever is returned.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

STREAM = "stream"
PROXY = "proxy"


def stored_file_response(
    handle, *, name: str, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponseBase:
    mode = getattr(settings, "PRIVATE_DOWNLOADS", STREAM)
    if mode != PROXY:
        return FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    handle.close()
    disposition = content_disposition_header(as_attachment, filename)
    storage = default_storage
    if isinstance(storage, FileSystemStorage):  # the lazy object answers for the storage it wraps
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_DOWNLOADS_ACCEL_PREFIX + quote(name)
        # nginx sends the file's own Content-Length; no body here.
        response["Content-Disposition"] = disposition or ""  # always set for these arguments
        return response
    # S3 storage's url() takes these parameters (FileSystemStorage's does not).
    url = storage.url(
        name,
        parameters={
            "ResponseContentDisposition": disposition,  # type: ignore[call-arg]
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.PRIVATE_DOWNLOADS_URL_EXPIRY,
    )
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response
