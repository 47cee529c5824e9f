"""HTML → PDF with WeasyPrint, offline.

The report templates (templates/reports/pdf/) are rendered in Danish with Django's
autoescaping, so text typed by users is always text, never markup. WeasyPrint gets a
URL fetcher that serves our own static files (the print stylesheet) and refuses
everything else: no network, no file outside the static folders, no data: URLs from
user text. Fonts come from the system (DejaVu, fonts-dejavu-core) through @font-face
local() in the stylesheet and are embedded as subsets. Every report is written as
PDF/A-3b with tags (see `PDF_VARIANT`).
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

STYLESHEET = "css/report-print.css"

# WeasyPrint reports every layout step at INFO; a worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


class RefusedURL(ValueError):
    """A URL outside our static files; WeasyPrint logs it and leaves the resource out."""


@lru_cache(maxsize=1)
def static_roots() -> tuple[Path, ...]:
    """The folders the fetcher may read from: the project's static folders."""
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(root.resolve() for root in roots)


def base_url() -> str:
    """Relative URLs in the templates (the stylesheet) resolve against the first static folder."""
    return static_roots()[0].as_uri() + "/"


def _allowed_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"only our static files may be loaded, not {url[:80]!r}")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in static_roots()) or not path.is_file():
        raise RefusedURL(f"not one of our static files: {url[:80]!r}")
    return path


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=5, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            path = _allowed_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def render_html(template_name: str, context: dict) -> str:
    """The report's HTML, in Danish whatever language the caller runs in."""
    with translation.override("da"):
        return render_to_string(template_name, {**context, "stylesheet": STYLESHEET})


def render_text(template_name: str, context: dict) -> str:
    with translation.override("da"):
        return render_to_string(template_name, context).strip() + "\n"


# Archival PDF (DOMAIN.md 6): PDF/A-3b, so municipal archives can keep the file; WeasyPrint
# writes the XMP identification (pdfaid:part 3, conformance B), an sRGB output intent and
# embeds every font. `pdf_tags` adds the structure tree (headings, tables, lists) for
# screen readers where WeasyPrint supports it.
PDF_VARIANT = "pdf/a-3b"


def html_to_pdf(html: str) -> RenderedPdf:
    """Lay the HTML out on A4 pages and write the PDF/A-3b (fonts embedded, tagged)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url(), url_fetcher=_fetcher()).render()
    return RenderedPdf(content=document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True),
                       pages=len(document.pages))
