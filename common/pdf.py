"""The one WeasyPrint setup: offline URL fetchers and the archival write.

    static_roots()             the folders a fetcher may read (STATICFILES_DIRS, STATIC_ROOT)
    static_base_url()          file: URL of the first static folder (None without one)
    allowed_static_file(url)   the local path of a file: URL inside them; RefusedURL otherwise
    static_fetcher(check=…)    a fetcher that serves our static files and refuses everything else
    refusing_fetcher()         a fetcher that loads nothing at all
    render_pdf(html, …)        lay out on A4 and write PDF/A-3b with tags -> RenderedPdf

No network, no file outside the static folders, no data: URLs from user text. WeasyPrint logs a
refusal and leaves the resource out. Fonts come from the system (DejaVu, fonts-dejavu-core) and
are embedded as subsets. WeasyPrint is imported when a PDF is made, not when Django starts.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

# WeasyPrint reports every layout step at INFO; a worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Archival PDF (DOMAIN.md 6): PDF/A-3b, so municipal archives can keep the file; WeasyPrint
# writes the XMP identification (pdfaid:part 3, conformance B), an sRGB output intent and
# embeds every font. `pdf_tags` adds the structure tree (headings, tables, lists) for
# screen readers where WeasyPrint supports it.
PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


class RefusedURL(ValueError):
    """A URL outside our static files; WeasyPrint logs it and leaves the resource out."""


@lru_cache(maxsize=1)
def static_roots() -> tuple[Path, ...]:
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(root.resolve() for root in roots)


def static_base_url() -> str | None:
    """Relative URLs in a template (a stylesheet) resolve against the first static folder."""
    roots = static_roots()
    return roots[0].as_uri() + "/" if roots else None


def allowed_static_file(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"only our static files may be loaded, not {url[:80]!r}")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in static_roots()) or not path.is_file():
        raise RefusedURL(f"not one of our static files: {url[:80]!r}")
    return path


def static_fetcher(check: Callable[[str], Path] | None = None):
    """A fetcher for our static files; `check` (default allowed_static_file) maps a URL to its path."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=5, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            path = (check or allowed_static_file)(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def refusing_fetcher():
    """A fetcher that fetches nothing, for documents that carry everything inline."""
    from weasyprint.urls import URLFetcher

    class RefuseAll(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            raise RefusedURL(f"this PDF loads nothing (asked for {url[:80]!r})")

    return RefuseAll()


def render_pdf(html: str, *, base_url: str | None, url_fetcher, archival: bool = True) -> RenderedPdf:
    """Lay the HTML out on A4 pages and write the PDF (PDF/A-3b with tags when `archival`)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).render()
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True} if archival else {}
    return RenderedPdf(content=document.write_pdf(**options), pages=len(document.pages))
